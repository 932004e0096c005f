"""No import circles among the project's modules, not even through an import in a function.

A circle works only as long as the imports run in a lucky order, and an import moved into
a function to dodge one still ties both modules together. The graph is read from the
source with `ast`: every ``import`` and ``from … import`` (in functions too, but not under
``if TYPE_CHECKING:``, which never runs) that names a module of this project is an edge.
A submodule's own parent package is not an edge, since a package re-exporting its
submodules is how Python packages work.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("admin", "workflow_model", "validators", "exporters", "delivery")


def project_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of `packages` under `root`, by dotted name (a package by its own)."""
    found = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _import_nodes(nodes: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _import_nodes(node.orelse)
        else:
            yield from _import_nodes(
                [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)]
            )


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names `node` imports, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph(root: Path, packages: tuple[str, ...]) -> nx.DiGraph:
    """Module → module it imports, for the modules of `packages`."""
    modules = project_modules(root, packages)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _import_nodes(tree.body):
            names = _imported(name, path, node)
            # `from pkg import sub` imports the submodule; `from pkg import name` the package.
            targets = [n for n in names[:-1] if n in modules] or [names[-1]]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def circles(graph: nx.DiGraph) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle."""
    return sorted(
        sorted(group) for group in nx.strongly_connected_components(graph) if len(group) > 1
    )


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert graph.has_edge("admin.cli", "admin.app")  # the graph sees imports in functions
    assert graph.has_edge("delivery.worker", "workflow_model.delivery")
    assert circles(graph) == []


def test_a_circle_through_an_import_in_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import f\n")
    (package / "a.py").write_text("from .b import g\n\ndef f():\n    return g()\n")
    (package / "b.py").write_text("def g():\n    from . import a\n    return a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n"
    )
    assert circles(import_graph(tmp_path, ("pkg",))) == [["pkg.a", "pkg.b"]]
