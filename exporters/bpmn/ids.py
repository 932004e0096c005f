"""Stable XML ids: derived from keys, in document order, never from time or chance."""

from __future__ import annotations

import hashlib
import re

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]")


def id_token(key: str) -> str:
    """A key as part of an XML id: NCName characters only, plus a hash if any were lost.

    >>> id_token("s1"), id_token("1.009642.H05"), id_token("bước 1")
    ('s1', '1.009642.H05', 'b__c_1_00888f94')
    """
    safe = _NOT_NCNAME.sub("_", key)
    if safe == key and key:
        return key
    return f"{safe}_{hashlib.sha256(key.encode()).hexdigest()[:8]}"


class Ids:
    """Ids given out in document order; an id already given gets ``_2``, ``_3`` and so on.

    >>> ids = Ids()
    >>> ids.take("Task_s1"), ids.take("Task_s1"), ids.take("Task_s1")
    ('Task_s1', 'Task_s1_2', 'Task_s1_3')
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, base: str) -> str:
        """`base`, or `base` with the first free ``_n`` suffix; the id is then taken."""
        candidate, count = base, 1
        while candidate in self.taken:
            count += 1
            candidate = f"{base}_{count}"
        self.taken.add(candidate)
        return candidate
