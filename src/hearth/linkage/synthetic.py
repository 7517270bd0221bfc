"""A UK-shaped synthetic linkage data set with ground truth, for measuring the matcher (issue 7).

True people live in households (mothers, partners, children; sibling groups; twins) at
addresses on synthetic streets in the fictional county's postcode areas. Each person appears in
one to six source systems, one record per system, and every record is corrupted the way that
system corrupts it, at rates in the spirit of the ONS synthetic linkage data. `cluster` is the
true person: for evaluation only, never for matching. No real person's data is used; NHS numbers
are in the 999 test range, UPNs carry a fictional local-authority number.

Rates (per record unless said; `docs/linkage.md` has the measured figures):

- Households: 72% families (1–5 births, weights 34/38/18/7/3%; gaps 1.1–4.5 years; the youngest
  0–17.5; 68% with a second adult, 75% of them the children's father, otherwise a step-parent);
  28% adult households (one adult, or a couple 55%). Twins: 1.6% of births (ONS: about 15
  multiple maternities per 1,000), same surname, date of birth and address, distinct given
  names, same sex two times in three. Births more than 25 years ago have left home.
- Systems: children's social care, health visiting, GP, hospital, school, police, housing,
  voluntary sector, each taken with a probability by age (`SYSTEM_PROBABILITY`); at least one,
  at most six; about 2.5 records a person.
- Given name altered in 35% of records. School: nickname or short form 60%, typo 17%, spelling
  variant 13%, middle name as first name 7%, initial only 3%. Elsewhere: nickname 30%, typo 30%,
  spelling 15%, middle name 15%, initial 10%. A kind that cannot apply to the name (no known
  nickname, no middle name) falls back to a spelling variant, then a typo. Police records are in
  capitals 40% of the time (format, not an alteration).
- Family name altered in 32% of records, counting first the structural changes: a recent name
  change (a mother's marriage within five years, 50% when she married a step-parent, 12% the
  children's father, 8% in adult households; her children take the step-parent's name half the
  time) leaves the old name in older systems (police 60%, housing 50%, hospital and voluntary 40%,
  school and health visiting 30%, GP 25%, social care 20%); the new name carries the old one in
  `previous_family_names` in some systems only (social care and police 70%, GP 50%, hospital
  40%, health visiting 30%, school 20%, housing 15%, voluntary 10%; half that for an old
  marriage's maiden name); a double-barrelled surname (5% of children) loses a part in 35% of
  records. Typos (65%) and spelling variants (35%) make up the rest of the 32%.
- Date of birth altered in 15% of records: police 25%, the other systems 14%. Police: day and
  month transposed 45%, day typo 20%, missing 15%, month typo 10%, year off by one 10%.
  Elsewhere: day typo 35%, missing 23%, year off by one 20%, month typo 12%, transposed 10%. A transposition that cannot show (day over 12,
  or equal to the month) becomes a day typo.
- Movers: 14% of households moved in the last three years; a mover's record holds the previous
  address (postcode and address) with the system's staleness (police 50%, voluntary 45%, hospital
  35%, social care 25%, GP, health visiting and school 15%, housing 10%).
- Postcode altered in 4% of records beyond the movers: inward-code typo 45%, outward district
  off by one 25%, missing 30%. Address: street type abbreviated in 15% ("Road" -> "Rd"), the
  flat dropped from 25% of flats, the town left off 5%, a house-number typo 1.5%.
- Sex: missing ("U") 0.5–8% by system (police 4%, housing 6%, voluntary 8%), wrong 0.2%.
- NHS number: 97.5% of adults and 99.5% of children have one (the test range holds about 909,000
  valid numbers, so past about 2.2 million records the rest are blank). Missing from records by
  system: housing 90%, police 85%, voluntary 80%, school 60%, social care 25%, hospital 4%, health
  visiting 2%, GP 1%. Mistyped where present: police and housing 4%, voluntary 3%, school and
  social care 2%, hospital 0.8%, health visiting 0.5%, GP 0.3%: 70% one digit wrong, 22% two
  adjacent digits transposed (modulus 11 catches both, always), 8% two digits wrong (valid about
  one time in eleven). So about 0.7% of mistyped numbers are valid, and under half of those (the
  share of the test range in use) are another person's number.
- UPN: children aged 4–18 have one; recorded in school (98%) and social care (60%) only, exact.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hearth.lib.identifiers import UPN_CHECK_LETTERS
from hearth.linkage import synthetic_names as names
from hearth.synth.population import (
    POSTCODE_AREAS,
    STREET_SUFFIXES,
    TOWNS,
    name_lists,
    street_names,
)

AS_OF = np.datetime64("2026-03-31", "D")
YEAR = 365.25
CHUNK_HOUSEHOLDS = 25_000  # about 190,000 records: the unit of streaming
RECORDS_PER_HOUSEHOLD = 7.7  # measured: sizes a short last chunk

SYSTEMS = (
    "childrens_social_care",
    "health_visiting",
    "gp",
    "hospital",
    "school",
    "police",
    "housing",
    "voluntary_sector",
)
CSC, HV, GP, HOSPITAL, SCHOOL, POLICE, HOUSING, VOLUNTARY = range(8)

# Chance a person appears in each system, by age: under 4, 4 to 17, adult.
SYSTEM_PROBABILITY = np.array(
    [
        [0.28, 0.92, 0.60, 0.40, 0.00, 0.01, 0.15, 0.18],
        [0.28, 0.00, 0.55, 0.30, 0.93, 0.08, 0.15, 0.18],
        [0.30, 0.00, 0.65, 0.35, 0.00, 0.30, 0.50, 0.20],
    ]
)
HV_MOTHER_OF_UNDER_FIVE = 0.6
MAX_SYSTEMS = 6

#                           csc    hv     gp     hosp   school police housing vol
NHS_MISSING = np.array([0.25, 0.02, 0.01, 0.04, 0.60, 0.85, 0.90, 0.80])
NHS_MISTYPED = np.array([0.02, 0.005, 0.003, 0.008, 0.02, 0.04, 0.04, 0.03])
UPN_RECORDED = np.array([0.60, 0.0, 0.0, 0.0, 0.98, 0.0, 0.0, 0.0])
MIDDLE_RECORDED = np.array([0.70, 0.85, 0.90, 0.85, 0.70, 0.60, 0.30, 0.20])
STALE_ADDRESS = np.array([0.25, 0.15, 0.15, 0.35, 0.15, 0.50, 0.10, 0.45])
OLD_NAME_KEPT = np.array([0.20, 0.30, 0.25, 0.40, 0.30, 0.60, 0.50, 0.40])
PREVIOUS_NAME_RECORDED = np.array([0.70, 0.30, 0.50, 0.40, 0.20, 0.70, 0.15, 0.10])
SEX_MISSING = np.array([0.01, 0.01, 0.005, 0.01, 0.005, 0.04, 0.06, 0.08])
SEX_WRONG = 0.002

P_FAMILY_HOUSEHOLD = 0.72
BIRTHS_P = np.array([0.34, 0.38, 0.18, 0.07, 0.03])
TWIN_RATE = 0.016
MOVER_RATE = 0.14
DOUBLE_BARREL_RATE = 0.05
DOUBLE_BARREL_DROPPED = 0.35

GIVEN_ALTERED = 0.35
GIVEN_KINDS = ("nickname", "typo", "spelling", "middle_as_first", "initial")
GIVEN_MIX_SCHOOL = np.array([0.60, 0.17, 0.13, 0.07, 0.03])
GIVEN_MIX_OTHER = np.array([0.30, 0.30, 0.15, 0.15, 0.10])
FAMILY_ALTERED = 0.32
FAMILY_TYPO_SHARE = 0.65  # the rest: spelling variants
DOB_ALTERED = 0.15
DOB_ALTERED_POLICE = 0.25  # the rest of the systems at the rate that makes DOB_ALTERED overall
DOB_KINDS = ("day_typo", "month_typo", "year_off_by_one", "day_month_transposed", "missing")
DOB_MIX_POLICE = np.array([0.20, 0.10, 0.10, 0.45, 0.15])
DOB_MIX_OTHER = np.array([0.35, 0.12, 0.20, 0.10, 0.23])
POSTCODE_ALTERED = 0.04
POSTCODE_KINDS = ("inward_typo", "outward_typo", "missing")
POSTCODE_MIX = np.array([0.45, 0.25, 0.30])
POLICE_CAPITALS = 0.40

_INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code may use
_SUFFIX_ABBREVIATIONS = {
    "Road": "Rd",
    "Street": "St",
    "Close": "Cl",
    "Avenue": "Ave",
    "Lane": "Ln",
    "Way": "Wy",
    "Gardens": "Gdns",
    "Crescent": "Cres",
    "Drive": "Dr",
    "Court": "Ct",
}
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@lru_cache(maxsize=1)
def _keyboard() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard: the typos a hurried clerk makes."""
    near: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for i, ch in enumerate(row):
            out = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    out += [
                        _KEYBOARD_ROWS[other][j]
                        for j in (i - 1, i, i + 1)
                        if 0 <= j < len(_KEYBOARD_ROWS[other])
                    ]
            near[ch] = "".join(out)
    return near


