"""Bounds on the numbers a request may carry, so none reaches the database out of range.

A route's `<int:…>` and a list's page, page size and sort column come from the address
bar; 99999999999999999999 there once reached SQLite as an OFFSET (OverflowError) or
PostgreSQL as a bigint out of range, and answered 500.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# Row ids are INTEGER columns on both databases.
MAX_ROW_ID = 2**31 - 1
# Past the last page a list is empty; past this one the request is refused.
MAX_PAGE = 1_000_000
MAX_SORT_COLUMN = 1_000


class RowIdConverter(IntegerConverter):
    """The `int` converter of every route: at most `MAX_ROW_ID`, otherwise a 404."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def list_arguments_in_range(
    page: int | None, page_size: int | None, sort: int | None, page_sizes: tuple[int, ...]
) -> bool:
    """True when a list's page, page size and sort column are numbers the list can use.

    >>> list_arguments_in_range(3, 50, 1, (20, 50, 100))
    True
    >>> list_arguments_in_range(99999999999999999999, 0, None, (20, 50, 100))
    False
    """
    return (
        0 <= (page or 0) <= MAX_PAGE
        and (not page_size or page_size in page_sizes)
        and (sort is None or 0 <= sort <= MAX_SORT_COLUMN)
    )
