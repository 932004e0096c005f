"""`benchmarks/public_pages.py` runs end to end on a tiny catalogue (its speed is not judged).

The script is run as a person runs it, in its own process: it fills a SQLite file, serves
the app on 127.0.0.1 and requests every kind of public page; every answer must be the
one expected (200, or 304 with ``If-None-Match``), which its table marks otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_public_pages_benchmark_runs_on_a_tiny_catalogue() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SODO_BENCH_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/public_pages.py",
            "--quick",
            "--procedures",
            "6",
            "--requests",
            "4",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Database: 6 procedures" in out and "every one with a version in force" in out
    for row in (
        "procedure page /thu-tuc/<code>",
        "search by folded name",
        "so-do.svg with If-None-Match (304)",
        "BASELINE GET /static/portal.css",
        "render_svg of every published case",
    ):
        assert row in out, row
    assert "(HTTP" not in out, out
