"""Parallel wrong passwords check at most `LOCKOUT_FAILURES` of them, on both databases.

Forty logins for one username arrive at once at a real server on 127.0.0.1. Counting the
failures after checking let 19 passwords be checked against a limit of 5; each attempt
now reserves its failure, under the username's lock, before its password is checked.
"""

from __future__ import annotations

import sqlalchemy as sa
from support.admin_site import Site, can_log_in
from support.lockout import parallel_wrong_passwords, served

from workflow_model.accounts import LOCKOUT_FAILURES
from workflow_model.models import AuditEvent, LoginFailure

ATTEMPTS = 40


def test_forty_parallel_wrong_passwords_check_at_most_five(site: Site) -> None:
    with served(site.app) as url:
        result = parallel_wrong_passwords(url, "admin", ATTEMPTS)
    assert result.checks <= LOCKOUT_FAILURES, result
    # Every attempt got an answer: wrong password (200) or locked out (429), never a 500.
    assert set(result.statuses) <= {200, 429}, result.statuses
    assert sum(result.statuses.values()) == ATTEMPTS
    assert result.statuses[429] >= ATTEMPTS - LOCKOUT_FAILURES
    with site.session() as s:
        counted = s.scalar(sa.select(sa.func.count()).where(LoginFailure.username == "admin"))
        lockouts = s.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "lock-out"))
    assert counted == LOCKOUT_FAILURES
    assert lockouts == 1
    # Locked out: even the right password is refused now.
    assert not can_log_in(site, "admin", site.passwords["admin"])


def test_parallel_attempts_for_one_username_do_not_lock_out_another(site: Site) -> None:
    with served(site.app) as url:
        result = parallel_wrong_passwords(url, "nobody-at-all", 12)
    assert result.checks <= LOCKOUT_FAILURES
    assert can_log_in(site, "admin", site.passwords["admin"])
