"""The administrator's first hour, as one path in a real Chromium at 1440×900.

The exporter sets up a directory delivery target. The administrator creates a procedure
with a 10-day legal time, gives it its first draft from the one-stop skeleton, assigns
officers in the editor's inspector, adds a step and connects it, reads the budget, and
submits. A second user, an approver, approves. The exporter downloads the BPMN and sees
the delivery arrive in the target's folder. Each page's errors and console errors are
recorded and must not happen, and each stage leaves a screenshot in the artifacts folder
(``SODO_TEST_ARTIFACTS``, by default ``test-results/`` of the checkout, never committed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree
import pytest
import sqlalchemy as sa
from conftest import ROOT, LiveServer
from support.browser import Visit
from support.cli import run_sodo
from support.editor import Editor, assert_apart, assert_readable

from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import (
    Delivery,
    DeliveryStatus,
    FlowVersion,
    Procedure,
    ProcedureCase,
    Step,
    VersionStatus,
)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}
CODE = "1.999001.H05"
NAME = "Cấp giấy phép thử nghiệm đường thủy nội địa"
TARGET = "Thư mục một cửa"
SAVE = "form.admin-form input[type=submit].btn-primary"
SUBMITTED_VI = "Đã trình duyệt phiên bản."
APPROVED_VI = "Đã phê duyệt và khóa phiên bản."
ONE_STOP = "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh"
CONSULT = "Xin ý kiến cơ quan liên quan"
# Who handles each skeleton step: the centre's desk, the appraiser, the deputy director.
OFFICERS = [
    ("s1", "nguyen van nam", "Nguyễn Văn Nam"),
    ("s2", "le van thanh", "Lê Văn Thành"),
    ("s3", "tran thi hanh", "Trần Thị Hạnh"),
]
SKELETON = ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Lãnh đạo phê duyệt", "Trả kết quả"]


def artifacts() -> Path:
    """The folder this test's screenshots go to (kept after the run, ignored by git)."""
    folder = Path(os.environ.get("SODO_TEST_ARTIFACTS", ROOT / "test-results")) / "first-hour"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def delivery_root(tmp_path: Path) -> Path:
    root = tmp_path / "delivery"
    root.mkdir()
    return root


@pytest.fixture
def live_config(delivery_root: Path) -> dict[str, Any]:
    """Directory targets may write under the test's delivery folder."""
    return {"SODO_DELIVERY_ROOT": str(delivery_root)}


def shot(person: Visit, name: str) -> None:
    """A full-page screenshot of `person`'s page into the artifacts folder."""
    person.page.screenshot(path=artifacts() / f"{name}.png", full_page=True)


@pytest.fixture
def people(browser: Any, live_server: LiveServer) -> Iterator[dict[str, Visit]]:
    """A Vietnamese browser context at 1440×900 for each demo user, logged in."""
    contexts = []
    found: dict[str, Visit] = {}
    for username in ("exporter", "admin", "approver"):
        context = browser.new_context(locale="vi-VN", viewport=VIEWPORT, accept_downloads=True)
        contexts.append(context)
        person = Visit(context.new_page(), live_server.url)
        person.watch()
        person.log_in(username, live_server.passwords[username])
        found[username] = person
    yield found
    for context in contexts:
        context.close()


def pick(page: Any, field_id: str, typed: str) -> str:
    """Choose in the select2 picker `field_id` the first option matching `typed`."""
    page.click(f"#s2id_{field_id} .select2-choice")
    drop = page.locator(".select2-drop-active:visible")
    drop.locator("input.select2-input").press_sequentially(typed, delay=20)
    choice = drop.locator(".select2-results li.select2-result-selectable")
    choice.first.wait_for()
    name = choice.first.inner_text().strip()
    choice.first.click()
    return name


def database(server: LiveServer) -> Any:
    return make_session_factory(make_engine(server.database_url))


def the_version(server: LiveServer) -> FlowVersion:
    with database(server)() as session:
        version = session.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == CODE)
        )
        assert version is not None
        return version


# --- the stages ------------------------------------------------------------------------


