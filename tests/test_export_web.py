"""The export page and downloads over real HTTP: who may download what, and what comes out."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.web import logged_in

from workflow_model.db import make_engine
from workflow_model.document import load_document
from workflow_model.models import FlowVersion, VersionStatus


def _version_id(server: LiveServer, status: VersionStatus) -> int:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.select(sa.func.min(FlowVersion.id)).where(FlowVersion.status == status)
            ).scalar_one()
    finally:
        engine.dispose()


def test_the_export_page_lists_formats_and_what_it_skips(live_server: LiveServer) -> None:
    browser = logged_in(live_server, "exporter")
    page = browser.get(f"{live_server.url}/export/")
    assert page.status_code == 200
    for name in ("json", "bpmn", "xlsx", "opencps"):
        assert f'data-format="{name}"' in page.text
    assert "2.002760" in page.text  # the demo's draft has no version in force


@pytest.mark.parametrize("format_name", ["json", "bpmn", "xlsx", "opencps"])
def test_the_whole_catalogue_downloads_in_each_format(
    live_server: LiveServer, format_name: str
) -> None:
    browser = logged_in(live_server, "exporter")
    response = browser.get(f"{live_server.url}/export/catalogue/{format_name}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.content
    if format_name == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert "Danh mục" in workbook.sheetnames
        assert len(workbook.sheetnames) == 12  # the list and one sheet per version in force
    else:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            assert names
            if format_name == "json":
                assert len(names) == 11
                codes = {load_document(archive.read(n)).procedure.code for n in names}
                assert "2.002760" not in codes


def test_one_version_downloads_and_a_draft_only_as_a_marked_preview(
    live_server: LiveServer,
) -> None:
    browser = logged_in(live_server, "exporter")
    approved = _version_id(live_server, VersionStatus.APPROVED)
    response = browser.get(f"{live_server.url}/export/version/{approved}/json")
    assert response.status_code == 200
    assert json.loads(response.content)["version"]["status"] == "approved"
    draft = _version_id(live_server, VersionStatus.DRAFT)
    preview = browser.get(f"{live_server.url}/export/version/{draft}/json")
    assert preview.status_code == 200
    assert "-draft.json" in preview.headers["Content-Disposition"]
    assert json.loads(preview.content)["version"]["draft"] is True
    refused = browser.get(f"{live_server.url}/export/version/{draft}/xlsx")
    assert refused.status_code == 200  # back on the versions page, with the reason
    assert "versions/procedure" in refused.url
    assert "alert" in refused.text


def test_downloads_need_an_export_role(live_server: LiveServer) -> None:
    approver = logged_in(live_server, "approver")
    approved = _version_id(live_server, VersionStatus.APPROVED)
    assert approver.get(f"{live_server.url}/export/").status_code == 403
    assert approver.get(f"{live_server.url}/export/catalogue/json").status_code == 403
    assert approver.get(f"{live_server.url}/export/version/{approved}/json").status_code == 403
    admin = logged_in(live_server, "admin")
    assert admin.get(f"{live_server.url}/export/catalogue/json").status_code == 403
    assert admin.get(f"{live_server.url}/export/version/{approved}/json").status_code == 200