def _or_none(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask]
    return out


def _zipf(n: int, offset: float, exponent: float) -> np.ndarray:
    w = 1.0 / (np.arange(1, n + 1) + offset) ** exponent
    return w / w.sum()


@dataclass(frozen=True)
class _Vocabulary:
    names: np.ndarray  # object array of str
    weights: tuple[np.ndarray, ...]  # one probability vector per cohort


@lru_cache(maxsize=1)
def _given_vocabularies() -> dict[str, _Vocabulary]:
    """Per sex: the English head lists (recent and older cohorts) and mimesis's names as a tail."""
    female, male, _ = name_lists()
    out = {}
    for sex, recent, older, tail in (
        ("F", names.GIVEN_F_RECENT, names.GIVEN_F_OLDER, female),
        ("M", names.GIVEN_M_RECENT, names.GIVEN_M_OLDER, male),
    ):
        head = list(dict.fromkeys([*recent, *older]))
        rest = sorted({n for n in tail if n.isalpha()} - set(head))
        vocab = np.array(head + rest, dtype=object)
        index = {n: i for i, n in enumerate(vocab)}
        weights = []
        for main, other in ((recent, older), (older, recent)):
            w = np.zeros(len(vocab))
            main_u, other_u = list(dict.fromkeys(main)), list(dict.fromkeys(other))
            w[[index[n] for n in main_u]] += 0.86 * _zipf(len(main_u), 4, 1.0)
            w[[index[n] for n in other_u]] += 0.04 * _zipf(len(other_u), 4, 1.0)
            w[len(head) :] += 0.10 * _zipf(len(rest), 200, 1.0)
            weights.append(w / w.sum())
        out[sex] = _Vocabulary(vocab, tuple(weights))
    return out


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ENGLISH_PLACE_SUFFIX = re.compile(
    r"(ford|ley|ton|wood|field|well|by|ham|worth|ridge|land|more|dale|brook|stone|bury|cott|"
    r"combe|den|hurst|shaw|wick|thorpe|er|man|son)$"
)
_SURNAME_PREFIXES = _words(
    "Ash Black Brad Brook Cald Cran Dun Elm Fair Green Hart Hay Hol King Lang Mar Mid Nor Oak "
    "Pen Red Rush Sal Stan Thorn Wal West Whit Wood Alder Birch Brom Chal Cross Down East Fern "
    "Gold Hal Kirk Ling"
)
_SURNAME_SUFFIXES = _words(
    "ford ley ton wood field well by ham worth ridge more dale brook stone bury cott combe den "
    "hurst shaw wick thorpe ington"
)


