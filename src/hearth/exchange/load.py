"""Validating and loading a family's history from an exchange file (see `schema.json` and
docs/replay.md).

A file is checked in two passes before anything is written: its shape against the JSON Schema,
then what a schema cannot say (every ref resolves, refs are unique, dates are in order, identifiers
carry valid check digits, event types exist in the taxonomy). Every problem is reported with its
JSON path. The load is then all-or-nothing, in one transaction, through the existing actions
(`create_person`, `record_residence`, `create_entry`, …), and idempotent: every record carries
`source_system = "exchange:<file name>"` and the file's ref, so loading the same file again finds
what is already there and creates nothing.
"""

import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from jsonschema import Draft202012Validator

from hearth.access.actions import record_involvement
from hearth.access.models import Involvement
from hearth.agencies.models import Agency
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.chronology.actions import create_entry
from hearth.chronology.models import ChronologyEntry, EventType
from hearth.episodes.models import Episode, EpisodeKind
from hearth.lib.identifiers import (
    is_valid_nhs_number,
    is_valid_postcode,
    is_valid_upn,
    normalise_postcode,
)
from hearth.people.actions import (
    create_person,
    get_or_create_address,
    record_relationship,
    record_residence,
)
from hearth.people.models import (
    Address,
    Person,
    PersonIdentifier,
    PersonKind,
    Relationship,
    Residence,
)

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SOURCE_PREFIX = "exchange:"
SOURCE_SYSTEM_MAX = 60  # the models' source_system column
SECTIONS = (
    "agencies",
    "people",
    "addresses",
    "residences",
    "relationships",
    "involvements",
    "episodes",
    "entries",
)


@dataclass(frozen=True)
class Problem:
    path: str  # a JSON path into the file, e.g. $.entries[3].about[0]
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ExchangeError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ExchangeActor:
    """The author of what a load writes: the entries' agency is the file's agency; no user."""

    display_name: str
    pk: None = None
    agency: None = None
    is_authenticated: bool = False


@dataclass
class Loaded:
    """What a load found or created, by the file's refs."""

    source_system: str
    agencies: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)
    episodes: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    existing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    # Each child's ref, and the period in which a replay evaluates the rules for them.
    children: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    # The days on which a record in the file begins or ends.
    record_days: set[date] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            **{k: getattr(self, k) for k in ("source_system", "created", "existing")},
            **{k: getattr(self, k) for k in ("agencies", "people", "addresses", "episodes")},
            "entries": self.entries,
            "children": {ref: [iso(a), iso(b)] for ref, (a, b) in self.children.items()},
            "record_days": sorted(d.isoformat() for d in self.record_days),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Loaded":
        return cls(
            **{k: v for k, v in data.items() if k not in ("children", "record_days")},
            children={ref: (_d(a), _d(b)) for ref, (a, b) in data["children"].items()},
            record_days={date.fromisoformat(d) for d in data["record_days"]},
        )


def source_system_for(name: str) -> str:
    return SOURCE_PREFIX + Path(name).name


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ExchangeError([Problem("$", f"cannot read {path}: {error.strerror}")]) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ExchangeError(
            [
                Problem(
                    "$", f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
                )
            ]
        ) from error


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _items(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any], str]]:
    for i, item in enumerate(data.get(section) or []):
        yield i, item, f"$.{section}[{i}]"


def _schema_problems(data: Any) -> list[Problem]:
    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = []
    for error in validator.iter_errors(data):
        message = error.message
        if error.validator in ("anyOf", "oneOf") and error.context:
            message = "must be one of the allowed forms: " + "; or ".join(
                sorted({sub.message for sub in error.context})
            )
        problems.append(Problem(error.json_path, message))
    return sorted(problems, key=lambda p: (p.path, p.message))


