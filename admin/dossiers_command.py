"""`sodo dossiers`: ingest a file of dossier events, and rebuild the derived state.

``sodo dossiers ingest FILE.jsonl --source NAME`` reads one event per line (the API's
item shape) and sends them, in batches, through `workflow_model.tracking.ingest_events`,
the service the API uses; the rules are all there. It prints how many events were
accepted, duplicates and rejected, and each rejection with its line, id and code.
``sodo dossiers rebuild`` recomputes every dossier's stored state from its events.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from flask import current_app

from workflow_model.tracking import CheckKeys, ItemOutcome, ingest_events, rebuild_states

from .config import old_secret_keys
from .database import db_session

BATCH_SIZE = 500
"""Events sent to the service at a time: one transaction each."""


def _check_keys() -> CheckKeys:
    config = current_app.config
    return CheckKeys.from_secrets(config["SECRET_KEY"], old_secret_keys(config))


@click.group("dossiers")
def dossiers_group() -> None:
    """Ingest dossier events and rebuild the dossiers' derived state."""


@dossiers_group.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The source system the events come from.")
def ingest_command(file: Path, source: str) -> None:
    """Ingest FILE.jsonl: one JSON event per line, as the API's items.

    Exits 1 when a line is not JSON (nothing of the file is sent then) or an event is
    rejected (the others are stored).
    """
    items: list[tuple[int, Any]] = []
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except ValueError as error:
                click.echo(f"Refused: line {number} is not JSON ({error}).", err=True)
                sys.exit(1)
    session = db_session()
    keys = _check_keys()
    counts: Counter[ItemOutcome] = Counter()
    for start in range(0, len(items), BATCH_SIZE):
        batch = items[start : start + BATCH_SIZE]
        results = ingest_events(session, source, [item for _, item in batch], check_keys=keys)
        for (number, _), result in zip(batch, results, strict=True):
            counts[result.result] += 1
            if result.result is ItemOutcome.REJECTED and result.reason is not None:
                click.echo(
                    f"line {number}: event {result.id or '?'} rejected: "
                    f"{result.reason.value} ({result.detail})"
                )
    click.echo(
        f"Accepted: {counts[ItemOutcome.ACCEPTED]}, duplicate: {counts[ItemOutcome.DUPLICATE]}, "
        f"rejected: {counts[ItemOutcome.REJECTED]}."
    )
    if counts[ItemOutcome.REJECTED]:
        sys.exit(1)


@dossiers_group.command("rebuild")
@click.option("--code", "codes", multiple=True, help="Only this dossier code (repeatable).")
def rebuild_command(codes: tuple[str, ...]) -> None:
    """Recompute the dossiers' stored state (status, due dates, verdicts) from their events."""
    count = rebuild_states(db_session(), codes or None)
    click.echo(f"Rebuilt: {count} dossiers.")
