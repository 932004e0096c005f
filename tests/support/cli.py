"""Run `sodo` in this process, the way the console script runs it, for speed.

Starting a Python process that imports Flask, Dash and SQLAlchemy costs a second or
more; the commands themselves take milliseconds. `run_sodo` calls the console script's
entry point (`admin.cli:main`, the name `pyproject.toml` gives the `sodo` script) inside
Click's `CliRunner` isolation, with the environment, working folder, arguments and
standard input a real process would get, and answers like `subprocess.run` does: exit
code, standard output and standard error. An uncaught exception prints its traceback to
standard error and exits 1, as the interpreter would, so tests that look for
"Traceback" still see one. A few tests keep running the real console script
(`tests/test_cli.py`).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from click.testing import CliRunner

SODO = str(Path(sys.executable).with_name("sodo"))


@dataclass(frozen=True)
class CliResult:
    """What a finished `sodo` run left: the names `subprocess.CompletedProcess` uses."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def _exit_code(error: SystemExit, stderr: TextIO) -> int:
    # As the interpreter does: None is success, an int is the code, anything else is
    # printed to standard error and means 1.
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code
    print(error.code, file=stderr)
    return 1


def run_sodo(
    *args: str,
    env: Mapping[str, str],
    stdin: str = "",
    cwd: Path | None = None,
) -> CliResult:
    """Run ``sodo ARGS`` with exactly the environment `env`, in `cwd`, reading `stdin`."""
    from admin import cli

    saved_env = dict(os.environ)
    saved_argv = sys.argv
    saved_cwd = os.getcwd()
    runner = CliRunner()
    code = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["sodo", *args]
        with runner.isolation(input=stdin) as (stdout, stderr, _):
            try:
                cli.main()
            except SystemExit as error:
                code = _exit_code(error, sys.stderr)
            except Exception:
                traceback.print_exc(file=sys.stderr)
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            out = stdout.getvalue().decode("utf-8", "replace")
            err = stderr.getvalue().decode("utf-8", "replace")
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return CliResult(tuple(args), code, out, err)


def folder_env(folder: Path, url: str | None = None) -> dict[str, str]:
    """The environment of a `sodo` run on ``FOLDER/cli.db`` (or `url`), without a secret key."""
    env = {
        **os.environ,
        "DATABASE_URL": url or f"sqlite:///{folder / 'cli.db'}",
        "SODO_INSTANCE": str(folder / "instance"),
    }
    env.pop("SECRET_KEY", None)
    return env


def sodo_in_folder(folder: Path, *args: str, url: str | None = None, stdin: str = "") -> CliResult:
    """Run ``sodo ARGS`` on the database file ``FOLDER/cli.db`` (or `url`), in this process."""
    return run_sodo(*args, env=folder_env(folder, url), stdin=stdin)
