"""A few possible matches for the demo's data-quality officer (`data.quality`) to decide.

Each is a record as another agency sent it about a demo family's child (a nickname, a day and
month swapped, a surname changed), already given a provisional person of its own, against a
record of the child Hearth knows; and one pair of siblings who must be kept apart. In
production the matcher (`hearth.linkage.index`) makes these; the demo builds them directly.
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hearth.lib.names import fold
from hearth.linkage.backfill import backfill
from hearth.linkage.models import Channel, LinkEvent, LinkMethod, ReviewItem, SourceRecord
from hearth.people.actions import create_person
from hearth.people.households import current_q
from hearth.people.models import Person, PersonIdentifier, Residence


def _swap_day_month(d: date | None) -> date | None:
    if d is None or d.day > 12 or d.day == d.month:
        return d
    return d.replace(day=d.month, month=d.day)


def _where(person: Person) -> tuple[str, str]:
    home = Residence.objects.filter(current_q(), person=person).select_related("address").first()
    if home is None:
        return "", ""
    return home.address.postcode, f"{home.address.line1}, {home.address.town}".strip(", ")


def _indexed(person: Person) -> SourceRecord:
    """The person's record in the index (put there by the backfill)."""
    found = SourceRecord.objects.filter(person=person).order_by("pk").first()
    assert found is not None, f"person {person.pk} is not in the index"
    return found


def _record(person: Person, system: str, reference: str, **fields: Any) -> SourceRecord:
    postcode, address = _where(person)
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "postcode": postcode,
        "address": address,
        "nhs_number": person.nhs_number,
        "upn": person.upn,
        **fields,
    }
    record, _ = SourceRecord.objects.get_or_create(
        source_system=system,
        source_reference=reference,
        defaults={
            "channel": Channel.IMPORT,
            "received_at": timezone.now(),
            "given_key": fold(values["given_name"]),
            "family_key": fold(values["family_name"]),
            "person": person,
            "raw": {k: str(v) for k, v in values.items()},
            **values,
        },
    )
    LinkEvent.objects.get_or_create(
        record=record,
        defaults={"person": person, "method": LinkMethod.NEW_PERSON, "at": timezone.now()},
    )
    return record


def _provisional(child: Person, system: str, reference: str, **fields: Any) -> SourceRecord:
    """The record another agency sent, on a provisional person of its own (as the matcher
    leaves a record it is unsure about)."""
    person = create_person(
        by=None,
        given_name=fields.get("given_name", child.given_name),
        family_name=fields.get("family_name", child.family_name),
        date_of_birth=fields.get("date_of_birth", child.date_of_birth),
        sex=fields.get("sex", child.sex),
    )
    # As the matcher does for a new person: the source's own reference finds them again.
    PersonIdentifier.objects.get_or_create(
        system=system, value=reference, defaults={"person": person}
    )
    return _record(person, system, reference, **fields)


def _level(name: str, left: Any, right: Any) -> tuple[str, float]:
    if not left or not right:
        return "Missing on one side", 0.0
    if str(left).casefold() == str(right).casefold():
        return "Exact match", {"date_of_birth": 9.5, "postcode": 5.1, "nhs_number": 14.0}.get(
            name, 6.0
        )
    if name == "date_of_birth" and _swap_day_month(left) == right:
        return "Day and month transposed", 4.2
    if name == "given_name" and str(left)[:2].casefold() == str(right)[:2].casefold():
        return "Nickname or close spelling", 2.7
    return "Different", {"sex": -2.5, "date_of_birth": -6.0, "given_name": -4.1}.get(name, -3.0)


def _comparison(a: SourceRecord, b: SourceRecord) -> list[dict[str, Any]]:
    out = []
    for name in ("given_name", "family_name", "date_of_birth", "sex", "postcode", "nhs_number"):
        left, right = getattr(a, name), getattr(b, name)
        level, weight = _level(name, left, right)
        if name == "family_name" and level == "Different" and right in a.previous_family_names:
            level, weight = "Matches a previous family name", 4.8
        out.append(
            {
                "name": name,
                "level": level,
                "left": left.isoformat() if isinstance(left, date) else str(left or ""),
                "right": right.isoformat() if isinstance(right, date) else str(right or ""),
                "match_weight": weight,
            }
        )
    return out


def _review(a: SourceRecord, b: SourceRecord, why: str, days_ago: int) -> ReviewItem:
    comparison = _comparison(a, b)
    weight = sum(c["match_weight"] for c in comparison) - 14.0  # the prior: few pairs match
    probability = 1 / (1 + 2 ** (-weight))
    review, _ = ReviewItem.objects.get_or_create(
        record=a,
        candidate=b,
        defaults={
            "match_weight": round(weight, 2),
            "match_probability": round(min(max(probability, 0.05), 0.95), 4),
            "comparison": comparison,
            "why_review": why,
            "created_at": timezone.now() - timedelta(days=days_ago),
        },
    )
    return review


@transaction.atomic
def seed_review_queue(family_child_ids: dict[str, list[int]]) -> list[ReviewItem]:
    """Four pairs for the data-quality officer: three the same child, one two siblings."""
    backfill(by=None)  # everyone Hearth already holds, in the index first
    children = {
        label: list(Person.objects.filter(pk__in=ids).order_by("date_of_birth"))
        for label, ids in family_child_ids.items()
    }
    made: list[ReviewItem] = []
    if a := children.get("A"):
        youngest = a[-1]
        name = youngest.given_name
        nickname = name[0] + name[2] + name[1] + name[3:] if len(name) > 3 else name + "ie"
        hospital = _provisional(
            youngest,
            "hospital-pas",
            "RXH-204817",
            given_name=nickname,
            date_of_birth=_swap_day_month(youngest.date_of_birth),
            nhs_number="",
        )
        made.append(
            _review(
                hospital,
                _indexed(youngest),
                "between the thresholds",
                6,
            )
        )
        if len(a) >= 2:  # siblings: same surname and address, never one person
            made.append(
                _review(
                    _indexed(a[-2]),
                    _indexed(a[-1]),
                    "same surname, address and family: possible twins or siblings",
                    4,
                )
            )
    if b := children.get("B"):
        eldest = b[0]
        school = _provisional(
            eldest,
            "school-mis",
            "UPN-LOOKUP-88121",
            family_name="Okafor-" + eldest.family_name,
            previous_family_names=[eldest.family_name],
        )
        made.append(_review(school, _indexed(eldest), "surname changed", 3))
    if c := children.get("C"):
        child = c[0]
        dob = child.date_of_birth
        police = _provisional(
            child,
            "police-niche",
            "NICHE-551902",
            date_of_birth=dob + timedelta(days=365) if dob else None,
            nhs_number="",
        )
        made.append(_review(police, _indexed(child), "date of birth one year off", 1))
    return made