def validate(
    data: Any,
    *,
    name: str,
    event_types: Collection[str] | None = None,
    today: date | None = None,
) -> list[Problem]:
    """Every problem with the file, each with its JSON path; [] when it can be loaded.

    `event_types`: the taxonomy's codes (None: not checked). `today`: nothing may be dated after it.
    """
    problems = _schema_problems(data)
    if problems:
        return problems  # the checks below rely on the shape
    today = today or timezone.localdate()
    if len(source_system_for(name)) > SOURCE_SYSTEM_MAX:
        problems.append(
            Problem("$", f"the file name is too long: at most {SOURCE_SYSTEM_MAX - 9} characters")
        )

    refs: dict[str, dict[str, str]] = {}
    for section in ("agencies", "people", "addresses", "episodes", "entries", "involvements"):
        seen: dict[str, str] = {}
        for _i, item, path in _items(data, section):
            ref = item.get("ref")
            if ref is None:
                continue
            if ref in seen:
                problems.append(
                    Problem(f"{path}.ref", f"ref '{ref}' is used twice (first at {seen[ref]})")
                )
            else:
                seen[ref] = path
        refs[section] = seen
    people = {p["ref"]: p for p in data["people"]}
    episodes = {e["ref"]: e for e in data.get("episodes") or []}

    def resolve(section: str, value: Any, path: str, what: str) -> bool:
        if value is not None and value not in refs[section]:
            problems.append(Problem(path, f"no {what} has the ref '{value}'"))
            return False
        return value is not None

    def in_order(item: dict[str, Any], path: str, start: str, end: str) -> None:
        first, last = _d(item.get(start)), _d(item.get(end))
        if first and last and last < first:
            problems.append(Problem(f"{path}.{end}", f"{last} is before the {start} ({first})"))

    def not_future(value: Any, path: str) -> None:
        when = _d(value)
        if when and when > today:
            problems.append(Problem(path, f"{when} is in the future"))

    for _i, person, path in _items(data, "people"):
        if person.get("nhs_number") and not is_valid_nhs_number(person["nhs_number"]):
            problems.append(Problem(f"{path}.nhs_number", "not a valid NHS number (check digit)"))
        if person.get("upn") and not is_valid_upn(person["upn"]):
            problems.append(Problem(f"{path}.upn", "not a valid UPN (check letter)"))
        in_order(person, path, "date_of_birth", "date_of_death")
        not_future(person.get("date_of_death"), f"{path}.date_of_death")
        not_future(person.get("known_from"), f"{path}.known_from")
    for _i, address, path in _items(data, "addresses"):
        if not is_valid_postcode(address["postcode"]):
            problems.append(Problem(f"{path}.postcode", "not a valid UK postcode"))
    for _i, item, path in _items(data, "residences"):
        resolve("people", item["person"], f"{path}.person", "person")
        resolve("addresses", item["address"], f"{path}.address", "address")
        in_order(item, path, "start", "end")
    for _i, item, path in _items(data, "relationships"):
        resolve("people", item["person"], f"{path}.person", "person")
        resolve("people", item["relative"], f"{path}.relative", "person")
        if item["person"] == item["relative"]:
            problems.append(Problem(f"{path}.relative", "a person cannot be their own relative"))
        in_order(item, path, "start", "end")
    for _i, item, path in _items(data, "involvements"):
        resolve("people", item["person"], f"{path}.person", "person")
        resolve("agencies", item["agency"], f"{path}.agency", "agency")
        in_order(item, path, "start", "end")
    for _i, item, path in _items(data, "episodes"):
        is_person = resolve("people", item["child"], f"{path}.child", "person")
        if is_person and people[item["child"]]["kind"] != PersonKind.CHILD:
            problems.append(Problem(f"{path}.child", f"'{item['child']}' is not a child"))
        resolve("agencies", item.get("lead_agency"), f"{path}.lead_agency", "agency")
        in_order(item, path, "start", "end")
        not_future(item["start"], f"{path}.start")
        not_future(item.get("end"), f"{path}.end")
        if resolve("episodes", item.get("referral"), f"{path}.referral", "episode"):
            referral = episodes[item["referral"]]
            if item["kind"] == EpisodeKind.REFERRAL:
                problems.append(Problem(f"{path}.referral", "a referral cannot belong to another"))
            elif referral["kind"] != EpisodeKind.REFERRAL:
                problems.append(
                    Problem(f"{path}.referral", f"'{referral['ref']}' is not a referral")
                )
            elif referral["child"] != item["child"]:
                problems.append(
                    Problem(f"{path}.referral", f"'{referral['ref']}' is another child's referral")
                )
            elif referral["start"] > item["start"]:  # ISO dates order as text
                problems.append(
                    Problem(f"{path}.start", f"before its referral started ({referral['start']})")
                )
    for _i, item, path in _items(data, "entries"):
        resolve("agencies", item["agency"], f"{path}.agency", "agency")
        for j, about in enumerate(item["about"]):
            resolve("people", about, f"{path}.about[{j}]", "person")
        resolve("addresses", item.get("household"), f"{path}.household", "address")
        not_future(item["date"], f"{path}.date")
        if event_types is not None and item["event_type"] not in event_types:
            problems.append(
                Problem(f"{path}.event_type", f"'{item['event_type']}' is not in the taxonomy")
            )
        if item.get("sharing_level") == "restricted" and not item.get("restricted_roles"):
            problems.append(
                Problem(
                    f"{path}.restricted_roles", "a restricted entry names the roles that see it"
                )
            )
    return problems


