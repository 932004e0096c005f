"""Debian's Chromium as the browser tests and benchmarks launch it (no pytest here)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("SODO_CHROMIUM", "/usr/bin/chromium"))
# The machine has no network: keep Chromium from calling home at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
