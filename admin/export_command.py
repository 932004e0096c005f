"""`sodo export`: approved versions (or a flow document file) in JSON, BPMN, Excel or OpenCPS.

Three ways to call it::

    sodo export CODE [--case KEY] [--version N] --format F [-o FILE] [--allow-draft]
    sodo export --all --format F -o DIR
    sodo export FILE.json --format bpmn [-o FILE]

Exit codes: 0 written; 1 refused (a draft, no version in force, an unknown procedure, a
corrupt snapshot: with --all the other versions are still written); 2 bad usage (an
unknown format, a file that is not a flow document).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click
from flask.cli import ScriptInfo

from exporters import (
    FORMATS,
    ExportItem,
    ExportOptions,
    ExportRefused,
    VersionInfo,
    export,
    file_names,
)
from workflow_model.document import DocumentError, load_document


def _write(content: bytes, output: Path | None, default_name: str) -> Path | None:
    """Write `content` to `output` (a file, or a folder to put `default_name` in), or stdout."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return None
    target = output / default_name if output.is_dir() else output
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    temporary.write_bytes(content)
    temporary.replace(target)
    return target


def _from_file(path: Path, format_name: str, output: Path | None) -> None:
    """Convert a flow document file, without a database: a draft preview (JSON, BPMN)."""
    try:
        document = load_document(path.read_bytes())
    except DocumentError as error:
        click.echo(f"{path}: not a flow document: {error}", err=True)
        sys.exit(2)
    item = ExportItem(document, VersionInfo(number=1, status="draft"))
    fmt = FORMATS[format_name]
    if not fmt.draft_preview:
        click.echo(
            f"{path}: a file has no approved version; {format_name} exports approved versions "
            "only (json and bpmn convert files)",
            err=True,
        )
        sys.exit(1)
    content = export(format_name, [item], ExportOptions(allow_draft=True))
    written = _write(content, output, f"{path.stem}.{fmt.extension}")
    if written is not None:
        click.echo(f"{written}: {len(content)} bytes", err=True)


def _refused(error: Exception) -> None:
    click.echo(f"Error: {error}", err=True)
    sys.exit(1)


@click.command("export")
@click.argument("target", required=False)
@click.option(
    "--format",
    "format_name",
    required=True,
    type=click.Choice(list(FORMATS)),
    help="json, bpmn, xlsx or opencps.",
)
@click.option("--case", "case_key", help="The case's key, when the procedure has several.")
@click.option("--version", "number", type=int, help="A version number (default: in force).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File (or folder) to write; standard output when left out. A folder with --all.",
)
@click.option("--all", "everything", is_flag=True, help="Every procedure's version in force.")
@click.option("--allow-draft", is_flag=True, help="Preview a draft (json and bpmn only).")
@click.pass_context
def export_command(
    context: click.Context,
    target: str | None,
    format_name: str,
    case_key: str | None,
    number: int | None,
    output: Path | None,
    everything: bool,
    allow_draft: bool,
) -> None:
    """Export a procedure's version (CODE), every version in force (--all), or a file."""
    if target and target.endswith(".json") and Path(target).is_file():
        _from_file(Path(target), format_name, output)
        return
    if everything == bool(target):
        raise click.UsageError("give a procedure CODE, a FILE.json, or --all")
    # Chosen before the app loads, so that a usage error needs no database.
    run: Callable[[], None]
    if target:
        run = partial(_export_one, target, case_key, number, format_name, output, allow_draft)
    elif output is None:
        raise click.UsageError("--all writes one file per procedure: give -o DIR")
    else:
        run = partial(_export_all, format_name, output)
    app = context.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        run()


def _export_one(
    code: str,
    case_key: str | None,
    number: int | None,
    format_name: str,
    output: Path | None,
    allow_draft: bool,
) -> None:
    from delivery.exporting import export_version, find_version
    from workflow_model.lifecycle import CorruptSnapshot

    from .database import db_session

    session = db_session()
    try:
        version = find_version(session, code, case_key, number)
        exported = export_version(session, version, format_name, allow_draft=allow_draft)
    except (ExportRefused, CorruptSnapshot) as error:
        _refused(error)
        return
    written = _write(exported.content, output, exported.name)
    if written is not None:
        click.echo(f"{written}: {len(exported.content)} bytes", err=True)
        if format_name == "opencps" and written.name != exported.name:
            # OpenCPS reads the folder named like the uploaded zip.
            click.echo(
                f"Warning: OpenCPS imports this zip only under the name {exported.name}",
                err=True,
            )


def _export_all(format_name: str, folder: Path) -> None:
    from delivery.exporting import cases_without_version, export_item, options, versions_in_force
    from workflow_model.lifecycle import CorruptSnapshot

    from .database import db_session

    session = db_session()
    fmt = FORMATS[format_name]
    folder.mkdir(parents=True, exist_ok=True)
    versions = list(versions_in_force(session))
    skipped = cases_without_version(session)
    chosen = options(session)
    items: list[ExportItem] = []
    refused: list[str] = []
    for version in versions:
        try:
            items.append(export_item(session, version))
        except CorruptSnapshot as error:
            # That version alone is left out (the domain logged it); the rest exports.
            refused.append(f"Refused: {version.case.procedure.code}: {error}")
    # Distinct paths, so the count is what the folder holds, whatever the names.
    written: set[Path] = set()
    if fmt.many:
        if items:
            content = export(format_name, items, chosen)
            path = _write(content, folder, f"sodo-catalogue.{fmt.extension}")
            assert path is not None
            written.add(path)
    else:
        # Codes that read alike ("COL/1", "COL 1") get names that do not clash.
        named = list(zip(items, file_names(items, fmt), strict=True))
        with click.progressbar(named, label=f"Exporting {format_name}", file=sys.stderr) as bar:
            for item, name in bar:
                path = _write(export(format_name, [item], chosen), folder, name)
                assert path is not None
                written.add(path)
    click.echo(
        f"Wrote {len(written)} files ({len(versions)} versions in force) to {folder}.", err=True
    )
    if skipped:
        click.echo(
            f"Skipped {len(skipped)} procedure cases without an approved version in force: "
            + ", ".join(skipped),
            err=True,
        )
    for line in refused:
        click.echo(line, err=True)
    if refused:
        sys.exit(1)