def date_span(data: dict[str, Any]) -> tuple[date, date]:
    """The earliest and the latest date anywhere in a (valid) file."""
    dates = record_dates(data)
    if not dates:
        today = timezone.localdate()
        return today, today
    return min(dates), max(dates)


def _eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return date(born.year + 18, 3, 1)


def child_period(person: dict[str, Any]) -> tuple[date | None, date | None]:
    """When a replay evaluates the rules for a child: from when agencies first knew of them (their
    `known_from`, else their date of birth) until the day before their 18th birthday. None: open."""
    known, born = _d(person.get("known_from")), _d(person.get("date_of_birth"))
    start = min(known, born) if known and born else known or born
    until = None
    if born and person.get("date_of_birth_precision") != "expected":
        until = _eighteenth_birthday(born) - timedelta(days=1)
    return start, until


def record_dates(data: dict[str, Any]) -> set[date]:
    """Every date in a (valid) file: the days on which a record begins or ends."""
    dates: set[date] = set()

    def add(*values: Any) -> None:
        dates.update(d for d in map(_d, values) if d is not None)

    for person in data["people"]:
        add(person.get("date_of_birth"), person.get("known_from"), person.get("date_of_death"))
    for section in ("residences", "relationships", "involvements", "episodes"):
        for item in data.get(section) or []:
            add(item.get("start"), item.get("end"), *item.get("review_dates", []))
    for entry in data["entries"]:
        add(entry["date"])
    return dates


def load_file(path: Path) -> Loaded:
    return load(read_file(path), name=path.name)


def load(data: Any, *, name: str) -> Loaded:
    """Validate, then load everything in one transaction, or nothing (ExchangeError)."""
    codes = set(EventType.objects.values_list("code", flat=True))
    problems = validate(data, name=name, event_types=codes)
    if problems:
        raise ExchangeError(problems)
    with transaction.atomic():
        return _Loader(data, name).run()


