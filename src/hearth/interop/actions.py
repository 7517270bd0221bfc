"""Every write an import makes: receiving a file, checking it, loading it, each audited.

- `import_census_file`: the command line's whole import (check, then load or reject).
- `receive_upload`, `validate_run`, `load_run`: the browser's steps, and the background
  worker's (`hearth import work` picks up queued runs).

**Never a half-loaded child.** A file with a file-level problem is refused whole. In *reject*
mode (the default) the whole load, with the run's outcome rows and audit rows, is one
transaction: killed part-way, it leaves nothing, and a re-run loads it exactly once. In
*partial* mode each batch of whole children is one transaction, with its own outcome rows, so a
killed load leaves only whole children and a re-run finds them and completes the rest.
"""

import contextlib
import csv
import getpass
import hashlib
import logging
import queue
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import User
from hearth.agencies.models import Agency
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.interop import (
    census,
    export,
    extract_loader,
    extracts,
    loader,
    progress,
    tabular,
    writer,
)
from hearth.interop.census import ChildRecord, Report
from hearth.interop.models import (
    TRANSITIONS,
    ChildOutcome,
    ColumnMapping,
    ImportChildOutcome,
    ImportKind,
    ImportMode,
    ImportProblem,
    ImportRun,
    RunStatus,
)
from hearth.interop.problems import Problem
from hearth.linkage import intake as linkage_intake

BATCH_SIZE = 500
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandActor:
    """Whoever ran a command: no Hearth user, so the audit trail records the account name."""

    display_name: str
    pk: None = None
    is_authenticated: bool = False

    @property
    def username(self) -> str:
        return self.display_name


def command_actor() -> CommandActor:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container)
        name = "unknown"
    return CommandActor(display_name=f"command line ({name})")


class _Rejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _move(run: ImportRun, status: str, **fields: Any) -> None:
    if status not in TRANSITIONS[run.status]:
        raise ValidationError(
            f"An import that is {run.get_status_display().lower()} cannot become {status}."
        )
    run.status = status
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()


def stored_path(run: ImportRun) -> Path:
    return Path(settings.IMPORT_DIR) / run.stored_name


def _username(by: Any) -> str:
    return str(getattr(by, "username", "") or getattr(by, "display_name", ""))[:150]


def _new_run(
    *,
    by: Any,
    name: str,
    sha256: str,
    size: int,
    via: str,
    stored: str = "",
    kind: str = ImportKind.CIN_CENSUS,
) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        file_name=Path(name).name[:255],
        sha256=sha256,
        size_bytes=size,
        stored_name=stored,
        via=via,
        status=RunStatus.UPLOADED,
        by_id=by.pk if getattr(by, "is_authenticated", False) else None,
        by_username=_username(by),
        created_at=timezone.now(),
    )


def _header(report: Report) -> dict[str, Any]:
    h = report.header
    return {
        "collection": h.collection,
        "year": h.year,
        "reference_date": h.reference_date.isoformat() if h.reference_date else None,
        "la": h.lea,
        "software": h.software,
    }


def _problem_rows(run: ImportRun, problems: list[Problem]) -> None:
    ImportProblem.objects.bulk_create(
        [
            ImportProblem(
                run=run,
                child=p.child[:100],
                path=p.path[:300],
                value=p.value,
                rule=p.rule,
                message=p.message,
            )
            for p in problems
        ],
        batch_size=2000,
    )


@transaction.atomic
def _record_validation(run: ImportRun, report: Report) -> None:
    """The check's findings, saved so the browser can show them before anything is loaded."""
    _problem_rows(run, report.problems)
    _move(
        run,
        RunStatus.VALIDATED if report.readable else RunStatus.REJECTED,
        validated_at=timezone.now(),
        finished_at=None if report.readable else timezone.now(),
        header=_header(report),
        skipped=dict(report.skipped),
        problem_count=len(report.problems),
        counts={
            "children": report.children,
            "valid_children": report.valid_children,
            "held_back": len(report.held_back),
            "episodes_in_valid_children": report.episodes,
        },
    )
    if not report.readable:
        _audit_rejection(run, report.problems[:1])


