from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "hearth.partnership"
    label = "partnership"
    verbose_name = "Partnership dataset"
    default_auto_field = "django.db.models.BigAutoField"
