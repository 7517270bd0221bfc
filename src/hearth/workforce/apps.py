from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "hearth.workforce"
    label = "workforce"
    verbose_name = "Training reach and confidence"
    default_auto_field = "django.db.models.BigAutoField"
