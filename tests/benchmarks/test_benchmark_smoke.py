"""The child's-page benchmark still runs (small mode), so it cannot rot between full-scale runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_small_benchmark_runs_and_writes_results(tmp_path: Path) -> None:
    env = {**os.environ, "HEARTH_ENV": "test"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "child_page.py"),
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
    result = json.loads(next(tmp_path.glob("child_page-sqlite-*.json")).read_text())
    assert result["children_measured"] == 50
    assert result["page_ms"]["p95"] > 0 and result["data_sql_ms"]["p50"] > 0
    assert result["queries_per_build"]["max"] < 40
