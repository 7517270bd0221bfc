from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "hearth.interop"
    verbose_name = "Imports and exports"
    default_auto_field = "django.db.models.BigAutoField"
