"""An import run's report: as a CSV file, as JSON, and as the table the command line prints."""

import csv
from collections.abc import Iterable
from typing import IO, Any

from hearth.interop.models import ChildOutcome, ImportRun
from hearth.partnership.exports import safe_text

CSV_COLUMNS = ("child", "path", "value", "rule", "message")


def problem_rows(run: ImportRun) -> Iterable[dict[str, str]]:
    for p in run.problems.order_by("id").iterator(chunk_size=2000):
        yield {
            "child": p.child,
            "path": p.path,
            "value": p.value,
            "rule": p.rule,
            "message": p.message,
        }


def write_csv(run: ImportRun, out: IO[str]) -> int:
    """Every problem, one a row; cells a spreadsheet could read as formulas are neutralised."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    count = 0
    for row in problem_rows(run):
        writer.writerow({k: safe_text(v) for k, v in row.items()})
        count += 1
    return count


def held_back(run: ImportRun) -> list[str]:
    return list(
        run.outcomes.filter(outcome=ChildOutcome.HELD_BACK).values_list("la_child_id", flat=True)
    ) or sorted({p.child for p in run.problems.all() if p.child})


def as_json(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "file": run.file_name,
        "sha256": run.sha256,
        "status": run.status,
        "rejected": run.status != "loaded",
        "mode": run.mode,
        "by": run.by_username,
        "header": run.header,
        "counts": run.counts,
        "skipped_modules": run.skipped,
        "held_back": held_back(run),
        "problems": list(problem_rows(run)),
        "error": run.error,
    }


def table(rows: list[dict[str, str]], columns: tuple[str, ...], width: int = 60) -> str:
    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(str(r[c])) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


REJECTED_COLUMNS = ("row", "column", "value", "reason", "rule")


def rejected_rows(run: ImportRun) -> Iterable[dict[str, str]]:
    """An extract's problems: the row (as a spreadsheet numbers it: the header is row 1), the
    column, the value as the file held it, the reason in words, and the rule's code."""
    for p in run.problems.order_by("id").iterator(chunk_size=5000):
        yield {
            "row": p.child,
            "column": p.path,
            "value": p.value,
            "reason": p.message,
            "rule": p.rule,
        }


def write_rejected_csv(run: ImportRun, out: IO[str]) -> int:
    """The rejected-rows file; cells a spreadsheet could read as formulas are neutralised."""
    writer = csv.DictWriter(out, fieldnames=REJECTED_COLUMNS)
    writer.writeheader()
    count = 0
    for row in rejected_rows(run):
        writer.writerow({k: safe_text(v) for k, v in row.items()})
        count += 1
    return count


def extract_json(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "kind": run.kind,
        "file": run.file_name,
        "sha256": run.sha256,
        "agency": run.header.get("agency"),
        "status": run.status,
        "rejected": run.status != "loaded",
        "mode": run.mode,
        "by": run.by_username,
        "encoding": run.header.get("encoding"),
        "mapping": run.header.get("mapping") or {},
        "notices": run.header.get("notices", []),
        "counts": run.counts,
        "problems": list(rejected_rows(run)),
        "error": run.error,
    }
