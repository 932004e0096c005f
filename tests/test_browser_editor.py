"""The graph editor driven like a person would, in a real Chromium under the site's CSP.

Every change is made with the mouse and the keyboard (palette, connect mode, the
inspector's fields, drags, the right-click menu), then checked twice: on the canvas
(`window.cy`, the Cytoscape instance dash-cytoscape exposes) and in the database. No test
may log a page error or a console error; dash-cytoscape's one warning about the wheel
sensitivity is not an error.

Server round trips are awaited, never slept through: `Editor.settle` reads Dash's own
record of pending callbacks in the page, waits for the gesture's callbacks to start, then
until none is pending and none has started for a short while.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import wait_until
from support.editor import Editor, vi

from workflow_model import flow_editing
from workflow_model.conversion.reading import document_from_version
from workflow_model.db import make_engine, make_session_factory
from workflow_model.diagram import step_positions
from workflow_model.models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepKind,
    StepOfficer,
    TimeUnit,
    Transition,
    Unit,
    User,
    VersionStatus,
)

pytestmark = pytest.mark.browser

EMPTY_CODE = "2.002760"  # a demo draft (legal time 30 days) emptied for building from scratch
CHAIN_CODE = "1.013871"  # a demo draft: 9 steps, 19,5 of its 20 days used, only a warning
RED = "rgb(211,47,47)"  # node[severity = "error"] in admin/editor/elements.py
# The database, read and prepared through the same models and services as the app.


@dataclass(frozen=True)
class StepRow:
    name: str
    kind: StepKind
    unit: str | None
    officers: tuple[str, ...]
    duration: float
    duration_unit: TimeUnit
    x: float | None
    y: float | None


def _engine(server: LiveServer) -> Any:
    return make_engine(server.database_url)


def version_of(server: LiveServer, code: str, status: VersionStatus) -> int:
    """The id of the version of procedure `code` with `status`."""
    engine = _engine(server)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.select(FlowVersion.id)
                .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(Procedure.code == code, FlowVersion.status == status)
            ).scalar_one()
    finally:
        engine.dispose()


def db_steps(server: LiveServer, version_id: int) -> dict[str, StepRow]:
    """The version's steps as saved: key -> what the inspector and the canvas show."""
    engine = _engine(server)
    try:
        with engine.connect() as connection:
            officers: dict[int, list[str]] = {}
            for step_id, name in connection.execute(
                sa.select(StepOfficer.step_id, Officer.full_name)
                .join(Officer, StepOfficer.officer_id == Officer.id)
                .order_by(StepOfficer.position)
            ):
                officers.setdefault(step_id, []).append(name)
            rows = connection.execute(
                sa.select(Step, Unit.name.label("unit_name"))
                .outerjoin(Unit, Step.unit_id == Unit.id)
                .where(Step.version_id == version_id)
            ).all()
            return {
                row.key: StepRow(
                    row.name,
                    row.kind,
                    row.unit_name,
                    tuple(officers.get(row.id, ())),
                    row.duration_value,
                    row.duration_unit,
                    row.x,
                    row.y,
                )
                for row in rows
            }
    finally:
        engine.dispose()


def db_transitions(server: LiveServer, version_id: int) -> set[str]:
    """The version's transitions as ``FROM>TO``."""
    engine = _engine(server)
    try:
        with engine.connect() as connection:
            keys = dict(
                connection.execute(
                    sa.select(Step.id, Step.key).where(Step.version_id == version_id)
                ).all()
            )
            rows = connection.execute(
                sa.select(Transition.from_step_id, Transition.to_step_id).where(
                    Transition.version_id == version_id
                )
            )
            return {f"{keys[a]}>{keys[b]}" for a, b in rows}
    finally:
        engine.dispose()


def db_labels(server: LiveServer, version_id: int) -> dict[str, str]:
    """The version's transition labels by ``FROM>TO``."""
    engine = _engine(server)
    try:
        with engine.connect() as connection:
            keys = dict(
                connection.execute(
                    sa.select(Step.id, Step.key).where(Step.version_id == version_id)
                ).all()
            )
            rows = connection.execute(
                sa.select(Transition.from_step_id, Transition.to_step_id, Transition.label).where(
                    Transition.version_id == version_id
                )
            )
            return {f"{keys[a]}>{keys[b]}": label for a, b, label in rows}
    finally:
        engine.dispose()


