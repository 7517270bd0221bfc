"""Finding a person: by name (tolerant of spelling), date of birth, NHS number, UPN or postcode,
only among the people the user may see."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import jellyfish
from django.db.models import Q, QuerySet

from hearth.access.scoping import visible_people
from hearth.lib.identifiers import normalise_nhs_number, normalise_postcode, normalise_upn
from hearth.lib.names import fold, phonetic
from hearth.people.models import Person, PersonName, Residence

MAX_RESULTS = 50


@dataclass
class SearchQuery:
    name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    upn: str = ""
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.name.strip() or self.date_of_birth or self.nhs_number or self.upn or self.postcode
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "upn": self.upn,
            "postcode": self.postcode,
        }


def _name_candidates(name: str) -> QuerySet[PersonName]:
    tokens = [t for t in (fold(part) for part in name.split()) if t]
    q = Q()
    for token in tokens:
        q |= Q(family_key__startswith=token) | Q(given_key__startswith=token)
        code = phonetic(token)
        if code:
            q |= Q(family_phonetic=code) | Q(given_phonetic=code)
    return PersonName.objects.filter(q)


def _name_score(name: str, person: Person, names: list[PersonName]) -> float:
    tokens = [fold(t) for t in name.split() if fold(t)]
    best = 0.0
    for pn in names:
        keys = [pn.given_key, pn.family_key]
        score = sum(
            max(jellyfish.jaro_winkler_similarity(t, k) for k in keys if k) if any(keys) else 0
            for t in tokens
        )
        best = max(best, score / max(len(tokens), 1))
    return best


def search_people(user: Any, query: SearchQuery) -> list[Person]:
    if query.is_empty:
        return []
    # A merged record lives on as its survivor, whose names and identifiers it now shares.
    people = Person.objects.filter(merged_into__isnull=True)
    if query.nhs_number:
        people = people.filter(nhs_number=normalise_nhs_number(query.nhs_number))
    if query.upn:
        people = people.filter(upn=normalise_upn(query.upn))
    if query.date_of_birth:
        people = people.filter(date_of_birth=query.date_of_birth)
    if query.postcode:
        people = people.filter(
            pk__in=Residence.objects.filter(
                address__postcode=normalise_postcode(query.postcode)
            ).values("person_id")
        )
    if query.name.strip():
        people = people.filter(pk__in=_name_candidates(query.name).values("person_id"))
    # Narrow by what was typed first, then apply need-to-know on the small candidate set.
    candidate_ids = list(people.values_list("pk", flat=True)[:2000])
    found = list(
        visible_people(user, Person.objects.filter(pk__in=candidate_ids)).prefetch_related("names")
    )
    if query.name.strip():
        found.sort(key=lambda p: -_name_score(query.name, p, list(p.names.all())))
    else:
        found.sort(key=lambda p: (p.family_name, p.given_name))
    return found[:MAX_RESULTS]
