"""Our generic top-level names must come from this project, never from a dependency."""

from __future__ import annotations

import importlib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["admin", "portal", "api", "workflow_model", "validators", "exporters", "delivery"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_comes_from_this_project(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == ROOT / name


@pytest.mark.parametrize("name", PACKAGES)
def test_no_installed_distribution_provides_the_same_name(name: str) -> None:
    providers = {
        dist.metadata["Name"]
        for dist in metadata.distributions()
        if name in (dist.read_text("top_level.txt") or "").split()
        or any(str(file).split("/")[0] in (name, f"{name}.py") for file in (dist.files or ()))
    }
    assert providers <= {"sodo"}, f"{name} is also provided by {sorted(providers - {'sodo'})}"


def test_console_script_is_the_flask_group() -> None:
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts["sodo"] == "admin.cli:main"


def test_workflow_model_does_not_import_flask() -> None:
    offenders = [
        path.relative_to(ROOT)
        for path in (ROOT / "workflow_model").rglob("*.py")
        if any(
            line.strip().startswith(("import flask", "from flask"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                found.append((path.relative_to(ROOT), stripped))
    return found


def test_validators_and_exporters_touch_no_database_and_no_flask() -> None:
    forbidden = ("flask", "sqlalchemy", "admin", "workflow_model.db", "workflow_model.conversion")
    offenders = [
        (str(path), line)
        for package in ("validators", "exporters")
        for path, line in _imports(package)
        if any(line.startswith((f"import {name}", f"from {name}")) for name in forbidden)
    ]
    assert offenders == []


def _importing(package: str, names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (str(path), line)
        for path, line in _imports(package)
        if any(
            line.startswith((f"import {name}", f"from {name} ", f"from {name}.")) for name in names
        )
    ]


def test_delivery_imports_no_web_layer() -> None:
    assert _importing("delivery", ("flask", "flask_admin", "flask_login", "dash", "admin")) == []


def test_exporters_send_nothing_over_the_network() -> None:
    network = ("requests", "urllib.request", "http.client", "httpx", "socket")
    assert _importing("exporters", network) == []


def test_the_public_pages_import_no_admin_and_no_login() -> None:
    """`portal` reads through the domain and draws with the exporters; it is no staff page."""
    assert _importing("portal", ("admin", "api", "flask_admin", "flask_login", "dash")) == []


def test_the_api_imports_no_admin_no_portal_and_no_login() -> None:
    """`api` authenticates machines by token and works through the domain only."""
    names = ("admin", "portal", "delivery", "flask_admin", "flask_login", "dash")
    assert _importing("api", names) == []
