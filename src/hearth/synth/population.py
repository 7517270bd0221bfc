"""Synthetic people and places: names from mimesis (en_GB), identifiers in test ranges, addresses.

Everything is drawn from a `random.Random` passed in, so a seed fixes the output. Identifiers are
allocated from counters, never at random, so they are unique without a lookup.
"""

import random
from datetime import date, timedelta
from functools import lru_cache

from mimesis import Address as MimesisAddress
from mimesis import Person as MimesisPerson
from mimesis.locales import Locale

from hearth.lib.identifiers import nhs_check_digit, upn_check_letter
from hearth.lib.names import fold, phonetic

# A fictional county's postcode districts: real area letters, synthetic units.
POSTCODE_AREAS = ("BN", "RH", "TN")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TOWNS = (
    "Ashbourne Heath",
    "Brackley Vale",
    "Cinderford Green",
    "Dunmere",
    "Eastwick Downs",
    "Fallowfield",
    "Greywell",
    "Harrowden",
    "Kingsmere",
    "Lowthorpe",
    "Marlbridge",
    "Northcombe",
)
# Ethnicity codes weighted roughly like a county in the south of England.
ETHNICITIES = (
    ("WBRI", 78),
    ("WOTH", 6),
    ("WIRI", 1),
    ("WROM", 1),
    ("MWBC", 1),
    ("MWBA", 1),
    ("MWAS", 1),
    ("MOTH", 1),
    ("AIND", 2),
    ("APKN", 1),
    ("ABAN", 1),
    ("AOTH", 1),
    ("BAFR", 2),
    ("BCRB", 1),
    ("CHNE", 1),
    ("OOTH", 1),
)
ETHNICITY_CODES = tuple(c for c, _ in ETHNICITIES)
ETHNICITY_WEIGHTS = tuple(w for _, w in ETHNICITIES)


@lru_cache(maxsize=1)
def name_lists() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Female first names, male first names and surnames from mimesis's en_GB data."""
    data = MimesisPerson(Locale.EN_GB, seed=0)._dataset
    return tuple(data["names"]["female"]), tuple(data["names"]["male"]), tuple(data["surnames"])


@lru_cache(maxsize=1)
def street_names() -> tuple[str, ...]:
    data = MimesisAddress(Locale.EN_GB, seed=0)._dataset
    return tuple(sorted(set(data["street"]["name"])))


STREET_SUFFIXES = (
    "Road",
    "Street",
    "Close",
    "Avenue",
    "Lane",
    "Way",
    "Gardens",
    "Crescent",
    "Drive",
    "Court",
)


@lru_cache(maxsize=200_000)
def name_keys(name: str) -> tuple[str, str]:
    """(folded key, phonetic key), as `hearth.people.actions.name_row` computes them; cached per name."""
    return fold(name), phonetic(name)


class Identifiers:
    """Counters that hand out unique, valid NHS numbers (999 test range) and UPNs."""

    def __init__(self) -> None:
        self._nhs_k = 0
        self._upn_k = 0

    def nhs_number(self) -> str:
        # An affine permutation of 0..999999 so consecutive people do not get consecutive numbers.
        while self._nhs_k < 1_000_000:
            k = (self._nhs_k * 7919 + 123_457) % 1_000_000
            self._nhs_k += 1
            first_nine = f"999{k:06d}"
            check = nhs_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"
        return ""  # the test range is exhausted (about 909,000 numbers): leave the rest blank

    def upn(self) -> str:
        k = (self._upn_k * 7_777_777 + 1_234_567) % 1_000_000_000
        self._upn_k += 1
        body = f"938{k:09d}"  # "938": a fictional local-authority number
        return upn_check_letter(body) + body


def postcode(rng: random.Random) -> str:
    return (
        f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 29)} "
        f"{rng.randint(0, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    )


def address_fields(rng: random.Random) -> tuple[str, str, str, str]:
    """(line1, line2, town, postcode): flats get a line 2."""
    street = f"{rng.choice(street_names())} {rng.choice(STREET_SUFFIXES)}"
    if rng.random() < 0.25:
        return (
            f"Flat {rng.randint(1, 40)}",
            f"{rng.randint(1, 120)} {street}",
            rng.choice(TOWNS),
            postcode(rng),
        )
    return f"{rng.randint(1, 250)} {street}", "", rng.choice(TOWNS), postcode(rng)


_DATE_CACHE: dict[int, str] = {}


def iso(ordinal: int) -> str:
    """ISO date text for a proleptic ordinal: cached, since millions of rows share a few thousand days."""
    text = _DATE_CACHE.get(ordinal)
    if text is None:
        text = _DATE_CACHE[ordinal] = date.fromordinal(ordinal).isoformat()
    return text


def iso_or_none(ordinal: int | None) -> str | None:
    return None if ordinal is None else iso(ordinal)


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def days(n: float) -> timedelta:
    return timedelta(days=n)
