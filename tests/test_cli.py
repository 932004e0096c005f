"""The `sodo` command line on a real database file.

Most tests run the console script's entry point in this process (`support.cli`); the
first ones run the real `sodo` executable, so the installed script stays covered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa
from conftest import DemoTemplate
from support.cli import SODO, folder_env, run_sodo
from support.cli import sodo_in_folder as run

from workflow_model.db import make_engine
from workflow_model.migrate import current_revision


def run_process(
    tmp_path: Path, *args: str, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SODO, *args],
        env=folder_env(tmp_path, url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_console_script_answers_help(tmp_path: Path) -> None:
    result = run_process(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("db", "demo", "import", "validate", "export", "users", "versions"):
        assert command in result.stdout


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = run_process(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "Database at revision" in result.stdout
    assert current_revision(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) is not None
    # A development key is generated once, private to its owner.
    key = tmp_path / "instance" / "secret_key"
    assert key.exists() and (key.stat().st_mode & 0o077) == 0


def test_demo_prints_logins_once_and_is_idempotent(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    first = run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Demo flows loaded: 11" in first.stdout
    # The demo says why Sơn La's flow stays a draft: 40 working days against 30.
    assert (
        "Left as a draft, since it does not validate: 2.002760 (its longest path takes "
        "40 working days, against a legal time of 30 working days)."
    ) in first.stdout
    lines = [line.strip() for line in first.stdout.splitlines()]
    passwords = [line.split(": ", 1)[1] for line in lines if line.startswith("admin: ")]
    assert passwords and "(unchanged" not in passwords[0]
    # And its dossiers, through the ingest service, with one to try the lookup with.
    assert "Demo dossiers loaded through the ingest service: 2000." in first.stdout
    assert "Try the dossier lookup (/tra-cuu-ho-so) with code DEMO-" in first.stdout
    second = run(tmp_path, "demo")
    assert "Demo flows loaded: 0, already present: 12" in second.stdout
    assert "Demo dossiers already present: 2000; none added." in second.stdout
    assert passwords[0] not in second.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM users")).scalars().all()
    assert all(passwords[0] not in value for value in stored)


def test_demo_if_empty_does_nothing_on_a_filled_database(
    tmp_path: Path, sqlite_demo_template: DemoTemplate
) -> None:
    # What `sodo db upgrade` and `sodo demo` leave (both tested above), loaded once per run.
    shutil.copyfile(sqlite_demo_template.path, tmp_path / "cli.db")
    result = run(tmp_path, "demo", "--if-empty")
    assert result.returncode == 0
    assert "not loaded" in result.stdout


def test_demo_refuses_foreign_data_with_a_clear_message(tmp_path: Path) -> None:
    run(tmp_path, "db", "upgrade")
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (username, full_name, email, password_hash, active, created_at)"
                " VALUES ('someone', '', '', 'x', 1, '2026-01-01 00:00:00')"
            )
        )
    result = run(tmp_path, "demo")
    assert result.returncode == 1
    assert "Refused" in result.stderr and "user someone" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env_result = run_sodo(
        "db",
        "current",
        env={
            **os.environ,
            "SODO_ENV": "production",
            "SODO_INSTANCE": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        }
        | {"SECRET_KEY": ""},
    )
    assert env_result.returncode == 2
    assert "Error: SECRET_KEY must be set when SODO_ENV=production" in env_result.stderr
    assert "Traceback" not in env_result.stderr


def test_import_reads_good_files_and_reports_bad_ones_without_traceback(tmp_path: Path) -> None:
    from conftest import sample_paths

    run(tmp_path, "db", "upgrade")
    good = sample_paths()[0]
    text = good.read_text(encoding="utf-8")
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.encode("utf-16"))
    wrong = tmp_path / "v2.json"
    wrong.write_text(text.replace('"sodo.flow/1"', '"sodo.flow/2"'), encoding="utf-8")
    result = run(tmp_path, "import", str(latin), str(good), str(wrong), str(tmp_path / "none.json"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{latin}: not imported: (document): not UTF-8 text" in result.stderr
    assert f"{wrong}: not imported: format: unsupported format" in result.stderr
    assert "none.json: not imported: No such file or directory" in result.stderr
    assert f"{good}: imported 1.009642.H05 as draft version 1" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM flow_versions")).scalar() == 1


def test_diff_between_the_version_in_force_and_its_draft(
    tmp_path: Path, sqlite_demo_template: DemoTemplate
) -> None:
    shutil.copyfile(sqlite_demo_template.path, tmp_path / "cli.db")
    text = run(tmp_path, "diff", "1.009642.H05", "1", "2")
    assert text.returncode == 0, text.stderr
    assert "~ step" in text.stdout and "duration:" in text.stdout
    assert "~ critical path hours: 136.0 → 132.0" in text.stdout
    data = run(tmp_path, "diff", "1.009642.H05", "1", "2", "--format", "json")
    import json

    diff = json.loads(data.stdout)
    assert len(diff["steps_changed"]) == 1 and diff["steps_added"] == []
    missing = run(tmp_path, "diff", "1.009642.H05", "1", "9")
    assert missing.returncode != 0 and "no version 9 of 1.009642.H05" in missing.stderr
    verify = run(tmp_path, "versions", "verify")
    assert verify.returncode == 0 and "Every frozen snapshot matches" in verify.stdout
