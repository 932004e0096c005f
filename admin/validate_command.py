"""`sodo validate`: check flow document files, as IT does in CI; no database needed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from workflow_model.document import DocumentError, FlowDocument, load_document

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _read(path: Path) -> FlowDocument | str:
    """The flow document in `path`, or why it cannot be read."""
    try:
        return load_document(path.read_bytes())
    except DocumentError as error:
        return str(error)
    except OSError as error:
        return error.strerror or str(error)


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def validate_command(files: tuple[Path, ...], output: str, lang: str) -> None:
    """Validate flow documents (sodo.flow/1 JSON files) against every rule.

    Exit status: 0 when no file has an error (warnings allowed), 1 when a file has an
    error finding, 2 when a file cannot be read as a flow document.
    """
    # Imported here: the rules load networkx, which ``sodo validate --help`` does not need.
    from validators import validate
    from validators.output import report_data, report_text

    status = EXIT_OK
    results: list[dict[str, object]] = []
    for path in files:
        doc = _read(path)
        if isinstance(doc, str):
            problem = doc
            status = EXIT_UNREADABLE
            word = "không đọc được" if lang == "vi" else "cannot be read"
            if output == "text":
                click.echo(f"{path}: {word}: {problem}")
            results.append({"file": str(path), "ok": False, "error": problem})
            continue
        report = validate(doc)
        if not report.ok and status == EXIT_OK:
            status = EXIT_ERRORS
        if output == "text":
            click.echo(report_text(str(path), report, lang))
        results.append({"file": str(path), **report_data(report, lang)})
    if output == "json":
        shown = results[0] if len(results) == 1 else results
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    sys.exit(status)
