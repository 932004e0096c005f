"""Hostile and careless documents get a one-line `DocumentError`, never another exception.

The shapes are the ones a fuzzing run found crashing the loader (huge integers, deep
nesting, numbers of 100,000 digits, lone surrogates) and the values later layers refuse
(long names, keys the editor cannot handle, NUL characters, durations beyond the
database's CHECK, unit parents in a cycle, too many steps or transitions).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Database
from flow_samples import BASE
from support.cli import run_sodo

from workflow_model.document import DocumentError, load_document
from workflow_model.document.limits import MAX_STEPS, MAX_TRANSITIONS


def _document(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(BASE)
    change(data)
    return json.dumps(data, ensure_ascii=False)


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _nested(depth: int) -> str:
    return _document(_set(("source",), {"x": "@"})).replace('"@"', "[" * depth + "]" * depth)


def _many_steps(data: dict[str, Any]) -> None:
    data["steps"] += [dict(data["steps"][1], key=f"x{i}") for i in range(MAX_STEPS)]


def _many_transitions(data: dict[str, Any]) -> None:
    data["transitions"] += [dict(data["transitions"][0], label=str(i)) for i in range(2_001)]


def _unit_cycle(data: dict[str, Any]) -> None:
    data["units"][1]["parent"] = "svh-qlvh"


# Each is JSON text (as a file holds it) and the start of the error it must give.
HOSTILE: dict[str, tuple[str, str]] = {
    "integer-above-1e308": (
        _document(_set(("steps", 1, "duration", "value"), 10**400)),
        "steps[1].duration.value: number too large",
    ),
    "integer-above-1e308-in-source": (
        _document(_set(("source",), {"n": -(10**309)})),
        "source.n: number too large",
    ),
    "nesting-of-1000-levels": (_nested(1000), "(document): nested deeper than"),
    "nesting-of-100-levels": (_nested(100), "source.x"),
    "number-of-100k-digits": (
        _document(_set(("procedure", "fees", 0, "amount"), 0)).replace(
            '"amount": 0', '"amount": ' + "7" * 100_000
        ),
        "procedure.fees[0].amount: number too large (100000 digits)",
    ),
    "lone-surrogate-in-a-name": (
        _document(_set(("steps", 0, "name"), "@")).replace('"@"', '"Ti\\ud800p"'),
        "steps[0].name: contains a lone surrogate",
    ),
    "lone-surrogate-in-a-field-name": (
        _document(_set(("source",), {"@": 1})).replace('"@"', '"\\udfff"'),
        "source (a name): contains a lone surrogate",
    ),
    "nul-in-a-name": (
        _document(_set(("units", 0, "name"), "Trung\u0000tâm")),
        "units[0].name: contains a NUL character",
    ),
    "name-longer-than-its-column": (
        _document(_set(("officers", 0, "name"), "A" * 201)),
        "officers[0].name: expected at most 200 characters, got 201",
    ),
    "key-the-editor-cannot-delete": (
        _document(_set(("steps", 2, "key"), "a>b")),
        "steps[2].key: expected a key of 1 to 64 letters, digits",
    ),
    "duration-beyond-the-database": (
        _document(_set(("steps", 1, "duration", "value"), 1e9)),
        "steps[1].duration.value: expected at most 100000, got 1e+09",
    ),
    "unit-parents-in-a-cycle": (
        _document(_unit_cycle),
        "units[1].parent: the units' parents form a cycle",
    ),
    "too-many-steps": (
        _document(_many_steps),
        f"steps: expected at most {MAX_STEPS} items, got {MAX_STEPS + len(BASE['steps'])}",
    ),
    "too-many-transitions": (
        _document(_many_transitions),
        f"transitions: expected at most {MAX_TRANSITIONS} items",
    ),
}


@pytest.mark.parametrize("text, expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_document_gets_one_line_naming_the_problem(text: str, expected: str) -> None:
    for source in (text, text.encode("utf-8", "surrogatepass")):
        with pytest.raises(DocumentError) as caught:
            load_document(source)
        message = str(caught.value)
        assert expected in message
        assert "\n" not in message and len(message) < 4000


def test_the_same_values_in_parsed_data_are_refused_too() -> None:
    data = copy.deepcopy(BASE)
    data["steps"][0]["name"] = "\ud800"
    data["steps"][1]["duration"]["value"] = 10**400
    data["source"] = {"deep": json.loads("[" * 500 + "]" * 500)}
    with pytest.raises(DocumentError) as caught:
        load_document(data)
    assert {error.split(":")[0] for error in caught.value.errors} == {
        "steps[0].name",
        "steps[1].duration.value",
        "source.deep" + "[0]" * 30,
    }


def test_the_bounds_themselves_are_accepted() -> None:
    data = copy.deepcopy(BASE)
    data["officers"][0]["name"] = "A" * 200
    data["steps"][1]["duration"]["value"] = 100_000
    data["steps"][2]["key"] = "bước-3"
    data["transitions"] = [
        dict(t, **{"from": "bước-3"} if t["from"] == "s3" else {}) for t in data["transitions"]
    ]
    data["transitions"] = [
        dict(t, to="bước-3") if t["to"] == "s3" else t for t in data["transitions"]
    ]
    data["layout"] = {"bước-3": {"x": 1_000_000, "y": -1_000_000}}
    doc = load_document(json.dumps(data))
    assert doc.steps[2].key == "bước-3" and doc.officers[0].name == "A" * 200


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def test_validate_gives_one_line_and_exit_2_for_each_hostile_file(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"{name}.json", text) for name, (text, _) in HOSTILE.items()]
    result = run_sodo(
        "validate", "--lang", "en", *map(str, paths), env=dict(os.environ), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths)
    for path, line, (_, expected) in zip(paths, lines, HOSTILE.values(), strict=True):
        assert line.startswith(f"{path}: cannot be read: ") and expected in line


def test_import_refuses_each_hostile_file_in_one_line_and_stores_the_others(
    database: Database, tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.json", json.dumps(BASE, ensure_ascii=False))
    bad = [_write(tmp_path, f"{name}.json", text) for name, (text, _) in HOSTILE.items()]
    env = {**os.environ, "DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path / "i")}
    result = run_sodo("import", *map(str, [*bad[:7], good, *bad[7:]]), env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    refused = result.stderr.splitlines()
    assert len(refused) == len(bad)
    for path, line, (_, expected) in zip(bad, refused, HOSTILE.values(), strict=True):
        assert line.startswith(f"{path}: not imported: ") and expected in line
    assert result.stdout.splitlines() == [f"{good}: imported 1.000894 as draft version 1"]
    with database.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM steps")).scalar() == len(
            BASE["steps"]
        )


def test_a_unit_key_of_64_characters_gets_a_code_that_fits_when_taken(
    database: Database, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path / "i")}
    paths = []
    for number in (1, 2):
        data = copy.deepcopy(BASE)
        data["procedure"]["code"] = f"1.00089{number}"
        key = "k" * 64
        data["units"][2].update(key=key, name=f"Phòng {number}")
        for officer in data["officers"]:
            officer["unit"] = key if officer["unit"] == "svh-qlvh" else officer["unit"]
            officer["email"] = f"{number}.{officer['email']}"
        for step in data["steps"]:
            step["unit"] = key if step["unit"] == "svh-qlvh" else step["unit"]
        paths.append(_write(tmp_path, f"{number}.json", json.dumps(data, ensure_ascii=False)))
    result = run_sodo("import", *map(str, paths), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with database.engine.connect() as connection:
        codes = connection.execute(sa.text("SELECT code FROM units WHERE code LIKE 'kkk%'"))
        assert sorted(len(code) for code in codes.scalars()) == [56, 64]
