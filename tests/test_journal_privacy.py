"""Account and API token events in the journal are for superusers only, on both databases.

The journal showed every role the users' emails, full names and roles, and the usernames
tried at a lockout. They are now left out of the journal's list, details and export on
the server for anyone but a superuser, not only hidden in the page.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.admin_site import Site, can_log_in

from workflow_model.accounts import LOCKOUT_FAILURES, create_user
from workflow_model.api_tokens import create_token
from workflow_model.models import AuditEvent, Role

TRIED = "someone.tried.this"  # a username tried at a lockout
SOURCE = "nguon-rieng"  # an API token's source system
FULL_NAME = "Trần Thị Mới Đến"


@pytest.fixture
def account_events(site: Site) -> dict[str, int]:
    """A user created (with a full name) and a lockout, as journal entries; their ids."""
    with site.session() as s:
        create_user(s, "newcomer", "a long password", [Role.ADMIN], full_name=FULL_NAME)
        create_token(s, SOURCE, ["events:write"], by=None)
        s.commit()
    for _ in range(LOCKOUT_FAILURES):
        assert not can_log_in(site, TRIED, "guess")
    with site.session() as s:
        events = dict(
            s.execute(
                sa.select(AuditEvent.entity_type, AuditEvent.id).where(
                    AuditEvent.entity_type.in_(("user", "login", "api_token"))
                )
            ).all()
        )
    assert set(events) == {"user", "login", "api_token"}
    return events


@pytest.mark.parametrize("role", ["admin", "approver", "exporter"])
def test_other_roles_do_not_see_account_events(
    site: Site, account_events: dict[str, int], role: str
) -> None:
    browser = site.browser(role)
    pages = [browser.get("/audit/").get_data(as_text=True)]
    pages.append(browser.get("/audit/export/csv/").get_data(as_text=True))
    for event in account_events.values():
        details = browser.get(f"/audit/details/?id={event}", follow_redirects=True)
        pages.append(details.get_data(as_text=True))
    for page in pages:
        assert TRIED not in page and FULL_NAME not in page and "newcomer" not in page
        assert SOURCE not in page
    # The rest of the journal is still there.
    assert "/audit/details/?id=" in pages[0]


def test_a_superuser_sees_account_events(site: Site, account_events: dict[str, int]) -> None:
    browser = site.browser("superuser")
    listing = browser.get("/audit/").get_data(as_text=True)
    assert f"/audit/details/?id={account_events['login']}" in listing
    details = browser.get(f"/audit/details/?id={account_events['user']}")
    assert details.status_code == 200 and FULL_NAME in details.get_data(as_text=True)
    lockout = browser.get(f"/audit/details/?id={account_events['login']}")
    assert TRIED in lockout.get_data(as_text=True)
