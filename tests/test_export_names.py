"""Export file names never clash: codes that read alike get a short hash, and counts are true."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from pathlib import Path

import sqlalchemy as sa
from conftest import FLOWS_DIR, Database, LiveServer
from sqlalchemy.orm import Session
from support.cli import run_sodo
from support.signoff import approved_flow
from support.web import logged_in

from exporters import FORMATS, ExportItem, VersionInfo, file_name, file_names
from workflow_model.accounts import create_user
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import FlowDocument, load_document
from workflow_model.models import Role, User

CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"
# Codes the loader accepts that still name the same file where case is folded.
ALIKE = ("COL_1", "col_1", "Col_1")


def coded(code: str) -> FlowDocument:
    doc = load_document(CAOBANG.read_bytes())
    return dataclasses.replace(doc, procedure=dataclasses.replace(doc.procedure, code=code))


def approve_alike(session: Session, author: User, approver: User) -> None:
    for code in ALIKE:
        approved_flow(session, coded(code), author, approver)


def test_names_that_clash_get_a_hash_and_the_others_stay_plain() -> None:
    items = [ExportItem(coded(code), VersionInfo(1, "approved")) for code in (*ALIKE, "COL/1")]
    plain = ExportItem(coded("1.004944"), VersionInfo(1, "approved"))
    fmt = FORMATS["json"]
    # The bug: every one of them is "COL_1-v1.json" (or differs only in case).
    assert {file_name(item, fmt).casefold() for item in items} == {"col_1-v1.json"}
    names = file_names([*items, plain], fmt)
    assert len({name.casefold() for name in names}) == 5
    assert names[-1] == "1.004944-v1.json"
    assert all(name.casefold().startswith("col_1-v1-") for name in names[:-1])
    # Deterministic: a version's name does not depend on the order.
    assert file_names([plain, *reversed(items)], fmt) == [names[-1], *reversed(names[:-1])]


def test_export_all_writes_one_file_per_version_and_counts_them(
    session: Session, database: Database, tmp_path: Path
) -> None:
    author = create_user(session, "tac.gia", "mật khẩu dài 1", [Role.ADMIN])
    approver = create_user(session, "phe.duyet", "mật khẩu dài 2", [Role.APPROVER])
    session.commit()
    approve_alike(session, author, approver)
    env = {"DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path), "PATH": "/usr/bin"}
    out = tmp_path / "out"
    result = run_sodo("export", "--all", "--format", "json", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    files = os.listdir(out)
    assert len(files) == 3
    assert "Wrote 3 files (3 versions in force)" in result.stderr
    codes = {load_document((out / name).read_bytes()).procedure.code for name in files}
    assert codes == set(ALIKE)


def test_the_catalogue_zip_has_no_duplicate_names(live_server: LiveServer) -> None:
    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            users = {
                user.username: user
                for user in session.execute(
                    sa.select(User).where(User.username.in_(["admin", "approver"]))
                ).scalars()
            }
            approve_alike(session, users["admin"], users["approver"])
    finally:
        engine.dispose()
    browser = logged_in(live_server, "exporter")
    response = browser.get(f"{live_server.url}/export/catalogue/bpmn")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert len(names) == len({name.casefold() for name in names}) == 11 + len(ALIKE)
