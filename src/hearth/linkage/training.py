"""Training the matching model on the partnership's own source records: the action that stores
a new, active model version with its thresholds and training figures, audited."""

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.linkage import model as linkage_model
from hearth.linkage.models import LinkageModel, SourceRecord

RECORD_FIELDS = (
    "id",
    "source_system",
    "given_name",
    "middle_names",
    "family_name",
    "previous_family_names",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
)


def source_records() -> Iterator[dict[str, Any]]:
    """Every source record in the model's raw keys (unique_id is the record's primary key)."""
    for row in SourceRecord.objects.order_by("pk").values(*RECORD_FIELDS).iterator(chunk_size=5000):
        row["unique_id"] = row.pop("id")
        yield row


def train_linkage_model(
    *,
    by: Any,
    upper: float = linkage_model.DEFAULT_UPPER,
    lower: float = linkage_model.DEFAULT_LOWER,
    backend: str = "duckdb",
    username: str = "",
) -> LinkageModel:
    """Train on every source record, store the result as the next version and make it active.

    Training runs before the transaction opens (it may take minutes); only the write is atomic."""
    if not 0 < lower <= upper < 1:
        raise ValueError("thresholds must satisfy 0 < lower <= upper < 1")
    records = list(source_records())
    if len(records) < 2:
        raise ValueError("training needs at least two source records")
    trained = linkage_model.train(records, backend=backend)
    trained["thresholds"] = {"upper": upper, "lower": lower}
    trained["fingerprint"] = linkage_model.fingerprint(trained)
    actor = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        version = (LinkageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        LinkageModel.objects.filter(active=True).update(active=False)
        stored = LinkageModel.objects.create(
            version=version,
            splink_settings=trained,
            upper_threshold=upper,
            lower_threshold=lower,
            trained_at=timezone.now(),
            trained_by=actor.username if actor else (username or "command"),
            records_trained_on=len(records),
            notes=trained["training"],
            active=True,
        )
        record(
            action=AuditAction.TRAIN_LINKAGE,
            by=actor,
            username=username or "command",
            object_type="linkage_model",
            object_id=stored.pk,
            details={
                "version": version,
                "records": len(records),
                "upper": upper,
                "lower": lower,
                "fingerprint": trained["fingerprint"],
            },
        )
    return stored


def active_model() -> LinkageModel | None:
    return LinkageModel.objects.filter(active=True).first()
