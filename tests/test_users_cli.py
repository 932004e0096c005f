"""`sodo users` on a real database file, run in this process (`support.cli`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli import CliResult
from support.cli import sodo_in_folder as run

from workflow_model.accounts import authenticate
from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import Role, User

PASSWORD = "a long enough secret"


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path) -> Path:
    """A folder whose cli.db is migrated (`sodo db upgrade` itself is tested in test_cli)."""
    shutil.copyfile(sqlite_template, tmp_path / "cli.db")
    return tmp_path


def users(tmp_path: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT username FROM users")).scalars().all()
    engine.dispose()
    return sorted(names)


def can_log_in(tmp_path: Path, username: str, password: str) -> User | None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        with make_session_factory(engine)() as session:
            return authenticate(session, username, password)
    finally:
        engine.dispose()


def assert_no_password(result: CliResult, password: str) -> None:
    assert password not in result.stdout and password not in result.stderr
    assert "Traceback" not in result.stderr


def test_create_with_roles_from_stdin(cli_db: Path) -> None:
    result = run(
        cli_db,
        "users",
        "create",
        "lan",
        "--role",
        "approver",
        "--role",
        "exporter",
        "--full-name",
        "Nguyễn Thị Lan",
        "--email",
        "lan@example.vn",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created user lan with roles: approver, exporter." in result.stdout
    assert_no_password(result, PASSWORD)
    user = can_log_in(cli_db, "lan", PASSWORD)
    assert user is not None
    assert user.roles == {Role.APPROVER, Role.EXPORTER}
    assert user.full_name == "Nguyễn Thị Lan" and user.email == "lan@example.vn"
    engine = make_engine(f"sqlite:///{cli_db / 'cli.db'}")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
        journal = connection.execute(sa.text("SELECT after FROM audit_events")).scalars().all()
    engine.dispose()
    assert PASSWORD not in stored and all(PASSWORD not in str(entry) for entry in journal)


def test_create_at_the_prompt_asks_twice_and_hides_the_password(cli_db: Path) -> None:
    result = run(
        cli_db, "users", "create", "minh", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Repeat for confirmation" in result.stdout + result.stderr
    assert_no_password(result, PASSWORD)
    assert can_log_in(cli_db, "minh", PASSWORD) is not None


def test_a_short_password_is_refused(cli_db: Path) -> None:
    short = "short1234"
    result = run(
        cli_db, "users", "create", "lan", "--role", "admin", "--password-stdin", stdin=short + "\n"
    )
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr
    assert_no_password(result, short)
    assert users(cli_db) == []


def test_an_existing_username_is_refused(cli_db: Path) -> None:
    first = run(
        cli_db, "users", "create", "lan", "--role", "admin", "--password-stdin", stdin=PASSWORD
    )
    assert first.returncode == 0, first.stderr
    other = "another long password"
    again = run(
        cli_db, "users", "create", "lan", "--role", "approver", "--password-stdin", stdin=other
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert_no_password(again, other)
    assert users(cli_db) == ["lan"]
    assert can_log_in(cli_db, "lan", PASSWORD) is not None


def test_an_unknown_role_is_refused_by_click(cli_db: Path) -> None:
    result = run(
        cli_db, "users", "create", "lan", "--role", "king", "--password-stdin", stdin=PASSWORD
    )
    assert result.returncode == 2
    assert "Invalid value for '--role'" in result.stderr and "'king' is not one of" in result.stderr
    assert users(cli_db) == []


def test_set_password_replaces_the_password(cli_db: Path) -> None:
    run(cli_db, "users", "create", "lan", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    new = "a brand new passphrase"
    result = run(cli_db, "users", "set-password", "lan", "--password-stdin", stdin=new + "\n")
    assert result.returncode == 0, result.stderr
    assert "Password of lan changed." in result.stdout
    assert_no_password(result, new)
    assert can_log_in(cli_db, "lan", new) is not None
    assert can_log_in(cli_db, "lan", PASSWORD) is None


def test_set_password_refuses_a_short_password(cli_db: Path) -> None:
    run(cli_db, "users", "create", "lan", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    result = run(cli_db, "users", "set-password", "lan", "--password-stdin", stdin="tiny\n")
    assert result.returncode == 1 and "at least 10 characters" in result.stderr
    assert can_log_in(cli_db, "lan", PASSWORD) is not None


def test_set_password_of_an_unknown_user_is_refused(cli_db: Path) -> None:
    result = run(cli_db, "users", "set-password", "ghost", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 1
    assert "no user named 'ghost'" in result.stderr
    assert_no_password(result, PASSWORD)
