"""How long the `sodo` command line takes to start, against a bare Python interpreter.

Run it from the project root::

    .venv/bin/python benchmarks/cli_startup.py [--runs 21] [--check]

What it measures
----------------
IT staff run ``sodo validate`` on flow files in CI, often once per file, so its start
counts: it must not load the web app (Flask-Admin, Dash) nor the database layer it does
not use. The script starts, one after the other and ``--runs`` times each, after one
untimed warm-up of each:

- ``python -c pass``: the interpreter alone, the baseline;
- ``sodo validate --help``: the console script, up to parsing its options;
- ``sodo validate FILE``: the same, checking one demo flow (the rules loaded and run).

Each run is a new process (`subprocess.run`), timed with `time.perf_counter` from start
to exit, with ``PYTHONPATH`` set to this checkout so its code is the one measured. The
console script is the ``sodo`` beside the interpreter when installed, else the same entry
point called with ``python -c``.

How to read the output
----------------------
The header says what ran (Python, CPUs); the table gives, per command, the median, min and
max of the runs and the median's difference from the baseline's. The difference is what
`sodo` adds to any Python start: it moves less than absolute times when the machine is
slower or busy. The target: ``sodo validate --help`` adds at most ``--limit`` seconds (0.5)
to the baseline's median. The exit code is 0 (these are measurements, not tests) unless
``--check`` is given, in which case a missed target exits with 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_FLOW = ROOT / "workflow_model" / "demo_data" / "flows" / "caobang-1_004944-1.json"


@dataclass(frozen=True)
class Timing:
    """The wall-clock seconds of each run of one command."""

    label: str
    seconds: list[float]

    @property
    def median(self) -> float:
        """The median of the runs."""
        return statistics.median(self.seconds)


def sodo_command() -> list[str]:
    """The `sodo` console script beside this interpreter, or its entry point via ``-c``."""
    script = Path(sys.executable).with_name("sodo")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("sodo")
    if found and Path(found).resolve().parent == Path(sys.executable).resolve().parent:
        return [found]
    return [sys.executable, "-c", "from admin.cli import main; main()"]


def time_command(label: str, command: Sequence[str], runs: int) -> Timing:
    """Run `command` once untimed, then `runs` times, each in a new process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def once() -> float:
        began = time.perf_counter()
        result = subprocess.run(
            list(command), cwd=ROOT, env=env, capture_output=True, check=False, timeout=120
        )
        elapsed = time.perf_counter() - began
        if result.returncode != 0:
            raise RuntimeError(f"{label} exited with {result.returncode}: {result.stderr!r}")
        return elapsed

    once()
    return Timing(label, [once() for _ in range(runs)])


def table(timings: Sequence[Timing], baseline: Timing) -> list[str]:
    """The report's lines: one per command, the baseline first."""
    lines = [f"{'command':<34} {'median':>8} {'min':>8} {'max':>8} {'+ baseline':>11}"]
    for t in (baseline, *timings):
        extra = "" if t is baseline else f"{t.median - baseline.median:+10.3f}s"
        lines.append(
            f"{t.label:<34} {t.median:7.3f}s {min(t.seconds):7.3f}s {max(t.seconds):7.3f}s "
            f"{extra:>11}"
        )
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each command")
    parser.add_argument(
        "--limit",
        type=float,
        default=0.5,
        help="seconds 'sodo validate --help' may add to the baseline's median",
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if the target is missed")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Time the commands, print the report; return the exit code."""
    args = parse_args(argv)
    sodo = sodo_command()
    print(f"Benchmark of the command line's start — {args.runs} runs of each command")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"sodo: {' '.join(sodo[:2])}"
    )
    print()
    baseline = time_command("python -c pass", [sys.executable, "-c", "pass"], args.runs)
    help_timing = time_command("sodo validate --help", [*sodo, "validate", "--help"], args.runs)
    file_timing = time_command(
        f"sodo validate {DEMO_FLOW.stem}", [*sodo, "validate", str(DEMO_FLOW)], args.runs
    )
    print("\n".join(table([help_timing, file_timing], baseline)))
    added = help_timing.median - baseline.median
    within = added <= args.limit
    print()
    print(
        f"sodo validate --help adds {added:.3f} s to the baseline's median "
        f"(target: at most {args.limit:.3f} s): {'within' if within else 'MISSED'}"
    )
    return 1 if args.check and not within else 0


if __name__ == "__main__":
    sys.exit(main())
