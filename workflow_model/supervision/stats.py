"""Statistics the supervision figures share, with one definition each.

`percentile` is the one definition of a percentile: linear interpolation between the
closest ranks, exactly as PostgreSQL's ``percentile_cont`` computes it, so a figure
grouped in SQL on PostgreSQL and one computed here on SQLite agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th quantile (0 ≤ q ≤ 1) of `values`, sorted or not, as ``percentile_cont``.

    The value at position ``q × (n − 1)`` of the sorted values, interpolated linearly
    between its two neighbours. Raises ValueError for no values, a NaN, or `q` outside
    [0, 1].

    >>> percentile([4, 1, 2, 3], 0.5)
    2.5
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)
    9.1
    """
    if not values:
        raise ValueError("a percentile of no values")
    if not 0 <= q <= 1:
        raise ValueError(f"a percentile's fraction must lie in [0, 1], not {q!r}")
    ordered = sorted(float(value) for value in values)
    if any(math.isnan(value) for value in ordered):
        raise ValueError("a percentile of values with a NaN")
    position = q * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    low, high = ordered[lower], ordered[upper]
    found = low + (high - low) * (position - lower)
    # Rounding may step a hair outside the two neighbours; the quantile never does.
    return min(max(found, low), high)
