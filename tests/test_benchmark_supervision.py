"""`benchmarks/supervision.py` runs end to end on a tiny PostgreSQL history (speed not judged).

The script is run as a person runs it, in its own process, on a database of its own
(it drops and recreates the ``public`` schema of the database it is given, so never the
tests' own): every seed event must be accepted, every page must answer 200 at every
size, and the tables must be printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from conftest import _create_database_if_missing

ROOT = Path(__file__).resolve().parent.parent


def test_the_supervision_benchmark_runs_on_a_tiny_history(pg_url: str) -> None:
    own = sa.engine.make_url(pg_url)
    own = own.set(database=f"{own.database}_bench")
    url = own.render_as_string(hide_password=False)
    _create_database_if_missing(pg_url, url)
    env = {k: v for k, v in os.environ.items() if k != "SODO_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    args = ["--seeds", "100", "--dossiers", "800", "--requests", "1", "--database-url", url]
    done = subprocess.run(
        [sys.executable, "benchmarks/supervision.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "100 seed dossiers (1,000 events) ingested" in out and "0 refused" in out, out
    for size in ("200", "400", "800"):
        assert f"Grown to {size} dossiers, {int(size) * 10:,} events" in out, out
    for page in (
        "dashboard by officer",
        "overdue list XLSX",
        "periodic report XLSX (quarter)",
        "configured vs actual",
    ):
        assert out.count(page) == 4, page  # a row at each size and one of growth
    assert "answered" not in out, out  # every page answered 200