def exporter_adds_a_directory_target(exporter: Visit, delivery_root: Path) -> Path:
    page = exporter.page
    exporter.go("/deliverytarget/new/")
    page.fill("#name", TARGET)
    pick(page, "kind", "thu muc")
    pick(page, "format", "bpmn")
    folder = delivery_root / "motcua"
    folder.mkdir()  # IT makes the folder the one-stop software reads; the target names it
    page.fill("#address", str(folder))
    exporter.click_and_wait(SAVE)
    assert TARGET in page.locator("table.model-list").inner_text()
    return folder


def admin_creates_the_procedure(admin: Visit) -> None:
    page = admin.page
    admin.go("/procedure/new/")
    page.fill("#code", CODE)
    page.fill("#name", NAME)
    pick(page, "level", "tinh")
    lead = pick(page, "lead_unit", "so tai chinh")
    assert lead
    page.click("#cases-button")
    page.fill("#cases-0-legal_time_value", "10")
    pick(page, "cases-0-legal_time_unit", "ngay")
    admin.click_and_wait(SAVE)
    assert admin.alert(), admin.alert("danger")
    shot(admin, "1-procedure-created")


def admin_starts_from_the_skeleton(admin: Visit) -> int:
    page = admin.page
    admin.go(f"/procedure/?search={CODE}")
    admin.click_and_wait(page.locator("td.col-code a", has_text=CODE))
    form = page.locator("form.sodo-start")
    assert form.locator("input[value=skeleton]").is_checked()
    # The province's centre, which receives and returns the dossiers of this procedure.
    form.locator("select[name=one_stop]").select_option(label=ONE_STOP)
    shot(admin, "2-first-draft-offered")
    admin.click_and_wait(form.locator("button[type=submit]"))
    match = re.search(r"/editor/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def admin_edits_in_the_editor(admin: Visit, live_server: LiveServer, version_id: int) -> None:
    """Officers in the inspector, a step added beside appraisal and connected, the budget."""
    editor = Editor(admin.page.context.new_page(), live_server.url)
    editor.watch()
    editor.open(version_id, steps=4)
    page = editor.page
    page.screenshot(path=artifacts() / "3-editor-opened.png")
    # The skeleton's own budget: exactly the legal time.
    assert page.locator("#budget-bar").get_attribute("data-state") == "ok"
    assert "10 / 10 ngày" in page.locator("#budget-days").inner_text()

    for key, typed, officer in OFFICERS:
        editor.select(key)
        if key == "s2":  # appraisal goes to the department's specialist office
            editor.choose("unit", "phong chuyen mon", "Phòng chuyên môn")
        editor.choose("officers", typed, officer)
        assert officer in editor.field("officers").inner_text()

    # A step beside appraisal, in its lane, named and timed in the inspector.
    editor.select("s2")
    editor.tool("task")
    new = max(editor.steps(), key=lambda key: int(key.removeprefix("s")))
    shown = editor.geometry()
    assert shown["lane_of"][new] == shown["lane_of"]["s2"]
    assert shown["steps"][new][0] > shown["steps"]["s2"][2]
    editor.field("name").fill(CONSULT)
    editor.field("duration").fill("1")
    editor.save()
    editor.connect(("s2", new), (new, "s3"))
    assert {"s2>" + new, new + ">s3"} <= editor.edges()

    # The budget says the day added breaks the legal time, in days, then that it fits.
    assert page.locator("#budget-bar").get_attribute("data-state") == "over"
    assert "11 / 10 ngày" in page.locator("#budget-days").inner_text()
    page.screenshot(path=artifacts() / "4-budget-over.png", full_page=True)
    editor.select("s2")
    editor.field("duration").fill("7")
    editor.save()
    assert page.locator("#budget-bar").get_attribute("data-state") == "ok"
    assert "10 / 10 ngày" in page.locator("#budget-days").inner_text()
    page.screenshot(path=artifacts() / "5-diagram.png", full_page=True)
    # Renamed, connected and re-timed, the diagram is still readable and nothing overlaps.
    shown = editor.geometry()
    assert_readable(shown)
    assert_apart(shown)

    with database(live_server)() as session:
        steps = {
            step.key: step
            for step in session.scalars(sa.select(Step).where(Step.version_id == version_id))
        }
        assert steps[new].name == CONSULT and steps[new].unit_id == steps["s2"].unit_id
        assert {
            key: [link.officer.full_name for link in steps[key].officer_links]
            for key, *_ in OFFICERS
        } == {key: [officer] for key, _, officer in OFFICERS}
    assert editor.problems == [] and editor.dialogs == [], (editor.problems, editor.dialogs)
    page.close()


def admin_submits(admin: Visit) -> str:
    """From the editor back to the versions page through the menu, and submit."""
    page = admin.page
    admin.go(f"/procedure/?search={CODE}")
    admin.click_and_wait(page.locator("td.col-code a", has_text=CODE))
    versions_path = page.url.removeprefix(admin.url)
    row = page.locator("tr.version-row[data-number='1']")
    admin.click_and_wait(row.locator("form[action$='/submit'] button[type=submit]"))
    assert SUBMITTED_VI in admin.alert(), admin.alert("danger")
    shot(admin, "6-submitted")
    return versions_path


def approver_approves(approver: Visit, version_id: int) -> None:
    page = approver.page
    approver.go("/")
    link = page.locator(f"#reviews a[href='/versions/{version_id}/review']")
    assert CODE in link.inner_text()
    approver.click_and_wait(link)
    shot(approver, "7-review")
    page.fill("#comment", "Đồng ý ban hành quy trình.")
    approver.click_and_wait("#approve")
    assert approver.dialogs, "approval asks for confirmation"
    assert APPROVED_VI in approver.alert(), approver.alert("danger")


def exporter_downloads_and_sees_the_delivery(
    exporter: Visit, live_server: LiveServer, versions_path: str, folder: Path
) -> None:
    page = exporter.page
    exporter.go(versions_path)
    link = page.locator("tr.version-row[data-number='1'] a[data-format='bpmn']")
    with page.expect_download() as download:
        link.click()
    body = Path(download.value.path()).read_bytes()
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    tree = lxml.etree.fromstring(body, parser)
    names = tree.xpath("//*[local-name()='task' or local-name()='userTask']/@name")
    assert set(SKELETON[1:3]) <= set(names), names
    assert NAME.encode() in body

    # The delivery worker, as IT runs it, writes the file into the target's folder.
    env = {
        "DATABASE_URL": live_server.database_url,
        "SECRET_KEY": "test-secret-key",
        "SODO_DELIVERY_ROOT": str(folder.parent),
        "SODO_INSTANCE": str(folder.parent / "instance"),
        "PATH": "/usr/bin",
    }
    done = run_sodo("deliver", env=env)
    assert done.returncode == 0 and "Delivered: 1," in done.stdout, (done.stdout, done.stderr)
    (written,) = folder.iterdir()
    assert NAME.encode() in written.read_bytes()
    exporter.go("/delivery/")
    row = page.locator("table.model-list tbody tr", has_text=TARGET)
    assert "Đã chuyển" in row.inner_text(), row.inner_text()
    shot(exporter, "8-delivered")
    with database(live_server)() as session:
        (status,) = session.scalars(sa.select(Delivery.status)).all()
    assert status is DeliveryStatus.DELIVERED


def test_the_first_hour_from_a_new_procedure_to_a_delivered_version(
    people: dict[str, Visit], live_server: LiveServer, delivery_root: Path
) -> None:
    exporter, admin, approver = people["exporter"], people["admin"], people["approver"]
    folder = exporter_adds_a_directory_target(exporter, delivery_root)
    admin_creates_the_procedure(admin)
    version_id = admin_starts_from_the_skeleton(admin)
    with database(live_server)() as session:
        names = session.scalars(
            sa.select(Step.name).where(Step.version_id == version_id).order_by(Step.position)
        ).all()
    assert names == SKELETON
    admin_edits_in_the_editor(admin, live_server, version_id)
    versions_path = admin_submits(admin)
    approver_approves(approver, version_id)
    assert the_version(live_server).status is VersionStatus.APPROVED
    exporter_downloads_and_sees_the_delivery(exporter, live_server, versions_path, folder)
    for person in people.values():
        assert person.problems == [], person.problems
