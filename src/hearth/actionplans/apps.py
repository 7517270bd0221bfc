from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "hearth.actionplans"
    label = "actionplans"
    verbose_name = "Agency action plans and the Impact Framework"
    default_auto_field = "django.db.models.BigAutoField"
