"""Putting the people Hearth already holds into the master person index (`hearth link backfill`).

A partnership that starts using linkage has people made before the index existed (by the
generator, older imports, the census). Each gets a source record per identifier it holds in an
agency's system — or one under `hearth` if none — linked to it with method `local_id`, so the
batch run can find duplicates among them. Idempotent: people already in the index are skipped.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.identifiers import normalise_postcode
from hearth.lib.names import fold
from hearth.linkage.models import Channel, LinkEvent, LinkMethod, SourceRecord
from hearth.people.models import NameType, Person, PersonIdentifier, PersonName, Residence

HEARTH_SYSTEM = "hearth"
BATCH = 5_000


def _batches() -> Iterator[list[Person]]:
    people = (
        Person.objects.filter(merged_into__isnull=True, source_records__isnull=True)
        .order_by("pk")
        .iterator(chunk_size=BATCH)
    )
    batch: list[Person] = []
    for person in people:
        batch.append(person)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _records_for(people: list[Person]) -> list[SourceRecord]:
    ids = [p.pk for p in people]
    idents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, system, value in PersonIdentifier.objects.filter(person_id__in=ids).values_list(
        "person_id", "system", "value"
    ):
        idents[pid].append((system, value))
    previous: dict[int, list[str]] = defaultdict(list)
    for pid, family in PersonName.objects.filter(
        person_id__in=ids, name_type=NameType.PREVIOUS
    ).values_list("person_id", "family_name"):
        if family:
            previous[pid].append(family)
    homes: dict[int, tuple[str, str]] = {}
    for pid, line1, line2, town, postcode in (
        Residence.objects.filter(person_id__in=ids)
        .order_by("person_id", F("end_date").desc(nulls_first=True), "-start_date")
        .values_list(
            "person_id", "address__line1", "address__line2", "address__town", "address__postcode"
        )
    ):
        if pid not in homes:  # where they live now, or last lived
            homes[pid] = (", ".join(p for p in (line1, line2, town) if p), postcode)
    now = timezone.now()
    taken = set(
        SourceRecord.objects.filter(
            source_reference__in=[v for pairs in idents.values() for _, v in pairs]
        ).values_list("source_system", "source_reference")
    )
    out = []
    for p in people:
        address, postcode = homes.get(p.pk, ("", ""))
        keys = [k for k in idents.get(p.pk, []) if k not in taken]
        for system, value in keys or [(HEARTH_SYSTEM, str(p.pk))]:
            out.append(
                SourceRecord(
                    source_system=system,
                    source_reference=value,
                    channel=Channel.BACKFILL,
                    received_at=now,
                    given_name=p.given_name,
                    middle_names=p.middle_names,
                    family_name=p.family_name,
                    previous_family_names=previous.get(p.pk, []),
                    date_of_birth=p.date_of_birth,
                    sex=p.sex,
                    postcode=normalise_postcode(postcode),
                    address=address,
                    nhs_number=p.nhs_number,
                    upn=p.upn,
                    given_key=fold(p.given_name),
                    family_key=fold(p.family_name),
                    raw={"from": "hearth person", "person_id": p.pk},
                    person=p,
                )
            )
    return out


def backfill(*, by: Any) -> int:
    """Index every live person not yet in it; returns the records made."""
    made = 0
    for people in _batches():
        with transaction.atomic():
            records = SourceRecord.objects.bulk_create(_records_for(people), batch_size=BATCH)
            LinkEvent.objects.bulk_create(
                [
                    LinkEvent(
                        record=r,
                        person_id=r.person_id,
                        method=LinkMethod.LOCAL_ID,
                        at=r.received_at,
                        reason="Already in Hearth when the index was built",
                    )
                    for r in records
                ],
                batch_size=BATCH,
            )
            made += len(records)
    record(
        action=AuditAction.LINK_RUN,
        by=by,
        object_type="backfill",
        details={"source_records_made": made},
    )
    return made
