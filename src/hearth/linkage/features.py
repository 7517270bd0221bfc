"""Standardising a source record into the matching model's input columns.

Pure functions, no Django models: the same code prepares a record for the batch run (DuckDB or
Spark), for incremental scoring and for the FEBRL evaluation, so all three see identical values.
Anything that needs a function the two SQL engines disagree on (phonetic codes, nickname groups,
postcode parts) is computed here, in Python, once.
"""

import csv
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jellyfish

from hearth.lib.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
)
from hearth.lib.names import fold

NICKNAMES_CSV = Path(__file__).with_name("nicknames.csv")

# The model's input columns, in order, with their types (Splink, DuckDB and Spark need the
# types even when a whole column is empty).
COLUMNS: dict[str, str] = {
    "unique_id": "id",
    "source_system": "str",
    "given_name": "str",
    "given_name_phonetic": "str",
    "given_name_groups": "list",
    "middle_name": "str",
    "family_name": "str",
    "family_name_phonetic": "str",
    "family_names": "list",
    "date_of_birth": "str",
    "dob_year": "str",
    "sex": "str",
    "postcode": "str",
    "postcode_sector": "str",
    "postcode_district": "str",
    "address": "str",
    "address_number": "str",
    "address_street": "str",
    "address_flat": "str",
    "nhs_number": "str",
    "nhs_number_invalid": "bool",
    "upn": "str",
    "upn_invalid": "bool",
    "other_id": "str",
}

_ADDRESS_WORDS = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "crt": "court",
    "cres": "crescent",
    "cresc": "crescent",
    "gdns": "gardens",
    "gro": "grove",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "ter": "terrace",
    "terr": "terrace",
    "pk": "park",
    "hse": "house",
    "flt": "flat",
    "apt": "flat",
    "apartment": "flat",
    "nth": "north",
    "sth": "south",
    "mt": "mount",
    "hwy": "highway",
    "wy": "way",
}
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_UK_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?) ([0-9])([A-Z]{2})$")


@cache
def nickname_groups() -> dict[str, frozenset[str]]:
    """Folded given name -> the nickname groups it belongs to (loaded once from the CSV).

    A name may sit in several groups (Alex: Alexander and Alexandra), so equivalence is "shares
    a group", not "has the same canonical name"."""
    groups: dict[str, set[str]] = {}
    with NICKNAMES_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, group = fold(row["name"]), fold(row["group"])
            groups.setdefault(name, set()).add(group)
    return {name: frozenset(g) for name, g in groups.items()}


NICKNAMES = nickname_groups


def given_names_equivalent(a: str, b: str) -> bool:
    """True when two given names are the same after folding, or nickname variants of one name."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    groups = nickname_groups()
    return bool(groups.get(fa, frozenset()) & groups.get(fb, frozenset()))


def first_given_name(value: Any) -> str | None:
    """The given name the model compares: the first word, folded (a second is a middle name)."""
    tokens = _tokens(value)
    return tokens[0] if tokens else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _tokens(value: Any) -> list[str]:
    if _blank(value):
        return []
    return [t for t in (fold(p) for p in re.split(r"[\s\-]+", str(value))) if t]


def _phonetic(folded: str | None) -> str | None:
    return jellyfish.metaphone(folded)[:12] or None if folded else None


def standard_date(value: Any) -> str | None:
    """'YYYY-MM-DD' for a date, a datetime or a string in that form (or YYYYMMDD).

    Strings are checked for a plausible month and day, not for a real calendar date: an agency's
    "31 April" still carries a year, a month and a day worth comparing."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    m = _DATE_RE.match(str(value).strip())
    if not m:
        return None
    year, month, day = m.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def postcode_parts(value: Any) -> tuple[str | None, str | None, str | None]:
    """(full, sector, district): 'rh101aa' -> ('RH10 1AA', 'RH10 1', 'RH10').

    A value that is not shaped like a UK postcode is kept whole (compacted, upper case) with no
    sector or district, so it can still agree exactly."""
    if _blank(value):
        return None, None, None
    full = normalise_postcode(str(value))
    m = _UK_POSTCODE_RE.match(full)
    if not m:
        compact = re.sub(r"\s+", "", full)
        return (compact or None), None, None
    district, sector_digit, _ = m.groups()
    return full, f"{district} {sector_digit}", district


def _address_words(part: str) -> list[str]:
    words: list[str] = []
    for raw in re.split(r"[\s./]+", part.lower()):
        if not raw:
            continue
        if re.search(r"\d", raw):
            words.append(re.sub(r"[^0-9a-z]", "", raw))
        else:
            word = fold(raw)
            if word:
                words.append(_ADDRESS_WORDS.get(word, word))
    return [w for w in words if w]