def drawn_positions(server: LiveServer, version_id: int) -> dict[str, dict[str, float]]:
    """Where the editor draws each step: its saved place, or the auto-layout's."""
    engine = _engine(server)
    try:
        with make_session_factory(engine)() as session:
            version = session.get(FlowVersion, version_id)
            assert version is not None
            positions = step_positions(document_from_version(session, version))
    finally:
        engine.dispose()
    return {key: {"x": at.x, "y": at.y} for key, at in positions.items()}


def db_version(server: LiveServer, version_id: int) -> tuple[Any, ...]:
    """What changes when a version is saved: its lock, last change and snapshot."""
    engine = _engine(server)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.execute(
                    sa.select(
                        FlowVersion.lock_counter,
                        FlowVersion.updated_at,
                        FlowVersion.status,
                        FlowVersion.snapshot_sha256,
                    ).where(FlowVersion.id == version_id)
                ).one()
            )
    finally:
        engine.dispose()


def empty_draft(server: LiveServer) -> int:
    """The demo draft of EMPTY_CODE with every step deleted, through the service layer."""
    version_id = version_of(server, EMPTY_CODE, VersionStatus.DRAFT)
    engine = _engine(server)
    try:
        with make_session_factory(engine)() as session:
            version = session.get(FlowVersion, version_id)
            assert version is not None
            admin = session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
            keys = list(
                session.execute(sa.select(Step.key).where(Step.version_id == version_id)).scalars()
            )
            flow_editing.delete_elements(
                session, admin, version_id, version.lock_counter, steps=keys
            )
    finally:
        engine.dispose()
    assert db_steps(server, version_id) == {}
    return version_id


# The browser side.