def _audit_rejection(run: ImportRun, problems: list[Problem], by: Any = None) -> None:
    record(
        action=AuditAction.REJECT_IMPORT,
        by=by,
        username=run.by_username,
        object_type="import_run",
        object_id=run.pk,
        details={
            "file": run.file_name,
            "sha256": run.sha256,
            "problems": run.problem_count,
            "first": problems[0].message if problems else "",
        },
    )


def _batches(records: Iterator[ChildRecord]) -> Iterator[list[ChildRecord]]:
    batch: list[ChildRecord] = []
    for item in records:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(
    *,
    run: ImportRun,
    by: Any,
    path: Path,
    report: Report,
    mode: str,
    listener: progress.Listener | None = None,
) -> ImportRun:
    """Load the valid children of a checked file; the run ends loaded or rejected."""
    if not report.readable:
        return run
    if mode == ImportMode.REJECT and report.held_back:
        _reject(run, by, report.problems)
        return run
    _move(run, RunStatus.LOADING, mode=mode)
    ctx = loader.Context(
        run=run,
        by=by,
        id_system=loader.la_child_id_system(),
        lead_agency=loader.csc_agency(),
    )
    held_back = dict(report.held_back)
    total = report.valid_children
    records = census.valid_children(path, set(held_back))
    try:
        if mode == ImportMode.REJECT:
            with transaction.atomic():
                for batch in _batches(records):
                    matched, problems = loader.match(batch, ctx)
                    if problems:
                        raise _Rejected(problems)
                    loader.write(batch, matched, ctx)
                    progress.write(
                        run, "loading", ctx.counts["children_loaded"], total, listener=listener
                    )
                _finish(run, by, ctx, held_back, [])
        else:
            late: list[Problem] = []
            for batch in _batches(records):
                with transaction.atomic():
                    matched, problems = loader.match(batch, ctx)
                    for problem in problems:
                        held_back.update(
                            (r.index, r.la_child_id)
                            for r in batch
                            if r.la_child_id == problem.child
                        )
                    _problem_rows(run, problems)
                    late += problems
                    loader.write(batch, matched, ctx)
                    _held_back_rows(run, batch, problems)
                progress.write(
                    run, "loading", ctx.counts["children_loaded"], total, listener=listener
                )
            with transaction.atomic():
                _finish(run, by, ctx, held_back, late, validated=report.held_back)
    except _Rejected as rejected:
        run.refresh_from_db()
        _problem_rows(run, rejected.problems)
        run.problem_count += len(rejected.problems)
        _reject(run, by, rejected.problems)
    except Exception as error:
        # Whatever was in the failed transaction was rolled back; say so, then let it surface.
        run.refresh_from_db()
        _move(run, RunStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000])
        raise
    finally:
        progress.clear(run)
    return run


def _held_back_rows(run: ImportRun, batch: list[ChildRecord], problems: list[Problem]) -> None:
    ids = {p.child for p in problems}
    ImportChildOutcome.objects.bulk_create(
        [
            ImportChildOutcome(run=run, la_child_id=r.la_child_id, outcome=ChildOutcome.HELD_BACK)
            for r in batch
            if r.la_child_id in ids
        ]
    )


def _finish(
    run: ImportRun,
    by: Any,
    ctx: loader.Context,
    held_back: dict[int, str],
    late: list[Problem],
    validated: dict[int, str] | None = None,
) -> None:
    # The children held back by the check (the matching's own were written with their batch).
    ImportChildOutcome.objects.bulk_create(
        [
            ImportChildOutcome(run=run, la_child_id=la_child_id, outcome=ChildOutcome.HELD_BACK)
            for la_child_id in (validated or {}).values()
        ],
        batch_size=2000,
    )
    counts = {**run.counts, **ctx.counts, "held_back": len(held_back)}
    _move(
        run,
        RunStatus.LOADED,
        finished_at=timezone.now(),
        counts=counts,
        problem_count=run.problem_count + len(late),
    )
    record(
        action=AuditAction.IMPORT,
        by=by,
        username=run.by_username,
        object_type="import_run",
        object_id=run.pk,
        details={
            "file": run.file_name,
            "sha256": run.sha256,
            "mode": run.mode,
            "counts": counts,
        },
    )


