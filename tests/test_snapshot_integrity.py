"""Frozen snapshots are checked where they are served: a corrupt one is refused alone.

Each test tampers with a snapshot row the way someone with database access would, with
raw SQL (the immutability listener refuses it through the ORM), then checks that the
version is refused and logged, that the other versions are still served, and that
nothing changed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR, Database, LiveServer
from sqlalchemy.orm import Session, sessionmaker
from support.cli import run_sodo
from support.receiver import add_target
from support.signoff import approved_flow, author_and_approver
from support.web import logged_in

from admin.reporting import version_checks
from delivery.transports import TargetLimits
from delivery.worker import Worker
from workflow_model import delivery as outbox
from workflow_model.db import make_engine, make_session_factory
from workflow_model.lifecycle import (
    CorruptSnapshot,
    verify_snapshots,
    version_document,
)
from workflow_model.models import (
    Delivery,
    DeliveryStatus,
    FlowVersion,
    Procedure,
    ProcedureCase,
    TargetKind,
    VersionCheck,
)
from workflow_model.refusals import Refusal

CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"
VINHLONG = FLOWS_DIR / "vinhlong-3_000527_H61-1.json"
HATINH = FLOWS_DIR / "hatinh-1_013871-1.json"


def approved_versions(session: Session, *paths: Path) -> list[FlowVersion]:
    people = author_and_approver(session)
    versions = [approved_flow(session, path, *people) for path in paths]
    return versions


def tamper(engine: sa.Engine, version_id: int, snapshot: str, sha256: str | None = None) -> None:
    """Rewrite a stored snapshot (and, when given, its SHA-256) behind the ORM's back."""
    with engine.begin() as connection:
        if sha256 is None:
            connection.execute(
                sa.text("UPDATE flow_versions SET snapshot = :s WHERE id = :i"),
                {"s": snapshot, "i": version_id},
            )
        else:
            connection.execute(
                sa.text(
                    "UPDATE flow_versions SET snapshot = :s, snapshot_sha256 = :h WHERE id = :i"
                ),
                {"s": snapshot, "h": sha256, "i": version_id},
            )