@pytest.fixture
def editor(browser: Any, live_server: LiveServer) -> Iterator[Editor]:
    """A Vietnamese browser context with the administrator logged in."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    session = Editor(context.new_page(), live_server.url)
    session.watch()
    session.log_in("admin", live_server.passwords["admin"])
    yield session
    context.close()


def test_build_a_process_from_an_empty_draft_by_clicking(
    editor: Editor, live_server: LiveServer
) -> None:
    version_id = empty_draft(live_server)
    editor.open(version_id, steps=0)
    page = editor.page

    # The palette: a start, two tasks and an end, each selected as it is added.
    for count, kind in enumerate(["start", "task", "task", "end"], start=1):
        editor.tool(kind)
        assert len(editor.steps()) == count
        assert page.locator("#inspector h2").get_attribute("data-key") == f"s{count}"
    steps = editor.steps()
    assert [steps[k]["kind"] for k in ("s1", "s2", "s3", "s4")] == ["start", "task", "task", "end"]
    # Each new step lands clear of the others.
    boxes = [steps[k]["position"] for k in steps]
    for index, a in enumerate(boxes):
        for b in boxes[index + 1 :]:
            assert abs(a["x"] - b["x"]) >= 170 or abs(a["y"] - b["y"]) >= 64, boxes

    # Connect mode: tap the source, then the target.
    editor.connect(("s1", "s2"), ("s2", "s3"), ("s3", "s4"))
    assert editor.edges() == {"s1>s2", "s2>s3", "s3>s4"}
    assert db_transitions(live_server, version_id) == {"s1>s2", "s2>s3", "s3>s4"}

    # The inspector: names with diacritics, a unit found without them, an officer, durations.
    names = {
        "s1": "Tiếp nhận, kiểm tra hồ sơ",
        "s2": "Thẩm định hồ sơ",
        "s3": "Phê duyệt kết quả",
        "s4": "Trả kết quả cho công dân",
    }
    for key in ("s1", "s4"):
        editor.select(key)
        editor.field("name").fill(names[key])
        editor.save()
        assert editor.message() == vi("Saved."), editor.message()
    editor.select("s2")
    editor.field("name").fill(names["s2"])
    editor.field("unit").click()
    search = page.locator(".dash-dropdown-search")
    assert search.get_attribute("placeholder") == vi("Search")  # Dash's own text, translated
    page.keyboard.press("Escape")
    editor.choose("unit", "phong dau thau", "Phòng Đấu thầu")
    editor.field("officers").click()
    first_officer = page.locator(".dash-dropdown-option").first.inner_text()
    page.locator(".dash-dropdown-option").first.click()
    page.keyboard.press("Escape")
    editor.settle()
    editor.field("duration").fill("0,5")
    editor.save()
    assert editor.message() == vi("Saved."), editor.message()
    editor.select("s3")
    editor.field("name").fill(names["s3"])
    editor.field("duration").fill("4")
    editor.choose("duration_unit", "", vi("working hours"))
    editor.save()
    assert editor.message() == vi("Saved."), editor.message()

    saved = db_steps(live_server, version_id)
    assert {key: row.name for key, row in saved.items()} == names
    assert saved["s2"].unit == "Phòng Đấu thầu, Thẩm định và Giám sát đầu tư"
    assert saved["s2"].officers == (first_officer.split(" — ")[0],)
    assert (saved["s2"].duration, saved["s2"].duration_unit) == (0.5, TimeUnit.WORKING_DAY)
    assert (saved["s3"].duration, saved["s3"].duration_unit) == (4.0, TimeUnit.WORKING_HOUR)

    # A drag moves the step, and only it.
    before = editor.steps()
    editor.drag("s4", 150, 90)
    after = editor.steps()
    moved = after["s4"]["position"]
    assert moved["x"] > before["s4"]["position"]["x"] + 50
    assert moved["y"] > before["s4"]["position"]["y"] + 30
    saved = db_steps(live_server, version_id)
    assert (saved["s4"].x, saved["s4"].y) == (moved["x"], moved["y"])
    for key in ("s1", "s2", "s3"):
        assert after[key]["position"] == before[key]["position"]

    # Reloaded, everything is there.
    editor.open(version_id, steps=4)
    steps = editor.steps()
    assert {key: data["name"] for key, data in steps.items()} == names
    assert steps["s4"]["position"] == moved
    assert editor.edges() == {"s1>s2", "s2>s3", "s3>s4"}
    assert steps["s2"]["label"] == f"{names['s2']}\n0,5 ngày"
    assert steps["s3"]["label"] == f"{names['s3']}\n4 giờ"
    legend = page.locator("#legend").inner_text()
    assert "Phòng Đấu thầu, Thẩm định và Giám sát đầu tư" in legend
    editor.select("s2")
    assert editor.field("name").input_value() == names["s2"]
    assert editor.field("duration").input_value() == "0,5"
    assert "Phòng Đấu thầu" in editor.field("unit").inner_text()
    assert first_officer in editor.field("officers").inner_text()
    assert editor.problems == [] and editor.dialogs == []


def border_colour(editor: Editor, key: str) -> str:
    colour = editor.page.evaluate(
        "key => window.cy.nodes().filter(n => n.data('key') === key).first().style('border-color')",
        key,
    )
    return colour.replace(" ", "")


def test_a_cycle_is_flagged_in_red_and_undone(editor: Editor, live_server: LiveServer) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    assert editor.finding("cycle").count() == 0
    assert {editor.steps()[k]["severity"] for k in ("s2", "s7")} == {"warning"}

    # The last task back to the first one.
    editor.connect(("s7", "s2"))
    assert "s7>s2" in db_transitions(live_server, version_id)
    assert editor.finding("cycle").count() == 1
    steps = editor.steps()
    assert steps["s7"]["severity"] == steps["s2"]["severity"] == "error"
    assert border_colour(editor, "s7") == border_colour(editor, "s2") == RED

    # Undo with the button.
    editor.tool("undo")
    assert editor.finding("cycle").count() == 0
    assert "s7>s2" not in editor.edges() | db_transitions(live_server, version_id)
    assert {editor.steps()[k]["severity"] for k in ("s2", "s7")} == {"warning"}
    assert border_colour(editor, "s2") != RED

    # Redo and undo again with the keyboard (the focus is on no text field).
    editor.press("Control+Shift+Z")
    assert editor.finding("cycle").count() == 1
    assert "s7>s2" in db_transitions(live_server, version_id)
    editor.press("Control+z")
    assert editor.finding("cycle").count() == 0
    assert "s7>s2" not in editor.edges() | db_transitions(live_server, version_id)
    assert editor.problems == [] and editor.dialogs == []


def test_a_duration_over_the_legal_time_shows_on_the_budget(
    editor: Editor, live_server: LiveServer
) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page
    assert page.locator("#budget-bar").get_attribute("data-state") == "ok"
    assert editor.finding("time-budget-exceeded").count() == 0

    # 19,5 of the 20 days are used: a day more on s3 breaks the legal time.
    editor.select("s3")
    editor.field("duration").fill("1,5")
    editor.save()
    assert editor.message() == vi("Saved.")
    assert page.locator("#budget-bar").get_attribute("data-state") == "over"
    assert (
        "20,5" in page.locator("#budget").inner_text()
        or "164" in page.locator("#budget").inner_text()
    )
    exceeded = editor.finding("time-budget-exceeded")
    assert exceeded.count() == 1
    text = exceeded.inner_text()
    saved = db_steps(live_server, version_id)
    path = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
    for key in path:
        assert f"“{saved[key].name}” ({key})" in text, (key, text)
    assert "(s9)" not in text
    steps = editor.steps()
    assert {key for key, data in steps.items() if data["critical"]} == set(path)
    assert {steps[key]["severity"] for key in path} == {"error"}
    assert editor.problems == [] and editor.dialogs == []


def test_an_approved_version_opens_read_only(editor: Editor, live_server: LiveServer) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.APPROVED)
    saved, version = db_steps(live_server, version_id), db_version(live_server, version_id)
    editor.open(version_id, steps=9)
    page = editor.page
    assert page.locator("[data-sodo-tool]").count() == 0  # no palette, no edit tools
    assert page.locator("#view-options").count() == 1 and page.locator("#search").count() == 1
    assert page.evaluate("window.cy.autoungrabify()") is True

    editor.tap("s3")
    page.locator("#inspector h2[data-key='s3']").wait_for()
    assert saved["s3"].name in page.locator("#inspector").inner_text()
    assert page.locator("#inspector").locator("input, textarea, select, button").count() == 0

    # A drag, the keyboard and the right-click menu change nothing.
    before = editor.steps()
    editor.drag("s3", 150, 90, moves=False)
    assert editor.steps()["s3"]["position"] == before["s3"]["position"]
    page.keyboard.press("Delete")
    page.keyboard.press("Control+z")
    editor.page.mouse.click(*editor.point("s4"), button="right")
    assert page.locator(".cy-context-menus-cxt-menu:visible").count() == 0
    editor.settle()
    editor.open(version_id, steps=9)
    assert {k: d["position"] for k, d in editor.steps().items()} == {
        k: d["position"] for k, d in before.items()
    }
    assert db_steps(live_server, version_id) == saved
    assert db_version(live_server, version_id) == version
    assert version[2] is VersionStatus.APPROVED
    assert editor.message() == ""
    assert editor.problems == [] and editor.dialogs == []


def test_an_edit_after_someone_else_s_gets_the_conflict_notice(
    browser: Any,
    editor: Editor,
    live_server: LiveServer,
) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    initial = db_steps(live_server, version_id)["s5"]
    editor.open(version_id, steps=9)
    start = editor.steps()["s5"]["position"]

    # Someone else, in another browser, renames a step.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    try:
        other = Editor(context.new_page(), live_server.url)
        other.watch()
        other.log_in("admin", live_server.passwords["admin"])
        other.open(version_id, steps=9)
        other.select("s3")
        other.field("name").fill("Phân công thụ lý (đã sửa)")
        other.save()
        assert other.message() == vi("Saved.")
        assert other.problems == [] and other.dialogs == []
    finally:
        context.close()

    # The first editor, still on its old copy, moves a step: refused, and reloaded.
    editor.drag("s5", 120, 80)
    alert = editor.page.locator("#message .alert-warning")
    assert alert.count() == 1, editor.message()
    assert "admin" in alert.inner_text()
    steps = editor.steps()
    assert steps["s3"]["name"] == "Phân công thụ lý (đã sửa)"
    # Back where the server draws it: the move was not saved. (Its place was never saved
    # either, so it follows the auto-layout, whose columns fit the renamed step.)
    assert steps["s5"]["position"] == drawn_positions(live_server, version_id)["s5"]
    assert db_steps(live_server, version_id)["s5"] == initial

    # Reloaded with the new lock, the same move now goes through; the old undo is gone.
    editor.drag("s5", 120, 80)
    assert editor.page.locator("#message .alert").count() == 0, editor.message()
    moved = editor.steps()["s5"]["position"]
    assert moved != start
    saved = db_steps(live_server, version_id)
    assert (saved["s5"].x, saved["s5"].y) == (moved["x"], moved["y"])
    editor.tool("undo")
    editor.tool("undo")
    assert editor.message() == vi("Nothing to undo."), editor.message()
    assert editor.problems == [] and editor.dialogs == []


def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    editor: Editor, live_server: LiveServer
) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    saved, links = db_steps(live_server, version_id), db_transitions(live_server, version_id)
    lock = db_version(live_server, version_id)[0]
    editor.open(version_id, steps=9)

    def refused(expected: str) -> None:
        alert = editor.page.locator("#message .alert-danger")
        assert alert.count() == 1 and alert.inner_text() == expected, editor.message()
        assert db_steps(live_server, version_id) == saved
        assert db_transitions(live_server, version_id) == links
        assert db_version(live_server, version_id)[0] == lock

    editor.select("s3")
    for blank in ("", "   "):
        editor.field("name").fill(blank)
        editor.save()
        refused(vi("A step needs a name."))
        assert editor.field("name").input_value() == blank  # the form keeps it, to be fixed
    editor.select("s4")
    invalid = vi(
        "The duration must be a number from 0 to 100000, such as 4 or 0,5. Nothing was saved."
    )
    # A valid change saves itself when its field is left; a bad one after it does not.
    editor.field("name").fill("Xem xét hồ sơ (sửa)")
    editor.save()
    assert editor.message() == vi("Saved."), editor.message()
    saved, lock = db_steps(live_server, version_id), db_version(live_server, version_id)[0]
    assert saved["s4"].name == "Xem xét hồ sơ (sửa)"
    for duration in ("-1", "abc", "1e309", "100001"):
        editor.field("duration").fill(duration)
        editor.save()
        refused(invalid)
        assert editor.field("duration").input_value() == duration
        assert editor.field("name").input_value() == "Xem xét hồ sơ (sửa)"

    editor.tool("connect")
    for (source, target), msgid in [
        (("s3", "s3"), "A step cannot lead to itself."),
        (("s1", "s2"), "These two steps are already connected."),
        (("s3", "s1"), "Nothing can lead into the start step: it is where the dossier arrives."),
    ]:
        editor.tap(source)
        assert editor.message() == vi("Now tap the step it leads to.")
        editor.tap(target)
        refused(vi(msgid))
    assert editor.edges() == links
    assert editor.problems == [] and editor.dialogs == []


XSS = "<img src=x onerror=alert(1)>"


def test_a_step_name_with_markup_stays_text(editor: Editor, live_server: LiveServer) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page
    editor.select("s3")
    editor.field("name").fill(XSS)
    editor.field("duration").fill("1,5")  # over the legal time: a finding names the step
    editor.save()
    assert editor.message() == vi("Saved.")
    assert db_steps(live_server, version_id)["s3"].name == XSS
    steps = editor.steps()
    assert steps["s3"]["name"] == XSS and steps["s3"]["label"].startswith(f"{XSS}\n")
    assert f"“{XSS}” (s3)" in editor.finding("time-budget-exceeded").inner_text()

    # Reloaded: the inspector's input, and the transition's form, show it as text.
    editor.open(version_id, steps=9)
    editor.select("s3")
    assert editor.field("name").input_value() == XSS
    editor.answered(lambda: editor.page.mouse.click(*editor.edge_point("s3>s4")))
    assert XSS in page.locator("#inspector").inner_text()
    assert page.locator("img").count() == 0
    assert editor.dialogs == [] and editor.problems == []


def test_a_finding_and_the_search_select_their_steps(
    editor: Editor, live_server: LiveServer
) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    assert editor.selected() == set()

    # The warning about the unallocated time names the critical path.
    editor.finding("time-budget-unallocated").click()
    path = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
    expected = set(path) | {f"{a}>{b}" for a, b in itertools.pairwise(path)}
    wait_until(editor.page, "window.cy.$(':selected').length > 0")
    assert editor.selected() == expected

    # Typed without diacritics, in any case.
    editor.page.fill("#search", "TIEP nhan")
    wait_until(editor.page, "window.cy.$(':selected').length === 1")
    assert editor.selected() == {"s1"}
    assert editor.steps()["s1"]["name"].startswith("Tiếp nhận")
    editor.page.fill("#search", "tham dinh vien")
    wait_until(editor.page, "!!document.querySelector('.sodo-search-none')")
    assert editor.selected() == {"s1"}  # nothing found: the selection stays
    assert editor.problems == [] and editor.dialogs == []


# The frame and the side panel at 1440×900: the inspector keeps every edit (its form
# saves itself, even when another step is tapped at once), the budget box speaks in days
# as the findings do and names a loop whose return the critical path leaves out, connect
# mode shows its state and prompt and is left with Esc or a second click, and the page
# has the site's main menu and fits the screen.

WIDTH, HEIGHT = 1440, 900


@pytest.fixture
def wide_editor(browser: Any, live_server: LiveServer) -> Iterator[Editor]:
    """A Vietnamese browser context at 1440×900 with the administrator logged in."""
    context = browser.new_context(locale="vi-VN", viewport={"width": WIDTH, "height": HEIGHT})
    session = Editor(context.new_page(), live_server.url)
    session.watch()
    session.log_in("admin", live_server.passwords["admin"])
    yield session
    context.close()


def title(editor: Editor) -> Any:
    return editor.page.locator("#inspector h2")


def test_an_edit_is_kept_when_another_step_is_tapped_at_once(
    wide_editor: Editor, live_server: LiveServer
) -> None:
    editor = wide_editor
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    before = db_steps(live_server, version_id)
    editor.open(version_id, steps=9)
    page = editor.page
    # The header says how changes are saved, and that is what happens below.
    header = page.locator("#save-mode").inner_text()
    assert header == vi("Every change is saved by itself; a text field when you leave it.")
    assert page.locator("#inspector button").count() == 0  # no Save button to forget

    # The panel's title is the step's name; its key is not shown.
    editor.select("s3")
    assert title(editor).inner_text() == before["s3"].name
    assert "s3" not in page.locator("#inspector").inner_text()

    # Enter commits a name: it is saved, and the title follows it.
    editor.field("name").fill("Phân công thụ lý")
    editor.answered(lambda: editor.field("name").press("Enter"))
    assert title(editor).inner_text() == "Phân công thụ lý"
    assert db_steps(live_server, version_id)["s3"].name == "Phân công thụ lý"

    # Rename, then tap another step straight away: no Enter, no leaving the field first.
    editor.field("name").fill("Phân công thụ lý (đổi tên)")
    editor.tap("s4")
    page.locator("#inspector h2[data-key='s4']").wait_for()
    assert title(editor).inner_text() == before["s4"].name
    assert db_steps(live_server, version_id)["s3"].name == "Phân công thụ lý (đổi tên)"

    # The description saves itself after a pause in typing, or when another step is tapped.
    editor.field("description").fill("Kiểm tra lại hồ sơ")
    editor.tap("s5")
    page.locator("#inspector h2[data-key='s5']").wait_for()
    editor.field("description").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("Trình lãnh đạo")
    editor.settle(quiet=1.5)  # longer than the pause after which it saves

    # A transition's label too, when the next element is tapped.
    editor.answered(lambda: editor.page.mouse.click(*editor.edge_point("s3>s4")))
    editor.field("label").fill("Đã phân công")
    editor.tap("s6")
    page.locator("#inspector h2[data-key='s6']").wait_for()
    assert db_labels(live_server, version_id)["s3>s4"] == "Đã phân công"

    # Reloaded: all the edits are there, each on its own element.
    editor.open(version_id, steps=9)
    steps = editor.steps()
    assert steps["s3"]["name"] == "Phân công thụ lý (đổi tên)"
    saved = db_steps(live_server, version_id)
    assert saved["s3"].name == "Phân công thụ lý (đổi tên)"
    assert saved["s4"].name == before["s4"].name and saved["s5"].name == before["s5"].name
    editor.select("s4")
    assert editor.field("description").input_value() == "Kiểm tra lại hồ sơ"
    editor.select("s5")
    assert editor.field("description").input_value().endswith("Trình lãnh đạo")
    assert editor.problems == [] and editor.dialogs == []


def test_a_tool_clicked_while_the_form_saves_waits_for_it(
    wide_editor: Editor, live_server: LiveServer
) -> None:
    editor = wide_editor
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page
    editor.select("s3")

    # Typed, then straight to the palette and to a drag: the rename is saved first, and
    # the new step and the move go through after it, with the lock it left. (The held
    # back gesture starts after the save's answer: wait for it in the database.)
    def saved_when(done: Callable[[dict[str, StepRow]], bool]) -> dict[str, StepRow]:
        deadline = time.monotonic() + 15
        while not done(rows := db_steps(live_server, version_id)):
            assert time.monotonic() < deadline, rows
            page.wait_for_timeout(100)
        editor.settle()
        return rows

    def no_conflict() -> None:
        alerts = page.locator("#message .alert-warning, #message .alert-danger")
        assert alerts.count() == 0, editor.message()

    editor.field("name").fill("Phân công thụ lý (sửa)")
    editor.tool("task")
    saved = saved_when(lambda rows: "s10" in rows)
    no_conflict()
    assert saved["s3"].name == "Phân công thụ lý (sửa)"
    assert "s10" in editor.steps()

    editor.select("s4")
    editor.field("name").fill("Xem xét hồ sơ (sửa)")
    before = editor.steps()["s5"]["position"]
    editor.drag("s5", 120, 80)
    saved = saved_when(lambda rows: rows["s5"].x is not None)
    no_conflict()
    assert saved["s4"].name == "Xem xét hồ sơ (sửa)"
    moved = editor.steps()["s5"]["position"]
    assert moved != before and (saved["s5"].x, saved["s5"].y) == (moved["x"], moved["y"])
    assert editor.problems == [] and editor.dialogs == []


def test_the_budget_speaks_in_days_and_names_a_loop(
    wide_editor: Editor, live_server: LiveServer
) -> None:
    editor = wide_editor
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page

    # 19,5 of the 20 days: in days as the finding says it, hours in the detail.
    assert page.locator("#budget-days").inner_text() == "Đường găng: 19,5 / 20 ngày làm việc"
    assert page.locator("#budget-hours").inner_text() == (
        "156 giờ làm việc / 160 giờ làm việc (thời hạn giải quyết: 20 ngày làm việc)"
    )
    finding = editor.finding("time-budget-unallocated").inner_text()
    assert "19,5 ngày làm việc" in finding and "20 ngày làm việc" in finding
    assert "giờ làm việc (" not in page.locator("#budget-days").inner_text()

    # A loop: the path is measured without its return, and the loop is named under it.
    editor.connect(("s7", "s2"))
    assert "s7>s2" in db_transitions(live_server, version_id)
    loop = page.locator("#budget-loop").inner_text()
    assert loop.startswith("Đường găng không tính lượt quay lại của vòng lặp: ")
    saved = db_steps(live_server, version_id)
    for key in ("s2", "s3", "s7"):
        assert f"“{saved[key].name}”" in loop
    assert page.locator("#budget-days").inner_text() == "Đường găng: 19,5 / 20 ngày làm việc"
    assert page.locator("#budget-bar").get_attribute("data-state") == "ok"

    # Undone, the loop's line goes.
    editor.tool("undo")
    assert page.locator("#budget-bar").get_attribute("data-state") == "ok"
    assert page.locator("#budget-loop").count() == 0
    assert editor.problems == [] and editor.dialogs == []


def banner_state(editor: Editor) -> tuple[bool, str]:
    """Whether the connect banner shows, and its visible text."""
    banner = editor.page.locator("#connect-banner")
    visible = banner.is_visible()
    return visible, banner.inner_text().strip() if visible else ""


def connect_pressed(editor: Editor) -> bool:
    button = editor.page.locator("[data-sodo-tool=connect]")
    return "active" in (button.get_attribute("class") or "")


def test_connect_mode_shows_its_state_and_is_left_with_esc_or_a_second_click(
    wide_editor: Editor, live_server: LiveServer
) -> None:
    editor = wide_editor
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    links = db_transitions(live_server, version_id)
    editor.open(version_id, steps=9)
    assert banner_state(editor) == (False, "")

    # On: the mode and the first prompt; after the source, the second.
    editor.tool("connect")
    shown, text = banner_state(editor)
    assert shown and connect_pressed(editor)
    assert vi("Connect mode") in text and vi("choose the source step") in text
    assert vi("choose the target step") not in text
    assert vi("Esc or Connect again to leave") in text
    editor.tap("s3")
    text = banner_state(editor)[1]
    assert vi("choose the target step") in text and vi("choose the source step") not in text
    editor.tap("s9")
    assert db_transitions(live_server, version_id) == links | {"s3>s9"}
    text = banner_state(editor)[1]
    assert vi("choose the source step") in text  # still on, ready for the next one

    # Esc leaves it: no banner, the button no longer pressed, a tap only selects.
    editor.press("Escape")
    assert banner_state(editor) == (False, "") and not connect_pressed(editor)
    editor.select("s4")
    editor.select("s5")
    assert db_transitions(live_server, version_id) == links | {"s3>s9"}

    # A second click on Connect leaves it too, and says so.
    editor.tool("connect")
    assert banner_state(editor)[0] and connect_pressed(editor)
    editor.tool("connect")
    assert banner_state(editor) == (False, "") and not connect_pressed(editor)
    assert editor.message() == vi("Connect mode is off.")

    # A source chosen with the right-click menu shows the second prompt; Connect leaves.
    editor.page.mouse.click(*editor.point("s4"), button="right")
    editor.answered(menu_item(editor, "Connect from here").click)
    shown, text = banner_state(editor)
    assert shown and vi("choose the target step") in text
    editor.tool("connect")
    assert banner_state(editor) == (False, "") and not connect_pressed(editor)
    editor.select("s6")
    assert db_transitions(live_server, version_id) == links | {"s3>s9"}
    assert db_version(live_server, version_id)[2] is VersionStatus.DRAFT
    assert editor.problems == [] and editor.dialogs == []


def inside_the_screen(editor: Editor, where: str | Any) -> bool:
    """Whether the element (a selector or a locator) is on the screen without scrolling."""
    located = editor.page.locator(where) if isinstance(where, str) else where
    box = located.first.bounding_box()
    assert box is not None, where
    return box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT and box["x"] + box["width"] <= WIDTH


def test_the_editor_has_the_main_menu_and_fits_the_screen(
    wide_editor: Editor, live_server: LiveServer
) -> None:
    editor = wide_editor
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page

    # Nothing below the fold: the page does not scroll, and the panel's form is in view.
    assert page.evaluate("document.documentElement.scrollHeight") <= HEIGHT
    editor.select("s3")
    for name in ("name", "unit", "duration", "description"):
        assert inside_the_screen(editor, editor.field(name)), name
    assert inside_the_screen(editor, "#save-mode")

    # The site's menu: the same items as the admin pages, a category opens without script.
    menu = page.locator("#main-menu")
    assert inside_the_screen(editor, "#main-menu")
    assert menu.locator("a", has_text=vi("Home")).count() == 1
    catalogue = menu.locator("summary", has_text=vi("Catalogue"))
    catalogue.click()
    procedures = menu.locator("a", has_text=vi("Procedures"))
    procedures.wait_for(state="visible")
    procedures.click()
    page.wait_for_url(f"{live_server.url}/procedure/**")
    assert page.locator(".navbar").count() == 1
    assert editor.problems == [] and editor.dialogs == []


def blank_point(editor: Editor) -> tuple[float, float]:
    """A point of the canvas, on the screen, clear of every step, lane and transition."""
    x, y = editor.page.evaluate(
        """() => {
            const cy = window.cy, box = cy.container().getBoundingClientRect();
            const boxes = cy.elements().map(e => e.renderedBoundingBox());
            for (let y = 40; y < box.height - 40; y += 20) {
                for (let x = 40; x < box.width - 40; x += 20) {
                    if (boxes.every(b => x < b.x1 - 20 || x > b.x2 + 20 ||
                                         y < b.y1 - 20 || y > b.y2 + 20)) {
                        return [box.left + x, box.top + y];
                    }
                }
            }
            return null;
        }"""
    )
    return x, y


def menu_item(editor: Editor, msgid: str) -> Any:
    item = editor.page.locator(".cy-context-menus-cxt-menuitem:visible", has_text=vi(msgid))
    item.wait_for()
    return item


def test_the_right_click_menu_connects_deletes_and_adds(
    editor: Editor, live_server: LiveServer
) -> None:
    version_id = version_of(live_server, CHAIN_CODE, VersionStatus.DRAFT)
    editor.open(version_id, steps=9)
    page = editor.page
    links = db_transitions(live_server, version_id)

    # On a step: "Connect from here", then tap the target; Escape gives up instead.
    page.mouse.click(*editor.point("s3"), button="right")
    editor.answered(menu_item(editor, "Connect from here").click)
    assert editor.message() == vi("Now tap the step it leads to.")
    editor.press("Escape")
    assert editor.message() == ""
    editor.tap("s9")
    assert editor.edges() == db_transitions(live_server, version_id) == links
    page.mouse.click(*editor.point("s3"), button="right")
    editor.answered(menu_item(editor, "Connect from here").click)
    editor.tap("s9")
    assert editor.edges() == db_transitions(live_server, version_id) == links | {"s3>s9"}

    # On a transition: delete it (its middle lies clear of any step; a transition is
    # drawn above the lanes' boxes).
    x, y = editor.edge_point("s3>s9")
    clear = editor.page.evaluate(
        """([x, y]) => {
            const box = window.cy.container().getBoundingClientRect();
            return window.cy.nodes('[key]').every(n => {
                const b = n.renderedBoundingBox();
                const [px, py] = [x - box.left, y - box.top];
                return px < b.x1 || px > b.x2 || py < b.y1 || py > b.y2;
            });
        }""",
        [x, y],
    )
    assert clear
    page.mouse.click(x, y, button="right")
    editor.answered(menu_item(editor, "Delete").click)
    assert editor.edges() == db_transitions(live_server, version_id) == links

    # On the canvas: a task where the menu was opened.
    x, y = blank_point(editor)
    model = editor.page.evaluate(
        """([x, y]) => {
            const cy = window.cy, box = cy.container().getBoundingClientRect();
            const pan = cy.pan(), zoom = cy.zoom();
            return [(x - box.left - pan.x) / zoom, (y - box.top - pan.y) / zoom];
        }""",
        [x, y],
    )
    page.mouse.click(x, y, button="right")
    editor.answered(menu_item(editor, "Add a task here").click)
    saved = db_steps(live_server, version_id)
    assert len(saved) == 10 and saved["s10"].kind is StepKind.TASK
    assert saved["s10"].name == vi("New step")
    slack = 2 / editor.page.evaluate("window.cy.zoom()")  # two pixels, in model units
    assert abs(saved["s10"].x - model[0]) <= slack and abs(saved["s10"].y - model[1]) <= slack
    assert "s10" in editor.steps()
    assert editor.problems == [] and editor.dialogs == []
