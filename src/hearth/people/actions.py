"""Creating people and recording where they live and how they are related."""

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.addresses import dwelling_key
from hearth.lib.identifiers import normalise_nhs_number, normalise_postcode, normalise_upn
from hearth.lib.names import fold, phonetic
from hearth.people.models import Address, NameType, Person, PersonName, Relationship, Residence


def name_row(
    person: Person, given: str, family: str, name_type: str = NameType.CURRENT, **extra: Any
) -> PersonName:
    """An unsaved PersonName with its search keys (shared with the bulk generator)."""
    return PersonName(
        person=person,
        name_type=name_type,
        given_name=given,
        family_name=family,
        given_key=fold(given),
        family_key=fold(family),
        given_phonetic=phonetic(given),
        family_phonetic=phonetic(family),
        **extra,
    )


@transaction.atomic
def create_person(
    *,
    by: Any,
    given_name: str,
    family_name: str,
    previous_names: list[tuple[str, str]] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Person:
    if fields.get("nhs_number"):
        fields["nhs_number"] = normalise_nhs_number(fields["nhs_number"])
    if fields.get("upn"):
        fields["upn"] = normalise_upn(fields["upn"])
    person = Person(given_name=given_name, family_name=family_name, **fields)
    person.full_clean()
    person.save()
    rows = [name_row(person, given_name, family_name)]
    rows += [name_row(person, g, f, NameType.PREVIOUS) for g, f in previous_names or []]
    PersonName.objects.bulk_create(rows)
    record(
        action=AuditAction.CREATE_PERSON,
        by=by,
        request=request,
        person_id=person.pk,
        object_type="person",
        object_id=person.pk,
    )
    return person


@transaction.atomic
def get_or_create_address(*, line1: str, postcode: str, line2: str = "", town: str = "") -> Address:
    """The dwelling already known under this address's key (hearth.lib.addresses), or a new one."""
    key = dwelling_key(line1, line2, postcode)
    found = Address.objects.filter(match_key=key).order_by("pk").first() if key else None
    if found is not None:
        return found
    address = Address(
        line1=line1.strip(),
        line2=line2.strip(),
        town=town.strip(),
        postcode=normalise_postcode(postcode),
    )
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def record_residence(
    *,
    by: Any,
    person: Person,
    address: Address,
    start_date: date | None,
    end_date: date | None = None,
) -> Residence:
    residence = Residence(person=person, address=address, start_date=start_date, end_date=end_date)
    residence.full_clean()
    residence.save()
    record(
        action=AuditAction.UPDATE_PERSON,
        by=by,
        person_id=person.pk,
        object_type="residence",
        object_id=residence.pk,
    )
    return residence


@transaction.atomic
def record_relationship(
    *,
    by: Any,
    person: Person,
    relative: Person,
    relationship_type: str,
    start_date: date | None = None,
    end_date: date | None = None,
) -> Relationship:
    rel = Relationship(
        person=person,
        relative=relative,
        relationship_type=relationship_type,
        start_date=start_date,
        end_date=end_date,
    )
    rel.full_clean()
    rel.save()
    record(
        action=AuditAction.UPDATE_PERSON,
        by=by,
        person_id=relative.pk,
        object_type="relationship",
        object_id=rel.pk,
    )
    return rel