def stored(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.text(
                    "SELECT id, status, snapshot, snapshot_sha256 FROM flow_versions ORDER BY id"
                )
            )
        )


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_changed_snapshot_is_refused_and_logged_for_that_version_alone(
    session: Session, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caobang, vinhlong = approved_versions(session, CAOBANG, VINHLONG)
    changed = (caobang.snapshot or "").replace("Cao Bằng", "Kao Bằng")
    tamper(database.engine, caobang.id, changed)
    before = stored(database.engine)
    session.expire_all()
    caplog.set_level(logging.ERROR, logger="sodo.integrity")
    with pytest.raises(CorruptSnapshot) as caught:
        version_document(session, caobang)
    assert caught.value.code is Refusal.CORRUPT_SNAPSHOT
    assert caught.value.params["number"] == 1
    assert "differs from the stored one" in caught.value.params["problem"]
    assert f"version {caobang.id} (number 1): snapshot refused" in caplog.text
    assert version_document(session, vinhlong).procedure.code == "3.000527.H61"
    assert stored(database.engine) == before


def test_a_snapshot_that_is_not_json_is_reported_as_corrupt_not_a_crash(
    session: Session, database: Database
) -> None:
    caobang, vinhlong = approved_versions(session, CAOBANG, VINHLONG)
    broken = '{"format": "sodo.flow/1", '
    tamper(database.engine, caobang.id, broken, sha(broken))
    session.expire_all()
    with pytest.raises(CorruptSnapshot) as caught:
        version_document(session, caobang)
    assert caught.value.params["problem"] == "not valid JSON"
    # The version list's checks: the corrupt one is marked, never cached; the other checked.
    checks = version_checks(session, [caobang.id, vinhlong.id])
    assert isinstance(checks[caobang.id], CorruptSnapshot)
    assert isinstance(checks[vinhlong.id], VersionCheck)
    cached = session.execute(sa.select(VersionCheck.version_id)).scalars()
    assert set(cached) == {vinhlong.id}
    problems = {version.id: problem for version, problem in verify_snapshots(session)}
    assert problems == {caobang.id: "not valid JSON"}


def test_verify_compares_with_the_hash_the_approval_journaled(
    session: Session, database: Database, tmp_path: Path
) -> None:
    (caobang,) = approved_versions(session, CAOBANG)
    # A rewrite with a matching hash: only the approval's journal entry tells.
    rewritten = (caobang.snapshot or "").replace("Cao Bằng", "Kao Bằng")
    assert rewritten != caobang.snapshot
    journaled = caobang.snapshot_sha256
    tamper(database.engine, caobang.id, rewritten, sha(rewritten))
    session.expire_all()
    ((version, problem),) = verify_snapshots(session)
    assert version.id == caobang.id
    assert problem == f"SHA-256 differs from the one journaled at approval ({journaled})"
    env = {"DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path), "PATH": "/usr/bin"}
    result = run_sodo("versions", "verify", env=env)
    assert result.returncode == 1
    assert f"1.004944 v1 (id {caobang.id}): SHA-256 differs from the one journaled" in (
        result.stderr
    )


def test_export_all_writes_the_rest_and_names_the_corrupt_version(
    session: Session, database: Database, tmp_path: Path
) -> None:
    caobang, _vinhlong, _hatinh = approved_versions(session, CAOBANG, VINHLONG, HATINH)
    tamper(database.engine, caobang.id, "not json at all")
    before = stored(database.engine)
    env = {"DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path), "PATH": "/usr/bin"}
    out = tmp_path / "out"
    result = run_sodo("export", "--all", "--format", "json", "-o", str(out), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(out)) == ["1.013871-v1.json", "3.000527.H61-v1.json"]
    assert "Wrote 2 files (3 versions in force)" in result.stderr
    assert "Refused: 1.004944: the snapshot of version 1 is corrupt" in result.stderr
    one = run_sodo("export", "1.004944", "--format", "json", env=env)
    assert one.returncode == 1 and "Error: the snapshot of version 1 is corrupt" in one.stderr
    assert stored(database.engine) == before


def test_the_worker_refuses_a_corrupt_version_and_delivers_the_others(
    session: Session, database: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    add_target(session, "thư mục", str(folder), TargetKind.DIRECTORY)
    caobang, vinhlong = approved_versions(session, CAOBANG, VINHLONG)
    tamper(database.engine, caobang.id, (caobang.snapshot or "").replace("Cao", "Kao"))
    worker = Worker(
        sessionmaker(bind=session.get_bind(), expire_on_commit=False),
        outbox.RetryPolicy(max_attempts=5, backoff_base=0.0),
        timeout=2.0,
        limits=TargetLimits.parse(directory_root=str(tmp_path)),
    )
    assert worker.deliver_due() == Counter({"delivered": 1, "failed": 1})
    assert os.listdir(folder) == ["3.000527.H61-v1.json"]
    session.expire_all()
    rows = {row.version_id: row for row in session.execute(sa.select(Delivery)).scalars()}
    assert rows[vinhlong.id].status is DeliveryStatus.DELIVERED
    assert rows[caobang.id].status is DeliveryStatus.FAILED
    assert "snapshot of version 1 is corrupt" in (rows[caobang.id].last_error or "")


def _corrupt_first_in_force(server: LiveServer) -> tuple[int, int, str]:
    """Make the snapshot of one demo version in force invalid JSON; its ids and code."""
    engine = make_engine(server.database_url)
    try:
        with make_session_factory(engine)() as session:
            version, procedure_id, code = session.execute(
                sa.select(FlowVersion, Procedure.id, Procedure.code)
                .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(FlowVersion.snapshot.is_not(None))
                .order_by(Procedure.code)
                .limit(1)
            ).one()
            version_id = version.id
        tamper(engine, version_id, "{not json")
    finally:
        engine.dispose()
    return version_id, procedure_id, code


def test_the_pages_mark_a_corrupt_snapshot_and_serve_the_rest(live_server: LiveServer) -> None:
    version_id, procedure_id, code = _corrupt_first_in_force(live_server)
    exporter = logged_in(live_server, "exporter")
    page = exporter.get(f"{live_server.url}/export/")
    assert page.status_code == 200 and 'id="export-corrupt"' in page.text and code in page.text
    archive = exporter.get(f"{live_server.url}/export/catalogue/json")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        names = zipped.namelist()
    assert len(names) == 10 and not any(name.startswith(code) for name in names)
    one = exporter.get(f"{live_server.url}/export/version/{version_id}/json")
    assert one.status_code == 200 and "versions/procedure" in one.url and "bị hỏng" in one.text
    admin = logged_in(live_server, "admin")
    versions = admin.get(f"{live_server.url}/versions/procedure/{procedure_id}")
    assert versions.status_code == 200 and "sodo-corrupt-snapshot" in versions.text
    listed = admin.get(f"{live_server.url}/flowversion/")
    assert listed.status_code == 200 and "sodo-corrupt-snapshot" in listed.text
    report = admin.get(f"{live_server.url}/report/{version_id}")
    assert report.status_code == 409 and "bị hỏng" in report.text