@lru_cache(maxsize=1)
def _surname_vocabulary() -> _Vocabulary:
    """Surnames by frequency: the British head list, mimesis's surnames, then a long tail of rare
    English place-name surnames (place-shaped words from mimesis's streets and compounds like
    "Ashworth"). Zipf-shaped, so Smith is about 1% of people and most surnames are rare."""
    _, _, surnames = name_lists()
    head = list(dict.fromkeys(names.SURNAMES_HEAD))
    order = np.random.default_rng(0)  # a fixed order, whatever the seed: tiers not alphabetical
    middle = sorted(set(surnames) - set(head))
    middle = [middle[i] for i in order.permutation(len(middle))]
    known = set(head) | set(middle)
    places = {
        s
        for s in street_names()
        if s.isalpha() and 5 <= len(s) <= 10 and _ENGLISH_PLACE_SUFFIX.search(s)
    }
    compounds = {p + s for p in _SURNAME_PREFIXES for s in _SURNAME_SUFFIXES}
    rare = sorted((places | compounds) - known)
    rare = [rare[i] for i in order.permutation(len(rare))]
    vocab = np.array(head + middle + rare, dtype=object)
    return _Vocabulary(vocab, (_zipf(len(vocab), 5, 0.7),))


@lru_cache(maxsize=1)
def _valid_nhs_numbers() -> np.ndarray:
    """Every NHS number in the 999 test range with a valid modulus-11 check digit, ascending."""
    bodies = 999_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = _nhs_check(_digits(bodies, 9))
    ok = check != 10
    return bodies[ok] * 10 + check[ok]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def _nhs_check(first_nine: np.ndarray) -> np.ndarray:
    """Modulus-11 check digits for rows of nine digits; 10 where no valid digit exists."""
    total = first_nine @ np.arange(10, 1, -1)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def _affine(k: np.ndarray, modulus: int, multiplier: int, shift: int) -> np.ndarray:
    """A fixed permutation of 0..modulus-1, so consecutive people get unrelated identifiers."""
    return (k.astype(np.int64) * multiplier + shift) % modulus


# -- string corruption ------------------------------------------------------------------------
def typo(text: str, r: random.Random) -> str:
    """One keyboard slip: a neighbouring key, a dropped, swapped or doubled letter."""
    near = _keyboard()
    for _ in range(6):
        op = r.random()
        i = r.randrange(len(text))
        ch = text[i]
        if op < 0.35:
            options = near.get(ch.lower())
            if not options:
                continue
            new = r.choice(options)
            out = text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
        elif op < 0.6:
            if len(text) <= 2 or i == 0:
                continue
            out = text[:i] + text[i + 1 :]
        elif op < 0.8:
            if len(text) < 3:
                continue
            i = max(1, min(i, len(text) - 2))
            out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        else:
            if not ch.isalpha() or i == 0:
                continue
            out = text[: i + 1] + ch.lower() + text[i + 1 :]
        if out != text and out.strip(" -'") and out[0].isalpha():
            return out
    return text + "e"


