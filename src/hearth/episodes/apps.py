from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "hearth.episodes"
    label = "episodes"
