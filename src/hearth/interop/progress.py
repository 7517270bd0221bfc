"""How far a long check or load has got, for the browser and the command line to show.

Kept in a small file beside the uploads rather than in the database: in reject mode the whole
load is one transaction, which no other connection can see into until it commits. A command
line import also passes a `Listener`, which prints the same figures as they change.
"""

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from hearth.interop.models import ImportRun

# (stage, done, total or None, unit, fraction of the file read or None)
Listener = Callable[[str, int, int | None, str, float | None], None]


def _path(run: ImportRun) -> Path:
    return Path(settings.IMPORT_DIR) / f"run-{run.pk}.progress.json"


def write(
    run: ImportRun,
    stage: str,
    done: int,
    total: int | None,
    *,
    unit: str = "children",
    fraction: float | None = None,
    listener: Listener | None = None,
) -> None:
    if listener is not None:
        listener(stage, done, total, unit, fraction)
    path = _path(run)
    data: dict[str, Any] = {"stage": stage, "done": done, "total": total, "unit": unit}
    if fraction is not None:
        data["percent"] = min(100, round(fraction * 100))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(data))
        os.replace(partial, path)
    except OSError:
        pass  # progress is a courtesy: never fail an import for it


def read(run: ImportRun) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(_path(run).read_text())
    except (OSError, ValueError):
        return None
    return data


def clear(run: ImportRun) -> None:
    _path(run).unlink(missing_ok=True)


class Printer:
    """A `Listener` for a terminal: one line rewritten in place (or, when the output is not a
    terminal, a line every `every` seconds), on stderr so `--json` output stays clean."""

    def __init__(self, out: IO[str] | None = None, every: float = 5.0) -> None:
        self.out = out or sys.stderr
        self.tty = self.out.isatty()
        self.every = 0.5 if self.tty else every
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(
        self, stage: str, done: int, total: int | None, unit: str, fraction: float | None
    ) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        seconds = now - self.started
        line = f"{stage.capitalize()}: {done:,}"
        line += f" of {total:,} {unit}" if total else f" {unit}"
        if fraction is not None and not total:
            line += f" ({min(100, round(fraction * 100))} % of the file)"
        if seconds >= 1 and done:
            line += f", {done / seconds:,.0f} {unit}/s"
        if self.tty:
            self.out.write("\r" + line.ljust(78))
        else:
            self.out.write(line + "\n")
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        if self.tty and self.shown:
            self.out.write("\n")
            self.out.flush()
