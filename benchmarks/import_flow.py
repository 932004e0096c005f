"""How long the largest flow the loader accepts takes to load, validate and import.

Run it from the project root::

    .venv/bin/python benchmarks/import_flow.py [--steps 500] [--transitions 2000]
        [--runs 5] [--database-url URL]

What it measures
----------------
A synthetic flow at the loader's bounds (`MAX_STEPS` steps and `MAX_TRANSITIONS`
transitions by default): a chain of steps from one start step to one end step, every
step with a unit (40 units in a two-level tree) and two officers (200 officers), and the
remaining transitions as forward links between steps, so the graph has no cycle and
every step is on a path from start to end. It is written as JSON once, then each run
times, with `time.perf_counter`:

- ``load``: `load_document` on the JSON bytes;
- ``validate``: `validators.validate` on the document (what ``sodo validate`` adds);
- ``import``: `create_draft_from_document` into a fresh database (SQLite in a temporary
  folder, or the PostgreSQL database of ``--database-url``, whose ``public`` schema is
  dropped and recreated first), each run under a new procedure code, so every run creates
  its procedure, units, officers, steps and transitions and commits.

The SQL statements of the import are counted by a ``before_cursor_execute`` listener (an
``executemany`` counts once): an import proportional to the flow's size, without a flush
per row, keeps that count flat whatever the number of steps. The output is the median,
min and max of each workload over the runs, and the statement count of the last import.
These are measurements, not tests: the exit code is 0.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from validators import validate
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import load_document
from workflow_model.document.limits import MAX_STEPS, MAX_TRANSITIONS
from workflow_model.migrate import upgrade


def synthetic_flow(code: str, steps: int, transitions: int, seed: int = 1) -> dict[str, Any]:
    """A flow document (as JSON data) of `steps` steps and `transitions` transitions."""
    rng = random.Random(seed)
    units = [{"key": "tt", "name": "Trung tâm Phục vụ hành chính công", "level": "province"}] + [
        {"key": f"u{i}", "name": f"Phòng {i}", "level": "province", "parent": None}
        for i in range(39)
    ]
    for index, unit in enumerate(units):
        unit.update(one_stop=index == 0, parent=unit.get("parent") or (None if index < 8 else "u1"))
    officers = [
        {
            "key": f"o{i}",
            "name": f"Cán bộ {i}",
            "title": "Chuyên viên",
            "phone": f"0912 {i:03d} {i:03d}",
            "email": f"can.bo.{i}@example.gov.vn",
            "unit": units[i % len(units)]["key"],
        }
        for i in range(200)
    ]
    step_list = []
    for i in range(steps):
        kind = "start" if i == 0 else "end" if i == steps - 1 else "task"
        unit = units[0] if kind != "task" else units[1 + i % (len(units) - 1)]
        mine = [o["key"] for o in officers if o["unit"] == unit["key"]][:2]
        step_list.append(
            {
                "key": f"s{i}",
                "name": f"Bước {i}",
                "kind": kind,
                "unit": unit["key"],
                "officers": mine,
                "duration": {"value": 0 if kind != "task" else 0.5, "unit": "working_hour"},
            }
        )
    pairs = {(i, i + 1) for i in range(steps - 1)}
    while len(pairs) < transitions:
        a = rng.randrange(1, steps - 2)
        pairs.add((a, rng.randrange(a + 1, steps - 1)))
    links = [{"from": f"s{a}", "to": f"s{b}"} for a, b in sorted(pairs)]
    return {
        "format": "sodo.flow/1",
        "procedure": {
            "code": code,
            "name": "Thủ tục thử nghiệm quy mô lớn",
            "level": "province",
            "field": "Thử nghiệm",
            "legal_time": {"value": 100_000, "unit": "working_day"},
            "result": "Kết quả",
            "legal_basis": [],
            "fees": [],
            "dossier_components": [],
        },
        "units": units,
        "officers": officers,
        "steps": step_list,
        "transitions": links,
    }


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> None:
    """Build the flow, then time load, validate and import over `--runs` runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=MAX_STEPS)
    parser.add_argument("--transitions", type=int, default=MAX_TRANSITIONS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(engine)
        statements = [0]
        sa.event.listen(
            engine,
            "before_cursor_execute",
            lambda *_: statements.__setitem__(0, statements[0] + 1),
        )
        factory = make_session_factory(engine)
        times: dict[str, list[float]] = {"load": [], "validate": [], "import": []}
        for run in range(args.runs):
            raw = json.dumps(
                synthetic_flow(f"BENCH.{run}", args.steps, args.transitions), ensure_ascii=False
            ).encode()
            seconds, doc = _timed(lambda raw=raw: load_document(raw))
            times["load"].append(seconds)
            seconds, report = _timed(lambda doc=doc: validate(doc))
            times["validate"].append(seconds)
            statements[0] = 0
            with factory() as session:
                seconds, _ = _timed(
                    lambda doc=doc, session=session: create_draft_from_document(session, doc, None)
                )
            times["import"].append(seconds)
        engine.dispose()

    print(
        f"Python {sys.version.split()[0]}, {engine.dialect.name}; a flow of {args.steps} steps, "
        f"{len(doc.transitions)} transitions, {len(doc.units)} units, "
        f"{len(doc.officers)} officers; {args.runs} runs; validation: "
        f"{len(report.findings)} findings"
    )
    print(f"{'workload':<10} {'median':>9} {'min':>9} {'max':>9}")
    for name, samples in times.items():
        print(
            f"{name:<10} {statistics.median(samples):>8.3f}s {min(samples):>8.3f}s "
            f"{max(samples):>8.3f}s"
        )
    print(f"SQL statements in the last import: {statements[0]}")


if __name__ == "__main__":
    main()
