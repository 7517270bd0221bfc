from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "hearth.linkage"
    verbose_name = "Who is who: the master person index"
    default_auto_field = "django.db.models.BigAutoField"
