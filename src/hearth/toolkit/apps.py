from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_shipped(sender: Any, **kwargs: Any) -> None:
    from hearth.toolkit.registry import load_shipped_definitions

    load_shipped_definitions(using=kwargs.get("using", "default"))


class ToolkitConfig(AppConfig):
    name = "hearth.toolkit"
    label = "toolkit"
    verbose_name = "Neglect toolkit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The shipped tool versions are data, loaded (idempotently) whenever the schema is migrated.
        post_migrate.connect(_load_shipped, sender=self)
