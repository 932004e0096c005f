"""A case's first draft from the versions page: empty, the one-stop skeleton, or a copy.

Over HTTP with CSRF on, on SQLite and PostgreSQL, from the demo catalogue: what the page
offers to whom, what each starting point creates (and validates), each bad input refused
with a Vietnamese message and nothing changed, and "new draft" refused while a version is
open or under review.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from support.admin_site import Site, messages
from support.html import page_forms

from validators import validate
from validators.findings import Severity
from workflow_model.conversion import document_from_version
from workflow_model.models import (
    AuditEvent,
    FlowVersion,
    Level,
    Procedure,
    ProcedureCase,
    TimeUnit,
    Unit,
    VersionStatus,
)
from workflow_model.starting_points import skeleton_hours
from workflow_model.text import fold

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

WAITING = "1.009642.H05"  # v1 in force, v2 submitted
DRAFTED = "1.013871"  # v1 in force, v2 draft
COPIED = "1.004944"  # Cao Bằng, v1 in force
NEW_CODE = "9.000001"
DRAFT_OPEN_VI = "Bản nháp đã được mở."
OPEN_VERSION_VI = re.compile(r"Trường hợp này còn phiên bản (\d+) đang mở \(([^)]+)\)")
CHOOSE_START_VI = "Hãy chọn điểm bắt đầu của bản nháp đầu tiên."
CHOOSE_COPY_VI = "Hãy chọn phiên bản cần sao chép."
CHOOSE_ONE_STOP_VI = "Hãy chọn một đơn vị một cửa trong danh sách."
NOT_IN_FORCE_VI = "Chỉ sao chép được một phiên bản đang có hiệu lực"


def new_procedure(site: Site, *, code: str = NEW_CODE, lead: bool = True) -> tuple[int, int]:
    """A province procedure with a 10-working-day case and no version: (procedure, case) ids."""
    with site.session() as s:
        level = s.scalar(sa.select(Level).where(Level.key == "province"))
        lead_unit = s.scalar(
            sa.select(Unit).where(Unit.one_stop.is_(False), Unit.parent_id.is_(None)).limit(1)
        )
        procedure = Procedure(
            code=code,
            name="Thủ tục thử nghiệm cấp giấy phép",
            level=level,
            lead_unit=lead_unit if lead else None,
        )
        case = ProcedureCase(
            procedure=procedure, legal_time_value=10, legal_time_unit=TimeUnit.WORKING_DAY
        )
        s.add_all([procedure, case])
        s.commit()
        return procedure.id, case.id


def versions_of(site: Site, case_id: int) -> list[FlowVersion]:
    with site.session() as s:
        return list(s.scalars(sa.select(FlowVersion).where(FlowVersion.case_id == case_id)))


def start_form(html: str, case_id: int, start: str | None = None) -> dict[str, Any]:
    """The fields of the first-draft form of a case (``start`` picks a copy's row)."""
    action = f"/versions/case/{case_id}/first-draft"
    forms = [f for f in page_forms(html) if f["action"] == action]
    assert forms, action
    if start is None:
        return dict(forms[0]["fields"])
    (form,) = [f for f in forms if dict(f["fields"]).get("start") == start]
    return dict(form["fields"])


# --- the skeleton's arithmetic ----------------------------------------------------------


@given(st.floats(min_value=0, max_value=800_000, allow_nan=False))
def test_the_skeleton_shares_out_exactly_the_legal_time(total: float) -> None:
    hours = skeleton_hours(total)
    assert len(hours) == 4
    assert all(h >= 0 for h in hours)
    assert sum(hours) == pytest.approx(total)


# --- what the page offers ---------------------------------------------------------------


def test_a_new_procedure_offers_its_first_draft_to_administrators_only(site: Site) -> None:
    procedure_id, case_id = new_procedure(site)
    html = site.browser("admin").text(f"/versions/procedure/{procedure_id}")
    form = start_form(html, case_id)
    assert form["start"] == "skeleton"  # the usual path is the default
    assert "Quy trình một cửa chuẩn" in html and "Trống: một bước tiếp nhận" in html
    # The skeleton's one-stop unit is one of the level's one-stop units, by name.
    with site.session() as s:
        one_stop = s.scalars(
            sa.select(Unit.id).where(Unit.one_stop.is_(True)).order_by(Unit.name)
        ).all()
    assert int(form["one_stop"]) in one_stop
    for role in ("approver", "exporter"):
        other = site.browser(role).text(f"/versions/procedure/{procedure_id}")
        assert f"/versions/case/{case_id}/first-draft" not in other


def test_a_procedure_without_a_case_says_to_add_its_legal_time(site: Site) -> None:
    with site.session() as s:
        level = s.scalar(sa.select(Level).where(Level.key == "province"))
        procedure = Procedure(code="9.000002", name="Chưa có thời hạn", level=level)
        s.add(procedure)
        s.commit()
        procedure_id = procedure.id
    html = site.browser("admin").text(f"/versions/procedure/{procedure_id}")
    assert "chưa có trường hợp và thời hạn giải quyết" in html
    assert f"/procedure/edit/?id={procedure_id}" in html


# --- each starting point ----------------------------------------------------------------


def test_the_skeleton_fills_the_one_stop_and_lead_units_and_shares_the_legal_time(
    site: Site,
) -> None:
    procedure_id, case_id = new_procedure(site)
    browser = site.browser("admin")
    form = start_form(browser.text(f"/versions/procedure/{procedure_id}"), case_id)
    response = browser.post(f"/versions/case/{case_id}/first-draft", form)
    (draft,) = versions_of(site, case_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/editor/{draft.id}")
    assert (draft.number, draft.status) == (1, VersionStatus.DRAFT)
    with site.session() as s:
        document = document_from_version(s, s.get(FlowVersion, draft.id))
        procedure = s.get(Procedure, procedure_id)
        one_stop = s.get(Unit, int(form["one_stop"]))
        names = {u.key: u.name for u in document.units}
        assert [step.name for step in document.steps] == [
            "Tiếp nhận hồ sơ",
            "Thẩm định hồ sơ",
            "Lãnh đạo phê duyệt",
            "Trả kết quả",
        ]
        assert [names[step.unit] for step in document.steps] == [
            one_stop.name,
            procedure.lead_unit.name,
            procedure.lead_unit.name,
            one_stop.name,
        ]
        assert [(t.source, t.target) for t in document.transitions] == [
            ("s1", "s2"),
            ("s2", "s3"),
            ("s3", "s4"),
        ]
        assert {step.duration.unit for step in document.steps} == {TimeUnit.WORKING_DAY}
        assert sum(step.duration.value for step in document.steps) == pytest.approx(10)
        # Structure and time budget hold; only people are left to assign.
        report = validate(document)
        assert report.ok, report.by_severity(Severity.ERROR)
        (event,) = s.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.entity_type == "flow_version", AuditEvent.entity_id == str(draft.id)
            )
        )
        assert event.action == "new-draft" and event.after["start"] == "skeleton"
    # The editor opens on it, and the versions page now shows it instead of the form.
    html = browser.text(f"/versions/procedure/{procedure_id}")
    assert f"/versions/case/{case_id}/first-draft" not in html
    assert f'href="/editor/{draft.id}"' in html


