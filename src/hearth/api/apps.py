from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hearth.api"
    label = "api"
    verbose_name = "API for partner systems"
    default_auto_field = "django.db.models.BigAutoField"
