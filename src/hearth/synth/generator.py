"""`hearth generate`: a synthetic partnership, built in chunks of families and bulk-loaded.

Each chunk draws from its own `random.Random` seeded by (seed, chunk number), ids come from
counters, and nothing but the current chunk is held in memory, so ten million entries load in
bounded memory and the same seed always gives the same rows.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from hearth.access.models import Involvement
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion, EventType
from hearth.episodes.models import Episode
from hearth.lib.addresses import dwelling_key
from hearth.people.models import Address, Person, PersonName, Relationship, Residence
from hearth.synth.agencies import create_agencies, create_practitioners
from hearth.synth.bulk import BulkWriter
from hearth.synth.chronology import ChronologyBuilder, EntryRows
from hearth.synth.episodes import EpisodeBuilder, FamilyEpisodes
from hearth.synth.families import YEAR, Counter, FamilyBuilder, SynthFamily
from hearth.synth.population import Identifiers, iso, iso_or_none, name_keys

DEFAULT_AS_OF = date(2026, 3, 31)  # the census date the figures are calibrated at
DEFAULT_SEED = 20250331
CHUNK_PEOPLE = 20_000
FAMILY_SHARE = 0.30  # households with children: about a fifth of residents are children
TIER_SHARES = (0.80, 0.14, 0.06)

PERSON_COLUMNS = (
    "id",
    "kind",
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "date_of_birth_precision",
    "sex",
    "gender_current",
    "ethnicity",
    "disabilities",
    "nhs_number",
    "upn",
    "date_of_death",
    "created_at",
)
NAME_COLUMNS = (
    "person_id",
    "name_type",
    "given_name",
    "family_name",
    "given_key",
    "family_key",
    "given_phonetic",
    "family_phonetic",
    "valid_from",
    "valid_to",
)
ADDRESS_COLUMNS = ("id", "line1", "line2", "town", "postcode", "uprn", "match_key")
RESIDENCE_COLUMNS = ("person_id", "address_id", "start_date", "end_date")
RELATIONSHIP_COLUMNS = ("person_id", "relative_id", "relationship_type", "start_date", "end_date")
EPISODE_COLUMNS = (
    "id",
    "kind",
    "child_id",
    "referral_id",
    "lead_agency_id",
    "start_date",
    "end_date",
    "end_reason",
    "referral_source",
    "primary_need",
    "referral_nfa",
    "screening_status",
    "authorisation_date",
    "factors",
    "initial_cpc_target",
    "initial_cpc_date",
    "icpc_not_required",
    "initial_category",
    "latest_category",
    "number_of_previous_cpp",
    "review_dates",
    "source_system",
    "source_reference",
)
INVOLVEMENT_COLUMNS = (
    "person_id",
    "agency_id",
    "practitioner_id",
    "role_description",
    "is_lead",
    "start_date",
    "end_date",
    "source_system",
    "source_reference",
)
ENTRY_COLUMNS = (
    "id",
    "agency_id",
    "author_id",
    "author_name",
    "recorded_at",
    "household_id",
    "source_system",
    "source_reference",
    "event_date",
    "date_accuracy",
    "event_type_id",
    "description",
    "impact_on_child",
    "sharing_level",
    "restricted_roles",
    "status",
    "version",
)
VERSION_COLUMNS = (
    "entry_id",
    "version",
    "kind",
    "recorded_at",
    "recorded_by_id",
    "recorded_by_name",
    "reason",
    "event_date",
    "date_accuracy",
    "event_type_id",
    "description",
    "impact_on_child",
    "sharing_level",
    "restricted_roles",
)
SUBJECT_COLUMNS = ("entry_id", "person_id", "event_date")
LOADED_MODELS = (
    Person,
    PersonName,
    Address,
    Residence,
    Relationship,
    Episode,
    Involvement,
    ChronologyEntry,
    EntryVersion,
    EntrySubject,
)


@dataclass
class GenerateResult:
    people: int = 0
    children: int = 0
    entries: int = 0
    episodes: int = 0
    seconds: float = 0.0
    demo: dict[str, object] = field(default_factory=dict)


@dataclass
class Chunk:
    families: list[SynthFamily] = field(default_factory=list)
    episodes: FamilyEpisodes = field(default_factory=FamilyEpisodes)
    entries: EntryRows = field(default_factory=EntryRows)
    involvements: list[tuple] = field(default_factory=list)


class Generator:
    def __init__(
        self,
        *,
        people: int,
        entries: int,
        seed: int = DEFAULT_SEED,
        as_of: date = DEFAULT_AS_OF,
        demo_families: bool = True,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.target_people = people
        self.target_entries = entries
        self.seed = seed
        self.as_of = as_of.toordinal()
        self.demo_families = demo_families
        self.progress = progress or (lambda _msg: None)
        self.writer = BulkWriter()
        self.created_at = f"{as_of.isoformat()} 12:00:00"

    def run(self) -> GenerateResult:
        started = time.monotonic()
        result = GenerateResult()
        rng = random.Random(f"{self.seed}:partnership")
        with transaction.atomic():
            agencies = create_agencies()
            practitioners = create_practitioners(rng, agencies, self.target_people)
        self.agency_ids = {t: a.pk for t, a in agencies.items()}
        self.practitioners = practitioners
        identifiers = Identifiers()
        self.families = FamilyBuilder(
            as_of=self.as_of, identifiers=identifiers, person_ids=Counter(), address_ids=Counter()
        )
        self.episode_builder = EpisodeBuilder(
            as_of=self.as_of, episode_ids=Counter(), agency_ids=self.agency_ids
        )
        self.chronology = ChronologyBuilder(
            as_of=self.as_of,
            entry_ids=Counter(),
            event_types=dict(EventType.objects.values_list("code", "id")),
            agencies=self.agency_ids,
            practitioners=practitioners,
            source_systems={t: a.source_system for t, a in agencies.items()},
        )
        self.writer.begin_load(LOADED_MODELS)
        try:
            chunk_no = 0
            while result.people < self.target_people:
                chunk = self._build_chunk(chunk_no, result)
                with transaction.atomic():
                    self._write_chunk(chunk, result)
                chunk_no += 1
                elapsed = time.monotonic() - started
                self.progress(
                    f"{result.people:>10,} people {result.entries:>11,} entries {self.writer.rows_written:>12,} rows "
                    f"in {elapsed:6.0f} s ({self.writer.rows_written / max(elapsed, 1e-9):,.0f} rows/s)"
                )
        finally:
            self.progress("Building indexes and statistics...")
            self.writer.end_load(LOADED_MODELS, self.progress)
        if self.demo_families and getattr(self, "_demo", None):
            from hearth.synth.demo import DemoFamilies

            assert isinstance(self._demo, DemoFamilies)
            result.demo["families"] = self._demo
        result.seconds = time.monotonic() - started
        return result

    # -- one chunk -------------------------------------------------------------------------------
    def _build_chunk(self, chunk_no: int, result: GenerateResult) -> Chunk:
        rng = random.Random(f"{self.seed}:chunk:{chunk_no}")
        chunk = Chunk()
        limit = min(CHUNK_PEOPLE, self.target_people - result.people)
        people = 0
        if chunk_no == 0 and self.demo_families:
            from hearth.synth.demo import build_demo_families

            self._demo = build_demo_families(self, rng, chunk)
            people += sum(len(f.people) for f in chunk.families)
        while people < limit:
            if rng.random() < FAMILY_SHARE:
                tier = rng.choices((0, 1, 2), TIER_SHARES)[0]
                fam = self.families.family_with_children(rng, tier)
            else:
                fam = self.families.adult_household(rng)
            chunk.families.append(fam)
            people += len(fam.people)
            self.episode_builder.build(rng, fam, chunk.episodes)
        # Share this chunk's entries out: casework steps first, then every agency's records by weight.
        people_after = result.people + people
        target = round(
            self.target_entries * min(people_after, self.target_people) / self.target_people
        )
        target -= result.entries + len(chunk.entries.entries)
        events_by_child: dict[int, list] = {}
        for event in chunk.episodes.events:
            events_by_child.setdefault(event.child_ids[0], []).append(event)
        case_total = 0
        for fam in chunk.families:
            for child in fam.children:
                case_total += self.chronology.case_entries(
                    rng, fam, events_by_child.pop(child.id, []), chunk.entries
                )
        remaining = max(0, target - case_total)
        weights = [self.chronology.weight(f) for f in chunk.families]
        total_weight = sum(weights) or 1.0
        for fam, weight in zip(chunk.families, weights, strict=True):
            share = remaining * weight / total_weight
            count = int(share) + (rng.random() < share - int(share))
            self.chronology.agency_entries(rng, fam, count, chunk.entries)
        self._involvements(rng, chunk)
        return chunk

    def _involvements(self, rng: random.Random, chunk: Chunk) -> None:
        """The network: the allocated worker for open cases, partner agencies, and past involvements."""
        as_of = self.as_of
        ages = {c.id: as_of - c.dob for f in chunk.families for c in f.children}
        latest: dict[tuple[int, str], tuple[int, int | None]] = {}
        for kid, start, end, agency in chunk.episodes.involvements:
            key = (kid, agency)
            previous = latest.get(key)
            if previous is None or start >= previous[0]:
                latest[key] = (start, end)
        workers: dict[str, list[tuple[int, str]]] = self.practitioners
        allocated: dict[int, int] = {}
        for (kid, agency), (start, end) in latest.items():
            worker = (
                allocated.setdefault(kid, rng.choice(workers[agency])[0])
                if agency == "csc"
                else rng.choice(workers[agency])[0]
            )
            role = "Allocated social worker" if agency == "csc" else "Family worker"
            chunk.involvements.append(
                (
                    kid,
                    self.agency_ids[agency],
                    worker,
                    role,
                    True,
                    iso(start),
                    iso_or_none(end),
                    "",
                    "",
                )
            )
            if end is None:
                partner = "school" if ages[kid] >= 5 * YEAR else "health_visiting"
                chunk.involvements.append(
                    (
                        kid,
                        self.agency_ids[partner],
                        rng.choice(workers[partner])[0],
                        "Designated safeguarding lead" if partner == "school" else "Health visitor",
                        False,
                        iso(start),
                        None,
                        "",
                        "",
                    )
                )
                chunk.involvements.append(
                    (
                        kid,
                        self.agency_ids["gp"],
                        None,
                        "Registered GP practice",
                        False,
                        iso(start),
                        None,
                        "",
                        "",
                    )
                )

    def _write_chunk(self, chunk: Chunk, result: GenerateResult) -> None:
        people_rows = []
        name_rows = []
        address_rows = []
        residence_rows: list[tuple[Any, ...]] = []
        relationship_rows: list[tuple[Any, ...]] = []
        created = self.created_at
        for fam in chunk.families:
            for p in fam.people:
                people_rows.append(
                    (
                        p.id,
                        p.kind,
                        p.given,
                        p.middle,
                        p.family,
                        iso(p.dob),
                        p.precision,
                        p.sex,
                        "",
                        p.ethnicity,
                        p.disabilities,
                        p.nhs,
                        p.upn,
                        None,
                        created,
                    )
                )
                gk, gp = name_keys(p.given)
                fk, fp = name_keys(p.family)
                name_rows.append((p.id, "current", p.given, p.family, gk, fk, gp, fp, None, None))
                if p.previous_family:
                    pk, pp = name_keys(p.previous_family)
                    name_rows.append(
                        (p.id, "previous", p.given, p.previous_family, gk, pk, gp, pp, None, None)
                    )
                if p.kind == "child" and p.dob <= self.as_of:
                    result.children += 1
            address_rows.extend(fam.addresses)
            residence_rows.extend(
                (pid, aid, iso_or_none(s), iso_or_none(e)) for pid, aid, s, e in fam.residences
            )
            relationship_rows.extend(
                (a, b, t, iso_or_none(s), iso_or_none(e)) for a, b, t, s, e in fam.relationships
            )
            result.people += len(fam.people)
        w = self.writer
        w.write(
            Address,
            ADDRESS_COLUMNS,
            (
                (a, l1, l2, town, pc, "", dwelling_key(l1, l2, pc))
                for a, l1, l2, town, pc in address_rows
            ),
        )
        w.write(Person, PERSON_COLUMNS, people_rows)
        w.write(PersonName, NAME_COLUMNS, name_rows)
        w.write(Residence, RESIDENCE_COLUMNS, residence_rows)
        w.write(Relationship, RELATIONSHIP_COLUMNS, relationship_rows)
        w.write(Episode, EPISODE_COLUMNS, chunk.episodes.rows)
        w.write(Involvement, INVOLVEMENT_COLUMNS, chunk.involvements)
        w.write(ChronologyEntry, ENTRY_COLUMNS, chunk.entries.entries)
        w.write(EntryVersion, VERSION_COLUMNS, chunk.entries.versions)
        w.write(EntrySubject, SUBJECT_COLUMNS, chunk.entries.subjects)
        result.entries += len(chunk.entries.entries)
        result.episodes += len(chunk.episodes.rows)
