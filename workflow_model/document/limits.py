"""What a flow document may hold: the bounds the database and the editor can keep.

The loader refuses anything beyond them, so a document that loads can be stored, shown
and edited; the JSON schema (`schema/flow-1.schema.json`) states the same numbers, and
`tests/test_schema.py` checks that it does.
"""

from __future__ import annotations

import re
from typing import Final

# Letters (ASCII and the Latin ranges Vietnamese uses, precomposed), digits, then also
# `_ . -`. Nothing else: `>` joins the two keys of a transition in the editor, and
# spaces, slashes and quotes end up in file names, URLs and selectors.
_LETTER: Final = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
KEY_PATTERN: Final = f"^[{_LETTER}][{_LETTER}_.-]*$"
KEY_RE: Final = re.compile(KEY_PATTERN)

MAX_KEY_LENGTH: Final = 64
# `levels.key` is shorter than the other key columns.
MAX_LEVEL_KEY_LENGTH: Final = 32

# No real internal process comes near these; they keep validation and import fast.
MAX_STEPS: Final = 500
MAX_TRANSITIONS: Final = 2_000

# The database's CHECK constraints on step durations and legal times.
MAX_DURATION: Final = 100_000
# The editor's bound on a diagram coordinate.
MAX_COORDINATE: Final = 1_000_000
# Originals and copies of a dossier component (an INTEGER column).
MAX_COUNT: Final = 1_000
# Deeper objects than this appear only in `source`, and only by mistake or malice.
MAX_DEPTH: Final = 32
# An integer with more digits cannot be a float either (1e308 is the largest).
MAX_NUMBER_DIGITS: Final = 309

# The longest text each field may hold: the length of the column that stores it.
MAX_TEXT: Final = {
    "procedure.name": 1000,
    "procedure.field": 300,
    "procedure.result": 2000,
    "procedure.legal_basis": 1000,
    "fee.name": 1000,
    "fee.currency": 16,
    "fee.note": 1000,
    "case.name": 1000,
    "component.name": 1000,
    "component.form": 200,
    "unit.name": 300,
    "officer.name": 200,
    "officer.title": 200,
    "officer.phone": 50,
    "officer.email": 254,
    "step.name": 1000,
    "step.description": 20_000,
    "transition.label": 1000,
}
