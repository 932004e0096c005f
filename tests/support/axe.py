"""axe-core, run in a page of the real Chromium: the accessibility violations it finds.

axe-core comes from npm (``tests/node``, like bpmnlint). Its script is evaluated through
the DevTools protocol (`page.evaluate`), which the page's Content-Security-Policy does not
govern, so the page is checked with the policy it is served with: no ``bypass_csp``.
Without axe-core the tests skip, unless ``SODO_REQUIRE_AXE=1`` (or CI) requires it.
"""

from __future__ import annotations

import functools
from typing import Any

from support.node_tools import NODE_MODULES, node_tool

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
REQUIRED = "SODO_REQUIRE_AXE"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
"""WCAG 2.1 A and AA, and axe's best practices (landmarks, headings, unique names)."""
BLOCKING = ("serious", "critical")
"""The impacts a page may not have at all."""


@functools.cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_source() -> str:
    """The axe-core script; skips or fails (`SODO_REQUIRE_AXE`) when it is not installed."""
    node_tool(AXE, REQUIRED)
    return _source()


def run_axe(page: Any, script: str) -> list[dict[str, Any]]:
    """The violations axe-core (`script`, from `axe_source`) finds in the page as it is now.

    Only the rules of `TAGS` run.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A bare script, not a function: evaluated as is, it defines window.axe.
        page.evaluate(script)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        list(TAGS),
    )
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations of a serious or critical impact."""
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a person reads: rule, impact, help, and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(str(node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
