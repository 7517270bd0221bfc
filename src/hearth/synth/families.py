"""Family structure: mothers, fathers, partners moving in and out, (half-)siblings, grandparents,
and the addresses each of them lived at over time.

A family is built as plain Python objects keyed by pre-allocated ids; `rows.py` turns it into
database rows. Dates are proleptic ordinals (ints), which are much cheaper than `date` objects.
"""

import json
import random
from dataclasses import dataclass, field

from hearth.synth.population import (
    ETHNICITY_CODES,
    ETHNICITY_WEIGHTS,
    Identifiers,
    address_fields,
    name_lists,
)

YEAR = 365.25
CHILD_DISABILITIES = ("LD", "AUT", "COMM", "BEH", "MOB", "HEAR", "VIS", "PC")


class Counter:
    """Hands out consecutive ids for one table."""

    def __init__(self, start: int = 1) -> None:
        self.next = start

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


@dataclass(slots=True)
class SynthPerson:
    id: int
    kind: str
    given: str
    middle: str
    family: str
    dob: int
    sex: str
    ethnicity: str
    role: str  # mother, father, partner, child, grandparent, adult
    nhs: str = ""
    upn: str = ""
    precision: str = "exact"
    disabilities: str = "[]"
    previous_family: str = ""


@dataclass(slots=True)
class SynthFamily:
    tier: int  # 0 universal services only, 1 some additional need, 2 chronic neglect
    people: list[SynthPerson] = field(default_factory=list)
    children: list[SynthPerson] = field(
        default_factory=list
    )  # the mother's children, grown-up included
    mother: SynthPerson | None = None
    partners: list[SynthPerson] = field(
        default_factory=list
    )  # adult men who moved in, never the father
    start: int = 0
    # (address id, from, to or None): where the mother and children lived
    homes: list[tuple[int, int, int | None]] = field(default_factory=list)
    addresses: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    residences: list[tuple[int, int, int | None, int | None]] = field(default_factory=list)
    relationships: list[tuple[int, int, str, int | None, int | None]] = field(default_factory=list)
    adult_household: bool = False

    def home_at(self, day: int) -> int | None:
        for address_id, start, end in self.homes:
            if start <= day and (end is None or day < end):
                return address_id
        return None


