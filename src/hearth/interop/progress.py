"""How far a long check or load has got, for the browser to show.

Kept in a small file beside the uploads rather than in the database: in reject mode the whole
load is one transaction, which no other connection can see into until it commits.
"""

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

from hearth.interop.models import ImportRun


def _path(run: ImportRun) -> Path:
    return Path(settings.IMPORT_DIR) / f"run-{run.pk}.progress.json"


def write(run: ImportRun, stage: str, done: int, total: int | None) -> None:
    path = _path(run)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps({"stage": stage, "done": done, "total": total}))
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
