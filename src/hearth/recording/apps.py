from django.apps import AppConfig


class RecordingConfig(AppConfig):
    name = "hearth.recording"
    label = "recording"
    verbose_name = "Recording quality"
