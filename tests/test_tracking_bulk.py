"""The bulk writes of ingest, on SQLite and PostgreSQL: the same rows whatever the backend.

On PostgreSQL they are one ``INSERT``/``UPDATE`` from arrays; these check what that
must keep of the plain statements: the columns' defaults, empty values, conflicts
skipped and the columns returned.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow_model.models import DayOverride
from workflow_model.tracking.bulk import delete_tails, insert_rows, one_of, update_rows


def stored(session: Session) -> list[tuple[date, bool, str]]:
    return [
        (row.day, row.working, row.description)
        for row in session.scalars(sa.select(DayOverride).order_by(DayOverride.day))
    ]


def test_rows_go_in_with_their_defaults_and_a_conflict_is_skipped(session: Session) -> None:
    first = insert_rows(
        session,
        DayOverride,
        [{"day": date(2026, 3, 14), "working": True}, {"day": date(2026, 3, 10), "working": False}],
        skip_conflicts_on=["day"],
        returning=["id", "day"],
    )
    assert sorted(day for _, day in first) == [date(2026, 3, 10), date(2026, 3, 14)]
    again = insert_rows(
        session,
        DayOverride,
        [{"day": date(2026, 3, 14), "working": False}, {"day": date(2026, 3, 21), "working": True}],
        skip_conflicts_on=["day"],
        returning=["day"],
    )
    assert again == [(date(2026, 3, 21),)]
    session.commit()
    assert stored(session) == [
        (date(2026, 3, 10), False, ""),
        (date(2026, 3, 14), True, ""),
        (date(2026, 3, 21), True, ""),
    ]
    assert insert_rows(session, DayOverride, []) == []


def test_rows_are_updated_by_id_to_their_values(session: Session) -> None:
    ids = dict(
        (day, row_id)
        for row_id, day in insert_rows(
            session,
            DayOverride,
            [{"day": date(2026, 3, 14), "working": True, "description": "Làm bù"}],
            returning=["id", "day"],
        )
    )
    insert_rows(session, DayOverride, [{"day": date(2026, 3, 10), "working": False}])
    update_rows(
        session,
        DayOverride,
        [{"id": ids[date(2026, 3, 14)], "working": False, "description": "Bão"}],
    )
    update_rows(session, DayOverride, [])
    session.commit()
    assert stored(session) == [(date(2026, 3, 10), False, ""), (date(2026, 3, 14), False, "Bão")]


def test_tails_are_deleted_from_their_start_on(session: Session) -> None:
    days = [date(2026, 3, day) for day in (9, 10, 11, 12, 14, 15)]
    insert_rows(session, DayOverride, [{"day": day, "working": day.day > 12} for day in days])
    # Days off from the 11th on, worked days from the 15th on; nothing for the others.
    delete_tails(
        session,
        DayOverride,
        "working",
        "day",
        [{"working": False, "day": date(2026, 3, 11)}, {"working": True, "day": days[-1]}],
    )
    delete_tails(session, DayOverride, "working", "day", [])
    session.commit()
    assert stored(session) == [
        (date(2026, 3, 9), False, ""),
        (date(2026, 3, 10), False, ""),
        (date(2026, 3, 14), True, ""),
    ]


def test_one_of_finds_the_rows_whose_value_is_among_those_given(session: Session) -> None:
    days = [date(2026, 3, day) for day in (2, 9, 16, 23)]
    rows = insert_rows(
        session, DayOverride, [{"day": day, "working": True} for day in days], returning=["id"]
    )
    ids = sorted(row_id for (row_id,) in rows)

    def found(wanted: list[int]) -> list[int]:
        query = sa.select(DayOverride.id).where(one_of(session, DayOverride.id, wanted))
        return sorted(session.scalars(query))

    assert found(ids[1:3]) == ids[1:3]
    assert found([ids[0], 10**9]) == [ids[0]]
    assert found([]) == []
    strings = sa.select(DayOverride.day).where(one_of(session, DayOverride.description, ["x"]))
    assert session.scalars(strings).all() == []
