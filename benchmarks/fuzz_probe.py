"""Crashes of ``sodo validate`` and ``sodo import`` on generated hostile documents.

Run it from the project root::

    .venv/bin/python benchmarks/fuzz_probe.py [--documents 1000] [--seed 1]
        [--database-url URL]

What it does
------------
It writes ``--documents`` flow documents into a temporary folder, each a demo flow
(`workflow_model/demo_data/flows/`) changed at random, deterministically from
``--seed``: a value replaced by a hostile one (integers above 1e308, numbers of 100,000
digits, 1,000 levels of nesting, lone surrogates, NUL characters, long texts, keys such
as ``a>b``, durations beyond the database's bounds, wrong types), a field removed or
added, units' parents made a cycle, thousands of steps or transitions, or the text cut
short; about 30% get only changes that keep them loadable (names, durations, a
transition removed or added, a step's kind), so validation and import run in full.
Then it runs the console script's commands in this process, through Click's test
runner: ``sodo validate`` on every file, and ``sodo import`` on every file (in batches
of 25 files per call, into a fresh SQLite file or the PostgreSQL database of
``--database-url``, whose ``public`` schema is dropped and recreated first).

A crash is an exception that escapes a command, an exit code other than 0, 1 or 2, a
traceback in the output, or a refusal that is not one line per file. The output is the
number of documents, the exit codes seen, and the crash count with each crash's
exception; it must be 0. Exit code 1 when there was a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from admin import create_app
from admin.validate_command import validate_command
from workflow_model.db import make_engine
from workflow_model.migrate import upgrade

FLOWS = sorted(
    (Path(__file__).resolve().parents[1] / "workflow_model" / "demo_data" / "flows").glob("*.json")
)
HOLE = "\u2063HOLE\u2063"
RAW_VALUES = [
    "1" + "0" * 400,
    "-" + "9" * 100_000,
    "[" * 1000 + "]" * 1000,
    '{"a":' * 999 + "1" + "}" * 999,
    '"\\ud800"',
    '"x\\udfffy"',
    '"\\u0000"',
    "1e999",
    "NaN",
    '{"k":1,"k":2}',
]
VALUES: list[Any] = [
    10**309,
    -(10**400),
    1e308,
    -1,
    0.5,
    100_001,
    2**31,
    True,
    None,
    "",
    "a>b",
    "x" * 5_000,
    "Tên\u0000",
    "\U0001f600",
    [],
    {},
    {"unexpected": 1},
    [1, [2, [3]]],
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for name, item in value.items():
            found += _paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _mutations(rng: random.Random) -> list[Callable[[dict[str, Any]], str | None]]:
    def replace(data: dict[str, Any]) -> str | None:
        path = rng.choice(_paths(data))
        _parent(data, path)[path[-1]] = rng.choice(VALUES)
        return None

    def raw(data: dict[str, Any]) -> str | None:
        path = rng.choice(_paths(data))
        _parent(data, path)[path[-1]] = HOLE
        return rng.choice(RAW_VALUES)

    def remove(data: dict[str, Any]) -> str | None:
        path = rng.choice([p for p in _paths(data) if isinstance(p[-1], str)])
        del _parent(data, path)[path[-1]]
        return None

    def add(data: dict[str, Any]) -> str | None:
        path = rng.choice([p for p in _paths(data) if isinstance(p[-1], str)])
        _parent(data, path)["extra"] = rng.choice(VALUES)
        return None

    def cycle(data: dict[str, Any]) -> str | None:
        keys = [unit["key"] for unit in data["units"]]
        for index, unit in enumerate(data["units"]):
            unit["parent"] = keys[(index + 1) % len(keys)]
        return None

    def many(data: dict[str, Any]) -> str | None:
        step = data["steps"][1]
        data["steps"] += [dict(step, key=f"x{i}") for i in range(rng.choice([495, 600]))]
        data["transitions"] += [
            {"from": data["steps"][0]["key"], "to": f"x{i}"} for i in range(rng.choice([5, 2100]))
        ]
        return None

    return [replace, replace, replace, raw, raw, remove, add, cycle, many]


def _benign(rng: random.Random) -> list[Callable[[dict[str, Any]], str | None]]:
    # Changes that keep a document loadable, so validation and import run in full.
    def rename(data: dict[str, Any]) -> str | None:
        rng.choice(data["steps"])["name"] = rng.choice(["Thẩm định", "", "Ký 🖋", "x" * 1000])
        return None

    def duration(data: dict[str, Any]) -> str | None:
        rng.choice(data["steps"])["duration"]["value"] = rng.choice([0, 0.25, 99_999.5, 100_000])
        return None

    def unlink(data: dict[str, Any]) -> str | None:
        if data["transitions"]:
            data["transitions"].pop(rng.randrange(len(data["transitions"])))
        return None

    def rekind(data: dict[str, Any]) -> str | None:
        rng.choice(data["steps"])["kind"] = rng.choice(["start", "task", "end"])
        return None

    def loop(data: dict[str, Any]) -> str | None:
        first, last = data["steps"][0]["key"], data["steps"][-1]["key"]
        data["transitions"].append({"from": last, "to": first, "label": "Trả lại"})
        return None

    return [rename, duration, unlink, rekind, loop]


def hostile_documents(count: int, seed: int) -> list[bytes]:
    """`count` changed demo flows, as the bytes of files; about 30% stay loadable."""
    rng = random.Random(seed)
    flows = [json.loads(path.read_text(encoding="utf-8")) for path in FLOWS]
    mutations, benign = _mutations(rng), _benign(rng)
    documents = []
    for index in range(count):
        data = copy.deepcopy(rng.choice(flows))
        # A new code each, so every document that is valid imports as a procedure of its own.
        data["procedure"]["code"] = f"FUZZ.{index}"
        raw_value = None
        kinds = benign if rng.random() < 0.3 else mutations
        for _ in range(rng.choice([1, 1, 2, 3])):
            # An earlier change may have broken the shape this one expects: then it is skipped.
            with contextlib.suppress(TypeError, KeyError, IndexError, AttributeError, ValueError):
                raw_value = rng.choice(kinds)(data) or raw_value
        text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
        if raw_value is not None:
            text = text.replace(json.dumps(HOLE), raw_value).replace(
                json.dumps(HOLE, ensure_ascii=False), raw_value
            )
        if HOLE in text or json.dumps(HOLE) in text:
            text = text.replace(json.dumps(HOLE, ensure_ascii=False), "1")
        if rng.random() < 0.1:
            text = text[: rng.randrange(len(text))]
        documents.append(text.encode("utf-8", "surrogatepass"))
    return documents


def _crash(result: Any, files: int, stream: str) -> str | None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"{type(result.exception).__name__}: {str(result.exception)[:120]}"
    if result.exit_code not in (0, 1, 2):
        return f"exit code {result.exit_code}"
    output = result.stdout + result.stderr
    if "Traceback" in output:
        return "a traceback in the output"
    if stream == "stderr" and len(result.stderr.splitlines()) > files:
        return "more than one line per file"
    return None


def main(argv: list[str] | None = None) -> int:
    """Generate the documents, validate and import them, and print the crash count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)

    crashes: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, raw in enumerate(hostile_documents(args.documents, args.seed)):
            path = Path(folder) / f"doc{index:05d}.json"
            path.write_bytes(raw)
            paths.append(path)

        runner = CliRunner()
        for path in paths:
            result = runner.invoke(validate_command, [str(path)])
            codes[f"validate {result.exit_code}"] += 1
            crash = _crash(result, 1, "stdout")
            if crash:
                crashes[f"validate: {crash}"] += 1

        url = args.database_url or f"sqlite:///{Path(folder) / 'fuzz.db'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(engine)
        engine.dispose()
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "fuzz", "SODO_INSTANCE": f"{folder}/instance"}
        )
        cli = app.test_cli_runner()
        imported = 0
        for start in range(0, len(paths), 25):
            batch = paths[start : start + 25]
            with app.app_context():
                result = cli.invoke(args=["import", *map(str, batch)])
            codes[f"import {result.exit_code}"] += 1
            imported += sum("as draft version" in line for line in result.stdout.splitlines())
            crash = _crash(result, len(batch), "stderr")
            if crash:
                crashes[f"import: {crash}"] += 1

    print(
        f"{args.documents} documents (seed {args.seed}); validate and import runs by exit "
        f"code: {dict(sorted(codes.items()))}; imported: {imported}"
    )
    print(f"crashes: {sum(crashes.values())}")
    for crash, count in crashes.most_common():
        print(f"  {count} × {crash}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
