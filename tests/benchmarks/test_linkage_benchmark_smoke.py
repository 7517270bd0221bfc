"""The batch linkage benchmark still runs (small mode), so it cannot rot between full-scale runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.benchmarks.helpers import REPO


def test_small_linkage_benchmark_links_scores_and_counts_comparisons(tmp_path: Path) -> None:
    env = {**os.environ, "HEARTH_ENV": "test"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "linkage.py"),
            "--small",
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
    result = json.loads((tmp_path / "linkage-3000.json").read_text())
    assert result["link"]["seconds"] > 0 and result["link"]["peak_memory_mb"] > 0
    assert result["train"]["records"] == 3000
    assert sum(result["comparisons"]["by_rule"].values()) > result["link"]["pairs_scored"] > 0
    accuracy = result["accuracy"]
    assert accuracy["precision"] >= 0.99 and accuracy["recall"] >= 0.9
    assert (tmp_path / "linkage-3000.md").read_text().startswith("Batch linkage: 3,000")