def test_the_empty_start_is_a_reception_and_an_end_joined(site: Site) -> None:
    _, case_id = new_procedure(site, lead=False)
    browser = site.browser("admin")
    response = browser.post(f"/versions/case/{case_id}/first-draft", {"start": "empty"})
    assert response.status_code == 302
    (draft,) = versions_of(site, case_id)
    with site.session() as s:
        document = document_from_version(s, s.get(FlowVersion, draft.id))
    assert [(step.kind.value, step.unit) for step in document.steps] == [
        ("start", None),
        ("end", None),
    ]
    assert [(t.source, t.target) for t in document.transitions] == [("s1", "s2")]


def test_a_copy_of_another_procedures_version_in_force_found_without_diacritics(
    site: Site,
) -> None:
    procedure_id, case_id = new_procedure(site)
    browser = site.browser("admin")
    with site.session() as s:
        source = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == COPIED, FlowVersion.status == VersionStatus.APPROVED)
        )
        wanted = document_from_version(s, source)
        name = s.scalar(sa.select(Procedure.name).where(Procedure.code == COPIED))
    # Typed without diacritics, in lower case: the search folds both sides.
    typed = " ".join(name.split()[:3])
    html = browser.text(f"/versions/procedure/{procedure_id}?q={fold(typed)}")
    assert COPIED in html
    form = start_form(html, case_id, start="copy")
    assert form["source"] == str(source.id)
    # A draft is not offered: only versions in force are.
    assert "sodo-copies" in html
    response = browser.post(f"/versions/case/{case_id}/first-draft", form)
    assert response.status_code == 302
    (draft,) = versions_of(site, case_id)
    with site.session() as s:
        copied = document_from_version(s, s.get(FlowVersion, draft.id))
    strip = [(st.key, st.name, st.kind, st.unit, st.duration, st.officers) for st in wanted.steps]
    assert [
        (st.key, st.name, st.kind, st.unit, st.duration, st.officers) for st in copied.steps
    ] == strip
    assert copied.transitions == wanted.transitions
    assert [(u.name, u.level) for u in copied.units] == [(u.name, u.level) for u in wanted.units]


def test_a_search_that_matches_nothing_says_so(site: Site) -> None:
    procedure_id, _ = new_procedure(site)
    html = site.browser("admin").text(f"/versions/procedure/{procedure_id}?q=khong+co+dau")
    assert "Không có phiên bản đang có hiệu lực nào khớp với “khong co dau”." in html


