"""`sodo versions …` and `sodo diff`: the version lifecycle from the command line."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa

from workflow_model.diff import FlowDiff, diff_versions, value_text
from workflow_model.lifecycle import (
    CorruptSnapshot,
    activate_due_versions,
    verify_snapshots,
    version_document,
)
from workflow_model.models import FlowVersion, Procedure, ProcedureCase

from .database import db_session


@click.group("versions")
def versions_group() -> None:
    """Check and maintain flow versions."""


@versions_group.command("verify")
def verify_command() -> None:
    """Check every frozen snapshot: its SHA-256, the approval's journaled one, and its JSON.

    Exits 1 with one line per version that fails (corrupt), naming what is wrong.
    """
    problems = verify_snapshots(db_session())
    for version, problem in problems:
        case = version.case
        label = case.procedure.code + (f" ({case.key})" if case.key else "")
        click.echo(f"{label} v{version.number} (id {version.id}): {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo("Every frozen snapshot matches its SHA-256 and its approval.")


@versions_group.command("activate")
def activate_command() -> None:
    """Supersede the versions whose successors' effective dates have arrived."""
    session = db_session()
    done = activate_due_versions(session)
    session.commit()
    click.echo(f"{len(done)} versions superseded.")


def _version(code: str, case: str, number: int) -> FlowVersion:
    session = db_session()
    version = session.execute(
        sa.select(FlowVersion)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Procedure.code == code, ProcedureCase.key == case, FlowVersion.number == number)
    ).scalar()
    if version is None:
        shown = code + (f" case {case}" if case else "")
        raise click.ClickException(f"no version {number} of {shown}")
    return version


def _text(value: object) -> str:
    # The command line speaks English, like its other messages.
    return value_text(value, "en")


def _diff_lines(diff: FlowDiff) -> list[str]:
    lines = [f"+ step {key}" for key in diff.steps_added]
    lines += [f"- step {key}" for key in diff.steps_removed]
    for step in diff.steps_changed:
        for change in step.changes:
            lines.append(
                f"~ step {step.key} ({step.name}) {change.field}: "
                f"{_text(change.old)} → {_text(change.new)}"
            )
    lines += [f"+ transition {s} → {t} {label!r}" for s, t, label in diff.transitions_added]
    lines += [f"- transition {s} → {t} {label!r}" for s, t, label in diff.transitions_removed]
    lines += [
        f"~ transition {s} → {t} label: {old!r} → {new!r}"
        for s, t, old, new in diff.transitions_relabelled
    ]
    if diff.legal_time:
        lines.append(f"~ legal time: {_text(diff.legal_time.old)} → {_text(diff.legal_time.new)}")
    lines += [f"~ procedure {c.field}: {_text(c.old)} → {_text(c.new)}" for c in diff.procedure]
    before, after = diff.critical_path_hours
    if before != after:
        lines.append(f"~ critical path hours: {before} → {after}")
    return lines or ["no difference"]


@click.command("diff")
@click.argument("code")
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.option("--case", "case_key", default="", help="The case key, for a procedure with cases.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def diff_command(code: str, first: int, second: int, case_key: str, output: str) -> None:
    """Show what changed from version FIRST to version SECOND of procedure CODE."""
    session = db_session()
    try:
        a = version_document(session, _version(code, case_key, first))
        b = version_document(session, _version(code, case_key, second))
    except CorruptSnapshot as error:
        raise click.ClickException(str(error)) from None
    diff = diff_versions(a, b)
    if output == "json":
        click.echo(json.dumps(diff.to_data(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_diff_lines(diff)))