class FamilyBuilder:
    """Builds families with ids from shared counters, so ids are dense and deterministic."""

    def __init__(
        self, *, as_of: int, identifiers: Identifiers, person_ids: Counter, address_ids: Counter
    ) -> None:
        self.as_of = as_of
        self.identifiers = identifiers
        self.person_ids = person_ids
        self.address_ids = address_ids
        self.female, self.male, self.surnames = name_lists()

    # -- people and places -------------------------------------------------------------------
    def _person(
        self,
        rng: random.Random,
        fam: SynthFamily,
        *,
        kind: str,
        sex: str,
        dob: int,
        family_name: str,
        role: str,
        ethnicity: str,
    ) -> SynthPerson:
        given = rng.choice(self.female if sex == "F" else self.male)
        middle = rng.choice(self.female if sex == "F" else self.male) if rng.random() < 0.55 else ""
        person = SynthPerson(
            id=self.person_ids.take(),
            kind=kind,
            given=given,
            middle=middle,
            family=family_name,
            dob=dob,
            sex=sex,
            ethnicity=ethnicity,
            role=role,
        )
        if dob > self.as_of:
            person.precision = "expected"
        elif rng.random() < 0.93 or kind == "child":
            person.nhs = self.identifiers.nhs_number()
        if kind == "child" and self.as_of - dob >= 4 * YEAR:
            person.upn = self.identifiers.upn()
        if kind == "child" and rng.random() < 0.04:
            person.disabilities = json.dumps([rng.choice(CHILD_DISABILITIES)])
        fam.people.append(person)
        return person

    def _address(self, rng: random.Random, fam: SynthFamily) -> int:
        address_id = self.address_ids.take()
        fam.addresses.append((address_id, *address_fields(rng)))
        return address_id

    def _live(self, fam: SynthFamily, person_id: int, start: int, end: int | None) -> None:
        """Residences for a stay in the family home from `start` to `end` (None: still there)."""
        for address_id, h_start, h_end in fam.homes:
            lo = max(start, h_start)
            hi = end if h_end is None else (h_end if end is None else min(end, h_end))
            if hi is None or lo < hi:
                fam.residences.append((person_id, address_id, lo, hi))

    def _live_elsewhere(
        self,
        rng: random.Random,
        fam: SynthFamily,
        person_id: int,
        start: int | None,
        end: int | None,
    ) -> None:
        fam.residences.append((person_id, self._address(rng, fam), start, end))

    # -- families ----------------------------------------------------------------------------
    def family_with_children(self, rng: random.Random, tier: int) -> SynthFamily:
        fam = SynthFamily(tier=tier)
        as_of = self.as_of
        n_kids = rng.choices(
            *[
                ((1, 2, 3, 4), (38, 40, 16, 6)),
                ((1, 2, 3, 4, 5), (25, 35, 22, 12, 6)),
                ((2, 3, 4, 5, 6, 7), (15, 25, 25, 18, 10, 7)),
            ][tier]
        )[0]
        gap_hi = (4.5, 4.0, 3.0)[tier]
        youngest = as_of - rng.randint(0, int(17.9 * YEAR))
        dobs = [youngest]
        for _ in range(n_kids - 1):
            dobs.append(dobs[-1] - int(rng.uniform(1.0, gap_hi) * YEAR))
        dobs.reverse()
        age_first = rng.uniform(*[(22, 38), (18, 32), (16, 24)][tier])
        ethnicity = rng.choices(ETHNICITY_CODES, ETHNICITY_WEIGHTS)[0]
        maiden = rng.choice(self.surnames)
        father_name = rng.choice(self.surnames)
        married = rng.random() < (0.55, 0.3, 0.15)[tier]
        mother = self._person(
            rng,
            fam,
            kind="adult",
            sex="F",
            dob=dobs[0] - int(age_first * YEAR),
            role="mother",
            family_name=father_name if married else maiden,
            ethnicity=ethnicity,
        )
        if married:
            mother.previous_family = maiden
        fam.mother = mother
        father = self._person(
            rng,
            fam,
            kind="adult",
            sex="M",
            dob=mother.dob - int(rng.uniform(-2, 7) * YEAR),
            role="father",
            family_name=father_name,
            ethnicity=ethnicity,
        )
        fam.start = dobs[0] - int(rng.uniform(0, 2) * YEAR)

        # The family home over time: the mother and children move together.
        n_moves = rng.randint(*[(0, 2), (1, 3), (2, 5)][tier])
        moves = sorted(rng.randint(fam.start + 1, as_of) for _ in range(n_moves))
        bounds = [fam.start, *moves]
        for i, start in enumerate(bounds):
            end = bounds[i + 1] if i + 1 < len(bounds) else None
            if end is not None and end <= start:
                continue
            fam.homes.append((self._address(rng, fam), start, end))
        self._live(fam, mother.id, fam.start, None)

        # Separation: the father leaves; children born afterwards have another father (half-siblings).
        together = rng.random() < (0.8, 0.4, 0.15)[tier]
        split_at: int | None = None
        second_father: SynthPerson | None = None
        split_index = n_kids
        if not together:
            split_index = rng.randint(1, n_kids)
            hi = dobs[split_index] if split_index < n_kids else as_of
            split_at = rng.randint(min(dobs[split_index - 1] + 60, hi), hi)
            if split_index < n_kids:
                second_father = self._person(
                    rng,
                    fam,
                    kind="adult",
                    sex="M",
                    dob=mother.dob - int(rng.uniform(-3, 9) * YEAR),
                    role="father",
                    family_name=rng.choice(self.surnames),
                    ethnicity=ethnicity,
                )
        self._live(fam, father.id, fam.start, split_at)
        if split_at is not None:
            self._live_elsewhere(rng, fam, father.id, split_at, None)

        for i, dob in enumerate(dobs):
            sex = "M" if rng.random() < 0.512 else "F"
            dad = father if i < split_index else second_father
            assert dad is not None
            surname = dad.family if rng.random() < 0.6 else maiden
            adult = as_of - dob >= 18 * YEAR
            child = self._person(
                rng,
                fam,
                kind="adult" if adult else "child",
                sex=sex,
                dob=dob,
                family_name=surname,
                role="child",
                ethnicity=ethnicity,
            )
            fam.children.append(child)
            if dob <= as_of:
                leave = dob + int(rng.uniform(18, 21) * YEAR) if adult else None
                if leave is not None and leave >= as_of:
                    leave = None
                self._live(fam, child.id, dob, leave)
                if leave is not None:
                    self._live_elsewhere(rng, fam, child.id, leave, None)
            fam.relationships.append((mother.id, child.id, "mother", dob, None))
            fam.relationships.append((dad.id, child.id, "father", dob, None))
        if second_father is not None:
            assert split_at is not None
            sf_start = dobs[split_index] - int(rng.uniform(0.3, 1.5) * YEAR)
            sf_start = max(sf_start, split_at + 1)
            sf_end = (
                None
                if rng.random() < (0.6, 0.45, 0.3)[tier]
                else rng.randint(min(dobs[-1] + 90, as_of), as_of)
            )
            self._live(fam, second_father.id, sf_start, sf_end)
            self._live_elsewhere(rng, fam, second_father.id, None, sf_start)
            if sf_end is not None:
                self._live_elsewhere(rng, fam, second_father.id, sf_end, None)
            for child in fam.children[:split_index]:
                fam.relationships.append(
                    (second_father.id, child.id, "parents_partner", sf_start, sf_end)
                )
        for i, older in enumerate(fam.children):
            for younger in fam.children[i + 1 :]:
                same = (i < split_index) == (fam.children.index(younger) < split_index)
                fam.relationships.append(
                    (older.id, younger.id, "sibling" if same else "half_sibling", younger.dob, None)
                )

        # Adult men moving in and out: partners of the mother, never recorded as fathers.
        if not together or tier == 2:
            n_partners = rng.choices((0, 1, 2), [(85, 13, 2), (55, 38, 7), (20, 50, 30)][tier])[0]
            lo = split_at or fam.start
            for _ in range(n_partners):
                if lo >= as_of - 30:
                    break
                p_start = rng.randint(lo, as_of - 30)
                p_end = None if rng.random() < 0.45 else rng.randint(p_start + 30, as_of)
                partner = self._person(
                    rng,
                    fam,
                    kind="adult",
                    sex="M",
                    dob=mother.dob - int(rng.uniform(-6, 12) * YEAR),
                    role="partner",
                    family_name=rng.choice(self.surnames),
                    ethnicity=rng.choices(ETHNICITY_CODES, ETHNICITY_WEIGHTS)[0],
                )
                fam.partners.append(partner)
                self._live_elsewhere(rng, fam, partner.id, None, p_start)
                self._live(fam, partner.id, p_start, p_end)
                if p_end is not None:
                    self._live_elsewhere(rng, fam, partner.id, p_end, None)
                kind = "step_parent" if rng.random() < 0.2 else "parents_partner"
                for child in fam.children:
                    if child.dob < (p_end or as_of) and as_of - child.dob < 18 * YEAR:
                        fam.relationships.append(
                            (partner.id, child.id, kind, max(p_start, child.dob), p_end)
                        )
                lo = p_end or as_of

        # A maternal grandparent living elsewhere.
        if rng.random() < (0.45, 0.55, 0.6)[tier]:
            grandmother = self._person(
                rng,
                fam,
                kind="adult",
                sex="F",
                dob=mother.dob - int(rng.uniform(17, 32) * YEAR),
                role="grandparent",
                family_name=maiden,
                ethnicity=ethnicity,
            )
            if as_of - grandmother.dob < 95 * YEAR:
                self._live_elsewhere(rng, fam, grandmother.id, None, None)
                for child in fam.children:
                    fam.relationships.append(
                        (grandmother.id, child.id, "grandparent", child.dob, None)
                    )
        # An unborn child, expected in the coming months.
        if rng.random() < (0.003, 0.01, 0.04)[tier]:
            unborn = self._person(
                rng,
                fam,
                kind="child",
                sex="U",
                dob=as_of + rng.randint(20, 200),
                family_name=mother.family,
                role="child",
                ethnicity=ethnicity,
            )
            fam.relationships.append((mother.id, unborn.id, "mother", None, None))
        return fam

    def adult_household(self, rng: random.Random) -> SynthFamily:
        """One or two adults without children at home: most of the population, rarely in the chronology."""
        fam = SynthFamily(tier=0, adult_household=True)
        fam.start = self.as_of - rng.randint(0, int(20 * YEAR))
        fam.homes.append((self._address(rng, fam), fam.start, None))
        ethnicity = rng.choices(ETHNICITY_CODES, ETHNICITY_WEIGHTS)[0]
        first_dob = self.as_of - int(rng.uniform(18.5, 92) * YEAR)
        surname = rng.choice(self.surnames)
        n = 2 if rng.random() < 0.55 else 1
        for i in range(n):
            sex = ("F", "M")[i] if n == 2 else rng.choice("FM")
            dob = (
                first_dob
                if i == 0
                else max(self.as_of - int(18.5 * YEAR), first_dob + int(rng.uniform(-6, 6) * YEAR))
            )
            person = self._person(
                rng,
                fam,
                kind="adult",
                sex=sex,
                dob=dob,
                family_name=surname,
                role="adult",
                ethnicity=ethnicity,
            )
            self._live(fam, person.id, max(fam.start, dob + int(18 * YEAR)), None)
        return fam