class _Loader:
    def __init__(self, data: dict[str, Any], name: str) -> None:
        self.data = data
        self.name = Path(name).name
        self.source = source_system_for(name)
        self.by = ExchangeActor(display_name=f"Exchange file {self.name}")
        self.result = Loaded(self.source, record_days=record_dates(data))
        self.agencies: dict[str, Agency] = {}
        self.people: dict[str, Person] = {}
        self.addresses: dict[str, Address] = {}
        self.episodes: dict[str, Episode] = {}

    def count(self, section: str, created: bool) -> None:
        (self.result.created if created else self.result.existing)[section] += 1

    def run(self) -> Loaded:
        for step in (
            self.load_agencies,
            self.load_people,
            self.load_addresses,
            self.load_residences,
            self.load_relationships,
            self.load_involvements,
            self.load_episodes,
            self.load_entries,
        ):
            step()
        record(
            action=AuditAction.IMPORT,
            username=self.source,
            object_type="exchange_file",
            object_id=self.name[:64],
            details={"created": self.result.created, "already_present": self.result.existing},
        )
        return self.result

    def guarded(self, path: str, action: Any, **kwargs: Any) -> Any:
        """Run an action; a refusal becomes a problem at `path` (and the transaction rolls back)."""
        try:
            return action(**kwargs)
        except ValidationError as error:
            messages = (
                [f"{k}: {'; '.join(v)}" for k, v in error.message_dict.items()]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise ExchangeError([Problem(path, m) for m in messages]) from error

    def agency_code(self, ref: str) -> str:
        digest = hashlib.sha256(f"{self.source}\0{ref}".encode()).hexdigest()[:8]
        return f"{slugify(ref)[:26]}-{digest}"

    def load_agencies(self) -> None:
        for _i, item, _path in _items(self.data, "agencies"):
            agency, created = Agency.objects.get_or_create(
                code=self.agency_code(item["ref"]),
                defaults={
                    "name": item["name"],
                    "agency_type": item["type"],
                    "source_system": self.source,
                },
            )
            self.agencies[item["ref"]] = agency
            self.result.agencies[item["ref"]] = agency.pk
            self.count("agencies", created)

    def load_people(self) -> None:
        for _i, item, path in _items(self.data, "people"):
            known = (
                PersonIdentifier.objects.filter(system=self.source, value=item["ref"])
                .select_related("person")
                .first()
            )
            if known is not None:
                person = known.person
            else:
                fields = {
                    k: item[k]
                    for k in ("middle_names", "ethnicity", "disabilities", "nhs_number", "upn")
                    if k in item
                }
                person = self.guarded(
                    path,
                    create_person,
                    by=self.by,
                    given_name=item["given_name"],
                    family_name=item["family_name"],
                    previous_names=[
                        (n["given_name"], n["family_name"]) for n in item.get("previous_names", [])
                    ],
                    kind=item["kind"],
                    sex=item["sex"],
                    date_of_birth=_d(item["date_of_birth"]),
                    date_of_birth_precision=item["date_of_birth_precision"],
                    date_of_death=_d(item.get("date_of_death")),
                    **fields,
                )
                PersonIdentifier.objects.create(
                    person=person, system=self.source, value=item["ref"]
                )
            self.people[item["ref"]] = person
            self.result.people[item["ref"]] = person.pk
            if item["kind"] == PersonKind.CHILD:
                self.result.children[item["ref"]] = child_period(item)
            self.count("people", known is None)

    def load_addresses(self) -> None:
        for _i, item, _path in _items(self.data, "addresses"):
            # An address is a dwelling, shared by whoever lives there: one already known is reused.
            known = Address.objects.filter(
                line1=item["line1"].strip(),
                line2=item.get("line2", "").strip(),
                town=item.get("town", "").strip(),
                postcode=normalise_postcode(item["postcode"]),
            ).exists()
            address = get_or_create_address(
                line1=item["line1"],
                line2=item.get("line2", ""),
                town=item.get("town", ""),
                postcode=item["postcode"],
            )
            self.addresses[item["ref"]] = address
            self.result.addresses[item["ref"]] = address.pk
            self.count("addresses", not known)

    def load_residences(self) -> None:
        for _i, item, path in _items(self.data, "residences"):
            values = {
                "person": self.people[item["person"]],
                "address": self.addresses[item["address"]],
                "start_date": _d(item["start"]),
                "end_date": _d(item["end"]),
            }
            exists = Residence.objects.filter(**values).exists()
            if not exists:
                self.guarded(path, record_residence, by=self.by, **values)
            self.count("residences", not exists)

    def load_relationships(self) -> None:
        for _i, item, path in _items(self.data, "relationships"):
            values = {
                "person": self.people[item["person"]],
                "relative": self.people[item["relative"]],
                "relationship_type": item["type"],
                "start_date": _d(item.get("start")),
                "end_date": _d(item.get("end")),
            }
            exists = Relationship.objects.filter(**values).exists()
            if not exists:
                self.guarded(path, record_relationship, by=self.by, **values)
            self.count("relationships", not exists)

    def load_involvements(self) -> None:
        for _i, item, path in _items(self.data, "involvements"):
            reference = item.get("ref") or f"{item['person']}/{item['agency']}/{item['start']}"
            exists = Involvement.objects.filter(
                source_system=self.source, source_reference=reference
            ).exists()
            if not exists:
                self.guarded(
                    path,
                    record_involvement,
                    by=self.by,
                    person=self.people[item["person"]],
                    agency=self.agencies[item["agency"]],
                    role_description=item["role"],
                    is_lead=item.get("lead", False),
                    start_date=_d(item["start"]),
                    end_date=_d(item.get("end")),
                    source_system=self.source,
                    source_reference=reference,
                )
            self.count("involvements", not exists)

    def load_episodes(self) -> None:
        # Referrals first: the other episodes point back at them.
        ordered = sorted(
            _items(self.data, "episodes"), key=lambda t: t[1]["kind"] != EpisodeKind.REFERRAL
        )
        for _i, item, path in ordered:
            episode = Episode.objects.filter(
                source_system=self.source, source_reference=item["ref"]
            ).first()
            created = episode is None
            if episode is None:
                episode = Episode(
                    kind=item["kind"],
                    child=self.people[item["child"]],
                    referral=self.episodes.get(item.get("referral", "")),
                    lead_agency=self.agencies.get(item.get("lead_agency", "")),
                    start_date=date.fromisoformat(item["start"]),
                    end_date=_d(item.get("end")),
                    end_reason=item.get("end_reason", ""),
                    referral_source=item.get("referral_source", ""),
                    primary_need=item.get("primary_need", ""),
                    referral_nfa=item.get("referral_nfa"),
                    initial_category=item.get("initial_category", ""),
                    latest_category=item.get("latest_category", ""),
                    number_of_previous_cpp=item.get("number_of_previous_cpp"),
                    review_dates=item.get("review_dates", []),
                    factors=item.get("factors", []),
                    source_system=self.source,
                    source_reference=item["ref"],
                )
                self.guarded(path, episode.full_clean)
                episode.save()
            self.episodes[item["ref"]] = episode
            self.result.episodes[item["ref"]] = episode.pk
            self.count("episodes", created)

    def load_entries(self) -> None:
        event_types = {t.code: t for t in EventType.objects.all()}
        for _i, item, path in _items(self.data, "entries"):
            entry_id = (
                ChronologyEntry.objects.filter(
                    source_system=self.source, source_reference=item["ref"]
                )
                .values_list("pk", flat=True)
                .first()
            )
            created = entry_id is None
            if entry_id is None:
                entry = self.guarded(
                    path,
                    create_entry,
                    by=self.by,
                    agency=self.agencies[item["agency"]],
                    subjects=[self.people[ref] for ref in item["about"]],
                    household=self.addresses.get(item.get("household", "")),
                    event_date=_d(item["date"]),
                    date_accuracy=item.get("date_accuracy", "day"),
                    event_type=event_types[item["event_type"]],
                    description=item["description"],
                    impact_on_child=item.get("impact_on_child", ""),
                    sharing_level=item.get("sharing_level", "partnership"),
                    restricted_roles=item.get("restricted_roles", []),
                    source_system=self.source,
                    source_reference=item["ref"],
                )
                entry_id = entry.pk
            self.result.entries[item["ref"]] = entry_id
            self.count("entries", created)
