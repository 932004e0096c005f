"""`benchmarks/tracking.py` runs end to end on a tiny database (its speed is not judged).

The script is run as a person runs it, in its own process, on a SQLite file: every event
it sends through the service and the API must be accepted, and every lookup, at both
sizes, must find the dossier asked for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_tracking_benchmark_runs_on_a_tiny_database() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SODO_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    args = ["--quick", "--events", "1000", "--dossiers", "300", "--lookups", "6"]
    done = subprocess.run(
        [sys.executable, "benchmarks/tracking.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for row in (
        "service ingest_events",
        "HTTP POST /api/v1/dossier-events",
        "BASELINE executemany",
        "Grown to 300 dossiers, 3,000 events",
        "lookup_dossier (code + check)",
        "GET /api/v1/dossiers/<code>",
    ):
        assert row in out, row
    assert "PASS  every ingested event accepted (0 not)" in out, out
    assert out.count("every answer right (0 wrong)") == 3, out
