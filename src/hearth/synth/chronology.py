"""Chronology entries for a family: casework steps from its episodes, plus what every other agency
recorded (missed appointments, absence, police call-outs, housing concerns...), with subjects,
household entries, sharing levels and an original EntryVersion for each entry.
"""

import random
from dataclasses import dataclass, field

from hearth.synth.episodes import CaseEvent
from hearth.synth.families import YEAR, Counter, SynthFamily
from hearth.synth.population import iso
from hearth.synth.texts import TEXTS

# (event code, agency type, subject mode, weight for tiers 0, 1, 2)
ACTIVITY: tuple[tuple[str, str, str, tuple[float, float, float]], ...] = (
    ("missed-health-appointment", "gp", "child", (3, 6, 10)),
    ("missed-health-appointment", "health_visiting", "young", (2, 5, 8)),
    ("missed-immunisation", "health_visiting", "young", (1, 3, 5)),
    ("untreated-dental-decay", "school_nursing", "school", (0.5, 2, 4)),
    ("faltering-growth", "health_visiting", "young", (0.3, 1, 3)),
    ("ae-attendance", "acute", "child", (3, 4, 5)),
    ("accidental-injury", "acute", "child", (0.5, 2, 4)),
    ("left-unsupervised", "police", "children", (0.1, 1, 3)),
    ("domestic-abuse-incident", "police", "mother_kids", (0.3, 3, 6)),
    ("police-welfare-check", "police", "household", (0.2, 1.5, 3)),
    ("parental-substance-misuse", "substance", "adult", (0.2, 1.5, 3)),
    ("parental-mental-health", "adult_mh", "mother", (0.5, 2, 3)),
    ("child-distress", "school", "school", (0.5, 2, 3)),
    ("child-distress", "camhs", "school", (0.2, 1, 1.5)),
    ("school-absence", "school", "school", (1, 4, 8)),
    ("late-to-school", "school", "school", (1, 3, 5)),
    ("child-hungry", "school", "school", (0.2, 2, 5)),
    ("poor-hygiene", "school", "school", (0.3, 2, 5)),
    ("poor-hygiene", "health_visiting", "young", (0.2, 1, 3)),
    ("home-conditions", "housing", "household", (0.1, 1.5, 4)),
    ("referral-from-housing", "housing", "household", (0.05, 0.8, 2)),
    ("animal-welfare", "animal_welfare", "household", (0.02, 0.3, 1)),
    ("home-visit", "health_visiting", "young", (6, 6, 6)),
    ("information-shared", "gp", "child", (1, 2, 3)),
    ("information-shared", "voluntary", "mother", (0.3, 1, 2)),
    ("information-shared", "probation", "partner", (0.05, 0.3, 1.5)),
    ("positive-change", "school", "school", (1, 1.5, 1.5)),
    ("positive-change", "early_help", "children", (0.2, 1.5, 1)),
    ("ehe-registered", "ehe", "school", (0.05, 0.2, 0.6)),
)
ADULT_ACTIVITY: tuple[tuple[str, str], ...] = (
    ("information-shared", "gp"),
    ("parental-mental-health", "adult_mh"),
    ("parental-substance-misuse", "substance"),
    ("police-welfare-check", "police"),
    ("information-shared", "probation"),
    ("ae-attendance", "acute"),
)
# A family with universal services only mostly has routine contact recorded (a health visitor's
# visits, information shared); a concern is unusual. Without this damping two in three entries
# about such a family were concerns, and two in three children had a concern recorded about them
# every year: far more than the 1 in 20 referred, and an alert burden no partnership would see.
# A family with some additional need has more recorded, but fewer concerns than a family where
# neglect is chronic: otherwise one child in five would have the concerns of a neglected child.
ROUTINE = {"home-visit", "information-shared", "positive-change"}
CONCERN_FACTOR = (0.15, 0.35, 1.0)
_WEIGHTS = tuple(
    tuple(a[3][t] * (1.0 if a[0] in ROUTINE else CONCERN_FACTOR[t]) for a in ACTIVITY)
    for t in range(3)
)
SENSITIVE = {"parental-substance-misuse", "parental-mental-health", "domestic-abuse-incident"}
RESTRICTED_ROLE_SETS = (",team_manager,ig_officer,", ",practitioner,team_manager,", ",ig_officer,")
# Entries per person relative to a tier-0 family: where the chronology's weight falls.
TIER_WEIGHT = (1.0, 5.0, 16.0)
ADULT_HOUSEHOLD_WEIGHT = 0.12


@dataclass(slots=True)
class EntryRows:
    entries: list[tuple] = field(default_factory=list)
    versions: list[tuple] = field(default_factory=list)
    subjects: list[tuple] = field(default_factory=list)


