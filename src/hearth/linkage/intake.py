"""Bulk intake for importers: every person row becomes a source record, in the import's own
transaction, and the people an import had to create are matched against the index after it
commits (`match_new`), so a slow match can never hold a file half-loaded."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from hearth.lib.names import fold
from hearth.linkage import index
from hearth.linkage.models import Channel, LinkEvent, LinkMethod, SourceRecord

# Up to this many new people are matched as the import finishes, one by one (p95 well under a
# second each); a larger file leaves them to the batch run, which the summary says.
INCREMENTAL_LIMIT = 2_000


@dataclass
class Placed:
    """An importer's person row and the person it resolved (or created) for it."""

    incoming: index.Incoming
    person_id: int
    method: str  # a LinkMethod: local_id, nhs_number, upn or new_person


def record_people(placed: Sequence[Placed], *, run_id: int | None = None) -> list[int]:
    """Upsert the rows' source records; the ids of those whose person the import created."""
    if not placed:
        return []
    wanted = {(p.incoming.source_system, p.incoming.source_reference) for p in placed}
    systems = {s for s, _ in wanted}
    existing = {
        (r.source_system, r.source_reference): r
        for r in SourceRecord.objects.filter(
            source_system__in=systems,
            source_reference__in=[ref for _, ref in wanted],
        )
    }
    now = timezone.now()
    fresh: list[tuple[SourceRecord, Placed]] = []
    for p in placed:
        key = (p.incoming.source_system, p.incoming.source_reference)
        found = existing.get(key)
        if found is not None:
            index._refresh(found, p.incoming)
            continue
        values = index._columns(p.incoming)
        raw = {k: index._plain(v) for k, v in p.incoming.raw.items()}
        if run_id is not None:
            raw["import_run"] = run_id
        record = SourceRecord(
            source_system=key[0],
            source_reference=key[1],
            channel=p.incoming.channel or Channel.IMPORT,
            received_at=now,
            raw=raw,
            given_key=fold(p.incoming.given_name),
            family_key=fold(p.incoming.family_name),
            person_id=p.person_id,
            **values,
        )
        existing[key] = record
        fresh.append((record, p))
    SourceRecord.objects.bulk_create([r for r, _ in fresh], batch_size=2_000)
    LinkEvent.objects.bulk_create(
        [LinkEvent(record=r, person_id=p.person_id, method=p.method, at=now) for r, p in fresh],
        batch_size=2_000,
    )
    return [r.pk for r, p in fresh if p.method == LinkMethod.NEW_PERSON]


def match_new(record_ids: Sequence[int], *, by: Any) -> dict[str, int]:
    """Match the import's new people against the index, each in its own transaction."""
    counts = {"linked": 0, "review": 0, "new": 0, "deferred": 0}
    model = index.active_model()
    if model is None:
        counts["new"] = len(record_ids)
        return counts
    if len(record_ids) > INCREMENTAL_LIMIT:
        counts["deferred"] = len(record_ids)
        return counts
    for record in SourceRecord.objects.filter(pk__in=record_ids).select_related("person"):
        with transaction.atomic():
            counts[index.rematch(record, by=by, model=model)] += 1
    return counts