def _reject(run: ImportRun, by: Any, problems: list[Problem]) -> None:
    with transaction.atomic():
        _move(run, RunStatus.REJECTED, finished_at=timezone.now(), problem_count=run.problem_count)
        _audit_rejection(run, problems, by)


def _check(run: ImportRun, path: Path, listener: progress.Listener | None = None) -> Report:
    report = census.scan(
        path,
        name=run.file_name,
        on_progress=lambda done: progress.write(run, "checking", done, None, listener=listener),
    )
    progress.clear(run)
    return report


def import_census_file(
    *,
    by: Any,
    path: Path,
    mode: str = ImportMode.REJECT,
    on_progress: progress.Listener | None = None,
) -> ImportRun:
    """Check a CIN census file and load it (or reject it): the command line's import."""
    if mode not in ImportMode.values:
        raise ValidationError(f"Unknown mode {mode!r}.")
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ValidationError(f"Cannot read {path}: {error.strerror}.") from error
    run = _new_run(by=by, name=path.name, sha256=census.sha256_of(path), size=size, via="command")
    report = _check(run, path, on_progress)
    _record_validation(run, report)
    return _load(run=run, by=by, path=path, report=report, mode=mode, listener=on_progress)


def _require(by: Any) -> None:
    if not has_permission(by, Permission.IMPORT_DATA):
        raise PermissionDenied("Only the partnership's administrator imports data.")


