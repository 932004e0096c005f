"""The code is formatted and linted as pyproject.toml configures ruff; tests stand alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = str(Path(sys.executable).with_name("ruff"))


def test_ruff_check_passes() -> None:
    result = subprocess.run(
        [RUFF, "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = subprocess.run(
        [RUFF, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
            # `from . import test_x` and `from tests import test_x` name the module last.
            names += [f"{node.module or ''}.{alias.name}" for alias in node.names]
    return names


def test_no_test_module_imports_another_test_module() -> None:
    # Shared helpers live in tests/support or in conftest.py fixtures: importing a test
    # module runs its imports and module-level code again and ties the files together.
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imported_modules(tree):
            if any(part.startswith("test_") for part in name.split(".")):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
