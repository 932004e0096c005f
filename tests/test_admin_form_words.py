"""The unit form's checks and the words of the forms and pages, over HTTP, in Vietnamese.

The unit form checks phone and email as the officer form does, refuses a parent unit of
a lower level and makes the level a choice; the pages say enum values, flags, empty
choices, new inline rows, drifted fields and saved records in the user's words.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.admin_site import Site, field_errors, messages, one_id, sample_ids

from workflow_model import editing
from workflow_model.models import (
    AuditEvent,
    FlowVersion,
    Level,
    Officer,
    ProcedureCase,
    Unit,
    VersionOfficer,
    VersionStatus,
)
from workflow_model.refusals import ChangeRefused

PHONE_VI = "Số điện thoại không phải số Việt Nam"
EMAIL_VI = "Địa chỉ email không hợp lệ."
PARENT_LEVEL_VI = "Đơn vị cấp trên phải cùng cấp hoặc cao hơn"
LEVEL_REQUIRED_VI = "Hãy chọn cấp của đơn vị."


def _level(site: Site, key: str) -> int:
    with site.session() as s:
        return one_id(s, sa.select(Level.id).where(Level.key == key))


def _unit_of_level(site: Site, key: str) -> int:
    with site.session() as s:
        return one_id(
            s, sa.select(Unit.id).join(Level, Unit.level_id == Level.id).where(Level.key == key)
        )


def test_unit_form_checks_contacts_as_the_officer_form_does(site: Site) -> None:
    admin = site.browser("admin")
    before = site.rows()
    bad = {"phone": "12345", "email": "not-an-email"}
    unit = admin.submit(
        "/unit/new/",
        {"code": "ptp", "name": "Phòng Tư pháp", "level": _level(site, "commune")} | bad,
    )
    officer = admin.submit(
        "/officer/new/", {"full_name": "Trần Văn Bình", "unit": sample_ids(site)["unit"]} | bad
    )
    assert unit.status_code == officer.status_code == 200
    unit_errors, officer_errors = field_errors(unit), field_errors(officer)
    assert PHONE_VI in unit_errors["phone"] and EMAIL_VI in unit_errors["email"]
    assert (unit_errors["phone"], unit_errors["email"]) == (
        officer_errors["phone"],
        officer_errors["email"],
    )
    assert site.rows() == before
    # A unit's contacts may stay empty; a valid one is kept.
    response = admin.submit(
        "/unit/new/",
        {"code": "ptp", "name": "Phòng Tư pháp", "level": _level(site, "commune")}
        | {"phone": "0222 3810 111", "email": ""},
    )
    assert response.status_code == 302, messages(response)


def test_unit_form_refuses_a_parent_of_a_lower_level(site: Site) -> None:
    admin = site.browser("admin")
    before = site.rows()
    commune_unit = _unit_of_level(site, "commune")
    response = admin.submit(
        "/unit/new/",
        {"code": "so-moi", "name": "Sở Mới", "level": _level(site, "province")}
        | {"parent": commune_unit},
    )
    assert response.status_code == 200
    assert PARENT_LEVEL_VI in field_errors(response).get("parent", ""), field_errors(response)
    assert site.rows() == before
    # Under a province unit, a commune unit is fine.
    response = admin.submit(
        "/unit/new/",
        {"code": "xa-moi", "name": "Xã Mới", "level": _level(site, "commune")}
        | {"parent": _unit_of_level(site, "province")},
    )
    assert response.status_code == 302, messages(response)


def test_the_service_refuses_a_parent_of_a_lower_level(session: Session) -> None:
    # Whatever path stores a unit (a form, an import), the service checks it too.
    province = session.scalars(sa.select(Level).where(Level.key == "province")).one()
    commune = session.scalars(sa.select(Level).where(Level.key == "commune")).one()
    xa = Unit(code="xa", name="UBND xã", level=commune)
    editing.save(session, None, xa, None)
    with pytest.raises(ChangeRefused) as refused:
        editing.save(session, None, Unit(code="so", name="Sở", level=province, parent=xa), None)
    assert refused.value.code == "parent-level"
    assert session.scalars(sa.select(Unit).where(Unit.code == "so")).first() is None


def test_unit_level_is_chosen_not_preselected(site: Site) -> None:
    admin = site.browser("admin")
    page = admin.text("/unit/new/")
    level = re.search(r'<select[^>]*id="level".*?</select>', page, re.S)
    assert level is not None
    assert re.search(r'<option selected value="__None">— chưa chọn —</option>', level.group())
    assert "Bộ, ngành</option>" in level.group()
    assert not re.search(r"<option selected value=\"\d+\">", level.group())
    before = site.rows()
    response = admin.submit("/unit/new/", {"code": "ptp", "name": "Phòng Tư pháp"})
    assert response.status_code == 200
    assert LEVEL_REQUIRED_VI in field_errors(response).get("level", ""), field_errors(response)
    assert site.rows() == before


def test_empty_choices_flags_and_dates_read_in_vietnamese(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    for url in (
        f"/procedure/edit/?id={ids['procedure']}",
        f"/step/edit/?id={ids['step']}",
        "/officer/new/",
    ):
        page = admin.text(url)
        assert ">__None<" not in page, url
    details = admin.text(f"/unit/details/?id={ids['unit']}")
    assert "Updated At" not in details and "Thay đổi lần cuối" in details
    for url in (f"/unit/details/?id={ids['unit']}", f"/procedure/details/?id={ids['procedure']}"):
        cells = re.findall(r"<td>\s*([^<]*?)\s*</td>", admin.text(url))
        assert "True" not in cells and "False" not in cells, url
        assert "Có" in cells, url
    csv = admin.get("/unit/export/csv/").get_data(as_text=True)
    assert ",True" not in csv and ",False" not in csv and ",Có" in csv and ",Không" in csv


def test_new_inline_rows_say_new_after_the_name(site: Site) -> None:
    page = site.browser("admin").text(f"/procedure/edit/?id={sample_ids(site)['procedure']}")
    assert "Mới Trường hợp" not in page and "Mới Thành phần" not in page
    assert "Trường hợp và thời hạn giải quyết mới" in page
    assert "Thành phần hồ sơ mới" in page


def test_journal_says_time_units_in_vietnamese(site: Site) -> None:
    with site.session() as s:
        event = one_id(
            s,
            sa.select(AuditEvent.id)
            .where(sa.cast(AuditEvent.after, sa.Text).like("%working_day%"))
            .order_by(AuditEvent.id),
        )
    page = site.browser("admin").text(f"/audit/details/?id={event}")
    assert "working_day" not in page and "working_hour" not in page
    assert "ngày làm việc" in page


def test_saving_an_officer_says_record_not_dossier(site: Site) -> None:
    admin = site.browser("admin")
    url = f"/officer/edit/?id={sample_ids(site)['officer']}"
    response = admin.submit(url, {"title": "Chuyên viên"}, follow=True)
    shown = messages(response)
    assert "Đã lưu bản ghi." in shown
    assert "hồ sơ" not in shown.lower()


def test_versions_page_names_the_drifted_field_in_vietnamese(site: Site) -> None:
    with site.session() as s:
        officer_id, procedure_id = s.execute(
            sa.select(VersionOfficer.officer_id, ProcedureCase.procedure_id)
            .join(FlowVersion, FlowVersion.id == VersionOfficer.version_id)
            .join(ProcedureCase, ProcedureCase.id == FlowVersion.case_id)
            .where(FlowVersion.status == VersionStatus.APPROVED)
            .limit(1)
        ).one()
        officer = s.get(Officer, officer_id)
        assert officer is not None
        before = editing.entity_state(officer)
        officer.phone = "0912 000 222"
        editing.save(s, None, officer, before)
    admin = site.browser("admin")
    page = admin.text(f"/versions/procedure/{procedure_id}")
    drift = re.search(r'id="drift".*?</ul>', page, re.S)
    assert drift is not None
    assert "Điện thoại: " in drift.group() and "0912 000 222" in drift.group()
    assert ": phone" not in drift.group()
    listed = admin.text("/procedure/")
    assert f'href="/versions/procedure/{procedure_id}">Danh bạ đã thay đổi' in listed


def test_list_filters_are_named_in_vietnamese(site: Site) -> None:
    admin = site.browser("admin")
    for url, expected in (
        ("/procedure/", ["Cấp thực hiện", "Lĩnh vực"]),
        ("/unit/", ["Cấp thực hiện"]),
        ("/officer/", ["Đơn vị"]),
        ("/step/", ["Đơn vị"]),
    ):
        names = re.findall(r'class="dropdown-item filter">([^<]*)</a>', admin.text(url))
        assert set(expected) <= set(names), (url, names)
        assert not [name for name in names if " / " in name], (url, names)
