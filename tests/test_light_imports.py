"""What each entry point loads: pure code loads no web framework and no ORM.

Each check runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_FLOW = ROOT / "workflow_model" / "demo_data" / "flows" / "bacninh-1_009642_H05-1.json"


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def loaded_after(code: str, *args: str) -> set[str]:
    """The modules loaded after running `code`, which prints nothing itself."""
    result = run_python(f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))", *args)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_validators_and_exporters_load_neither_flask_nor_the_orm() -> None:
    loaded = loaded_after("import validators, exporters")
    assert {"validators", "exporters", "workflow_model.document"} <= loaded
    unwanted = {
        "flask",
        "sqlalchemy",
        "sqlalchemy.orm",
        "requests",
        "workflow_model.models",
        "workflow_model.check_cache",
        "workflow_model.immutability",
    }
    assert loaded & unwanted == set()


def test_validating_and_exporting_a_document_stays_light() -> None:
    loaded = loaded_after(
        "import sys\n"
        "from pathlib import Path\n"
        "from exporters import ExportItem, ExportOptions, VersionInfo, export\n"
        "from validators import validate\n"
        "from workflow_model.document import load_document\n"
        "doc = load_document(Path(sys.argv[1]).read_bytes())\n"
        "validate(doc)\n"
        "item = ExportItem(doc, VersionInfo(number=1, status='draft'))\n"
        "export('bpmn', [item], ExportOptions(allow_draft=True))\n",
        str(DEMO_FLOW),
    )
    assert loaded & {"flask", "sqlalchemy.orm", "workflow_model.models"} == set()


LISTENERS_ACT = """
import sys
import sqlalchemy as sa
from pathlib import Path
from workflow_model import migrate
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import load_document
from workflow_model.editing import ChangeRefused
from workflow_model.models import FlowVersion, Step, VersionCheck, VersionStatus

engine = make_engine(sys.argv[2])
migrate.upgrade(engine)
with make_session_factory(engine)() as session:
    document = load_document(Path(sys.argv[1]).read_bytes())
    version = create_draft_from_document(session, document, None)
    session.add(VersionCheck(version_id=version.id, errors=0, warnings=0))
    session.commit()
    step = session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars().first()
    step.name = step.name + " (renamed)"
    session.commit()
    print("check dropped:", session.get(VersionCheck, version.id) is None)
    version = session.get(FlowVersion, version.id)
    version.status = VersionStatus.APPROVED
    session.commit()
    step = session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars().first()
    step.duration_value = 99
    try:
        session.commit()
    except ChangeRefused as error:
        print("frozen:", error.code)
"""


def test_the_listeners_act_on_a_session_made_the_ordinary_way(tmp_path: Path) -> None:
    # Only the domain is imported: no admin, no test fixture has registered anything.
    result = run_python(LISTENERS_ACT, str(DEMO_FLOW), f"sqlite:///{tmp_path / 'sodo.db'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["check dropped: True", "frozen: not-draft"]


SODO = str(Path(sys.executable).with_name("sodo"))
WEB_MODULES = {"dash", "flask_admin", "admin.app", "admin.admin_views", "admin.editor"}


def run_sodo(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the `sodo` console script; return its result and the modules it imported."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONPROFILEIMPORTTIME": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SODO_INSTANCE": str(tmp_path / "instance"),
    }
    result = subprocess.run(
        [SODO, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return result, imported


def test_sodo_validate_loads_no_web_app(tmp_path: Path) -> None:
    result, imported = run_sodo(tmp_path, "validate", "--help")
    assert result.returncode == 0 and "Validate flow documents" in result.stdout
    assert "click" in imported and imported & WEB_MODULES == set()
    result, imported = run_sodo(tmp_path, "validate", str(DEMO_FLOW))
    assert result.returncode == 0, result.stderr
    assert "validators" in imported and imported & WEB_MODULES == set()


def test_sodo_export_of_a_file_loads_no_web_app(tmp_path: Path) -> None:
    target = tmp_path / "flow.bpmn"
    result, imported = run_sodo(
        tmp_path, "export", str(DEMO_FLOW), "--format", "bpmn", "-o", str(target)
    )
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"<?xml")
    assert "exporters.bpmn" in imported and imported & WEB_MODULES == set()


def test_sodo_help_still_lists_every_command(tmp_path: Path) -> None:
    result, imported = run_sodo(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    listed = {
        line.split()[0]
        for line in result.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ")
    }
    expected = {"db", "deliver", "demo", "diff", "dossiers", "export", "import", "routes", "run"}
    expected |= {"shell", "targets", "tokens", "users", "validate", "versions"}
    assert listed == expected
    assert "admin.app" in imported  # the list includes the app's commands