_RESPELLINGS = (
    ("ph", "f"),
    ("ck", "k"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("ss", "s"),
    ("ie", "y"),
    ("ey", "y"),
    ("ei", "ie"),
    ("son", "sen"),
    ("ai", "ay"),
    ("ou", "ow"),
    ("c", "k"),
    ("z", "s"),
    ("y", "i"),
    ("ee", "ea"),
)


def respell(text: str, r: random.Random) -> str | None:
    """A phonetic spelling variant by a common English spelling swap, or None if none applies."""
    lower = text.lower()
    options = []
    for a, b in _RESPELLINGS:
        for x, y in ((a, b), (b, a)):
            at = lower.find(x, 1)
            if at > 0:
                options.append((at, x, y))
    if lower.endswith("e") and len(lower) > 3:
        options.append((len(lower) - 1, "e", ""))
    if not options:
        return None
    at, x, y = r.choice(options)
    return text[:at] + y + text[at + len(x) :]


def _spelling(name: str, table: dict[str, tuple[str, ...]], r: random.Random) -> str | None:
    options = table.get(name, ())
    return r.choice(options) if options else respell(name, r)


def _possible_kinds(given: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """Which of GIVEN_KINDS can apply to each name (a typo or a spelling always can)."""
    nick = np.array([g in names.NICKNAMES or g in names.FORMAL for g in given.tolist()], dtype=bool)
    out = np.ones((len(given), len(GIVEN_KINDS)), dtype=bool)
    out[:, 0] = nick
    out[:, 3] = middle != ""
    return out


def alter_given(given: str, middle: str, kind: str, r: random.Random) -> tuple[str, str, str]:
    """(given as recorded, middle names as recorded, the kind of alteration actually made)."""
    if kind == "middle_as_first" and middle:
        first, _, rest = middle.partition(" ")
        return first, rest, kind
    if kind == "initial" and len(given) > 1:
        return given[0], middle, kind
    if kind == "nickname":
        options = names.NICKNAMES.get(given, ()) + names.FORMAL.get(given, ())
        if options:
            return r.choice(options), middle, kind
    if kind in ("spelling", "nickname"):
        variant = _spelling(given, names.GIVEN_SPELLINGS, r)
        if variant and variant != given:
            return variant, middle, "spelling"
    return typo(given, r), middle, "typo"


def alter_family(family: str, kind: str, r: random.Random) -> tuple[str, str]:
    if kind == "spelling":
        variant = _spelling(family, names.FAMILY_SPELLINGS, r)
        if variant and variant != family:
            return variant, kind
    return typo(family, r), "typo"


def postcode_typo(postcode: str, kind: str, r: random.Random) -> str:
    outward, _, inward = postcode.partition(" ")
    if kind == "outward_typo":
        area = outward.rstrip("0123456789")
        district = int(outward[len(area) :])
        district = district + 1 if district == 1 or r.random() < 0.5 else district - 1
        return f"{area}{district} {inward}"
    i = r.randrange(3)
    if i == 0:
        new = str((int(inward[0]) + r.choice((1, 9))) % 10)
    else:
        new = r.choice(_INWARD.replace(inward[i], ""))
    return f"{outward} {inward[:i]}{new}{inward[i + 1 :]}"


# -- the generator ----------------------------------------------------------------------------
COLUMNS = (
    "unique_id",
    "source_system",
    "given_name",
    "middle_names",
    "family_name",
    "previous_family_names",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
    "cluster",
)
TRUTH_COLUMNS = (
    "household",
    "twin",
    "true_given_name",
    "true_family_name",
    "true_date_of_birth",
    "true_sex",
    "true_postcode",
    "true_nhs_number",
    "given_name_error",
    "family_name_error",
    "date_of_birth_error",
    "postcode_error",
    "moved",
    "nhs_number_error",
    "sex_error",
)


@dataclass
class _People:
    household: np.ndarray
    sex: np.ndarray  # "M"/"F"
    dob: np.ndarray  # datetime64[D]
    age_group: np.ndarray  # 0 under 4, 1 school age, 2 adult
    hv_mother: np.ndarray
    given: np.ndarray
    middle: np.ndarray
    family: np.ndarray
    old_family: np.ndarray  # the name before a change, or None
    recent_change: np.ndarray
    double_barrelled: np.ndarray
    twin: np.ndarray
    nhs: np.ndarray  # int64, 0 for none
    upn: np.ndarray  # object, "" for none


class SyntheticLinkageData:
    """Streams chunks of records from one seeded random generator; the counters run across chunks."""

    def __init__(self, seed: int = 1, *, truth: bool = False) -> None:
        self.rng = np.random.default_rng(seed)
        self.truth = truth
        self.next_person = 0
        self.next_household = 0
        self.next_address = 0
        self.next_record = 1
        self.next_nhs = 0
        self.next_upn = 0

    def chunks(self, records: int) -> Iterator[pa.Table]:
        remaining = records
        while remaining > 0:
            households = min(CHUNK_HOUSEHOLDS, int(remaining / RECORDS_PER_HOUSEHOLD * 1.05) + 20)
            table = self._chunk(households, limit=remaining)
            remaining -= table.num_rows
            self.next_record += table.num_rows
            yield table

    # -- people ---------------------------------------------------------------------------------
    def _people(self, n_households: int) -> _People:
        rng = self.rng
        h = n_households
        family = rng.random(h) < P_FAMILY_HOUSEHOLD
        n_births = np.where(family, rng.choice(5, h, p=BIRTHS_P) + 1, 0)
        second = np.where(family, rng.random(h) < 0.68, rng.random(h) < 0.55)
        partner_is_father = family & second & (rng.random(h) < 0.75)
        married = second & (rng.random(h) < np.where(family, 0.5, 0.6))
        recent = married & (
            rng.random(h) < np.where(family, np.where(partner_is_father, 0.12, 0.5), 0.08)
        )
        vocab = _surname_vocabulary()
        sn = lambda: vocab.names[rng.choice(len(vocab.names), h, p=vocab.weights[0])]  # noqa: E731
        maiden, father, partner = sn(), sn(), sn()
        partner = np.where(partner_is_father, father, partner)

        # Births: youngest first within a household; twins double a birth.
        b_hh = np.repeat(np.arange(h), n_births)
        first = np.cumsum(n_births) - n_births
        b_rank = np.arange(len(b_hh)) - first[b_hh]
        gaps = rng.uniform(1.1, 4.5, len(b_hh)) * YEAR
        gaps[b_rank == 0] = 0
        cum = np.cumsum(gaps)
        b_age = rng.uniform(0, 17.5, h)[b_hh] * YEAR + cum - cum[first[b_hh]]
        home = b_age <= 25 * YEAR
        b_twin = rng.random(len(b_hh)) < TWIN_RATE
        b_sex = np.where(rng.random(len(b_hh)) < 0.512, "M", "F")
        takes_father = rng.random(len(b_hh)) < 0.62
        b_family = np.where(takes_father, father[b_hh], maiden[b_hh])
        b_double = (rng.random(len(b_hh)) < DOUBLE_BARREL_RATE) & (maiden[b_hh] != father[b_hh])
        b_family = np.where(
            b_double,
            np.char.add(
                np.char.add(maiden[b_hh].astype(str), "-"), father[b_hh].astype(str)
            ).astype(object),
            b_family,
        )
        # After a mother's recent marriage to a step-parent, half the children take the name.
        b_changed = (
            recent[b_hh]
            & ~partner_is_father[b_hh]
            & (rng.random(len(b_hh)) < 0.5)
            & (partner[b_hh] != b_family)
        )
        b_old = _or_none(b_changed, b_family)
        b_family = np.where(b_changed, partner[b_hh], b_family)
        b_double &= ~b_changed
        keep = np.repeat(home, 1 + b_twin)
        rep = 1 + b_twin
        c_hh = np.repeat(b_hh, rep)[keep]
        c_age = np.repeat(b_age, rep)[keep]
        twin_second = np.zeros(rep.sum(), dtype=bool)
        twin_second[np.cumsum(rep)[b_twin] - 1] = True
        c_sex = np.repeat(b_sex, rep)
        flip = twin_second & (rng.random(len(c_sex)) < 1 / 3)
        c_sex = np.where(flip, np.where(c_sex == "M", "F", "M"), c_sex)[keep]
        c_twin = np.repeat(b_twin, rep)[keep]
        c_family = np.repeat(b_family, rep)[keep]
        c_old = np.repeat(b_old, rep)[keep]
        c_changed = np.repeat(b_changed, rep)[keep]
        c_double = np.repeat(b_double, rep)[keep]

        # Adults: the mother (or first adult) and a second adult.
        oldest = np.zeros(h)
        np.maximum.at(oldest, c_hh, c_age)
        a1_age = np.where(
            family, oldest + rng.uniform(18, 38, h) * YEAR, rng.uniform(18.5, 88, h) * YEAR
        )
        a1_age = np.minimum(a1_age, np.maximum(oldest + 16 * YEAR, 62 * YEAR))
        a2_age = np.where(
            family,
            a1_age + rng.normal(2.5, 3.5, h) * YEAR,
            a1_age + rng.uniform(-6, 6, h) * YEAR,
        )
        a2_age = np.maximum(a2_age, 18.5 * YEAR)
        a1_sex = np.where(family | (rng.random(h) < 0.5), "F", "M")
        a2_sex = np.where(
            family,
            np.where(rng.random(h) < 0.97, "M", "F"),
            np.where(rng.random(h) < 0.9, np.where(a1_sex == "F", "M", "F"), a1_sex),
        )
        # A married woman takes her husband's name; in adult households whoever is "F".
        # (a marriage between two people of one surname changes nobody's name)
        a1_takes = married & (a1_sex == "F") & (partner != maiden)
        a2_takes = married & (a2_sex == "F") & ~a1_takes & (partner != maiden)
        a1_family = np.where(a1_takes, partner, maiden)
        a1_old = _or_none(a1_takes, maiden)
        a2_family = np.where(a2_takes, maiden, partner)
        a2_old = _or_none(a2_takes, partner)
        under_five = np.zeros(h, dtype=bool)
        under_five[c_hh[c_age < 5 * YEAR]] = True

        a_hh = np.concatenate([np.arange(h), np.arange(h)[second]])
        order = np.argsort(np.concatenate([a_hh, c_hh]), kind="stable")
        cat = lambda a, b: np.concatenate([a, b])[order]  # noqa: E731
        s2 = second
        hh = cat(a_hh, c_hh)
        age = cat(np.concatenate([a1_age, a2_age[s2]]), c_age)
        sex = cat(np.concatenate([a1_sex, a2_sex[s2]]), c_sex)
        fam = cat(np.concatenate([a1_family, a2_family[s2]]), c_family)
        old = cat(np.concatenate([a1_old, a2_old[s2]]), c_old)
        changed = cat(np.concatenate([recent & a1_takes, (recent & a2_takes)[s2]]), c_changed)
        double = cat(np.zeros(len(a_hh), dtype=bool), c_double)
        twin = cat(np.zeros(len(a_hh), dtype=bool), c_twin)
        is_child = cat(np.zeros(len(a_hh), dtype=bool), np.ones(len(c_hh), dtype=bool))
        hv_mother = cat(
            np.concatenate([family & under_five, np.zeros(s2.sum(), dtype=bool)]),
            np.zeros(len(c_hh), dtype=bool),
        )
        n = len(hh)
        dob = AS_OF - np.rint(age).astype("timedelta64[D]")
        age_group = np.where(age < 4 * YEAR, 0, np.where(age < 18 * YEAR, 1, 2))

        given = self._given_names(hh, sex, dob, is_child)
        middle = self._middle_names(sex, dob, given)

        nhs = np.zeros(n, dtype=np.int64)
        has_nhs = rng.random(n) < np.where(is_child, 0.995, 0.975)
        valid = _valid_nhs_numbers()
        k = self.next_nhs + np.arange(has_nhs.sum())
        self.next_nhs += int(has_nhs.sum())
        in_range = k < len(valid)
        numbers = np.zeros(len(k), dtype=np.int64)
        numbers[in_range] = valid[_affine(k[in_range], len(valid), 611_953, 104_729)]
        nhs[has_nhs] = numbers

        upn = np.full(n, "", dtype=object)
        school_age = is_child & (age >= 4 * YEAR) & (age < 19 * YEAR)
        upn[school_age] = self._upns(int(school_age.sum()))

        return _People(
            household=hh + self.next_household,
            sex=sex,
            dob=dob,
            age_group=age_group,
            hv_mother=hv_mother,
            given=given,
            middle=middle,
            family=fam,
            old_family=old,
            recent_change=changed,
            double_barrelled=double,
            twin=twin,
            nhs=nhs,
            upn=upn,
        )

    def _draw_given(self, sex: np.ndarray, dob: np.ndarray) -> np.ndarray:
        out = np.empty(len(sex), dtype=object)
        recent = dob >= np.datetime64("2000-01-01")
        for s, vocab in _given_vocabularies().items():
            for cohort, weights in enumerate(vocab.weights):
                mask = (sex == s) & (recent if cohort == 0 else ~recent)
                out[mask] = vocab.names[self.rng.choice(len(vocab.names), mask.sum(), p=weights)]
        return out

    def _given_names(
        self, hh: np.ndarray, sex: np.ndarray, dob: np.ndarray, is_child: np.ndarray
    ) -> np.ndarray:
        """Given names, redrawn until no two children of a household (twins above all) share one."""
        given = self._draw_given(sex, dob)
        for _ in range(20):
            idx = np.flatnonzero(is_child)
            keys = np.char.add(hh[idx].astype(str), given[idx].astype(str))
            _, first_seen = np.unique(keys, return_index=True)
            dup = np.ones(len(idx), dtype=bool)
            dup[first_seen] = False
            if not dup.any():
                break
            redo = idx[dup]
            given[redo] = self._draw_given(sex[redo], dob[redo])
        return given

    def _middle_names(self, sex: np.ndarray, dob: np.ndarray, given: np.ndarray) -> np.ndarray:
        n = len(sex)
        has = self.rng.random(n) < 0.62
        two = has & (self.rng.random(n) < 0.15)
        m1, m2 = self._draw_given(sex, dob), self._draw_given(sex, dob)
        has &= m1 != given
        middle = np.where(has, m1, "")
        both = two & has & (m2 != m1) & (m2 != given)
        middle[both] = np.char.add(np.char.add(m1[both].astype(str), " "), m2[both].astype(str))
        return middle.astype(object)

    def _upns(self, count: int) -> np.ndarray:
        k = _affine(self.next_upn + np.arange(count), 1_000_000_000, 7_777_777, 1_234_567)
        self.next_upn += count
        body = _digits(938_000_000_000 + k, 12)
        letters = np.array(list(UPN_CHECK_LETTERS))[(body @ np.arange(2, 14)) % 23]
        bodies = (938_000_000_000 + k).astype(str)
        return np.char.add(letters, bodies).astype(object)

    def _given_kinds(self, given: np.ndarray, middle: np.ndarray, school: np.ndarray) -> np.ndarray:
        """A kind of alteration per record, drawn from the system's mix over the kinds that can
        apply to that name (a name with no known nickname gets another kind, in proportion)."""
        possible = _possible_kinds(given, middle)
        mix = np.where(school[:, None], GIVEN_MIX_SCHOOL, GIVEN_MIX_OTHER) * possible
        cdf = np.cumsum(mix, axis=1)
        draw = self.rng.random(len(given)) * cdf[:, -1]
        return (cdf < draw[:, None]).sum(axis=1)

    # -- places ---------------------------------------------------------------------------------
    @staticmethod
    def _places(address_ids: np.ndarray) -> tuple[np.ndarray, list[tuple[str, str, str, str]]]:
        """Postcode and (flat, number and street, street type, town) for global address ids.

        28 addresses a street, in two postcode units of 14; a street's sector is a fixed
        permutation of the 870 sectors (3 areas x 29 districts x 10), so neighbours share a
        postcode and neighbouring streets do not.
        """
        streets = street_names()
        street = address_ids // 28
        position = address_ids % 28
        sector = _affine(street % 870, 870, 397, 211)
        unit = (street // 870) * 2 + position // 14
        area = sector // 290
        district = (sector % 290) // 10 + 1
        digit = sector % 10
        letters = _affine(unit % 400, 400, 157, 61)
        postcodes = []
        parts = []
        for i in range(len(address_ids)):
            a, d, u, s = int(area[i]), int(district[i]), int(letters[i]), int(street[i])
            postcodes.append(
                f"{POSTCODE_AREAS[a]}{d} {int(digit[i])}{_INWARD[u // 20]}{_INWARD[u % 20]}"
            )
            name = streets[(s * 2_654_435_761) % len(streets)]
            suffix = STREET_SUFFIXES[(s * 31 + s // 7) % len(STREET_SUFFIXES)]
            ident = int(address_ids[i])
            flat = f"Flat {1 + ident % 9}, " if (ident * 2_246_822_519) % 5 == 0 else ""
            town = TOWNS[(a * 29 + d) % len(TOWNS)]
            parts.append((flat, f"{int(position[i]) + 1} {name}", suffix, town))
        return np.array(postcodes, dtype=object), parts

    # -- records --------------------------------------------------------------------------------
    def _chunk(self, n_households: int, *, limit: int) -> pa.Table:
        """The records of `n_households` households, at most `limit` of them (the last chunk
        keeps whole people but the last one, so truncation does not thin out every cluster)."""
        rng = self.rng
        r = random.Random(int(rng.integers(2**62)))
        people = self._people(n_households)
        n_people = len(people.household)

        # Which systems hold each person.
        prob = SYSTEM_PROBABILITY[people.age_group].copy()
        prob[people.hv_mother, HV] = HV_MOTHER_OF_UNDER_FIVE
        held = rng.random(prob.shape) < prob
        none = ~held.any(axis=1)
        held[none, GP] = True
        over = held.sum(axis=1) > MAX_SYSTEMS
        if over.any():
            keys = np.where(held[over], rng.random((over.sum(), len(SYSTEMS))), 2.0)
            ranks = keys.argsort(axis=1).argsort(axis=1)
            held[over] = ranks < MAX_SYSTEMS
        person, system = np.nonzero(held)
        if len(person) > limit:
            last = person[limit - 1]
            n_people = int(last) + 1
            person, system = person[:limit], system[:limit]
            n_households = int(people.household[last] - self.next_household) + 1
        n = len(person)
        u = lambda: rng.random(n)  # noqa: E731

        # Addresses: each household a current one; movers a previous one in stale systems.
        hh_local = people.household - self.next_household
        moved_hh = rng.random(n_households) < MOVER_RATE
        current = self.next_address + np.arange(n_households)
        previous = np.full(n_households, -1)
        previous[moved_hh] = self.next_address + n_households + np.arange(moved_hh.sum())
        self.next_address += n_households + int(moved_hh.sum())
        rec_hh = hh_local[person]
        moved = moved_hh[rec_hh] & (u() < STALE_ADDRESS[system])
        address_id = np.where(moved, previous[rec_hh], current[rec_hh])
        wanted = np.concatenate([address_id, current[rec_hh]]) if self.truth else address_id
        ids = np.unique(wanted)
        inverse = np.searchsorted(ids, address_id)
        place_postcode, place_parts = self._places(ids)
        postcode = place_postcode[inverse]
        true_postcode = place_postcode[np.searchsorted(ids, current[rec_hh])]

        # Given names.
        true_given = people.given[person]
        given = true_given.copy()
        middle = np.where(u() < MIDDLE_RECORDED[system], people.middle[person], "").astype(object)
        given_error = np.full(n, "", dtype=object)
        alter = np.flatnonzero(u() < GIVEN_ALTERED)
        person_middle = people.middle[person]
        kind_idx = self._given_kinds(
            true_given[alter], person_middle[alter], system[alter] == SCHOOL
        )
        for i, k in zip(alter.tolist(), kind_idx.tolist(), strict=True):
            # middle-as-first uses the person's middle name even where the system omits it
            g, m, label = alter_given(given[i], person_middle[i], GIVEN_KINDS[k], r)
            given[i] = g
            if label == "middle_as_first":
                middle[i] = m if middle[i] else ""
            given_error[i] = label

        # Family names: structural changes first, then typos and spellings to the total rate.
        true_family = people.family[person]
        family = true_family.copy()
        family_error = np.full(n, "", dtype=object)
        old = people.old_family[person]
        recent = people.recent_change[person]
        use_old = recent & (u() < OLD_NAME_KEPT[system])
        family[use_old] = old[use_old]
        family_error[use_old] = "old_name"
        has_old = (old != None) & ~use_old  # noqa: E711
        keep_prev = has_old & (u() < PREVIOUS_NAME_RECORDED[system] * np.where(recent, 1, 0.5))
        drop = people.double_barrelled[person] & ~use_old & (u() < DOUBLE_BARREL_DROPPED)
        for i in np.flatnonzero(drop).tolist():
            parts = family[i].split("-")
            family[i] = parts[r.random() < 0.5]
            family_error[i] = "double_barrel_dropped"
        structural = use_old | drop
        rate = max(0.0, FAMILY_ALTERED * n - structural.sum()) / max(1, n - structural.sum())
        noisy = np.flatnonzero(~structural & (u() < rate))
        for i in noisy.tolist():
            kind = "typo" if r.random() < FAMILY_TYPO_SHARE else "spelling"
            family[i], family_error[i] = alter_family(family[i], kind, r)
        prev_offsets = np.concatenate([[0], np.cumsum(keep_prev)]).astype(np.int32)
        prev_values = old[keep_prev].astype(str)

        capitals = np.flatnonzero((system == POLICE) & (u() < POLICE_CAPITALS))
        for i in capitals.tolist():
            given[i], family[i], middle[i] = given[i].upper(), family[i].upper(), middle[i].upper()

        # Dates of birth.
        true_dob = people.dob[person]
        dob = true_dob.copy()
        dob_error = np.full(n, "", dtype=object)
        is_police = system == POLICE
        other_rate = (DOB_ALTERED * n - DOB_ALTERED_POLICE * is_police.sum()) / max(
            1, n - is_police.sum()
        )
        alter = np.flatnonzero(u() < np.where(is_police, DOB_ALTERED_POLICE, other_rate))
        police = is_police[alter]
        kinds = np.where(
            police,
            rng.choice(5, len(alter), p=DOB_MIX_POLICE),
            rng.choice(5, len(alter), p=DOB_MIX_OTHER),
        )
        dob[alter], labels = _alter_dates(true_dob[alter], kinds, rng)
        dob_error[alter] = labels
        dob_missing = dob_error == "missing"

        # Postcodes and addresses.
        postcode_error = np.full(n, "", dtype=object)
        alter = np.flatnonzero(u() < POSTCODE_ALTERED)
        kinds = rng.choice(3, len(alter), p=POSTCODE_MIX)
        for i, k in zip(alter.tolist(), kinds.tolist(), strict=True):
            kind = POSTCODE_KINDS[k]
            postcode[i] = "" if kind == "missing" else postcode_typo(postcode[i], kind, r)
            postcode_error[i] = kind
        abbreviate, drop_flat, drop_town, number_typo = (u() < p for p in (0.15, 0.25, 0.05, 0.015))
        address = np.empty(n, dtype=object)
        for i, j in enumerate(inverse.tolist()):
            flat, street, suffix, town = place_parts[j]
            if abbreviate[i]:
                suffix = _SUFFIX_ABBREVIATIONS[suffix]
            if drop_flat[i]:
                flat = ""
            if number_typo[i]:
                number, _, rest = street.partition(" ")
                street = f"{int(number) + r.choice((-1, 1, 10)) or 2} {rest}"
            address[i] = (
                f"{flat}{street} {suffix}" if drop_town[i] else f"{flat}{street} {suffix}, {town}"
            )

        # Sex.
        true_sex = people.sex[person]
        sex = true_sex.astype(object)
        sex_error = np.full(n, "", dtype=object)
        missing = u() < SEX_MISSING[system]
        wrong = ~missing & (u() < SEX_WRONG)
        sex[missing] = "U"
        sex_error[missing] = "missing"
        sex[wrong] = np.where(true_sex[wrong] == "M", "F", "M")
        sex_error[wrong] = "wrong"

        # NHS numbers and UPNs.
        true_nhs = people.nhs[person]
        nhs = true_nhs.copy()
        nhs_error = np.full(n, "", dtype=object)
        has = true_nhs > 0
        nhs_missing = has & (u() < NHS_MISSING[system])
        nhs[nhs_missing] = 0
        nhs_error[nhs_missing] = "missing"
        mistype = np.flatnonzero(has & ~nhs_missing & (u() < NHS_MISTYPED[system]))
        nhs[mistype], valid = _mistype_nhs(true_nhs[mistype], rng)
        nhs_error[mistype] = np.where(valid, "mistyped_valid", "mistyped_invalid")
        upn = np.where(u() < UPN_RECORDED[system], people.upn[person], "").astype(object)

        columns: dict[str, pa.Array] = {
            "unique_id": pa.array(np.zeros(n, dtype=np.int64)),
            "source_system": pa.array(np.array(SYSTEMS, dtype=object)[system], pa.string()),
            "given_name": pa.array(given, pa.string()),
            "middle_names": pa.array(middle, pa.string()),
            "family_name": pa.array(family, pa.string()),
            "previous_family_names": pa.ListArray.from_arrays(
                pa.array(prev_offsets), pa.array(prev_values, pa.string())
            ),
            "date_of_birth": _date_strings(dob, dob_missing),
            "sex": pa.array(sex, pa.string()),
            "postcode": pa.array(postcode, pa.string()),
            "address": pa.array(address, pa.string()),
            "nhs_number": _nhs_strings(nhs),
            "upn": pa.array(upn, pa.string()),
            "cluster": pa.array(person + self.next_person, pa.int64()),
        }
        if self.truth:
            columns |= {
                "household": pa.array(people.household[person], pa.int64()),
                "twin": pa.array(people.twin[person]),
                "true_given_name": pa.array(true_given, pa.string()),
                "true_family_name": pa.array(true_family, pa.string()),
                "true_date_of_birth": _date_strings(true_dob, np.zeros(n, dtype=bool)),
                "true_sex": pa.array(true_sex.astype(object), pa.string()),
                "true_postcode": pa.array(true_postcode, pa.string()),
                "true_nhs_number": _nhs_strings(true_nhs),
                "given_name_error": pa.array(given_error, pa.string()),
                "family_name_error": pa.array(family_error, pa.string()),
                "date_of_birth_error": pa.array(dob_error, pa.string()),
                "postcode_error": pa.array(postcode_error, pa.string()),
                "moved": pa.array(moved),
                "nhs_number_error": pa.array(nhs_error, pa.string()),
                "sex_error": pa.array(sex_error, pa.string()),
            }
        self.next_person += n_people
        self.next_household += n_households
        # Shuffle, so a record's position says nothing about its person, then number the rows.
        table = pa.table(columns).take(pa.array(rng.permutation(n)))
        ids = pa.array(self.next_record + np.arange(n, dtype=np.int64))
        return table.set_column(0, "unique_id", ids)


def _alter_dates(
    dates: np.ndarray, kinds: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Dates altered by kind (indices into DOB_KINDS); returns the dates and the kinds applied."""
    n = len(dates)
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    kinds = kinds.copy()
    cannot_swap = (kinds == 3) & ((day > 12) | (day == month))
    kinds[cannot_swap] = 0
    shift = rng.choice(np.array([-10, -2, -1, 1, 2, 10]), n)
    new_day = np.where(kinds == 0, day + shift, day)
    new_day = np.where(
        (new_day < 1) | (new_day > 28), np.where(day > 14, day - 1, day + 1), new_day
    )
    new_month = np.where(kinds == 1, (month - 1 + rng.choice(np.array([1, 11]), n)) % 12 + 1, month)
    new_year = np.where(kinds == 2, year + rng.choice(np.array([-1, 1]), n), year)
    swapped = kinds == 3
    new_day = np.where(swapped, month, new_day)
    new_month = np.where(swapped, day, new_month)
    month_start = ((new_year - 1970) * 12 + new_month - 1).astype("datetime64[M]")
    days_in_month = (
        (month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")
    ).astype(np.int64)
    new_day = np.minimum(new_day, days_in_month)
    out = month_start.astype("datetime64[D]") + (new_day - 1).astype("timedelta64[D]")
    labels = np.array(DOB_KINDS, dtype=object)[kinds]
    return out, labels


def _mistype_nhs(numbers: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One digit wrong (70%), two adjacent digits swapped (22%) or two digits wrong (8%); and
    whether the result is valid. Modulus 11 catches every one-digit error and every transposition
    (weights 10..2 and the check digit's 1 differ by less than 11), so only the double errors can
    pass, about one time in eleven."""
    d = _digits(numbers, 10)
    n = len(numbers)
    rows = np.arange(n)
    kind = rng.choice(3, n, p=[0.70, 0.22, 0.08])
    pos = rng.integers(0, 9, n)
    left, right = d[rows, pos], d[rows, pos + 1]
    swap = (kind == 1) & (left != right)
    d[rows[swap], pos[swap]] = right[swap]
    d[rows[swap], pos[swap] + 1] = left[swap]
    first = rng.integers(0, 10, n)
    second = (first + rng.integers(1, 10, n)) % 10  # a different position
    for position, wrong in ((first, ~swap), (second, kind == 2)):
        r, p = rows[wrong], position[wrong]
        d[r, p] = (d[r, p] + rng.integers(1, 10, wrong.sum())) % 10
    out = d @ (10 ** np.arange(9, -1, -1, dtype=np.int64))
    valid = _nhs_check(d[:, :9]) == d[:, 9]
    return out, valid


def _date_strings(dates: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(dates, pa.date32(), mask=missing).cast(pa.string())


def _nhs_strings(numbers: np.ndarray) -> pa.Array:
    """Ten digits (a mistyped first digit can make a leading zero), or "" for none."""
    text = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 10, "0")
    return pc.if_else(pa.array(numbers > 0), text, "")


# -- public API -------------------------------------------------------------------------------
def generate(records: int, *, seed: int = 1, truth: bool = False) -> pa.Table:
    """`records` synthetic source records with `cluster` (the true person); the same seed, the same
    table. `truth=True` adds the true values and what was done to each record (TRUTH_COLUMNS)."""
    data = SyntheticLinkageData(seed, truth=truth)
    tables = list(data.chunks(records))
    if not tables:
        return _empty_table(truth)
    return pa.concat_tables(tables).combine_chunks()


def write_parquet(path: str | Path, records: int, seed: int = 1, *, truth: bool = False) -> int:
    """Stream `records` records to a Parquet file chunk by chunk (one row group each); returns
    the number of people (clusters)."""
    data = SyntheticLinkageData(seed, truth=truth)
    writer: pq.ParquetWriter | None = None
    try:
        for table in data.chunks(records):
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:
            pq.write_table(_empty_table(truth), str(path))
    finally:
        if writer is not None:
            writer.close()
    return data.next_person


def _empty_table(truth: bool) -> pa.Table:
    return next(SyntheticLinkageData(0, truth=truth).chunks(1)).slice(0, 0)


def corruption_rates(table: pa.Table) -> dict[str, object]:
    """The rates a table (generated with `truth=True`) actually has: what the docs quote."""
    n = table.num_rows
    clusters = table["cluster"].to_numpy()
    _, sizes = np.unique(clusters, return_counts=True)

    def share(mask: np.ndarray) -> float:
        return round(float(mask.sum()) / max(1, len(mask)), 4)

    def kinds(column: str) -> dict[str, object]:
        values = table[column].to_numpy(zero_copy_only=False).astype(str)
        altered = values != ""
        labels, counts = np.unique(values[altered], return_counts=True)
        return {
            "altered": share(altered),
            "kinds": {k: round(c / n, 4) for k, c in sorted(zip(labels, counts, strict=True))},
        }

    system = table["source_system"].to_numpy(zero_copy_only=False).astype(str)
    nhs_error = table["nhs_number_error"].to_numpy(zero_copy_only=False).astype(str)
    true_nhs = table["true_nhs_number"].to_numpy(zero_copy_only=False).astype(str)
    recorded = table["nhs_number"].to_numpy(zero_copy_only=False).astype(str)
    has_true = true_nhs != ""
    mistyped = np.char.startswith(nhs_error, "mistyped")
    valid_mistyped = nhs_error == "mistyped_valid"
    someone_else = np.isin(recorded[valid_mistyped], np.unique(true_nhs[has_true]))
    twin = table["twin"].to_numpy()
    people_twins = len(np.unique(clusters[twin]))
    prev = pc.list_value_length(table["previous_family_names"]).to_numpy()
    return {
        "records": n,
        "people": len(sizes),
        "records_per_person": round(n / max(1, len(sizes)), 3),
        "records_per_person_histogram": {
            int(k): int(v) for k, v in zip(*np.unique(sizes, return_counts=True), strict=True)
        },
        "records_by_system": {s: share(system == s) for s in SYSTEMS},
        "given_name": kinds("given_name_error"),
        "family_name": kinds("family_name_error"),
        "previous_family_names_recorded": share(prev > 0),
        "date_of_birth": kinds("date_of_birth_error"),
        "postcode_beyond_movers": kinds("postcode_error"),
        "moved": share(table["moved"].to_numpy()),
        "sex": kinds("sex_error"),
        "twins_share_of_people": round(people_twins / max(1, len(sizes)), 4),
        "nhs_number": {
            "people_without_one": share(true_nhs[np.unique(clusters, return_index=True)[1]] == ""),
            "missing_by_system": {
                s: share(nhs_error[(system == s) & has_true] == "missing") for s in SYSTEMS
            },
            "mistyped_of_recorded": share(mistyped[has_true & (nhs_error != "missing")]),
            "mistyped_records": int(mistyped.sum()),
            "mistyped_but_valid": int(valid_mistyped.sum()),
            "mistyped_valid_and_another_persons": int(someone_else.sum()),
        },
    }
