"""The staff's dossier list on SQLite and PostgreSQL: each filter, the order, the pages."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.dossiers import NOW, OTHER_PROCEDURE, five_dossiers
from support.tracking import vn

from workflow_model.models import DossierStatus, Verdict
from workflow_model.tracking import DossierFilter, list_dossiers

S = DossierStatus


@pytest.fixture
def listed(session: Session) -> Session:
    five_dossiers(session)
    return session


def codes(session: Session, **filters: object) -> list[str]:
    found = list_dossiers(session, DossierFilter(**filters), now=NOW)  # type: ignore[arg-type]
    assert found.total == len(found.rows)
    return [row.code for row in found.rows]


def test_newest_first_with_the_counts_by_status(listed: Session) -> None:
    found = list_dossiers(listed, now=NOW)
    assert [row.code for row in found.rows] == ["H-003", "H-004", "H-002", "H-005", "H-001"]
    assert found.total == 5
    assert found.by_status == {S.IN_PROGRESS: 2, S.WAITING_SUPPLEMENT: 1, S.RESULT_READY: 1,
                               S.RETURNED: 1}  # fmt: skip
    rows = {row.code: row for row in found.rows}
    assert rows["H-004"].procedure_code == OTHER_PROCEDURE and rows["H-004"].case_key == "a"
    assert rows["H-001"].verdict is Verdict.EARLY and not rows["H-001"].late
    assert rows["H-005"].verdict is Verdict.LATE and rows["H-005"].late
    assert rows["H-002"].verdict is None and rows["H-002"].late
    assert not rows["H-003"].late and not rows["H-004"].late
    (current,) = rows["H-002"].current
    assert (current.key, current.name, current.unit) == ("s2", "Thẩm định hồ sơ",
                                                         "Phòng Quản lý văn hóa")  # fmt: skip
    assert [step.key for step in rows["H-003"].current] == ["s1"]
    assert rows["H-001"].current == ()


def test_by_procedure_and_case(listed: Session) -> None:
    assert codes(listed, procedure="1.000894") == ["H-003", "H-002", "H-005", "H-001"]
    assert codes(listed, procedure=OTHER_PROCEDURE) == ["H-004"]
    assert codes(listed, procedure=OTHER_PROCEDURE, case="a") == ["H-004"]
    assert codes(listed, procedure=OTHER_PROCEDURE, case="b") == []
    assert codes(listed, procedure="9.999999") == []


def test_by_unit_passed_through_or_holding_it_now(listed: Session) -> None:
    assert codes(listed, unit="svh-qlvh") == ["H-002", "H-001"]
    assert codes(listed, unit="svh-qlvh", unit_now=True) == ["H-002"]
    assert codes(listed, unit="tt") == ["H-002", "H-005", "H-001"]
    assert codes(listed, unit="svh") == ["H-001"]
    assert codes(listed, unit="nowhere") == []


def test_by_status(listed: Session) -> None:
    assert codes(listed, status=S.RETURNED) == ["H-001"]
    assert codes(listed, status=S.WAITING_SUPPLEMENT) == ["H-004"]
    assert codes(listed, status=S.IN_PROGRESS) == ["H-003", "H-002"]
    assert codes(listed, status=S.REFUSED) == []


def test_late_means_judged_late_or_open_past_due(listed: Session) -> None:
    # H-004 waits for a supplement: its clock stopped before its due date, which moves on.
    assert codes(listed, late=True) == ["H-002", "H-005"]
    assert codes(listed, late=True, status=S.IN_PROGRESS) == ["H-002"]
    # On 10 March, H-002 had a day left; H-005 was judged late already.
    found = list_dossiers(listed, DossierFilter(late=True), now=vn(2026, 3, 10, 9))
    assert [row.code for row in found.rows] == ["H-005"]


def test_by_received_days_both_included(listed: Session) -> None:
    days = {"received_from": date(2026, 3, 9), "received_to": date(2026, 3, 17)}
    assert codes(listed, **days) == ["H-004", "H-002"]
    assert codes(listed, received_from=date(2026, 3, 18)) == ["H-003"]
    assert codes(listed, received_to=date(2026, 3, 2)) == ["H-005", "H-001"]
    assert codes(listed, received_to=date(2026, 3, 1)) == []


def test_filters_combine(listed: Session) -> None:
    assert codes(listed, procedure="1.000894", unit="tt", late=True) == ["H-002", "H-005"]
    assert codes(listed, unit="tt", status=S.RETURNED) == ["H-001"]


def test_pages_of_two(listed: Session) -> None:
    pages = [list_dossiers(listed, page=n, page_size=2, now=NOW) for n in (1, 2, 3, 4)]
    assert [[row.code for row in p.rows] for p in pages] == [
        ["H-003", "H-004"], ["H-002", "H-005"], ["H-001"], []
    ]  # fmt: skip
    assert {(p.total, p.pages) for p in pages} == {(5, 3)}
    assert list_dossiers(listed, page=0, page_size=2, now=NOW).page == 1


def statements(session: Session, **filters: object) -> int:
    """How many SQL statements one page of the list runs."""
    counted: list[str] = []

    def record(*args: object) -> None:
        counted.append(str(args[2]))

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        list_dossiers(session, DossierFilter(**filters), now=NOW)  # type: ignore[arg-type]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert not any("dossier_events" in statement for statement in counted)  # no event read
    return len(counted)


def test_a_page_costs_the_same_statements_for_one_dossier_or_five(listed: Session) -> None:
    statements(listed)  # the pinned documents parsed once per process
    # (A page with no step in hand skips the query for the names of their units.)
    assert statements(listed, unit="svh-qlvh", unit_now=True) == statements(listed)
    assert statements(listed, late=True) == statements(listed)