class ChronologyBuilder:
    def __init__(
        self,
        *,
        as_of: int,
        entry_ids: Counter,
        event_types: dict[str, int],
        agencies: dict[str, int],
        practitioners: dict[str, list[tuple[int, str]]],
        source_systems: dict[str, str],
    ) -> None:
        self.as_of = as_of
        self.ids = entry_ids
        self.event_types = event_types
        self.agencies = agencies
        self.practitioners = practitioners
        self.source_systems = source_systems

    @staticmethod
    def weight(fam: SynthFamily) -> float:
        per_person = ADULT_HOUSEHOLD_WEIGHT if fam.adult_household else TIER_WEIGHT[fam.tier]
        return per_person * len(fam.people)

    def entry(
        self,
        rng: random.Random,
        out: EntryRows,
        *,
        day: int,
        code: str,
        agency: str,
        subject_ids: tuple[int, ...],
        household: int | None = None,
        text: tuple[str, str] | None = None,
        sharing: str | None = None,
    ) -> int:
        """One entry with its subjects and original version; returns its id."""
        entry_id = self.ids.take()
        author_id, author_name = rng.choice(self.practitioners[agency])
        description, impact = text or rng.choice(TEXTS[code])
        if "{n}" in description or "{n}" in impact:
            n = str(rng.randint(2, 9))
            description, impact = description.replace("{n}", n), impact.replace("{n}", n)
        roll = rng.random()
        restricted = ""
        if sharing is None:
            sensitive = code in SENSITIVE
            if roll < (0.12 if sensitive else 0.025):
                sharing, restricted = "restricted", rng.choice(RESTRICTED_ROLE_SETS)
            elif roll < (0.3 if sensitive else 0.08):
                sharing = "own_agency"
            else:
                sharing = "partnership"
        recorded = min(day + rng.randint(0, 6), self.as_of)
        recorded_at = f"{iso(recorded)} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00"
        event_date = iso(day)
        type_id = self.event_types[code]
        agency_id = self.agencies[agency]
        out.entries.append(
            (
                entry_id,
                agency_id,
                author_id,
                author_name,
                recorded_at,
                household,
                self.source_systems[agency],
                "",
                event_date,
                "day",
                type_id,
                description,
                impact,
                sharing,
                restricted,
                "active",
                1,
            )
        )
        out.versions.append(
            (
                entry_id,
                1,
                "original",
                recorded_at,
                author_id,
                author_name,
                "",
                event_date,
                "day",
                type_id,
                description,
                impact,
                sharing,
                restricted,
            )
        )
        for person_id in subject_ids:
            out.subjects.append((entry_id, person_id, event_date))
        return entry_id

    def case_entries(
        self, rng: random.Random, fam: SynthFamily, events: list[CaseEvent], out: EntryRows
    ) -> int:
        written = 0
        for event in events:
            if event.day > self.as_of:
                continue
            self.entry(
                rng,
                out,
                day=event.day,
                code=event.code,
                agency=event.agency,
                subject_ids=event.child_ids,
            )
            written += 1
        return written

    def agency_entries(
        self, rng: random.Random, fam: SynthFamily, count: int, out: EntryRows
    ) -> None:
        if count <= 0:
            return
        if fam.adult_household:
            self._adult_entries(rng, fam, count, out)
            return
        as_of = self.as_of
        lo = max(fam.start, as_of - int(20 * YEAR))
        kids = [c for c in fam.children if c.dob <= as_of]
        mother = fam.mother
        assert mother is not None
        weights = _WEIGHTS[fam.tier]
        picks = rng.choices(ACTIVITY, weights, k=count)
        for code, agency, mode, _ in picks:
            for _attempt in range(4):
                day = rng.randint(lo, as_of)
                household = None
                if mode == "household":
                    household = fam.home_at(day)
                    subjects: tuple[int, ...] = () if household else (mother.id,)
                elif mode in ("mother", "adult", "partner"):
                    subjects = (self._adult_at(rng, fam, day, mode),)
                else:
                    eligible = [c.id for c in kids if _fits(c.dob, day, mode)]
                    if not eligible:
                        continue
                    if mode == "children":
                        subjects = tuple(eligible)
                    elif mode == "mother_kids":
                        subjects = (mother.id, *eligible)
                    else:
                        subjects = (
                            (rng.choice(eligible),) if rng.random() < 0.75 else tuple(eligible)
                        )
                self.entry(
                    rng,
                    out,
                    day=day,
                    code=code,
                    agency=agency,
                    subject_ids=subjects,
                    household=household,
                )
                break
            else:  # nobody of the right age at any date tried: a GP note about the mother instead
                self.entry(
                    rng,
                    out,
                    day=rng.randint(lo, as_of),
                    code="information-shared",
                    agency="gp",
                    subject_ids=(mother.id,),
                )

    def _adult_at(self, rng: random.Random, fam: SynthFamily, day: int, mode: str) -> int:
        assert fam.mother is not None
        if mode == "mother" or not fam.partners:
            return (
                fam.mother.id
                if mode != "partner"
                else next((p.id for p in fam.people if p.role == "father"), fam.mother.id)
            )
        return (
            rng.choice(fam.partners).id
            if mode == "partner" or rng.random() < 0.5
            else fam.mother.id
        )

    def _adult_entries(
        self, rng: random.Random, fam: SynthFamily, count: int, out: EntryRows
    ) -> None:
        lo = max(fam.start, self.as_of - int(15 * YEAR))
        for _ in range(count):
            code, agency = rng.choice(ADULT_ACTIVITY)
            person = rng.choice(fam.people)
            self.entry(
                rng,
                out,
                day=rng.randint(lo, self.as_of),
                code=code,
                agency=agency,
                subject_ids=(person.id,),
            )


def _fits(dob: int, day: int, mode: str) -> bool:
    age = day - dob
    if age < 0:
        return False
    if mode == "young":
        return age < 5 * YEAR
    if mode == "school":
        return 4.5 * YEAR <= age < 16.5 * YEAR
    return age < 18 * YEAR
