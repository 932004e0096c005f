"""The wheel carries what the app needs at run time: static files, demo data, migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_static_files_data_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("sodo-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"admin/static/sodo.css", "admin/static/favicon.svg"} <= names
    assert "workflow_model/schema/flow-1.schema.json" in names
    assert {"delivery/worker.py", "exporters/bpmn/writer.py"} <= names
    assert "admin/translations/vi/LC_MESSAGES/messages.po" in names
    assert any(n.startswith("workflow_model/migrations/versions/0001") for n in names)
    flows = {n for n in names if n.startswith("workflow_model/demo_data/flows/")}
    assert len(flows) == len(list((ROOT / "workflow_model/demo_data/flows").glob("*.json")))
    assert not any(n.startswith(("tests/", "static/")) for n in names)
