"""The alerts benchmark and burden measurement still run (small mode), so they cannot rot."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_small_alerts_benchmark_runs_and_reports_burden(tmp_path: Path) -> None:
    env = {**os.environ, "HEARTH_ENV": "test"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "alerts.py"),
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
    result = json.loads(next(tmp_path.glob("alerts-sqlite-*.json")).read_text())
    assert result["incremental_samples"] == 50 and result["incremental_ms"]["p95"] > 0
    assert result["burden_months"] == 3 and result["children"] > 0
    assert sum(result["findings_now_by_rule"].values()) > 0  # a generated population fires some
    assert set(result["findings_now_by_rule"]) <= set(result["rules"])
    # Answering every alert monthly can only bring more back than leaving them open.
    answered = result["burden_answered_per_100_children_per_month"]
    for rule, left_open in result["burden_per_100_children_per_month"].items():
        assert answered[rule] >= left_open
