"""The review page signs off what the approver reviewed, over HTTP.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL, from the
demo catalogue (`support.admin_site`): an approver who edited the draft is refused, and
every refusal shows in Vietnamese with nothing changed in the database.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from support.admin_site import Browser, Site, messages
from support.html import page_forms
from werkzeug.test import TestResponse

from workflow_model.accounts import create_user
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, Role, Step, VersionStatus

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

# The demo: 1.009642.H05 has v1 in force and v2 submitted; 1.013871 has a v2 draft.
WAITING = "1.009642.H05"
DRAFTED = "1.013871"
SUBMITTED_VI = "Đã trình duyệt phiên bản."
APPROVED_VI = "Đã phê duyệt và khóa phiên bản."
EDITOR_VI = "Bạn đã sửa nội dung phiên bản này nên không được tự phê duyệt"


def version(site: Site, code: str, number: int) -> FlowVersion:
    """Version `number` of the procedure `code` (one case), read now (detached)."""
    with site.session() as s:
        found = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code, FlowVersion.number == number)
        )
        assert found is not None, (code, number)
        return found


def log_in_new_user(site: Site, username: str, roles: list[Role]) -> Browser:
    password = f"{username} has a long password"
    with site.session() as s:
        create_user(s, username, password, roles, full_name=username)
        s.commit()
    browser = site.browser()
    browser.login(username, password)
    return browser


def the_form(html: str, action: str) -> dict[str, Any]:
    (form,) = [f for f in page_forms(html) if f["action"] == action]
    return form


def send(browser: Browser, form: dict[str, Any]) -> TestResponse:
    """Submit a form as the page served it, and follow to the next page."""
    response = browser.client.post(form["action"], data=dict(form["fields"]), follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response


def test_an_approver_who_edited_the_draft_is_refused(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    both = log_in_new_user(site, "ca.hai", [Role.ADMIN, Role.APPROVER])
    with site.session() as s:
        step_id = s.scalar(sa.select(Step.id).filter_by(version_id=draft.id).order_by(Step.id))
    response = both.submit(f"/step/edit/?id={step_id}", {"name": "Tiếp nhận hồ sơ (sửa)"})
    assert response.status_code == 302, messages(response)
    # The author submits the draft the other user edited.
    admin = site.browser("admin")
    with site.session() as s:
        procedure_id = s.get(FlowVersion, draft.id).case.procedure_id
    html = admin.text(f"/versions/procedure/{procedure_id}")
    assert SUBMITTED_VI in messages(send(admin, the_form(html, f"/versions/{draft.id}/submit")))

    review = both.text(f"/versions/{draft.id}/review")
    before = site.rows()
    response = send(both, the_form(review, f"/versions/{draft.id}/approve"))
    assert EDITOR_VI in messages(response), messages(response)
    assert site.rows() == before
    assert version(site, DRAFTED, 2).status is VersionStatus.SUBMITTED
    # The plain approver, who touched nothing, approves it.
    approver = site.browser("approver")
    review = approver.text(f"/versions/{draft.id}/review")
    response = send(approver, the_form(review, f"/versions/{draft.id}/approve"))
    assert APPROVED_VI in messages(response)
    assert version(site, DRAFTED, 2).status is VersionStatus.APPROVED
