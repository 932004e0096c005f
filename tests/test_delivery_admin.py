"""The delivery pages over HTTP: targets, deliveries, retry, push again, and who may.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL, from the
demo catalogue (the known state of `test_admin_views`). The target's secret is looked
for in every page, export and journal entry, and must never be there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from support.admin_site import Browser, Site, messages
from support.html import page_forms
from werkzeug.test import TestResponse

from workflow_model.models import (
    AuditEvent,
    Delivery,
    DeliveryOrigin,
    DeliveryStatus,
    DeliveryTarget,
    FlowVersion,
    Procedure,
    ProcedureCase,
    TargetKind,
    VersionStatus,
)
from workflow_model.target_secrets import SecretBox

SECRET = "khóa-bí-mật-5b1e0c9a"  # a test secret, looked for in every page
NEW_SECRET = "khóa-mới-77d2"
IN_FORCE = "1.009644.H05"  # the demo: v1 in force
BOX = SecretBox.from_keys("t")  # the `site` app's SECRET_KEY


def target_id(site: Site, name: str) -> int:
    with site.session() as s:
        found = s.scalar(sa.select(DeliveryTarget.id).where(DeliveryTarget.name == name))
        assert found is not None, name
        return found


def target(site: Site, name: str) -> DeliveryTarget:
    with site.session() as s:
        return s.get(DeliveryTarget, target_id(site, name))


def add_target(site: Site, name: str, **values: Any) -> int:
    with site.session() as s:
        row = DeliveryTarget(
            name=name,
            kind=values.get("kind", TargetKind.HTTP),
            format=values.get("format", "json"),
            address=values.get("address", "https://motcua.example.vn/hook"),
            enabled=values.get("enabled", True),
        )
        if values.get("secret"):
            row.set_secret(values["secret"], BOX)
        s.add(row)
        s.commit()
        return row.id


def approved_version(site: Site, code: str = IN_FORCE) -> FlowVersion:
    with site.session() as s:
        found = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code, FlowVersion.status == VersionStatus.APPROVED)
        )
        assert found is not None, code
        return found


def deliveries(site: Site) -> list[Delivery]:
    with site.session() as s:
        return list(s.scalars(sa.select(Delivery).order_by(Delivery.id)))


def add_delivery(site: Site, version: FlowVersion, target: int, status: DeliveryStatus) -> int:
    with site.session() as s:
        row = Delivery(
            version_id=version.id,
            target_id=target,
            format="json",
            idempotency_key=f"{version.snapshot_sha256}:json",
            status=status,
            attempts=3 if status is DeliveryStatus.FAILED else 0,
            last_status_code=400 if status is DeliveryStatus.FAILED else None,
            response_body="mã thủ tục không hợp lệ" if status is DeliveryStatus.FAILED else "",
        )
        s.add(row)
        s.commit()
        return row.id


def forms_posting_to(html: str, action: str) -> list[dict[str, Any]]:
    return [form for form in page_forms(html) if form["action"] == action]


def post_form(browser: Browser, form: dict[str, Any]) -> TestResponse:
    """Submit a form as the page served it, and follow to the next page."""
    response = browser.client.post(form["action"], data=dict(form["fields"]), follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response


def filter_arg(site: Site, endpoint: str, label: str, operation: str) -> str:
    """The URL argument of a list filter, e.g. ``flt0_3``, found by its name and operation."""
    view = next(v for v in site.app.extensions["admin"][0]._views if v.endpoint == endpoint)
    for index, flt in enumerate(view._filters):
        if str(flt.name) == label and str(flt.operation()) == operation:
            return f"flt0_{index}"
    raise AssertionError(
        (label, operation, [(str(f.name), str(f.operation())) for f in view._filters])
    )


def secret_free(*texts: str) -> bool:
    return all(SECRET not in text and NEW_SECRET not in text for text in texts)


# --- targets --------------------------------------------------------------------------


def test_the_exporter_configures_a_target_whose_secret_is_write_only(site: Site) -> None:
    browser = site.browser("exporter")
    response = browser.submit(
        "/deliverytarget/new/",
        {
            "name": "Một cửa tỉnh",
            "kind": "http",
            "format": "json",
            "address": "https://motcua.example.vn/hook",
            "enabled": "y",
            "new_secret": SECRET,
        },
        follow=True,
    )
    assert response.status_code == 200, messages(response)
    stored = target(site, "Một cửa tỉnh")
    assert stored.read_secret(BOX) == SECRET and stored.secret_updated_at is not None
    assert stored.kind is TargetKind.HTTP and stored.enabled
    first_change = stored.secret_updated_at

    listing = browser.text("/deliverytarget/")
    assert 'class="sodo-secret-state" data-set="1"' in listing
    edit_url = f"/deliverytarget/edit/?id={stored.id}"
    edit = browser.text(edit_url)
    assert 'data-set="1"' in edit
    details = browser.text(f"/deliverytarget/details/?id={stored.id}")
    export = browser.get("/deliverytarget/export/csv/")
    csv = export.get_data(as_text=True)
    export.close()
    assert "Một cửa tỉnh" in csv
    assert secret_free(listing, edit, details, csv, response.get_data(as_text=True))

    # Saved with the secret field blank: the secret stays.
    assert browser.submit(edit_url, {"enabled": ""}).status_code == 302
    kept = target(site, "Một cửa tỉnh")
    assert kept.read_secret(BOX) == SECRET and not kept.enabled
    assert kept.secret_updated_at == first_change
    # A new one replaces it; the journal says when, never what.
    assert browser.submit(edit_url, {"new_secret": NEW_SECRET}).status_code == 302
    assert target(site, "Một cửa tỉnh").read_secret(BOX) == NEW_SECRET
    # Removed on request.
    assert browser.submit(edit_url, {"clear_secret": "y"}).status_code == 302
    assert target(site, "Một cửa tỉnh").secret == ""
    assert 'data-set="0"' in browser.text(edit_url)

    with site.session() as s:
        events = list(
            s.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.entity_type == "delivery_target")
                .order_by(AuditEvent.id)
            )
        )
    assert [e.action for e in events] == ["create", "update", "update", "update"]
    assert all("secret" not in (e.after or {}) for e in events)
    assert events[2].before["secret_updated_at"] != events[2].after["secret_updated_at"]
    journal = " ".join(browser.text(f"/audit/details/?id={e.id}") for e in events) + str(
        [(e.before, e.after) for e in events]
    )
    assert secret_free(journal)


def test_target_settings_are_checked(site: Site, tmp_path: Path) -> None:
    site.app.config["SODO_DELIVERY_ROOT"] = str(tmp_path)
    browser = site.browser("exporter")
    before = site.rows()
    cases = [
        {"kind": "http", "address": "ftp://motcua.example.vn"},
        {"kind": "http", "address": "javascript:alert(1)"},
        {"kind": "camunda7", "address": "camunda:8080"},
        {"kind": "directory", "address": "exports/motcua"},
        {"kind": "http", "address": "https://x.example", "format": "pdf"},
        {"kind": "sftp", "address": "https://x.example"},
    ]
    for values in cases:
        response = browser.submit(
            "/deliverytarget/new/", {"name": "Sai", "format": "json", **values}
        )
        assert response.status_code == 200, values
        assert 'class="invalid-feedback"' in response.get_data(as_text=True), values
    assert site.rows() == before
    # A Camunda 7 target receives BPMN whatever the form said.
    response = browser.submit(
        "/deliverytarget/new/",
        {
            "name": "Camunda",
            "kind": "camunda7",
            "format": "json",
            "address": "http://camunda:8080/engine-rest",
        },
    )
    assert response.status_code == 302
    assert target(site, "Camunda").format == "bpmn"
    response = browser.submit(
        "/deliverytarget/new/",
        {"name": "Thư mục", "kind": "directory", "format": "xlsx", "address": f"{tmp_path}/motcua"},
    )
    assert response.status_code == 302
    assert target(site, "Thư mục").kind is TargetKind.DIRECTORY


# --- deliveries ------------------------------------------------------------------------


def test_the_exporter_lists_filters_and_retries_deliveries(site: Site) -> None:
    version = approved_version(site)
    other = approved_version(site, "1.013871")
    one = add_target(site, "Một cửa", secret=SECRET)
    two = add_target(site, "Lưu trữ", kind=TargetKind.DIRECTORY, address="/srv/luutru")
    failed = add_delivery(site, version, one, DeliveryStatus.FAILED)
    delivered = add_delivery(site, other, two, DeliveryStatus.DELIVERED)
    pending = add_delivery(site, version, two, DeliveryStatus.PENDING)
    browser = site.browser("exporter")
    page = browser.text("/delivery/")
    assert secret_free(page)
    for status in ("failed", "delivered", "pending"):
        assert f"sodo-delivery-{status}" in page, status
    assert page.count('class="d-inline sodo-retry"') == 1

    def listed(query: str) -> set[str]:
        html = browser.text(f"/delivery/?{query}")
        return set(re.findall(r"sodo-delivery-(\w+)", html))

    status = filter_arg(site, "delivery", "Status", "equals")
    assert listed(f"{status}=failed") == {"failed"}
    assert listed(f"{status}=pending") == {"pending"}
    by_target = filter_arg(site, "delivery", "Target", "equals")
    assert listed(f"{by_target}=Lưu trữ") == {"delivered", "pending"}
    by_procedure = filter_arg(site, "delivery", "Procedure", "contains")
    assert listed(f"{by_procedure}=1.013871") == {"delivered"}

    details = browser.text(f"/delivery/details/?id={failed}")
    assert "mã thủ tục không hợp lệ" in details and 'id="attempts"' in details
    assert secret_free(details)
    export = browser.get("/delivery/export/csv/")
    csv = export.get_data(as_text=True)
    export.close()
    assert "failed" in csv and secret_free(csv)

    (form,) = forms_posting_to(page, f"/delivery/retry/{failed}")
    response = post_form(browser, form)
    assert "sodo-delivery-failed" not in response.get_data(as_text=True)
    rows = {d.id: d for d in deliveries(site)}
    assert rows[failed].status is DeliveryStatus.PENDING and rows[failed].attempts == 0
    with site.session() as s:
        actions = list(
            s.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "delivery"))
        )
    assert actions == ["retry-delivery"]
    # Only failed deliveries are retried; the bulk action says so.
    response = browser.post(
        "/delivery/action/", {"action": "retry", "rowid": [delivered, pending]}, follow=True
    )
    assert response.status_code == 200
    assert {d.id: d.status for d in deliveries(site)}[delivered] is DeliveryStatus.DELIVERED


def test_push_again_from_the_versions_page(site: Site) -> None:
    version = approved_version(site)
    add_target(site, "Một cửa")
    add_target(site, "Tắt", enabled=False)
    with site.session() as s:
        procedure = s.get(FlowVersion, version.id).case.procedure_id
    url = f"/versions/procedure/{procedure}"
    exporter = site.browser("exporter")
    page = exporter.text(url)
    (form,) = forms_posting_to(page, f"/delivery/push/{version.id}")
    response = post_form(exporter, form)
    assert "sodo-push" in response.get_data(as_text=True)  # back on the versions page
    rows = deliveries(site)
    assert [(r.version_id, r.origin, r.status) for r in rows] == [
        (version.id, DeliveryOrigin.MANUAL, DeliveryStatus.PENDING)
    ]
    # Admins and approvers see no such button, and may not post it.
    for role in ("admin", "approver"):
        browser = site.browser(role)
        assert "/delivery/push/" not in browser.text(url), role
        assert browser.post(f"/delivery/push/{version.id}", {}).status_code == 403
    # Without the form's CSRF token, nothing is queued.
    refused = exporter.client.post(f"/delivery/push/{version.id}", data={})
    assert refused.status_code == 400 and len(deliveries(site)) == 1
    # A version that is not approved is not pushed.
    with site.session() as s:
        draft = s.scalar(sa.select(FlowVersion.id).where(FlowVersion.status == VersionStatus.DRAFT))
    response = exporter.post(f"/delivery/push/{draft}", {}, follow=True)
    assert response.status_code == 200 and len(deliveries(site)) == 1


@pytest.mark.parametrize("role", ["admin", "approver"])
def test_a_user_without_the_role_gets_403(site: Site, role: str) -> None:
    version = approved_version(site)
    one = add_target(site, "Một cửa", secret=SECRET)
    failed = add_delivery(site, version, one, DeliveryStatus.FAILED)
    before = site.rows()
    browser = site.browser(role)
    for url in (
        "/deliverytarget/",
        "/deliverytarget/new/",
        f"/deliverytarget/edit/?id={one}",
        f"/deliverytarget/details/?id={one}",
        "/deliverytarget/export/csv/",
        "/delivery/",
        f"/delivery/details/?id={failed}",
        "/delivery/export/csv/",
    ):
        response = browser.get(url)
        assert response.status_code == 403, url
        assert secret_free(response.get_data(as_text=True))
    for url, data in (
        ("/deliverytarget/new/", {"name": "x", "kind": "http", "address": "https://x.vn"}),
        (f"/deliverytarget/edit/?id={one}", {"name": "x"}),
        ("/deliverytarget/delete/", {"id": one}),
        (f"/delivery/retry/{failed}", {}),
        (f"/delivery/push/{version.id}", {}),
        ("/delivery/action/", {"action": "retry", "rowid": failed}),
    ):
        assert browser.post(url, data).status_code == 403, url
    assert site.rows() == before


def test_a_superuser_may_look_but_not_act(site: Site) -> None:
    version = approved_version(site)
    one = add_target(site, "Một cửa", secret=SECRET)
    failed = add_delivery(site, version, one, DeliveryStatus.FAILED)
    browser = site.browser("superuser")
    listing = browser.text("/delivery/")
    assert "sodo-delivery-failed" in listing and "sodo-retry" not in listing
    targets = browser.text("/deliverytarget/")
    assert "Một cửa" in targets and secret_free(targets, listing)
    assert browser.get("/deliverytarget/new/").status_code == 403
    assert browser.post(f"/delivery/retry/{failed}", {}).status_code == 403
    assert browser.post(f"/delivery/push/{version.id}", {}).status_code == 403


def test_a_target_with_deliveries_is_disabled_rather_than_deleted(site: Site) -> None:
    version = approved_version(site)
    one = add_target(site, "Một cửa")
    add_delivery(site, version, one, DeliveryStatus.DELIVERED)
    browser = site.browser("exporter")
    response = browser.post("/deliverytarget/delete/", {"id": one, "url": "/deliverytarget/"})
    assert response.status_code == 302
    assert target(site, "Một cửa").id == one  # still there, with its history
    empty = add_target(site, "Thử")
    browser.post("/deliverytarget/delete/", {"id": empty, "url": "/deliverytarget/"})
    with site.session() as s:
        assert s.get(DeliveryTarget, empty) is None
