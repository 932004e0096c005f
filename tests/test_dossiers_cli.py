"""`sodo dossiers ingest` and `rebuild` on a real database file, run in this process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from flow_samples import flow
from support.cli import CliResult, folder_env, run_sodo
from support.tracking import in_force, item, row_counts, vn

from workflow_model.db import make_engine, make_session_factory
from workflow_model.tracking import CheckKeys, lookup_dossier

SECRET = "a secret key for the dossier commands"


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path) -> Path:
    """A folder whose cli.db is migrated and has the sample flow in force since 2026."""
    shutil.copyfile(sqlite_template, tmp_path / "cli.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with make_session_factory(engine)() as session:
        in_force(session, flow(), vn(2026, 1, 1))
    engine.dispose()
    return tmp_path


def sodo(folder: Path, *args: str) -> CliResult:
    return run_sodo(*args, env={**folder_env(folder), "SECRET_KEY": SECRET})


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(json.dumps(line) if not isinstance(line, str) else line for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def counts(folder: Path) -> tuple[int, int, int]:
    engine = make_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with make_session_factory(engine)() as session:
            return row_counts(session)
    finally:
        engine.dispose()


def test_ingest_prints_the_counts_and_each_rejection(cli_db: Path) -> None:
    events = write_lines(
        cli_db / "events.jsonl",
        [
            item("e1", "received", vn(2026, 3, 9, 8), check="482913"),
            "",
            item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1"),
            item("e3", "paused", vn(2026, 3, 9, 11), dossier="H12-0404"),
        ],
    )
    first = sodo(cli_db, "dossiers", "ingest", str(events), "--source", "egov")
    assert first.returncode == 1, first.stderr
    assert "Accepted: 2, duplicate: 0, rejected: 1." in first.stdout
    assert "line 4: event e3 rejected: unknown-dossier" in first.stdout
    again = sodo(cli_db, "dossiers", "ingest", str(events), "--source", "egov")
    assert "Accepted: 0, duplicate: 2, rejected: 1." in again.stdout
    assert counts(cli_db) == (1, 2, 1)

    rebuilt = sodo(cli_db, "dossiers", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Rebuilt: 1 dossiers." in rebuilt.stdout
    engine = make_engine(f"sqlite:///{cli_db / 'cli.db'}")
    with make_session_factory(engine)() as session:
        keys = CheckKeys.from_secrets(SECRET)
        found = lookup_dossier(session, "H12-0001", "482913", keys, now=vn(2026, 3, 9, 12))
        assert found is not None and found.progress.runs[0].key == "s1"
    engine.dispose()


def test_a_line_that_is_not_json_sends_nothing(cli_db: Path) -> None:
    events = write_lines(
        cli_db / "events.jsonl", [item("e1", "received", vn(2026, 3, 9, 8)), "{not json"]
    )
    result = sodo(cli_db, "dossiers", "ingest", str(events), "--source", "egov")
    assert result.returncode == 1
    assert "line 2 is not JSON" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(cli_db) == (0, 0, 0)


def test_all_accepted_exits_0(cli_db: Path) -> None:
    events = write_lines(cli_db / "events.jsonl", [item("e1", "received", vn(2026, 3, 9, 8))])
    result = sodo(cli_db, "dossiers", "ingest", str(events), "--source", "egov")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Accepted: 1, duplicate: 0, rejected: 0." in result.stdout
