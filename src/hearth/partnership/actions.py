"""Writes to the partnership's reporting settings: one transaction with its audit row."""

from typing import Any

from django.db import transaction

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.partnership.dataset import forget_recent
from hearth.partnership.models import ReportingSettings


@transaction.atomic
def update_settings(*, by: Any, form: Any) -> ReportingSettings:
    """Save a validated `ReportingSettingsForm`, recording what changed."""
    changed = {name: str(form.cleaned_data[name]) for name in form.changed_data}
    saved: ReportingSettings = form.save()
    transaction.on_commit(forget_recent)
    record(
        action=AuditAction.UPDATE_SETTINGS,
        by=by,
        object_type="reporting_settings",
        object_id=saved.pk,
        details={"changed": changed},
    )
    return saved