def receive_upload(
    *,
    by: Any,
    name: str,
    chunks: Iterator[bytes],
    request: HttpRequest | None = None,
    kind: str = ImportKind.CIN_CENSUS,
    agency_code: str = "",
) -> ImportRun:
    """Keep an uploaded file (outside the web root) and record that it arrived: a CIN census
    return, or an agency's extract of one kind (`kind`, `agency_code`)."""
    _require(by)
    header: dict[str, Any] = {}
    if kind != ImportKind.CIN_CENSUS:
        if kind not in extracts.KINDS:
            raise ValidationError(f"Unknown kind {kind!r}.")
        agency = _agency(agency_code)
        mapping, mapping_from = _saved_mapping(agency, kind)
        header = {"agency": agency.code, "mapping": mapping, "mapping_from": mapping_from}
    directory = Path(settings.IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".xml"
    if kind != ImportKind.CIN_CENSUS:  # kept: openpyxl opens a workbook only by its suffix
        suffix = Path(name).suffix.lower()
        suffix = suffix if suffix in (".csv", ".xlsx", ".txt", ".tsv") else ".csv"
    stored = f"{uuid.uuid4().hex}{suffix}"
    digest, size = hashlib.sha256(), 0
    with (directory / stored).open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > settings.IMPORT_MAX_UPLOAD_BYTES:
                handle.close()
                (directory / stored).unlink(missing_ok=True)
                raise ValidationError(
                    f"The file is larger than {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB, "
                    "the most Hearth accepts: ask for it to be loaded from the command line."
                )
            digest.update(chunk)
            handle.write(chunk)
    with transaction.atomic():
        run = _new_run(
            by=by,
            name=name,
            sha256=digest.hexdigest(),
            size=size,
            via="browser",
            stored=stored,
            kind=kind,
        )
        if header:
            run.header = header
            run.save(update_fields=["header"])
        record(
            action=AuditAction.UPLOAD_IMPORT,
            by=by,
            request=request,
            object_type="import_run",
            object_id=run.pk,
            details={
                "file": run.file_name,
                "sha256": run.sha256,
                "bytes": size,
                "kind": kind,
                **({"agency": header["agency"]} if header else {}),
            },
        )
    return run


def _unchanged(run: ImportRun, path: Path) -> bool:
    """The stored upload is still the file that was uploaded; if not, the run fails, loading nothing."""
    try:
        same = census.sha256_of(path) == run.sha256
    except OSError:
        _move(
            run, RunStatus.FAILED, finished_at=timezone.now(), error="The uploaded file is missing."
        )
        return False
    if not same:
        _move(
            run,
            RunStatus.FAILED,
            finished_at=timezone.now(),
            error="The stored file has changed since it was uploaded.",
        )
    return same


def validate_run(*, run: ImportRun) -> ImportRun:
    """Check an uploaded file; its problems are saved for the report. Writes no records."""
    path = stored_path(run)
    if not _unchanged(run, path):
        return run
    if run.kind == ImportKind.CIN_CENSUS:
        _record_validation(run, _check(run, path))
    else:
        _extract_run(run=run, by=_uploader(run), path=path, mode=ImportMode.REJECT, check_only=True)
    if run.finished:  # refused as a whole: nothing will ever load from it
        with contextlib.suppress(OSError):
            path.unlink()
    return run


def _uploader(run: ImportRun) -> Any:
    return User.objects.filter(pk=run.by_id).first() if run.by_id else None


def _extract_run(
    *, run: ImportRun, by: Any, path: Path, mode: str, check_only: bool = False
) -> ImportRun:
    """An uploaded extract's check (a trial load, rolled back) or its load, with the agency and
    column mapping chosen when it was uploaded."""
    return _extract(
        run=run,
        by=by,
        path=path,
        agency=_agency(run.header["agency"]),
        mode=mode,
        mapping=run.header.get("mapping") or {},
        mapping_from=run.header.get("mapping_from", ""),
        check_only=check_only,
    )


def request_load(
    *, by: Any, run: ImportRun, mode: str, request: HttpRequest | None = None
) -> ImportRun:
    """The administrator's decision to load a checked file: at once if small, else queued."""
    _require(by)
    if mode not in ImportMode.values:
        raise ValidationError("Choose whether to load the whole file or only the valid children.")
    if run.status != RunStatus.VALIDATED:
        raise ValidationError("This file has already been loaded or rejected.")
    if run.size_bytes <= settings.IMPORT_SYNC_MAX_BYTES:
        return load_run(by=by, run=run, mode=mode)
    _move(run, RunStatus.QUEUED, mode=mode)
    return run


def load_run(*, by: Any, run: ImportRun, mode: str) -> ImportRun:
    path = stored_path(run)
    if not _unchanged(run, path):
        return run
    if run.kind == ImportKind.CIN_CENSUS:
        result = _load(run=run, by=by, path=path, report=_check(run, path), mode=mode)
    elif mode == ImportMode.REJECT and run.problem_count:
        # The check found rows with errors, and the whole file was asked for: nothing loads.
        run.mode = mode
        _reject(run, by, [])
        result = run
    else:
        result = _extract_run(run=run, by=by, path=path, mode=mode)
    if result.finished:
        with contextlib.suppress(OSError):
            path.unlink()
    return result


def work_once(*, by: Any) -> int:
    """The background worker's step: check uploaded files and load queued ones. Returns how many
    runs it moved on."""
    done = 0
    for run in ImportRun.objects.filter(status=RunStatus.UPLOADED, via="browser").order_by("pk"):
        with _logged(run):
            validate_run(run=run)
        done += 1
    for run in ImportRun.objects.filter(status=RunStatus.QUEUED).order_by("pk"):
        # The load is the administrator's decision: it is recorded as theirs.
        decided_by = User.objects.filter(pk=run.by_id).first() if run.by_id else None
        with _logged(run):
            load_run(by=decided_by or by, run=run, mode=run.mode)
        done += 1
    return done


@contextlib.contextmanager
def _logged(run: ImportRun) -> Iterator[None]:
    """One run's failure (already recorded on the run) never stops the worker."""
    try:
        yield
    except Exception:
        logger.exception("Import run %s failed", run.pk)
        run.refresh_from_db()
        if not run.finished:
            _move(run, RunStatus.FAILED, finished_at=timezone.now(), error="Failed: see the log.")


def file_chunks(handle: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    yield from iter(lambda: handle.read(size), b"")


def export_census(
    *, by: Any, year: int, out: IO[bytes], lea: str, request: HttpRequest | None = None
) -> export.ExportCounts:
    """Write the CIN census return for a collection year; the export is audited."""
    counts = export.ExportCounts()
    children = export.census_children(year, id_system=loader.la_child_id_system(), counts=counts)
    writer.write_census(out, children, year=year, lea=lea, when=timezone.localtime())
    record(
        action=AuditAction.EXPORT,
        by=by,
        request=request,
        username=_username(by),
        object_type="cin_census",
        object_id=year,
        details={
            "year": year,
            "children": counts.children,
            "episodes": counts.episodes,
            "left_out_without_la_child_id": counts.without_la_child_id,
        },
    )
    return counts


# --- agency extracts (CSV and Excel) ----------------------------------------------------------

EXTRACT_BATCH = 10_000


def save_mapping(*, by: Any, agency_code: str, kind: str, mapping: Any) -> ColumnMapping:
    """Save an agency's own headers for one kind of extract; audited."""
    agency = _agency(agency_code)
    if kind not in extracts.KINDS:
        raise ValidationError(f"Unknown kind {kind!r}: use one of {', '.join(extracts.KINDS)}.")
    names = {c.name for c in extracts.COLUMNS[kind]}
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationError('A mapping is a JSON object: {"their header": "hearth_column"}.')
    unknown = sorted(set(mapping.values()) - names)
    if unknown:
        raise ValidationError(
            f"{', '.join(unknown)} {'is not a column' if len(unknown) == 1 else 'are not columns'}"
            f" of a {kind} extract: use {', '.join(sorted(names))}."
        )
    with transaction.atomic():
        saved, _ = ColumnMapping.objects.update_or_create(
            agency=agency,
            kind=kind,
            defaults={
                "mapping": mapping,
                "updated_at": timezone.now(),
                "updated_by": _username(by),
            },
        )
        record(
            action=AuditAction.IMPORT,
            by=by if getattr(by, "pk", None) else None,
            username=_username(by),
            object_type="column_mapping",
            object_id=saved.pk,
            details={"agency": agency.code, "kind": kind, "mapping": mapping},
        )
    return saved


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationError(
            f"No agency has the code {code!r}: see `hearth agencies` or the admin."
        )
    return agency


class _Spool:
    """Problems kept on disk while a file loads, so a file of a million bad rows fits in memory;
    saved to the run after the load's transaction has committed or rolled back."""

    def __init__(self, known: set[tuple[str, str, str]] | None = None) -> None:
        self.handle = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")  # noqa: SIM115 - closed by save()
        self.known = known or set()  # (row, column, rule) already saved to the run: not again
        self.writer = csv.writer(self.handle)
        self.count = 0
        self.rows: set[int] = set()
        self.lock = threading.Lock()  # the reading thread and the loading one both add

    def add(self, problems: list[Problem]) -> None:
        with self.lock:
            self._add(problems)

    def _add(self, problems: list[Problem]) -> None:
        for p in problems:
            self.writer.writerow([p.child, p.path, p.value, p.rule, p.message])
            if p.child:
                self.rows.add(int(p.child))
        self.count += len(problems)

    def save(self, run: ImportRun) -> None:
        self.handle.seek(0)
        batch: list[Problem] = []
        for cells in csv.reader(self.handle):
            problem = Problem(*cells)
            if (problem.child, problem.path, problem.rule) in self.known:
                continue
            batch.append(problem)
            if len(batch) >= 5000:
                _problem_rows(run, batch)
                batch = []
        _problem_rows(run, batch)


def import_extract_file(
    *,
    by: Any,
    path: Path,
    kind: str,
    agency_code: str,
    mode: str = ImportMode.REJECT,
    mapping: dict[str, str] | None = None,
    on_progress: progress.Listener | None = None,
) -> ImportRun:
    """Check and load an agency's CSV or XLSX extract of one kind; the run records who, when,
    the file's hash, what it held and what changed. Reject mode loads in one transaction (all or
    nothing); partial mode commits batch by batch, each whole, so a re-run completes it."""
    if kind not in extracts.KINDS:
        raise ValidationError(f"Unknown kind {kind!r}: use one of {', '.join(extracts.KINDS)}.")
    if mode not in ImportMode.values:
        raise ValidationError(f"Unknown mode {mode!r}.")
    agency = _agency(agency_code)
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ValidationError(f"Cannot read {path}: {error.strerror}.") from error
    mapping_from = "--mapping" if mapping is not None else ""
    if mapping is None:
        mapping, mapping_from = _saved_mapping(agency, kind)
    run = _new_run(
        by=by, name=path.name, sha256=census.sha256_of(path), size=size, via="command", kind=kind
    )
    return _extract(
        run=run,
        by=by,
        path=path,
        agency=agency,
        mode=mode,
        mapping=mapping,
        mapping_from=mapping_from,
        listener=on_progress,
    )


def _saved_mapping(agency: Agency, kind: str) -> tuple[dict[str, str], str]:
    saved = ColumnMapping.objects.filter(agency=agency, kind=kind).first()
    return (saved.mapping, "saved") if saved else ({}, "")


class _CheckOnly(Exception):
    """Rolls back a check's trial load: it wrote everything, to find every problem, and keeps none."""


def _extract(
    *,
    run: ImportRun,
    by: Any,
    path: Path,
    agency: Agency,
    mode: str,
    mapping: dict[str, str],
    mapping_from: str,
    listener: progress.Listener | None = None,
    check_only: bool = False,
) -> ImportRun:
    """Read, check and load (or, with `check_only`, check and roll back) one extract's run."""
    kind = run.kind
    header: dict[str, Any] = {
        **run.header,
        "agency": agency.code,
        "source_system": extract_loader.source_system(agency),
        "mapping": mapping,
        "mapping_from": mapping_from,
    }
    try:
        table = tabular.open_table(path, mapping)
    except tabular.UnreadableFile as error:
        return _refuse(run, by, header, [Problem("", "", "", "UNREADABLE", str(error))])
    known = {c.name for c in extracts.COLUMNS[kind]}
    ignored = [c for c in table.columns if c and c not in known]
    header["encoding"] = table.encoding
    header["notices"] = table.notices + (
        [f"Columns Hearth does not use were ignored: {', '.join(ignored)}."] if ignored else []
    )
    missing = extracts.missing_columns(kind, table.columns)
    if missing:
        return _refuse(run, by, header, missing)
    if run.status == RunStatus.UPLOADED and not check_only:
        _move(run, RunStatus.VALIDATED, validated_at=timezone.now(), header=header)
    else:
        run.header = header  # saved with the check's result, or with the move to loading
    if not check_only:
        _move(run, RunStatus.LOADING, mode=mode)
    ctx = extract_loader.Context(
        run=run,
        by=by,
        agency=agency,
        system=header["source_system"],
        present=set(table.columns),
        queued=set() if mode == ImportMode.REJECT or check_only else None,
    )
    if kind == "chronology":
        extract_loader.load_event_types(ctx)
    spool = _Spool(known=_recorded_problems(run))
    stage = "checking" if check_only else "loading"
    # Look-ups on a second connection only where nothing this load relies on is uncommitted
    # work of a caller's transaction (which that connection could not see).
    reads_apart = connections["default"].vendor == "postgresql" and not (
        connections["default"].in_atomic_block
    )
    try:
        if check_only:
            with contextlib.suppress(_CheckOnly), transaction.atomic():
                _load_extract(
                    kind,
                    table,
                    ctx,
                    spool,
                    run,
                    stage=stage,
                    listener=listener,
                    reads_apart=reads_apart,
                )
                raise _CheckOnly
            _record_extract_check(run, ctx, spool)
        elif mode == ImportMode.REJECT:
            with transaction.atomic():
                _load_extract(
                    kind,
                    table,
                    ctx,
                    spool,
                    run,
                    stage=stage,
                    listener=listener,
                    reads_apart=reads_apart,
                )
                if spool.count:
                    raise _Rejected([])
                _finish_extract(run, by, ctx, spool)
        else:
            _load_extract(
                kind,
                table,
                ctx,
                spool,
                run,
                stage=stage,
                listener=listener,
                commit_each=True,
                reads_apart=reads_apart,
            )
            with transaction.atomic():
                _finish_extract(run, by, ctx, spool)
        if ctx.new_records and not check_only:  # a check's trial load was rolled back
            _match_new_people(run, by, ctx.new_records)
    except _Rejected:
        run.refresh_from_db()
        ctx.counts["rows_loaded"] = 0
        for name in ("created", "amended", "unchanged"):
            ctx.counts.pop(name, None)
        with transaction.atomic():
            spool.save(run)
            _move(
                run,
                RunStatus.REJECTED,
                finished_at=timezone.now(),
                problem_count=spool.count,
                counts=_extract_counts(ctx, spool),
            )
            _audit_rejection(run, [], by)
    except Exception as error:
        run.refresh_from_db()
        _move(run, RunStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000])
        raise
    finally:
        progress.clear(run)
        spool.handle.close()
    return run


def _recorded_problems(run: ImportRun) -> set[tuple[str, str, str]]:
    """The problems the browser's check already saved for this run: a load saves only new ones."""
    return set(run.problems.values_list("child", "path", "rule"))


@transaction.atomic
def _record_extract_check(run: ImportRun, ctx: extract_loader.Context, spool: _Spool) -> None:
    """What loading the file would do, and every problem, saved for the browser's report."""
    spool.save(run)
    counts = _extract_counts(ctx, spool)
    counts.update({f"would_{name}": counts.pop(name, 0) for name in ("created", "amended")})
    counts["would_leave_unchanged"] = counts.pop("unchanged", 0)
    counts.pop("rows_loaded", None)
    _move(
        run,
        RunStatus.VALIDATED,
        validated_at=timezone.now(),
        problem_count=spool.count,
        counts=counts,
    )


def _match_new_people(run: ImportRun, by: Any, record_ids: list[int]) -> None:
    """After the load has committed: the people it created, matched against the index
    (hearth.linkage). Its outcome joins the run's counts."""
    matched = linkage_intake.match_new(record_ids, by=by)
    run.counts = {**run.counts, **{f"linkage_{k}": v for k, v in matched.items() if v}}
    run.save(update_fields=["counts"])


def _refuse(run: ImportRun, by: Any, header: dict[str, Any], problems: list[Problem]) -> ImportRun:
    with transaction.atomic():
        _problem_rows(run, problems)
        _move(
            run,
            RunStatus.REJECTED,
            validated_at=timezone.now(),
            finished_at=timezone.now(),
            header=header,
            problem_count=len(problems),
            counts={"rows": 0, "rows_loaded": 0, "rows_rejected": 0},
        )
        _audit_rejection(run, problems, by)
    return run


def _extract_batches(
    table: tabular.Table, kind: str, spool: _Spool, ctx: extract_loader.Context
) -> Iterator[list[extracts.Row]]:
    columns = extracts.COLUMNS[kind]
    prepare = extract_loader.PREPARERS.get(kind)
    batch: list[extracts.Row] = []
    for number, cells in table.rows:
        ctx.counts["rows"] += 1
        row, problems = extracts.check_row(kind, number, cells, columns)
        if problems:
            spool.add(problems)
        elif row is not None:
            batch.append(row)
        if ctx.counts["rows"] % EXTRACT_BATCH == 0:
            yield _prepared(batch, prepare, spool, ctx)
            batch = []
    if batch:
        yield _prepared(batch, prepare, spool, ctx)


def _prepared(
    batch: list[extracts.Row], prepare: Any, spool: _Spool, ctx: extract_loader.Context
) -> list[extracts.Row]:
    if prepare is None:
        return batch
    rows, problems = prepare(batch, ctx)
    spool.add(problems)
    return list(rows)


# How long a thread may hold the GIL while another waits (Python's default is 5 ms).
THREAD_SWITCH_SECONDS = 0.0005


@contextlib.contextmanager
def _quick_thread_switches() -> Iterator[None]:
    """While a load's threads run: the writing thread spends its time waiting on PostgreSQL,
    and each of a batch's dozen round trips used to wait up to 5 ms more for the reading
    thread, busy in Python, to hand back the GIL (3–5 s of a million-row load, measured)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, THREAD_SWITCH_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@_quick_thread_switches()
def _load_extract(
    kind: str,
    table: tabular.Table,
    ctx: extract_loader.Context,
    spool: _Spool,
    run: ImportRun,
    *,
    stage: str = "loading",
    listener: progress.Listener | None = None,
    commit_each: bool = False,
    reads_apart: bool = False,
) -> None:
    """Load the file batch by batch. With `reads_apart`, a second thread does each batch's
    look-ups (people, the records already held) on a connection of its own while the first
    reads and checks the next batch, so the loading connection only writes, and PostgreSQL
    works on both connections at once."""
    load: Callable[[Any, extract_loader.Context], list[Problem]] = extract_loader.LOADERS[kind]
    batches: Iterator[Any] = _extract_batches(table, kind, spool, ctx)
    split = extract_loader.SPLIT_LOADERS.get(kind) if reads_apart else None
    if split is not None:
        classify, write = split
        # Three stages, each in its own thread: reading and checking; the look-ups (on the
        # looking-up thread's own connection); and this thread's writes.
        checked = _prefetched(batches)
        batches = (classify(rows, ctx) for rows in checked)

        def load_split(batch: Any, ctx: extract_loader.Context) -> list[Problem]:
            write(batch, ctx)
            return list(batch.problems)

        load = load_split

    for batch in _prefetched(batches):
        if commit_each:
            with transaction.atomic():
                problems = load(batch, ctx)
                # Saved with the batch they belong to (but not again if the check saved them).
                _problem_rows(
                    run, [p for p in problems if (p.child, p.path, p.rule) not in spool.known]
                )
            with spool.lock:
                spool.count += len(problems)
                spool.rows.update(int(p.child) for p in problems)
        else:
            spool.add(load(batch, ctx))
        progress.write(
            run,
            stage,
            ctx.counts["rows"],
            None,
            unit="rows",
            fraction=table.fraction(),
            listener=listener,
        )


def _prefetched(batches: Iterator[Any]) -> Iterator[Any]:
    """Read and check the next batch in a thread while this one is written: the database's
    work (COPY, index and constraint checks) and Python's then overlap. The reading thread
    writes nothing (its reads, if any, are on its own connection, closed when it ends); at
    most two batches wait, so memory stays bounded."""
    waiting: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def read() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        waiting.put(batch, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(done)
        except BaseException as error:  # surfaced in the loading thread
            waiting.put(error)
        finally:
            connections.close_all()  # this thread's own, if it opened one

    reader = threading.Thread(target=read, name="extract-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = waiting.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=5)


def _extract_counts(ctx: extract_loader.Context, spool: _Spool) -> dict[str, int]:
    rejected = len(spool.rows)
    counts = {
        "rows": ctx.counts["rows"],
        "rows_loaded": 0 if "rows_loaded" in ctx.counts else ctx.counts["rows"] - rejected,
        "rows_rejected": rejected,
    }
    if "rows_loaded" not in ctx.counts:  # loaded: what it did to the records
        counts.update({name: ctx.counts[name] for name in ("created", "amended", "unchanged")})
    return counts


def _finish_extract(run: ImportRun, by: Any, ctx: extract_loader.Context, spool: _Spool) -> None:
    counts = _extract_counts(ctx, spool)
    if spool.handle.tell():  # partial mode's check-time problems (its load problems are saved)
        spool.save(run)
    _move(
        run,
        RunStatus.LOADED,
        finished_at=timezone.now(),
        counts=counts,
        problem_count=spool.count,
    )
    record(
        action=AuditAction.IMPORT,
        by=by if getattr(by, "pk", None) else None,
        username=run.by_username,
        object_type="import_run",
        object_id=run.pk,
        details={
            "file": run.file_name,
            "sha256": run.sha256,
            "kind": run.kind,
            "agency": run.header.get("agency"),
            "mode": run.mode,
            "counts": counts,
        },
    )
