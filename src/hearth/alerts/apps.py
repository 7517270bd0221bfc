from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_rules(sender: Any, **kwargs: Any) -> None:
    from hearth.alerts.registry import load_shipped_rules

    load_shipped_rules(using=kwargs.get("using", "default"))


class AlertsConfig(AppConfig):
    name = "hearth.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self)
