"""`sodo export` on a real database file, run in this process, and the json format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from conftest import DemoTemplate, sample_paths
from support.cli import sodo_in_folder as run

from workflow_model.db import make_engine
from workflow_model.document import load_document
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, VersionStatus

SCHEMA = Path(__file__).resolve().parents[1] / "workflow_model/schema/flow-1.schema.json"


@pytest.fixture
def folder(tmp_path: Path, sqlite_demo_template: DemoTemplate) -> Path:
    """A folder whose cli.db holds the demo catalogue (what `sodo demo` loads), copied."""
    shutil.copy(sqlite_demo_template.path, tmp_path / "cli.db")
    return tmp_path


def _codes(folder: Path, status: VersionStatus) -> list[str]:
    engine = make_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(Procedure.code)
                    .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
                    .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
                    .where(FlowVersion.status == status)
                    .order_by(Procedure.code)
                ).scalars()
            )
    finally:
        engine.dispose()


def test_json_export_of_the_version_in_force_is_valid_and_says_its_version(folder: Path) -> None:
    code = _codes(folder, VersionStatus.APPROVED)[0]
    out = folder / "out.json"
    result = run(folder, "export", code, "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert data["procedure"]["code"] == code
    version = data["version"]
    assert version["status"] == "approved" and version["draft"] is False
    assert len(version["snapshot_sha256"]) == 64
    assert version["approved_by"] and version["approved_at"]
    # Read back, it is the same document (the version block is set aside).
    assert load_document(out.read_bytes()).procedure.code == code


def test_a_draft_is_refused_unless_previewed_in_json_or_bpmn(folder: Path) -> None:
    code = "2.002760"  # the demo's Sơn La flow stays a draft
    assert code in _codes(folder, VersionStatus.DRAFT)
    refused = run(folder, "export", code, "--format", "json", "--version", "1")
    assert refused.returncode == 1
    assert "only approved versions export" in refused.stderr
    preview = run(folder, "export", code, "--format", "json", "--version", "1", "--allow-draft")
    assert preview.returncode == 0, preview.stderr
    assert json.loads(preview.stdout)["version"]["draft"] is True
    xlsx = run(folder, "export", code, "--format", "xlsx", "--version", "1", "--allow-draft")
    assert xlsx.returncode == 1
    assert "only approved versions export" in xlsx.stderr


def test_an_unknown_format_lists_the_formats(folder: Path) -> None:
    result = run(folder, "export", "1.009642", "--format", "pdf")
    assert result.returncode == 2
    assert "'json', 'bpmn', 'xlsx', 'opencps'" in result.stderr


def test_unknown_procedure_and_case_are_clear_errors(folder: Path) -> None:
    result = run(folder, "export", "9.999999", "--format", "json")
    assert result.returncode == 1
    assert "no procedure '9.999999'" in result.stderr
    code = _codes(folder, VersionStatus.APPROVED)[0]
    result = run(folder, "export", code, "--case", "nope", "--format", "json")
    assert result.returncode == 1
    assert "has no case 'nope'" in result.stderr


def test_export_all_writes_each_version_in_force_and_says_what_it_skipped(folder: Path) -> None:
    out = folder / "all"
    result = run(folder, "export", "--all", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.json"))
    approved = set(_codes(folder, VersionStatus.APPROVED))
    assert {load_document(f.read_bytes()).procedure.code for f in files} == approved
    assert f"Wrote {len(files)} files" in result.stderr
    assert "Skipped 1 procedure cases without an approved version in force: 2.002760" in (
        result.stderr
    )


def test_a_file_converts_without_a_database(tmp_path: Path) -> None:
    source = sample_paths()[0]
    out = tmp_path / "flow.json"
    result = run(
        tmp_path, "export", str(source), "--format", "json", "-o", str(out), url="sqlite:///:nope"
    )
    assert result.returncode == 0, result.stderr
    assert load_document(out.read_bytes()) == load_document(source.read_bytes())
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "sodo.flow/1"}', encoding="utf-8")
    result = run(tmp_path, "export", str(broken), "--format", "json")
    assert result.returncode == 2
    assert "not a flow document" in result.stderr
