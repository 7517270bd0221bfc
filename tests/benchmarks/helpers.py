"""Running a benchmark script in small mode, as CI does, in its own process and database."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def run_small(script: str, tmp_path: Path) -> dict[str, Any]:
    """Run benchmarks/SCRIPT.py --small on a fresh SQLite file and return the results it wrote."""
    env = {**os.environ, "HEARTH_ENV": "test"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / f"{script}.py"),
            "--small",
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--output",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(next(tmp_path.glob(f"{script}-sqlite-*.json")).read_text())
