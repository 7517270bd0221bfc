"""Who belongs with whom: households over time and the family around a child.

Siblings and adults who shared an address are linked here even when nobody recorded a
relationship between them (seed 003, learning 4).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hearth.people.models import (
    SIBLING_TYPES,
    Address,
    Person,
    PersonKind,
    Relationship,
    RelationshipType,
    Residence,
)


def _overlaps(
    a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None
) -> bool:
    lo = date.min
    hi = date.max
    return (a_start or lo) <= (b_end or hi) and (b_start or lo) <= (a_end or hi)


def current_q(prefix: str = "", on: date | None = None) -> Q:
    """Rows whose from/to period includes `on` (today by default)."""
    on = on or timezone.localdate()
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": on})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def co_residents(
    person_id: int, own: list[tuple[int, date | None, date | None]] | None = None
) -> tuple[set[int], set[int]]:
    """(everyone who ever shared an address with this person at an overlapping time, those who do today).

    `own` is the person's residences as (address id, start, end), when the caller has them already.
    """
    if own is None:
        own = list(
            Residence.objects.filter(person_id=person_id).values_list(
                "address_id", "start_date", "end_date"
            )
        )
    if not own:
        return set(), set()
    today = timezone.localdate()
    # One dwelling however each agency spelt it: an address's match key, or the address itself.
    own_ids = {r[0] for r in own}
    keys = {
        pk: key
        for pk, key in Address.objects.filter(pk__in=own_ids).values_list("pk", "match_key")
        if key
    }

    def home(address_id: int, key: str) -> Any:
        return key or address_id

    own_homes = [(home(a, keys.get(a, "")), s, e) for a, s, e in own]
    own_now = {h for h, s, e in own_homes if _overlaps(s, e, today, today)}
    at_home = Q(address_id__in=own_ids)
    if keys:
        at_home |= Q(address__match_key__in=set(keys.values()))
    others = Residence.objects.filter(at_home).exclude(person_id=person_id)
    ever: set[int] = set()
    now: set[int] = set()
    for other, address_id, key, start, end in others.values_list(
        "person_id", "address_id", "address__match_key", "start_date", "end_date"
    ):
        theirs = home(address_id, key)
        if any(h == theirs and _overlaps(s, e, start, end) for h, s, e in own_homes):
            ever.add(other)
        if theirs in own_now and _overlaps(start, end, today, today):
            now.add(other)
    return ever, now


def co_resident_ids(person_id: int, *, current_only: bool = False) -> set[int]:
    ever, now = co_residents(person_id)
    return now if current_only else ever


def related_ids(person_id: int, *, current_only: bool = False) -> set[int]:
    rels = Relationship.objects.filter(Q(person_id=person_id) | Q(relative_id=person_id))
    if current_only:
        rels = rels.filter(current_q())
    ids: set[int] = set()
    for a, b in rels.values_list("person_id", "relative_id"):
        ids.add(b if a == person_id else a)
    return ids


def family_ids(person_id: int, *, current_only: bool = False) -> set[int]:
    """The person, everyone with a recorded relationship to them, and everyone who lived with them."""
    return (
        {person_id}
        | related_ids(person_id, current_only=current_only)
        | co_resident_ids(person_id, current_only=current_only)
    )


@dataclass
class FamilyMember:
    person: Person
    relationships: list[str] = field(default_factory=list)
    lives_with_now: bool = False
    lived_with_before: bool = False


@dataclass
class Family:
    child: Person
    members: list[FamilyMember]

    @property
    def ids(self) -> set[int]:
        return {self.child.pk} | {m.person.pk for m in self.members}

    @property
    def household_now(self) -> list[FamilyMember]:
        return [m for m in self.members if m.lives_with_now]

    @property
    def siblings(self) -> list[FamilyMember]:
        return [m for m in self.members if m.person.kind == PersonKind.CHILD]

    @property
    def adults(self) -> list[FamilyMember]:
        return [m for m in self.members if m.person.kind == PersonKind.ADULT]


# What the relative is to the person when the person holds the role: Mandy (mother) sees Amy as "Child".
_INVERSE = {
    RelationshipType.MOTHER: "Child",
    RelationshipType.FATHER: "Child",
    RelationshipType.STEP_PARENT: "Stepchild",
    RelationshipType.PARENTS_PARTNER: "Partner's child",
    RelationshipType.GRANDPARENT: "Grandchild",
    RelationshipType.KINSHIP_CARER: "Child in their kinship care",
    RelationshipType.OTHER_SIGNIFICANT_ADULT: "Child they are significant to",
}
NO_RELATIONSHIP_NOW = "Lives here, no relationship recorded"
NO_RELATIONSHIP_BEFORE = "Lived at the same address, no relationship recorded"


def _describe(rel: Relationship, child_id: int) -> str:
    label = RelationshipType(rel.relationship_type).label
    if rel.relative_id == child_id or rel.relationship_type in SIBLING_TYPES:
        return label  # "Mother", "Partner of a parent", "Sibling"
    return _INVERSE[RelationshipType(rel.relationship_type)]


def family_of(
    child: Person, residences: list[tuple[int, date | None, date | None]] | None = None
) -> Family:
    """The child's network of people: recorded relationships and co-residents, past and present.

    Adult men in the household appear here whether or not a relationship was recorded.
    """
    rels = list(Relationship.objects.filter(Q(person_id=child.pk) | Q(relative_id=child.pk)))
    ever_ids, now_ids = co_residents(child.pk, residences)
    rel_ids = {r.person_id if r.relative_id == child.pk else r.relative_id for r in rels}
    people = Person.objects.in_bulk(rel_ids | ever_ids)
    members: dict[int, FamilyMember] = {pid: FamilyMember(person=p) for pid, p in people.items()}
    for rel in rels:
        other = rel.person_id if rel.relative_id == child.pk else rel.relative_id
        if other in members:
            members[other].relationships.append(_describe(rel, child.pk))
    for pid, member in members.items():
        member.lives_with_now = pid in now_ids
        member.lived_with_before = pid in ever_ids and pid not in now_ids
        if not member.relationships and pid in ever_ids:
            member.relationships.append(
                NO_RELATIONSHIP_NOW if pid in now_ids else NO_RELATIONSHIP_BEFORE
            )
    ordered = sorted(
        members.values(),
        key=lambda m: (
            not m.lives_with_now,
            m.person.kind != PersonKind.ADULT,
            m.person.date_of_birth or date.min,
        ),
    )
    return Family(child=child, members=ordered)
