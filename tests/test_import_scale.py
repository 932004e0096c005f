"""Import grows with the document, not faster: no flush or statement per row.

A 44,850-transition flow once took 367 s to import, flushing once per unit, officer and
step. The number of flushes and of SQL statements of an import is counted here (not its
time: speed is `benchmarks/import_flow.py`'s business) for two flows, one ten times the
other; flushes must not grow at all, statements no faster than the rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from conftest import Database
from sqlalchemy.orm import Session

from workflow_model.conversion import create_draft_from_document
from workflow_model.document import document_to_dict, load_document
from workflow_model.document.limits import MAX_STEPS, MAX_TRANSITIONS
from workflow_model.lifecycle import version_document
from workflow_model.models import FlowVersion


def chain(code: str, steps: int, officers: int) -> dict[str, Any]:
    """A flow of `steps` steps in a chain, with `officers` officers in 5 units."""
    units = [
        {
            "key": f"u{i}",
            "name": f"Phòng {i}",
            "level": "province",
            "one_stop": i == 0,
            "parent": None if i < 2 else "u1",
        }
        for i in range(5)
    ]
    people = [
        {
            "key": f"o{i}",
            "name": f"Cán bộ {i}",
            "title": "",
            "phone": "",
            "email": f"cb{i}.{code}@example.gov.vn",
            "unit": f"u{i % 5}",
        }
        for i in range(officers)
    ]
    return {
        "format": "sodo.flow/1",
        "procedure": {
            "code": code,
            "name": "Thủ tục",
            "level": "province",
            "field": "",
            "legal_time": {"value": 100_000, "unit": "working_day"},
            "result": "",
            "legal_basis": [],
            "fees": [],
            "dossier_components": [],
        },
        "units": units,
        "officers": people,
        "steps": [
            {
                "key": f"s{i}",
                "name": f"Bước {i}",
                "kind": "start" if i == 0 else "end" if i == steps - 1 else "task",
                "unit": f"u{i % 5}",
                "officers": [f"o{i % officers}"],
                "duration": {"value": 1, "unit": "working_hour"},
            }
            for i in range(steps)
        ],
        "transitions": [{"from": f"s{i}", "to": f"s{i + 1}"} for i in range(steps - 1)],
    }


def _import_counts(database: Database, session: Session, data: dict[str, Any]) -> tuple[int, int]:
    flushes, statements = [0], [0]

    def count_flush(*_: object) -> None:
        flushes[0] += 1

    def count_statement(*_: object) -> None:
        statements[0] += 1

    sa.event.listen(session, "after_flush", count_flush)
    sa.event.listen(database.engine, "before_cursor_execute", count_statement)
    try:
        version = create_draft_from_document(session, load_document(data), None)
    finally:
        sa.event.remove(session, "after_flush", count_flush)
        sa.event.remove(database.engine, "before_cursor_execute", count_statement)
    assert document_to_dict(version_document(session, version)) == document_to_dict(
        load_document(data)
    )
    return flushes[0], statements[0]


def test_flushes_do_not_grow_with_the_flow(database: Database, session: Session) -> None:
    small = _import_counts(database, session, chain("SMALL", 20, 10))
    large = _import_counts(database, session, chain("LARGE", 200, 100))
    assert large[0] <= small[0]
    # Ten times the rows: at most ten times the statements (SQLite inserts a row whose id
    # is read back on its own; the transitions, which need none, go in one executemany).
    assert large[1] <= 10 * small[1]
    assert session.execute(sa.select(sa.func.count()).select_from(FlowVersion)).scalar() == 2


def test_the_largest_flow_the_loader_accepts_imports(database: Database, session: Session) -> None:
    data = chain("MAX", MAX_STEPS, 50)
    data["transitions"] += [
        {"from": f"s{i}", "to": f"s{i + k}"} for k in range(2, 7) for i in range(MAX_STEPS - k)
    ][: MAX_TRANSITIONS - len(data["transitions"])]
    assert len(data["transitions"]) == MAX_TRANSITIONS
    _import_counts(database, session, data)
