"""Bad input on the admin pages: a clear message, and nothing changed.

Empty, malformed, duplicate and overlong values, markup, missing CSRF tokens, rows in
use, versions that are no longer drafts, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape
from support.admin_site import (
    CSRF_REFUSED,
    DUPLICATE,
    ESCAPED_SCRIPT,
    IN_USE,
    INVALID_EMAIL,
    INVALID_KEY,
    INVALID_PHONE,
    NOT_DRAFT,
    SCRIPT,
    Site,
    field_errors,
    journal,
    messages,
    one_id,
    sample_ids,
)

from workflow_model.models import (
    DayOverride,
    DossierComponent,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    Step,
    StepDocument,
    Transition,
    Unit,
    User,
    VersionStatus,
)


def test_empty_required_fields_are_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    for url, blank, required in (
        ("/unit/new/", {}, {"code", "name"}),
        ("/officer/new/", {"phone": "0912 345 678"}, {"full_name", "unit"}),
        ("/procedure/new/", {}, {"code", "name"}),
        ("/level/new/", {}, {"key", "name"}),
        ("/field/new/", {}, {"name"}),
        ("/calendar/new/", {}, {"day"}),
        (f"/unit/edit/?id={ids['unit']}", {"name": ""}, {"name"}),
        (f"/procedure/edit/?id={ids['procedure']}", {"code": ""}, {"code"}),
    ):
        response = admin.submit(url, blank)
        assert response.status_code == 200, url
        errors = field_errors(response)
        assert required <= set(errors) and all(errors[name] for name in required), (url, errors)
    assert site.rows() == before


def test_officer_phone_and_email_are_checked(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    good = {"full_name": "Lê Thị Thu", "unit": ids["unit"]}
    for url, values, message in (
        ("/officer/new/", good | {"phone": "12345", "email": "thu@bacninh.gov.vn"}, INVALID_PHONE),
        ("/officer/new/", good | {"phone": "0912 345 678", "email": "a@"}, INVALID_EMAIL),
        (f"/officer/edit/?id={ids['officer']}", {"phone": "12345"}, INVALID_PHONE),
        (f"/officer/edit/?id={ids['officer']}", {"email": "a@"}, INVALID_EMAIL),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        assert message in messages(response), (url, messages(response))
    assert site.rows() == before


def test_duplicate_codes_and_emails_are_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    with site.session() as s:
        taken = s.scalars(sa.select(Officer.email).where(Officer.id != ids["officer"])).first()
        province = one_id(s, sa.select(Level.id).where(Level.key == "province"))
    before = site.rows()
    officer = {"full_name": "Lê Thị Thu", "unit": ids["unit"], "phone": "0912 345 678"}
    for url, values, field in (
        (
            "/unit/new/",
            {"code": "stc", "name": "Sở Tài chính (bản sao)", "level": province},
            "code",
        ),
        ("/officer/new/", officer | {"email": taken}, "email"),
        ("/procedure/new/", {"code": "1.009645.H05", "name": "Trùng", "level": province}, "code"),
        (f"/unit/edit/?id={ids['unit']}", {"code": "ubnd"}, "code"),
        (f"/officer/edit/?id={ids['officer']}", {"email": taken}, "email"),
        ("/level/new/", {"key": "province", "name": "Cấp tỉnh (trùng)"}, "key"),
        ("/field/new/", {"name": "Đầu tư tại Việt Nam"}, "name"),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        # The form's check of the unique column, under the field; the service's otherwise.
        assert field_errors(response).get(field) or DUPLICATE in messages(response), url
    assert site.rows() == before


def test_codes_a_flow_document_cannot_carry_are_refused(site: Site) -> None:
    # A procedure code or a unit code is a key of the exported document: what the forms
    # store must load again, so `>`, `/` and spaces are refused here as by the loader.
    admin = site.browser("admin")
    ids = sample_ids(site)
    with site.session() as s:
        level = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    before = site.rows()
    for url, values in (
        ("/procedure/new/", {"code": "COL/1", "name": "Thủ tục có mã lạ"}),
        ("/procedure/new/", {"code": "1.009 645", "name": "Thủ tục có dấu cách"}),
        ("/unit/new/", {"code": "a>b", "name": "Phòng Tư pháp", "level": level}),
        (f"/unit/edit/?id={ids['unit']}", {"code": "ubnd/xa"}),
        ("/level/new/", {"key": "cấp <b>", "name": "Cấp lạ"}),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        assert INVALID_KEY in messages(response), (url, messages(response))
    assert site.rows() == before


def test_overlong_names_are_refused_with_a_length_message(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    long_name = "Phòng Văn hóa – Xã hội " + "x" * 10_000
    for url, values, field, limit in (
        ("/unit/new/", {"code": "dai", "name": long_name}, "name", 300),
        (f"/unit/edit/?id={ids['unit']}", {"name": long_name}, "name", 300),
        ("/officer/new/", {"full_name": long_name, "unit": ids["unit"]}, "full_name", 200),
        ("/procedure/new/", {"code": "9.999999", "name": long_name}, "name", 1000),
        ("/level/new/", {"key": "dai", "name": long_name}, "name", 200),
        ("/field/new/", {"name": long_name}, "name", 300),
        ("/calendar/new/", {"day": "2026-09-05", "description": long_name}, "description", 300),
        (f"/step/edit/?id={ids['step']}", {"name": long_name}, "name", 1000),
        ("/unit/new/", {"code": "c" * 65, "name": "Phòng Tư pháp"}, "code", 64),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        # WTForms' "Field cannot be longer than 300 characters.", in the interface's language
        assert str(limit) in field_errors(response).get(field, ""), (url, field_errors(response))
    assert site.rows() == before


def test_markup_in_a_unit_name_is_shown_as_text(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    response = admin.submit("/unit/new/", {"code": "xss", "name": SCRIPT, "level": commune})
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "xss"))
        assert s.get(Unit, unit).name == SCRIPT
    response = admin.submit(
        "/officer/new/",
        {
            "full_name": "Đinh Thị Kiểm Thử",
            "unit": unit,
            "phone": "0912 000 111",
            "email": "kiemthu@bacninh.gov.vn",
        },
    )
    assert response.status_code == 302, messages(response)
    for url in (
        "/unit/?search=xss",
        f"/unit/details/?id={unit}",
        f"/unit/edit/?id={unit}",
        "/officer/?search=kiem+thu",
    ):
        page = admin.text(url)
        assert SCRIPT not in page, url
        assert ESCAPED_SCRIPT in page, url


def test_a_post_without_csrf_token_is_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    form = admin.form("/unit/new/")
    form.update({"code": "vhxh-bn", "name": "Phòng Văn hóa – Xã hội"})
    for token in ([], ["not-a-token"]):
        form.setlist("csrf_token", token)
        response = admin.client.post("/unit/new/", data=form)
        assert response.status_code == 400
        assert CSRF_REFUSED in response.get_data(as_text=True)
    edit = admin.form(f"/unit/edit/?id={ids['unit']}")
    edit["name"] = "Đổi tên không có mã chống giả mạo"
    edit.poplist("csrf_token")
    assert admin.client.post(f"/unit/edit/?id={ids['unit']}", data=edit).status_code == 400
    delete = {"id": ids["field"], "url": "/field/"}
    assert admin.client.post("/field/delete/", data=delete).status_code == 400
    password = {"password": "một mật khẩu mới hơn", "confirm": "một mật khẩu mới hơn"}
    root = site.browser("superuser")
    assert root.client.post(f"/user/password/{ids['user']}", data=password).status_code == 400
    assert site.rows() == before


def test_an_approver_cannot_change_a_unit(site: Site) -> None:
    approver = site.browser("approver")
    ids = sample_ids(site)
    before = site.rows()
    url = f"/unit/edit/?id={ids['unit']}"
    response = approver.post(
        url, {"code": "stc", "name": "Sở Tài chính (sửa trái phép)", "level": 2}
    )
    assert response.status_code == 403
    assert (
        approver.post("/unit/new/", {"code": "moi", "name": "Mới", "level": 2}).status_code == 403
    )
    assert approver.delete("unit", ids["unit"]).status_code == 403
    assert site.rows() == before


def test_deleting_a_unit_in_use_names_where_it_is_used(site: Site) -> None:
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "ttpvhcc"))
        step_name, code = s.execute(
            sa.select(Step.name, Procedure.code)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .join(FlowVersion.case)
            .join(Procedure)
            .where(Step.unit_id == unit)
            .order_by(Procedure.code, Step.position)
            .limit(1)
        ).one()
    before = site.rows()
    response = site.browser("admin").delete("unit", unit)
    shown = messages(response)
    assert IN_USE in shown
    assert str(escape(step_name)) in shown and code in shown
    assert site.rows() == before


def test_deleting_what_versions_use_is_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    with site.session() as s:
        used_officer = one_id(s, sa.select(Officer.id).where(Officer.full_name == "Nguyễn Văn Nam"))
        level = one_id(s, sa.select(Level.id).where(Level.key == "province"))
    before = site.rows()
    for endpoint, row in (
        ("procedure", ids["procedure"]),  # its versions would go with it
        ("officer", used_officer),
        ("level", level),
        ("field", ids["field"]),
    ):
        assert IN_USE in messages(admin.delete(endpoint, row)), endpoint
    assert site.rows() == before


def test_only_a_draft_step_can_be_changed(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        approved = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.APPROVED)
            .order_by(Step.id)
        ).first()
        draft = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(Step.id)
        ).first()
        assert approved is not None and draft is not None
    before = site.rows()
    for changes in (
        {"name": "Tiếp nhận hồ sơ (sửa)"},
        {"duration_value": "9"},
        {"version": draft.version_id},  # moved out of the approved version
    ):
        response = admin.submit(f"/step/edit/?id={approved.id}", changes)
        assert response.status_code == 200
        assert NOT_DRAFT in messages(response), changes
    assert NOT_DRAFT in messages(admin.delete("step", approved.id))
    response = admin.submit(f"/step/edit/?id={draft.id}", {"duration_value": "-1"})
    assert "100000" in field_errors(response)["duration_value"]
    assert site.rows() == before

    response = admin.submit(
        f"/step/edit/?id={draft.id}", {"name": "Tiếp nhận hồ sơ (dự thảo)", "duration_value": "1.5"}
    )
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        step = s.get(Step, draft.id)
        assert (step.name, step.duration_value) == ("Tiếp nhận hồ sơ (dự thảo)", 1.5)
        assert (step.kind, step.duration_unit, step.split, step.join) == (
            draft.kind,
            draft.duration_unit,
            draft.split,
            draft.join,
        )
    update = journal(site, "step", f"{draft.version_id}:{draft.key}")[-1]
    assert update.action == "update"
    assert update.before["name"] == draft.name
    assert update.after["name"] == "Tiếp nhận hồ sơ (dự thảo)"


def test_saving_a_form_unchanged_changes_nothing(site: Site) -> None:
    """Every field shows what is stored, so saving the form as shown stores the same."""
    with site.session() as s:
        draft_steps = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(Step.id)
        ).all()
        variety = {(st.kind, st.duration_unit, st.split, st.join): st.id for st in draft_steps}
        draft_transition = one_id(
            s,
            sa.select(Transition.id)
            .join(FlowVersion, Transition.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT),
        )
        rows = {
            "procedure": s.scalars(sa.select(Procedure.id)).all(),
            "step": list(variety.values()),
            "transition": [draft_transition],
            "unit": s.scalars(sa.select(Unit.id).where(Unit.parent_id.is_not(None))).all()[:3],
            "officer": s.scalars(sa.select(Officer.id)).all()[:3],
            "field": s.scalars(sa.select(Field.id)).all()[:2],
            "level": s.scalars(sa.select(Level.id)).all()[:2],
            "calendar": s.scalars(sa.select(DayOverride.id)).all(),
            "user": s.scalars(sa.select(User.id)).all(),
        }
    assert len(variety) > 1
    admin, root = site.browser("admin"), site.browser("superuser")
    before = site.rows()
    for endpoint, ids in rows.items():
        browser = root if endpoint == "user" else admin
        for row in ids:
            response = browser.submit(f"/{endpoint}/edit/?id={row}")
            assert response.status_code == 302, (endpoint, row, messages(response))
            assert site.rows() == before, (endpoint, row)


def test_missing_rows_are_not_found(site: Site) -> None:
    assert site.browser("superuser").get("/user/password/999999").status_code == 404
    assert site.browser("admin").get("/report/999999").status_code == 404


def test_removing_a_dossier_component_a_step_uses_is_refused(site: Site) -> None:
    with site.session() as s:
        used = s.scalars(
            sa.select(DossierComponent)
            .join(StepDocument, StepDocument.component_id == DossierComponent.id)
            .order_by(DossierComponent.id)
        ).first()
        assert used is not None
        code = s.get(Procedure, used.procedure_id).code
    admin = site.browser("admin")
    url = f"/procedure/edit/?id={used.procedure_id}"
    form = admin.form(url)
    index = next(
        key.split("-")[1]
        for key, value in form.items(multi=True)
        if key.startswith("dossier_components-") and key.endswith("-id") and value == str(used.id)
    )
    before = site.rows()
    response = admin.submit(url, {f"del-dossier_components-{index}": "y"})
    assert response.status_code == 200
    shown = messages(response)
    assert IN_USE in shown and code in shown
    assert site.rows() == before


def test_legal_basis_and_fee_rows_are_checked_in_vietnamese(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    url = f"/procedure/edit/?id={ids['procedure']}"
    assert not [name for name in admin.form(url) if name.startswith(("legal_basis", "fees"))]
    before = site.rows()
    for row, expected in (
        (
            {"legal_basis-0-date": "31/02/2025", "legal_basis-0-number": "Nghị định 1/2025/NĐ-CP"},
            ("legal_basis-0-date", "Ngày ban hành ghi theo dạng ngày/tháng/năm"),
        ),
        (
            {"legal_basis-0-date": "09/6/2025"},
            ("legal_basis-0-title", "Cần có số hiệu hoặc tên của văn bản"),
        ),
        (
            {"fees-0-name": "Lệ phí", "fees-0-amount": "mười nghìn", "fees-0-currency": "VND"},
            ("fees-0-amount", "Mức thu là một số từ 0 trở lên"),
        ),
        (
            {"fees-0-name": "Lệ phí", "fees-0-amount": "-5", "fees-0-currency": "VND"},
            ("fees-0-amount", "Mức thu là một số từ 0 trở lên"),
        ),
        (
            {"fees-0-name": "", "fees-0-amount": "0", "fees-0-currency": "VND"},
            ("fees-0-name", "Khoản phí cần có tên"),
        ),
    ):
        response = admin.submit(url, row)
        assert response.status_code == 200, row
        field, message = expected
        assert message in field_errors(response).get(field, ""), (row, field_errors(response))
        assert "Invalid JSON" not in response.get_data(as_text=True)
    assert site.rows() == before
    with site.session() as s:
        level = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    form = admin.form("/procedure/new/")
    assert not [name for name in form if name.startswith(("legal_basis", "fees"))]
    response = admin.submit(
        "/procedure/new/", {"code": "2.000001", "name": "Thủ tục chưa có phí", "level": level}
    )
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        procedure = s.scalars(sa.select(Procedure).where(Procedure.code == "2.000001")).one()
        assert (procedure.legal_basis, procedure.fees) == ([], [])


def test_unit_tree_cannot_loop(session) -> None:
    from workflow_model import editing
    from workflow_model.models import Level, Unit

    level = session.query(Level).filter_by(key="province").one()
    top = Unit(code="so-x", name="Sở X", level=level)
    child = Unit(code="so-x-p", name="Phòng Y", level=level, parent=top)
    editing.save(session, None, top, None)
    editing.save(session, None, child, None)
    before = editing.entity_state(top)
    top.parent = child
    with pytest.raises(editing.ChangeRefused) as refused:
        editing.save(session, None, top, before)
    assert refused.value.code == "parent-cycle"
    session.expire_all()
    assert session.get(Unit, top.id).parent_id is None


def test_check_constraint_is_not_called_a_duplicate(session) -> None:
    from workflow_model import editing
    from workflow_model.models import DossierComponent, Procedure

    procedure = session.query(Procedure).first()
    if procedure is None:
        from admin.demo import load_demo

        load_demo(session)
        procedure = session.query(Procedure).first()
    component = DossierComponent(procedure=procedure, key="zz", name="Tờ khai", copies=-1)
    with pytest.raises(editing.ChangeRefused) as refused:
        editing.save(session, None, component, None)
    assert refused.value.code == "invalid-value"
