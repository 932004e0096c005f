"""Accounts on both databases: login lockout after repeated failures, profile language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow_model.accounts import (
    LOCKOUT_FAILURES,
    LOCKOUT_WINDOW,
    authenticate,
    create_user,
    locked_until,
    login,
    set_locale,
)
from workflow_model.models import AuditEvent, LoginFailure, Role, User

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


@pytest.fixture
def user(session: Session) -> User:
    created = create_user(session, "approver", PASSWORD, [Role.APPROVER])
    session.commit()
    return created


def fail(session: Session, username: str, times: int, start: datetime = T0) -> datetime:
    """Fail `times` logins a minute apart from `start`; return the time of the last."""
    at = start
    for index in range(times):
        at = start + timedelta(minutes=index)
        result = login(session, username, "wrong password", now=at)
        assert result.user is None
    return at


def failures(session: Session, username: str) -> int:
    query = sa.select(sa.func.count()).where(LoginFailure.username == username)
    return session.execute(query).scalar_one()


def test_the_right_password_logs_in(session: Session, user: User) -> None:
    result = login(session, "approver", PASSWORD, now=T0)
    assert result.user is not None and result.user.id == user.id
    assert result.locked_until is None


def test_five_failures_lock_out_even_the_right_password(session: Session, user: User) -> None:
    last = fail(session, "approver", LOCKOUT_FAILURES - 1)
    assert locked_until(session, "approver", last) is None
    fifth = last + timedelta(minutes=1)
    result = login(session, "approver", "wrong again", now=fifth)
    assert result.user is None and result.locked_until == fifth + LOCKOUT_WINDOW
    sixth = login(session, "approver", PASSWORD, now=fifth + timedelta(minutes=1))
    assert sixth.user is None
    assert sixth.locked_until == fifth + LOCKOUT_WINDOW
    # Refused attempts during the lockout are not counted, so it ends when announced.
    assert failures(session, "approver") == LOCKOUT_FAILURES
    assert locked_until(session, "approver", fifth + LOCKOUT_WINDOW - timedelta(seconds=1))
    # Other usernames are not affected.
    create_user(session, "admin", PASSWORD, [Role.ADMIN])
    session.commit()
    assert login(session, "admin", PASSWORD, now=fifth).user is not None


def test_lockout_ends_after_the_window(session: Session, user: User) -> None:
    fifth = fail(session, "approver", LOCKOUT_FAILURES)
    assert locked_until(session, "approver", fifth) == fifth + LOCKOUT_WINDOW
    after = fifth + LOCKOUT_WINDOW
    assert locked_until(session, "approver", after) is None
    result = login(session, "approver", PASSWORD, now=after)
    assert result.user is not None and result.locked_until is None


def test_success_clears_the_failures(session: Session, user: User) -> None:
    last = fail(session, "approver", LOCKOUT_FAILURES - 1)
    assert login(session, "approver", PASSWORD, now=last).user is not None
    assert failures(session, "approver") == 0
    # Four more failures do not lock: the earlier ones were forgotten.
    last = fail(session, "approver", LOCKOUT_FAILURES - 1, start=last + timedelta(minutes=1))
    assert locked_until(session, "approver", last) is None
    assert login(session, "approver", PASSWORD, now=last).user is not None


def test_unknown_usernames_are_counted_and_locked_the_same(session: Session, user: User) -> None:
    fifth = fail(session, "nobody", LOCKOUT_FAILURES)
    assert failures(session, "nobody") == LOCKOUT_FAILURES
    result = login(session, "nobody", "anything", now=fifth + timedelta(minutes=1))
    assert result.user is None and result.locked_until == fifth + LOCKOUT_WINDOW
    assert locked_until(session, "approver", fifth) is None


def test_failures_older_than_the_window_do_not_count(session: Session, user: User) -> None:
    # Failures 0, 4, 8, 12 and 16 minutes: never five within fifteen minutes.
    for minutes in (0, 4, 8, 12, 16):
        at = T0 + timedelta(minutes=minutes)
        result = login(session, "approver", "wrong", now=at)
        assert result.locked_until is None, minutes
    assert locked_until(session, "approver", at) is None
    assert login(session, "approver", PASSWORD, now=at).user is not None
    # Old rows in the table are not counted either.
    session.add_all(
        LoginFailure(username="approver", at=T0 - timedelta(minutes=minutes))
        for minutes in range(16, 16 + LOCKOUT_FAILURES)
    )
    session.commit()
    assert locked_until(session, "approver", T0) is None


def test_five_failures_within_the_window_lock_even_when_spread(
    session: Session, user: User
) -> None:
    # Failures 0, 4, 8, 12 and exactly 15 minutes: five within fifteen minutes.
    for minutes in (0, 4, 8, 12, 15):
        result = login(session, "approver", "wrong", now=T0 + timedelta(minutes=minutes))
    assert result.locked_until == T0 + timedelta(minutes=15) + LOCKOUT_WINDOW


def test_the_lockout_is_journaled_without_the_password(session: Session, user: User) -> None:
    fail(session, "approver", LOCKOUT_FAILURES)
    events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "lock-out"))
    (event,) = events.scalars().all()
    assert event.entity_type == "login" and event.entity_id == "approver"
    assert "wrong password" not in str(event.after)


def test_authenticate_still_works(session: Session, user: User) -> None:
    assert authenticate(session, "approver", PASSWORD) is not None
    assert authenticate(session, "approver", "wrong") is None
    assert authenticate(session, "nobody", PASSWORD) is None


def test_set_locale_changes_the_profile_language(session: Session, user: User) -> None:
    assert user.locale == "vi"
    set_locale(session, user.id, "en")
    session.expire_all()
    assert session.get_one(User, user.id).locale == "en"
    set_locale(session, user.id, "vi")
    session.expire_all()
    assert session.get_one(User, user.id).locale == "vi"


@pytest.mark.parametrize("locale", ["fr", "", "EN", "vi-VN"])
def test_set_locale_refuses_unknown_languages(session: Session, user: User, locale: str) -> None:
    with pytest.raises(ValueError, match="unknown locale"):
        set_locale(session, user.id, locale)
    session.expire_all()
    assert session.get_one(User, user.id).locale == "vi"


def test_set_locale_refuses_an_unknown_user(session: Session, user: User) -> None:
    with pytest.raises(ValueError, match="no user"):
        set_locale(session, user.id + 1000, "en")
