"""The three outcomes of a scored pair, shared by incremental matching, the batch run and the
evaluation, so that the figures in the docs are the decisions Hearth makes."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import jellyfish

# The fields the twins rule reads (raw, as received).
TWIN_FIELDS = (
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "postcode",
    "nhs_number",
)


class Outcome(StrEnum):
    LINK = "link"  # the same person: linked automatically
    REVIEW = "review"  # a person decides
    NEW = "new"  # different people


def decide(match_probability: float, *, upper: float, lower: float, twins: bool) -> Outcome:
    """Twins (same family name, date of birth and postcode, different given names) are never
    linked automatically: at best they go to a reviewer."""
    if match_probability >= upper and not twins:
        return Outcome.LINK
    if match_probability >= lower or (twins and match_probability >= upper):
        return Outcome.REVIEW
    return Outcome.NEW


def different_given_names(a: str | None, b: str | None) -> bool:
    """Two given names that cannot be one person's name recorded differently: not the same, not
    nickname variants (`features.nicknames.csv`), not one slip apart (Damerau–Levenshtein ≤ 1: a
    typo or two letters swapped; ≤ 2 when both have six letters or more), not alike in sound
    (Metaphone), and neither the other's initial or short form (its first three letters or more).

    Only the first word counts, as in the model ("Mary Ann" is Mary). A missing name is not
    different: it says nothing."""
    from hearth.linkage.features import first_given_name, given_names_equivalent

    fa, fb = first_given_name(a), first_given_name(b)
    if not fa or not fb or fa == fb:
        return False
    if given_names_equivalent(fa, fb):
        return False
    if len(fa) == 1 or len(fb) == 1:
        return not (fb.startswith(fa) or fa.startswith(fb))  # "J" and "John"; not "J" and "K"
    short, long = sorted((fa, fb), key=len)
    if len(short) >= 3 and long.startswith(short):
        return False  # a short form: "Chris" for "Christopher"
    if jellyfish.metaphone(fa) == jellyfish.metaphone(fb):
        return False  # spelt differently, said alike: "Leila" and "Layla"
    distance = jellyfish.damerau_levenshtein_distance(fa, fb)
    # One slip in any name; two in a long one ("Sebasstian" and "Sbastian").
    return distance > (2 if len(short) >= 6 else 1)


def _middle_names(rec: Mapping[str, Any]) -> list[str]:
    from hearth.linkage.features import first_given_name

    words = (
        str(rec.get("given_name") or "").split()[1:] + str(rec.get("middle_names") or "").split()
    )
    return [n for n in (first_given_name(w) for w in words) if n]


def _one_is_the_others_middle_name(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """One record's given name is the other's middle name (or its initial): one person who
    goes by a middle name."""
    from hearth.linkage.features import first_given_name

    for rec, other in ((a, b), (b, a)):
        given = first_given_name(rec.get("given_name"))
        if given and any(
            m == given or (len(given) == 1 and m.startswith(given)) for m in _middle_names(other)
        ):
            return True
    return False


def _distance(a: str, b: str) -> int:
    return 0 if a == b else jellyfish.damerau_levenshtein_distance(a, b)


def possible_twins(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same date of birth, family name (or one letter apart: a typo does not make two families)
    and postcode (or one character apart, or missing on one side), and different given names
    (`different_given_names`, and neither is the other's middle name): possible twins, never
    linked automatically. Incremental matching (`index.possible_twins`) and the batch run
    (`batch.twins_flags`) both ask this. Two records with the same valid NHS number are not
    twins (twins have two numbers; Hearth links on the number first, ADR 0008).

    `a` and `b` carry the raw fields `given_name`, `middle_names`, `family_name`,
    `date_of_birth` (a date or 'YYYY-MM-DD'), `postcode` and `nhs_number` (the last three
    optional)."""
    from hearth.lib.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
    from hearth.lib.names import fold
    from hearth.linkage.features import standard_date

    dob = standard_date(a.get("date_of_birth"))
    if dob is None or dob != standard_date(b.get("date_of_birth")):
        return False
    family_a, family_b = (fold(r.get("family_name") or "") for r in (a, b))
    if not family_a or not family_b or _distance(family_a, family_b) > 1:
        return False
    postcode_a, postcode_b = (normalise_postcode(r.get("postcode") or "") for r in (a, b))
    if postcode_a and postcode_b and _distance(postcode_a, postcode_b) > 1:
        return False
    if not different_given_names(a.get("given_name"), b.get("given_name")):
        return False
    nhs_a, nhs_b = (str(r.get("nhs_number") or "").strip() for r in (a, b))
    if (
        nhs_a
        and is_valid_nhs_number(nhs_a)
        and is_valid_nhs_number(nhs_b or "0")
        and normalise_nhs_number(nhs_a) == normalise_nhs_number(nhs_b)
    ):
        return False
    return not _one_is_the_others_middle_name(a, b)
