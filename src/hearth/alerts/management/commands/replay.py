"""`hearth replay FILE`: when each alert would first have fired on a family's history.

The history (an exchange file, docs/replay.md) is loaded into an isolated store: a fresh,
temporary SQLite database that a child process migrates and loads, then thrown away. The
database this command is configured with is only read, for the active rule versions. The walk
evaluates the rules for the file's children on every day, exactly as
`hearth alerts evaluate --as-of DAY` would for them, and reports each rule and child's first
firing, with its evidence by the file's refs. Long histories are cut into consecutive periods
walked side by side by worker processes, each on its own copy of the store.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hearth.alerts.engine import RULES, Evidence, Finding, evaluate
from hearth.alerts.registry import (
    SHIPPED_RULES,
    RuleError,
    active_rules,
    read_rules_file,
    validate_rule,
)
from hearth.exchange.load import (
    ExchangeError,
    Loaded,
    Problem,
    date_span,
    load_file,
    read_file,
    validate,
)
from hearth.people.models import Person

STORE_PREFIX = "hearth-replay-"
DAYS_PER_WORKER = 1500  # below this, another process costs more than it saves

Key = tuple[str, str]  # (rule code, child ref)


@dataclass(frozen=True)
class RuleSpec:
    version: int
    params: dict[str, Any]
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "params": self.params, "name": self.name}


@dataclass
class Firing:
    """A rule's first firing for one child, by the file's refs."""

    rule: str
    rule_version: int
    child: str
    first_fired: date
    summary: str
    evidence: list[dict[str, Any]]  # {ref, on, agency, label}, oldest first
    fired_again: list[date] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The documented `--json` item (docs/replay.md)."""
        return {
            "rule": self.rule,
            "rule_version": self.rule_version,
            "child": self.child,
            "first_fired": self.first_fired.isoformat(),
            "evidence": [e["ref"] for e in self.evidence],
            "summary": self.summary,
            "fired_again": [d.isoformat() for d in self.fired_again],
        }

    def as_full_json(self) -> dict[str, Any]:
        return {**self.as_json(), "evidence": self.evidence}

    @classmethod
    def from_full_json(cls, data: dict[str, Any]) -> "Firing":
        return cls(
            rule=data["rule"],
            rule_version=data["rule_version"],
            child=data["child"],
            first_fired=date.fromisoformat(data["first_fired"]),
            summary=data["summary"],
            evidence=data["evidence"],
            fired_again=[date.fromisoformat(d) for d in data["fired_again"]],
        )


@dataclass
class Segment:
    """One period of a walk: each rule and child's firings in it, by the days they started."""

    start: date
    end: date
    firings: dict[Key, Firing] = field(default_factory=dict)  # fired_again: later starts
    on_first_day: set[Key] = field(default_factory=set)
    on_last_day: set[Key] = field(default_factory=set)
    evaluations: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "firings": [f.as_full_json() for f in self.firings.values()],
            "on_first_day": sorted(self.on_first_day),
            "on_last_day": sorted(self.on_last_day),
            "evaluations": self.evaluations,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Segment":
        firings = [Firing.from_full_json(f) for f in data["firings"]]
        return cls(
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
            firings={(f.rule, f.child): f for f in firings},
            on_first_day={(r, c) for r, c in data["on_first_day"]},
            on_last_day={(r, c) for r, c in data["on_last_day"]},
            evaluations=data["evaluations"],
            seconds=data["seconds"],
        )


@dataclass
class Walk:
    start: date
    end: date
    firings: list[Firing]
    days: int
    evaluations: int
    seconds: float  # evaluation time, summed over the periods


# Which rules: those active in this installation, the shipped ones, or a partnership's file.


def _implemented(rules: dict[str, RuleSpec]) -> dict[str, RuleSpec]:
    from hearth.alerts import rules as _rules  # noqa: F401 - registers the implementations

    return {code: spec for code, spec in rules.items() if code in RULES}


def current_rules() -> dict[str, RuleSpec]:
    """The latest version of every active rule in this database."""
    return _implemented(
        {
            code: RuleSpec(r.version.version, dict(r.params), r.version.rule.name)
            for code, r in active_rules().items()
        }
    )