def standard_address(value: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(address, house number, street, flat): folded words, common abbreviations spelt out.

    The house number and street are read from the part of the line that carries the number
    ("Flat 2, 14 Mill Road, Crawley" -> "14", "mill road", flat "2"), so a record that drops
    the flat or the town still names the same home."""
    if _blank(value):
        return None, None, None, None
    parts = [w for w in (_address_words(p) for p in str(value).split(",")) if w]
    words = [w for part in parts for w in part]
    if not words:
        return None, None, None, None
    flat = number = street = None
    for part in parts:
        if part[0] in ("flat",) and len(part) > 1 and flat is None and number is None:
            flat = part[1]
            rest = part[2:]
            if not rest:
                continue
            part = rest
        digits = [i for i, w in enumerate(part) if re.search(r"\d", w)]
        if number is None and digits:
            number = part[digits[0]]
            street = " ".join(w for w in part[digits[0] + 1 :] if not re.search(r"\d", w)) or None
            if street is None:
                continue
            break
        if number is not None and street is None:
            street = " ".join(part)
            break
    if street is None:
        street = " ".join(w for w in words if not re.search(r"\d", w)) or None
    return " ".join(words), number, street, flat


def _given_parts(given_name: Any, middle_names: Any) -> tuple[Any, ...]:
    given_tokens = _tokens(given_name)
    middle_tokens = given_tokens[1:] + _tokens(middle_names)
    given = given_tokens[0] if given_tokens else None
    groups = sorted(nickname_groups().get(given, ())) if given else []
    return given, _phonetic(given), groups or None, middle_tokens[0] if middle_tokens else None


def _family_parts(family_name: Any, previous: tuple[Any, ...]) -> tuple[Any, ...]:
    family = "".join(_tokens(family_name)) or None
    family_names: list[str] = []
    # Each part of a double-barrelled name counts as one of the person's names, so a record
    # that drops a part ("Ferguson" for "Ferguson-Riley") still matches a name of theirs.
    parts = _tokens(family_name)
    names = [family, *("".join(_tokens(p)) for p in previous)]
    names += parts if len(parts) > 1 else []
    for name in names:
        if name and name not in family_names:
            family_names.append(name)
    return family, _phonetic(family), family_names or None


def _identifier(raw: str, valid: Any, normalise: Any) -> tuple[str | None, bool]:
    ok = bool(raw) and valid(raw)
    return (normalise(raw) if ok else None), bool(raw) and not ok


def _nhs(raw: str) -> tuple[str | None, bool]:
    return _identifier(raw, is_valid_nhs_number, normalise_nhs_number)


def _upn(raw: str) -> tuple[str | None, bool]:
    return _identifier(raw, is_valid_upn, normalise_upn)


Memo = dict[Any, dict[Any, Any]]


def _memo(memo: Memo | None, fn: Any, *key: Any) -> Any:
    """fn(*key), remembered in `memo` when given: a batch sees each name, date, postcode and
    address many times, and the functions are pure."""
    if memo is None:
        return fn(*key)
    seen = memo.setdefault(fn, {})
    try:
        return seen[key]
    except KeyError:
        seen[key] = value = fn(*key)
        return value
    except TypeError:  # an unhashable value (not from our own tables): compute it
        return fn(*key)


def standardise(rec: Mapping[str, Any], memo: Memo | None = None) -> dict[str, Any]:
    """The model's input columns for one raw record (keys as `SourceRecord`'s fields).

    An NHS number or UPN whose check fails is not used (null) but flagged, so an invalid
    identifier can never make two records agree. `memo` (a dict kept across the calls of one
    batch) remembers each field's result by value; the result is the same either way."""
    given, given_phonetic, groups, middle = _memo(
        memo, _given_parts, rec.get("given_name"), rec.get("middle_names")
    )
    previous = rec.get("previous_family_names") or []
    if isinstance(previous, str):
        previous = [previous]
    family, family_phonetic, family_names = _memo(
        memo, _family_parts, rec.get("family_name"), tuple(previous)
    )
    dob = _memo(memo, standard_date, rec.get("date_of_birth"))
    sex = str(rec.get("sex") or "").strip().upper()[:1]
    postcode, sector, district = _memo(memo, postcode_parts, rec.get("postcode"))
    address, number, street, flat = _memo(memo, standard_address, rec.get("address"))
    nhs, nhs_invalid = _memo(memo, _nhs, str(rec.get("nhs_number") or "").strip())
    upn, upn_invalid = _memo(memo, _upn, str(rec.get("upn") or "").strip())
    other_id = re.sub(r"\s+", "", str(rec.get("other_id") or "")) or None

    return {
        "unique_id": rec.get("unique_id"),
        "source_system": str(rec.get("source_system") or ""),
        "given_name": given,
        "given_name_phonetic": given_phonetic,
        "given_name_groups": list(groups) if groups else None,
        "middle_name": middle,
        "family_name": family,
        "family_name_phonetic": family_phonetic,
        "family_names": list(family_names) if family_names else None,
        "date_of_birth": dob,
        "dob_year": dob[:4] if dob else None,
        "sex": sex if sex in ("M", "F") else None,
        "postcode": postcode,
        "postcode_sector": sector,
        "postcode_district": district,
        "address": address,
        "address_number": number,
        "address_street": street,
        "address_flat": flat,
        "nhs_number": nhs,
        "nhs_number_invalid": nhs_invalid,
        "upn": upn,
        "upn_invalid": upn_invalid,
        "other_id": other_id,
    }
