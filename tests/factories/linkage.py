"""Source records and review items, built directly: the matcher that makes them in production
(`hearth.linkage.index`) is exercised by its own tests."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from hearth.lib.names import fold
from hearth.linkage.models import Channel, LinkEvent, LinkMethod, ReviewItem, SourceRecord

_refs = itertools.count(1)


def make_record(person: Any, *, source_system: str = "csc-mosaic", **fields: Any) -> SourceRecord:
    """A record as an agency sent it, already linked to `person` (as every record is)."""
    values: dict[str, Any] = {
        "given_name": person.given_name if person else "",
        "family_name": person.family_name if person else "",
        "date_of_birth": person.date_of_birth if person else None,
        "sex": person.sex if person else "",
        "postcode": "RH10 1AA",
        "address": "1 Test Street, Testtown",
        "nhs_number": person.nhs_number if person else "",
        "upn": person.upn if person else "",
    }
    values.update(fields)
    record = SourceRecord.objects.create(
        source_system=source_system,
        source_reference=values.pop("source_reference", f"REF{next(_refs):05d}"),
        channel=Channel.IMPORT,
        received_at=timezone.now(),
        person=person,
        raw={k: str(v) for k, v in values.items()},
        given_key=fold(values["given_name"]),
        family_key=fold(values["family_name"]),
        **values,
    )
    if person is not None:
        LinkEvent.objects.create(
            record=record, person=person, method=LinkMethod.NEW_PERSON, at=timezone.now()
        )
    return record


def comparison(left: SourceRecord, right: SourceRecord) -> list[dict[str, Any]]:
    """What the model's comparison looks like for a nickname and a transposed date of birth."""

    def iso(d: datetime.date | None) -> str:
        return d.isoformat() if d else ""

    return [
        {
            "name": "given_name",
            "level": "Nickname or close spelling",
            "left": left.given_name,
            "right": right.given_name,
            "match_weight": 2.4,
        },
        {
            "name": "family_name",
            "level": "Exact match",
            "left": left.family_name,
            "right": right.family_name,
            "match_weight": 7.1,
        },
        {
            "name": "date_of_birth",
            "level": "Day and month transposed",
            "left": iso(left.date_of_birth),
            "right": iso(right.date_of_birth),
            "match_weight": 3.2,
        },
        {
            "name": "postcode",
            "level": "Full postcode",
            "left": left.postcode,
            "right": right.postcode,
            "match_weight": 4.0,
        },
        {
            "name": "nhs_number",
            "level": "Missing on one side",
            "left": left.nhs_number,
            "right": right.nhs_number,
            "match_weight": 0.0,
        },
        {
            "name": "sex",
            "level": "Different",
            "left": left.sex,
            "right": right.sex,
            "match_weight": -2.5,
        },
    ]


def make_review(
    record: SourceRecord,
    candidate: SourceRecord,
    *,
    match_probability: float = 0.62,
    created_at: datetime.datetime | None = None,
    **fields: Any,
) -> ReviewItem:
    fields.setdefault("comparison", comparison(record, candidate))
    fields.setdefault("match_weight", sum(c["match_weight"] for c in fields["comparison"]) - 13.8)
    fields.setdefault("why_review", "between the thresholds")
    return ReviewItem.objects.create(
        record=record,
        candidate=candidate,
        match_probability=match_probability,
        created_at=created_at or timezone.now(),
        **fields,
    )
