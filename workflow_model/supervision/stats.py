"""Percentiles of plain numbers, the way PostgreSQL's `percentile_cont` computes them.

The figures group in SQL; on PostgreSQL the percentile is taken there too. SQLite has no
ordered-set aggregates, so the values of each group are fetched and `percentile` gives
the same number: linear interpolation between the two closest ranks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["percentile"]


def percentile(values: Iterable[float], q: float) -> float | None:
    """The `q` quantile (0 ≤ q ≤ 1) of `values` by linear interpolation; None when empty.

    As `percentile_cont(q) WITHIN GROUP (ORDER BY value)`: the value at the fractional
    rank ``q × (n − 1)`` of the sorted values.

    >>> percentile([1, 2, 3, 4], 0.5)
    2.5
    >>> percentile([10, 0, 5], 0.9)
    9.0
    >>> percentile([], 0.5) is None
    True
    """
    if not 0 <= q <= 1 or math.isnan(q):
        raise ValueError(f"a percentile's fraction lies between 0 and 1, not {q}")
    ordered = sorted(float(value) for value in values)
    if not ordered:
        return None
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