# --- bad input: a clear message and nothing changed -------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": "bogus"}, CHOOSE_START_VI),
        ({}, CHOOSE_START_VI),
        ({"start": "copy"}, CHOOSE_COPY_VI),
        ({"start": "copy", "source": "abc"}, CHOOSE_COPY_VI),
        ({"start": "copy", "source": "99999999999999999999"}, CHOOSE_COPY_VI),
        ({"start": "copy", "source": "999999"}, CHOOSE_COPY_VI),
        ({"start": "skeleton", "one_stop": "x"}, CHOOSE_ONE_STOP_VI),
        ({"start": "skeleton", "one_stop": "99999999999999"}, CHOOSE_ONE_STOP_VI),
    ],
)
def test_bad_starting_points_are_refused_with_nothing_changed(
    site: Site, fields: dict[str, str], message: str
) -> None:
    _, case_id = new_procedure(site)
    before = site.rows()
    response = site.browser("admin").post(
        f"/versions/case/{case_id}/first-draft", fields, follow=True
    )
    assert response.status_code == 200
    assert message in messages(response)
    assert site.rows() == before


def test_copying_a_draft_or_using_a_unit_that_is_not_one_stop_is_refused(site: Site) -> None:
    _, case_id = new_procedure(site)
    with site.session() as s:
        draft_id = s.scalar(
            sa.select(FlowVersion.id).where(FlowVersion.status == VersionStatus.DRAFT).limit(1)
        )
        plain_unit = s.scalar(sa.select(Unit.id).where(Unit.one_stop.is_(False)).limit(1))
    browser = site.browser("admin")
    before = site.rows()
    copy = {"start": "copy", "source": str(draft_id)}
    response = browser.post(f"/versions/case/{case_id}/first-draft", copy, follow=True)
    assert NOT_IN_FORCE_VI in messages(response)
    skeleton = {"start": "skeleton", "one_stop": str(plain_unit)}
    response = browser.post(f"/versions/case/{case_id}/first-draft", skeleton, follow=True)
    assert CHOOSE_ONE_STOP_VI in messages(response)
    assert site.rows() == before


def test_only_administrators_with_a_token_create_a_first_draft(site: Site) -> None:
    _, case_id = new_procedure(site)
    before = site.rows()
    url = f"/versions/case/{case_id}/first-draft"
    for role in ("approver", "exporter"):
        assert site.browser(role).post(url, {"start": "empty"}).status_code == 403
    anonymous = site.browser().client.post(url, data={"start": "empty"})
    assert anonymous.status_code in (302, 400)
    without_token = site.browser("admin").client.post(url, data={"start": "empty"})
    assert without_token.status_code == 400
    assert site.browser("admin").post("/versions/case/999999/first-draft", {}).status_code == 404
    assert site.rows() == before


def test_a_second_first_draft_is_refused_while_the_first_is_open(site: Site) -> None:
    _, case_id = new_procedure(site)
    browser = site.browser("admin")
    browser.post(f"/versions/case/{case_id}/first-draft", {"start": "empty"})
    before = site.rows()
    response = browser.post(
        f"/versions/case/{case_id}/first-draft", {"start": "skeleton"}, follow=True
    )
    found = OPEN_VERSION_VI.search(messages(response))
    assert found and found.groups() == ("1", "Bản nháp")
    assert site.rows() == before


# --- "new draft" while a version is open (item: "Bản nháp mới" pretends) -----------------


@pytest.mark.parametrize(("code", "status"), [(WAITING, "Đã trình duyệt"), (DRAFTED, "Bản nháp")])
def test_new_draft_is_not_offered_and_is_refused_while_a_version_is_open(
    site: Site, code: str, status: str
) -> None:
    browser = site.browser("admin")
    with site.session() as s:
        procedure_id = s.scalar(sa.select(Procedure.id).where(Procedure.code == code))
        in_force = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .where(
                ProcedureCase.procedure_id == procedure_id,
                FlowVersion.status == VersionStatus.APPROVED,
            )
        )
    html = browser.text(f"/versions/procedure/{procedure_id}")
    assert f"/versions/{in_force.id}/new-draft" not in html
    note = re.search(r'class="text-muted small sodo-open-note">([^<]*)<', html)
    assert note and "Phiên bản 2" in note.group(1)
    before = site.rows()
    response = browser.post(
        f"/versions/{in_force.id}/new-draft", {"lock": in_force.lock_counter}, follow=True
    )
    shown = messages(response)
    assert DRAFT_OPEN_VI not in shown
    found = OPEN_VERSION_VI.search(shown)
    assert found and found.groups() == ("2", status), shown
    assert site.rows() == before
