"""A step form based on a stale copy of its draft is refused, not saved over newer work."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from conftest import Database

from admin import create_app
from admin.demo import load_demo
from workflow_model.conversion.step_content import step_values
from workflow_model.db import make_session_factory
from workflow_model.flow_editing import update_step
from workflow_model.models import FlowVersion, Step, User, VersionStatus


def test_stale_step_form_is_refused(database: Database, tmp_path: Path) -> None:
    sessions = make_session_factory(database.engine)
    with sessions() as session:
        passwords = load_demo(session).passwords
        step_id = session.execute(
            sa.select(Step.id)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT, Step.key == "s2")
            .limit(1)
        ).scalar_one()
    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "t",
            "SODO_INSTANCE": str(tmp_path),
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": passwords["admin"]})
    form_page = client.get(f"/step/edit/?id={step_id}").get_data(as_text=True)
    lock = re.search(r'name="version_lock" type="hidden" value="(\d+)"', form_page)
    assert lock is not None
    # Meanwhile someone else saves the same draft.
    with sessions() as session:
        step = session.get(Step, step_id)
        values = step_values(step)
        values["name"] = "Thẩm định hồ sơ (người khác sửa)"
        admin = session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
        lock_now = step.version.lock_counter
        update_step(session, admin, step.version_id, lock_now, step.key, values)
    fields = {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form_page)
    }
    for extra in ("csrf_token", "lang", "_add_another", "_continue_editing"):
        fields.pop(extra, None)
    with sessions() as session:
        step = session.get(Step, step_id)
        fields.update(
            {
                "version": str(step.version_id),
                "kind": step.kind.value,
                "unit": str(step.unit_id),
                "duration_unit": step.duration_unit.value,
                "split": step.split.value,
                "join": step.join.value,
            }
        )
    fields.update({"name": "Thẩm định hồ sơ (bản cũ)", "version_lock": lock.group(1)})
    response = client.post(f"/step/edit/?id={step_id}", data=fields, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "vừa được admin sửa lúc" in page
    with sessions() as session:
        assert session.get(Step, step_id).name == "Thẩm định hồ sơ (người khác sửa)"
