"""`sodo deliver`: send the deliveries that are due, once or in a loop.

The worker is `delivery.worker`; this command reads its options and starts it on the
app's database.
"""

from __future__ import annotations

import click
from flask import current_app

from delivery.worker import Worker, log_to_stderr, run_until_stopped
from workflow_model.db import make_session_factory
from workflow_model.delivery import RetryPolicy

from .config import delivery_limits, secret_box


@click.command("deliver")
@click.option(
    "--loop",
    is_flag=True,
    help="Keep running, looking for due deliveries every --interval seconds, until "
    "stopped (SIGTERM or Ctrl+C, which let the current attempt end).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=5.0,
    show_default=True,
    help="Seconds between two looks with --loop.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Attempts before a delivery that keeps failing (timeouts, 5xx) is marked failed.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for a receiver to connect, and then for its answer.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds a claimed delivery stays reserved to this worker; another worker takes "
    "it over once it runs out, so it must exceed twice the timeout.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds before the first retry; doubled for each next one, with jitter.",
)
@click.option(
    "--backoff-max",
    type=click.FloatRange(min=0),
    default=3600.0,
    show_default=True,
    help="The longest wait between two attempts, in seconds.",
)
def deliver_command(
    loop: bool,
    interval: float,
    max_attempts: int,
    timeout: float,
    lease: float,
    backoff: float,
    backoff_max: float,
) -> None:
    """Send approved versions to the delivery targets: what is due, or forever with --loop.

    Each attempt is logged: 2xx is delivered; a timeout, a refused connection or 5xx is
    retried later with exponential backoff, up to --max-attempts; another 4xx fails at
    once, keeping the status and the start of the answer.

    On PostgreSQL several workers may run at once: each delivery is claimed with
    SELECT … FOR UPDATE SKIP LOCKED and a lease, so none is sent twice by two workers.
    On SQLite, run a single worker.
    """
    if lease <= 2 * timeout:
        raise click.BadParameter("must exceed twice --timeout", param_hint="--lease")
    log_to_stderr()
    worker = Worker(
        make_session_factory(current_app.extensions["sodo.engine"]),
        RetryPolicy(max_attempts, backoff, backoff_max),
        timeout=timeout,
        lease=lease,
        secrets=secret_box(current_app.config),
        limits=delivery_limits(current_app.config),
    )
    if not loop:
        done = worker.deliver_due()
        click.echo(
            f"Delivered: {done['delivered']}, to retry: {done['pending']}, "
            f"failed: {done['failed']}."
        )
        return
    run_until_stopped(worker, interval)
