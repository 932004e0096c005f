"""The Node tools the tests run, installed with npm into ``tests/node`` (``make node-tools``).

bpmnlint lints the BPMN export and axe-core checks the public pages' accessibility. Each
test that needs one skips without it, unless CI, or its own ``SODO_REQUIRE_…`` variable,
says it is required, when it fails: CI cannot pass by not installing a tool.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ROOT, missing_part

NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
INSTALL = "run `make node-tools` (npm ci --prefix tests/node)"


def _in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false")


def node_tool_missing(variable: str, reason: str) -> None:
    """Fail when CI or `variable` requires the tool, otherwise skip with `reason`."""
    if _in_ci():
        pytest.fail(f"{reason}, but CI requires it")
    missing_part(variable, reason)


def node_tool(path: Path, variable: str) -> Path:
    """`path` under ``tests/node/node_modules``, which must exist (see `node_tool_missing`)."""
    if not path.exists():
        node_tool_missing(variable, f"{path.relative_to(ROOT)} is not installed: {INSTALL}")
    return path