def shipped_rules(extra: Path | None = None) -> dict[str, RuleSpec]:
    """The rules shipped in rules.json, with the versions in `extra` (a partnership's rules
    file) replacing them by code."""
    rules: dict[str, RuleSpec] = {}
    for path in (SHIPPED_RULES, extra):
        if path is None:
            continue
        for data in read_rules_file(path):
            problems = validate_rule(data)
            if problems:
                raise RuleError(f"{path}: {data.get('code', '?')}: " + "; ".join(problems))
            known = rules.get(data["code"])
            if known is None or path == extra or data["version"] > known.version:
                rules[data["code"]] = RuleSpec(data["version"], data["params"], data["name"])
    return _implemented(rules)


def installed_rules() -> tuple[dict[str, RuleSpec], str]:
    """The rules active in the configured database (only read); the shipped ones if it has none."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3") and not Path(str(db["NAME"])).exists():
        return shipped_rules(), "the shipped rules: there is no database"
    try:
        rules = current_rules()
    except DatabaseError:
        rules = {}
    if not rules:
        return shipped_rules(), "the shipped rules: the database has none"
    return rules, "the rules active in this installation"


# The walk.


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _evidence_refs(loaded: Loaded) -> dict[str, dict[int, str]]:
    episodes = {pk: ref for ref, pk in loaded.episodes.items()}
    return {
        "entry": {pk: ref for ref, pk in loaded.entries.items()},
        "plan": episodes,
        "episode": episodes,
        "person": {pk: ref for ref, pk in loaded.people.items()},
    }


def _evidence(
    evidence: tuple[Evidence, ...], refs: dict[str, dict[int, str]], day: date
) -> list[dict[str, Any]]:
    items = []
    for e in evidence:
        if e.on is not None and e.on > day:
            continue  # dated after the day: not yet known
        items.append(
            {
                "ref": refs.get(e.kind, {}).get(e.id, f"{e.kind}:{e.id}"),
                "on": e.on.isoformat() if e.on else None,
                "agency": e.agency,
                "label": e.label,
            }
        )
    return items


def walk_segment(
    loaded: Loaded, rules: dict[str, RuleSpec], start: date, end: date, *, step: int = 1
) -> Segment:
    """Evaluate `rules` for the file's children from `start` to `end` inclusive.

    A child is evaluated from when agencies first knew of them (`known_from`, else their date of
    birth) until the day before their 18th birthday. With `step` 1 every day is evaluated. With a
    larger step, every `step`th day, every day on which a record in the file begins or ends and
    the day before it; where the findings on two evaluated days differ, every day between them
    too, so the day each firing starts is exact unless a rule starts and stops firing between
    two evaluated days with no record dated in between.
    """
    started = time.perf_counter()
    segment = Segment(start, end)
    params = {code: spec.params for code, spec in rules.items()}
    child_ref = {loaded.people[ref]: ref for ref in loaded.children}
    periods = [
        (loaded.people[ref], first or date.min, until or date.max)
        for ref, (first, until) in loaded.children.items()
    ]
    refs = _evidence_refs(loaded)

    def findings_on(day: date) -> dict[Key, Finding]:
        ids = [pk for pk, first, until in periods if first <= day <= until]
        if not ids or not params:
            return {}
        segment.evaluations += 1
        return {
            (f.rule, child_ref[f.child_id]): f
            for f in evaluate(day, child_ids=ids, rules=params).findings
        }

    previous: set[Key] | None = None

    def observe(day: date, findings: dict[Key, Finding]) -> None:
        nonlocal previous
        for key, finding in findings.items():
            if previous is None:
                segment.on_first_day.add(key)
            elif key in previous:
                continue
            if key in segment.firings:
                segment.firings[key].fired_again.append(day)
            else:
                segment.firings[key] = Firing(
                    rule=finding.rule,
                    rule_version=rules[finding.rule].version,
                    child=key[1],
                    first_fired=day,
                    summary=finding.summary,
                    evidence=_evidence(finding.evidence, refs, day),
                )
        previous = set(findings)

    if step <= 1:
        for day in _days(start, end):
            observe(day, findings_on(day))
    else:
        marks = {start, end} | {
            start + timedelta(days=n) for n in range(0, (end - start).days, step)
        }
        for d in loaded.record_days:
            marks |= {d, d - timedelta(days=1)}
        for _pk, first, until in periods:
            marks |= {first, until + timedelta(days=1) if until < date.max else until}
        last_day: date | None = None
        for day in sorted(d for d in marks if start <= d <= end):
            findings = findings_on(day)
            if last_day is not None and previous is not None and set(findings) != previous:
                for between in _days(last_day + timedelta(days=1), day - timedelta(days=1)):
                    observe(between, findings_on(between))
            observe(day, findings)
            last_day = day
    segment.on_last_day = previous or set()
    segment.seconds = time.perf_counter() - started
    return segment


def merge(segments: list[Segment]) -> Walk:
    """Consecutive periods into one walk: a firing that runs across a boundary is one firing."""
    merged: dict[Key, Firing] = {}
    carried: set[Key] = set()
    for segment in sorted(segments, key=lambda s: s.start):
        for key, firing in segment.firings.items():
            starts = [firing.first_fired, *firing.fired_again]
            if key in carried and key in segment.on_first_day:
                starts = starts[1:]  # still firing from the period before
            if key not in merged:
                merged[key] = Firing(**{**firing.__dict__, "fired_again": []})
                starts = starts[1:]
            merged[key].fired_again.extend(starts)
        carried = segment.on_last_day
    ordered = sorted(segments, key=lambda s: s.start)
    return Walk(
        start=ordered[0].start,
        end=ordered[-1].end,
        firings=sorted(merged.values(), key=lambda f: (f.first_fired, f.rule, f.child)),
        days=sum((s.end - s.start).days + 1 for s in segments),
        evaluations=sum(s.evaluations for s in segments),
        seconds=sum(s.seconds for s in segments),
    )


def walk(
    loaded: Loaded, rules: dict[str, RuleSpec], start: date, end: date, *, step: int = 1
) -> Walk:
    """The whole walk in this process, on the configured database (tests use this)."""
    return merge([walk_segment(loaded, rules, start, end, step=step)])


def default_period(data: dict[str, Any], loaded: Loaded) -> tuple[date, date]:
    """From the first day there is a child to evaluate (or the first date in the file) to the last
    date in the file plus a year, or today if that is earlier."""
    earliest, latest = date_span(data)
    firsts = [first for first, _until in loaded.children.values() if first is not None]
    start = max(earliest, min(firsts)) if firsts else earliest
    return start, min(latest + timedelta(days=365), timezone.localdate())


def split(start: date, end: date, workers: int) -> list[tuple[date, date]]:
    days = (end - start).days + 1
    count = max(1, min(workers, days // DAYS_PER_WORKER))
    size = -(-days // count)
    return [
        (start + timedelta(days=i * size), min(end, start + timedelta(days=(i + 1) * size - 1)))
        for i in range(count)
    ]


# The isolated store.


class StoreFailed(CommandError):
    pass


def _run_in_store(store: Path, arguments: list[str]) -> tuple[subprocess.Popen[str], Path]:
    errors = store.with_suffix(".log")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{store}",
        "HEARTH_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
    }
    command = [sys.executable, "-m", "hearth.manage", "replay", *arguments, "--store", str(store)]
    with errors.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True
        )
    return process, errors


def _wait(started: tuple[subprocess.Popen[str], Path], output: Path) -> Any:
    process, errors = started
    process.wait()
    if process.returncode != 0 or not output.exists():
        log = errors.read_text(encoding="utf-8")[-4000:]
        raise StoreFailed(f"The replay store failed (exit {process.returncode}):\n{log}")
    return json.loads(output.read_text(encoding="utf-8"))


_template: tempfile.TemporaryDirectory[str] | None = None


def _migrated_store(path: Path, store: Path) -> None:
    """A freshly migrated store at `store`: migrated once per process, then copied."""
    global _template
    if _template is None:
        folder = tempfile.TemporaryDirectory(prefix=STORE_PREFIX)  # removed at exit
        done = Path(folder.name) / "migrated.json"
        template = Path(folder.name) / "template.sqlite3"
        _wait(
            _run_in_store(template, [str(path), "--stage", "migrate", "--result", str(done)]), done
        )
        _template = folder
    shutil.copyfile(Path(_template.name) / "template.sqlite3", store)


def run_isolated(
    path: Path,
    *,
    rules: dict[str, RuleSpec],
    start: date | None,
    end: date | None,
    step: int = 1,
    workers: int = 1,
) -> dict[str, Any]:
    """Load `path` into a fresh temporary SQLite store in a child process, walk it in one or more
    worker processes (each on its own copy of the store), and throw the store away."""
    with tempfile.TemporaryDirectory(prefix=STORE_PREFIX) as tmp:
        folder = Path(tmp)
        store = folder / "store.sqlite3"
        loaded_json = folder / "loaded.json"
        rules_json = folder / "rules.json"
        rules_json.write_text(
            json.dumps({code: spec.as_dict() for code, spec in rules.items()}), encoding="utf-8"
        )
        _migrated_store(path, store)
        setup = _wait(
            _run_in_store(store, [str(path), "--stage", "load", "--result", str(loaded_json)]),
            loaded_json,
        )
        if "problems" in setup:
            return setup
        loaded = Loaded.from_json(setup["loaded"])
        default_start, default_end = default_period(read_file(path), loaded)
        start, end = start or default_start, end or default_end
        if end < start:
            raise CommandError(f"the replay ends ({end}) before it starts ({start})")
        running = []
        for i, (first, last) in enumerate(split(start, end, workers)):
            copy = folder / f"walk-{i}.sqlite3"
            shutil.copyfile(store, copy)
            output = folder / f"walk-{i}.json"
            arguments = [str(path), "--stage", "walk", "--loaded", str(loaded_json)]
            arguments += ["--rules-json", str(rules_json), "--result", str(output)]
            arguments += ["--from", first.isoformat(), "--to", last.isoformat()]
            arguments += ["--step", str(step)]
            running.append((_run_in_store(copy, arguments), output))
        segments = [Segment.from_json(_wait(process, output)) for process, output in running]
        result = merge(segments)
        return {
            **setup,
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
            "days": result.days,
            "evaluations": result.evaluations,
            "seconds": result.seconds,
            "workers": len(segments),
            "step": step,
            "rules": {code: spec.as_dict() for code, spec in rules.items()},
            "firings": [f.as_full_json() for f in result.firings],
        }


def _date(value: str, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as error:
        raise CommandError(f"{option} takes a date (YYYY-MM-DD), not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Replay a family's history (an exchange file) in an isolated store and say when each "
        "alert would first have fired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="An exchange file (docs/replay.md)")
        parser.add_argument("--json", action="store_true", help="A machine-readable list")
        parser.add_argument("--from", dest="start", default="", help="First day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", default="", help="Last day (YYYY-MM-DD)")
        parser.add_argument(
            "--rules",
            default="current",
            help="'current': the rules active in this installation (the default); 'shipped'; "
            "or a rules file whose versions replace the shipped ones",
        )
        parser.add_argument(
            "--step",
            type=int,
            default=1,
            help="1 (the default): evaluate every day. N: every Nth day, the days records begin "
            "and end, and every day between two evaluations whose findings differ",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(os.cpu_count() or 1, 4),
            help="Processes walking consecutive periods side by side (default: CPUs, up to 4)",
        )
        # Internal: the isolated store's side of the replay (see run_isolated).
        for internal in ("--store", "--stage", "--loaded", "--rules-json", "--result"):
            parser.add_argument(internal, default="", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["store"]:
            self.in_store(options)
            return
        path: Path = options["file"].resolve()
        try:
            problems = validate(read_file(path), name=path.name)  # the taxonomy: in the store
        except ExchangeError as error:
            problems = error.problems
        if problems:
            raise CommandError(self.problems_text(path, problems))
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if start and end and end < start:
            raise CommandError(f"--to ({end}) is before --from ({start})")
        rules, rules_from = self.rules(options["rules"])
        started = time.perf_counter()
        result = run_isolated(
            path,
            rules=rules,
            start=start,
            end=end,
            step=max(1, options["step"]),
            workers=max(1, options["workers"]),
        )
        if "problems" in result:
            problems = [Problem(p["path"], p["message"]) for p in result["problems"]]
            raise CommandError(self.problems_text(path, problems))
        if options["json"]:
            public = [Firing.from_full_json(f).as_json() for f in result["firings"]]
            self.stdout.write(json.dumps(public, indent=2))
        else:
            self.stdout.write(self.timeline(path, result, rules_from))
        self.stderr.write(
            f"Walked {result['days']} days ({result['start']} to {result['end']}, "
            f"{result['evaluations']} evaluations) in {result['workers']} process"
            f"{'es' if result['workers'] != 1 else ''}: "
            f"{time.perf_counter() - started:.1f} s in all, with the store."
        )

    def rules(self, choice: str) -> tuple[dict[str, RuleSpec], str]:
        try:
            if choice == "current":
                return installed_rules()
            if choice == "shipped":
                return shipped_rules(), "the shipped rules"
            return shipped_rules(Path(choice)), f"the shipped rules with {choice}"
        except RuleError as error:
            raise CommandError(str(error)) from error

    def problems_text(self, path: Path, problems: list[Problem]) -> str:
        lines = [f"{path.name} cannot be replayed; nothing was loaded:"]
        return "\n".join(lines + [f"  {p}" for p in problems])

    def timeline(self, path: Path, result: dict[str, Any], rules_from: str) -> str:
        names = result["children"]
        rule_names = {code: spec["name"] for code, spec in result["rules"].items()}
        days = (
            f"on every day from {result['start']} to {result['end']}."
            if result["step"] == 1
            else f"from {result['start']} to {result['end']}: every {result['step']}th day, the "
            "days records begin and end, and every day between two whose findings differ."
        )
        lines = [
            f"Replay of {path.name}: {result['title'] or 'untitled'}"
            + (" (synthetic)" if result["synthetic"] else ""),
            f"{len(result['rules'])} rules ({rules_from}), for {len(names)} children, {days}",
            "",
        ]
        if not result["firings"]:
            lines.append("No alert would have fired.")
        for f in result["firings"]:
            lines.append(
                f"{f['first_fired']}  {rule_names.get(f['rule'], f['rule'])} "
                f"({f['rule']} v{f['rule_version']}): {names[f['child']]} [{f['child']}]"
            )
            lines.append(f"            {f['summary']}")
            for e in f["evidence"]:
                agency = f"{e['agency']}: " if e["agency"] else ""
                lines.append(f"              - {e['on'] or '?'} [{e['ref']}] {agency}{e['label']}")
            if f["fired_again"]:
                lines.append(
                    f"            Stopped, then fired again on {', '.join(f['fired_again'])}."
                )
        silent = sorted(set(result["rules"]) - {f["rule"] for f in result["firings"]})
        if silent:
            lines += ["", f"Never fired: {', '.join(silent)}."]
        return "\n".join(lines)

    def in_store(self, options: dict[str, Any]) -> None:
        """A child process, on the isolated store: `load` migrates it and loads the file;
        `walk` walks one period of it. Each writes its result to a JSON file."""
        store = Path(options["store"]).resolve()
        db = settings.DATABASES["default"]
        if (
            options["stage"] not in ("migrate", "load", "walk")
            or not db["ENGINE"].endswith("sqlite3")
            or Path(str(db["NAME"])).resolve() != store
            or not store.parent.name.startswith(STORE_PREFIX)
        ):
            raise CommandError("--store is internal to replay: the database must be its store.")
        output = Path(options["result"])
        if options["stage"] == "migrate":
            call_command("migrate", verbosity=0, interactive=False)
            with connection.cursor() as cursor:  # everything into the main file, to be copied
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            output.write_text(json.dumps({"migrated": True}), encoding="utf-8")
            return
        if options["stage"] == "load":  # on a copy of the migrated template
            try:
                loaded = load_file(options["file"])
            except ExchangeError as error:
                problems = [{"path": p.path, "message": p.message} for p in error.problems]
                output.write_text(json.dumps({"problems": problems}), encoding="utf-8")
                return
            data = read_file(options["file"])
            people = Person.objects.in_bulk([loaded.people[r] for r in loaded.children])
            names = {ref: people[loaded.people[ref]].full_name for ref in loaded.children}
            with connection.cursor() as cursor:  # everything into the main file, to be copied
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            output.write_text(
                json.dumps(
                    {
                        "title": data.get("title", ""),
                        "synthetic": bool(data.get("synthetic")),
                        "children": names,
                        "loaded": loaded.as_json(),
                    }
                ),
                encoding="utf-8",
            )
            return
        setup = json.loads(Path(options["loaded"]).read_text(encoding="utf-8"))
        loaded = Loaded.from_json(setup["loaded"])
        specs = {
            code: RuleSpec(spec["version"], spec["params"], spec["name"])
            for code, spec in json.loads(Path(options["rules_json"]).read_text()).items()
        }
        first, last = _date(options["start"], "--from"), _date(options["end"], "--to")
        if first is None or last is None:
            raise CommandError("a walk in the store needs --from and --to")
        with transaction.atomic():
            segment = walk_segment(loaded, specs, first, last, step=int(options["step"] or 1))
        output.write_text(json.dumps(segment.as_json()), encoding="utf-8")
