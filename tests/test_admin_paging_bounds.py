"""Numbers beyond any database integer in a list's query string: 400, never a 500.

Page numbers, page sizes, sort columns and filter values come from the address bar; a
value such as 99999999999999999999 once reached the database as an OFFSET and broke it
(OverflowError on SQLite, "bigint out of range" on PostgreSQL).
"""

from __future__ import annotations

import pytest
from conftest import LiveServer
from support.web import logged_in

HUGE = "99999999999999999999"

LISTS = [
    "procedure",
    "flowversion",
    "unit",
    "officer",
    "level",
    "step",
    "audit",
    "field",
    "calendar",
]


@pytest.mark.parametrize(
    "query",
    [
        f"page={HUGE}",
        f"page=-{HUGE}",
        f"page_size={HUGE}",
        f"sort={HUGE}",
        f"sort=0&desc={HUGE}",
        "page=1e400",
    ],
)
def test_out_of_range_paging_is_a_bad_request_on_every_list(
    live_server: LiveServer, query: str
) -> None:
    browser = logged_in(live_server)
    for endpoint in LISTS:
        response = browser.get(f"{live_server.url}/{endpoint}/?{query}")
        assert response.status_code in (200, 400), (endpoint, response.status_code)
        if response.status_code == 200:
            # An empty page: nothing listed, the page still works.
            assert "Traceback" not in response.text


def test_a_huge_page_number_is_refused_and_a_large_one_is_an_empty_page(
    live_server: LiveServer,
) -> None:
    browser = logged_in(live_server)
    assert browser.get(f"{live_server.url}/unit/?page={HUGE}").status_code == 400
    assert browser.get(f"{live_server.url}/unit/?page_size=100000").status_code == 400
    page = browser.get(f"{live_server.url}/unit/?page=5000")
    assert page.status_code == 200 and "Sở Tài chính" not in page.text
    assert "Sở Tài chính" in browser.get(f"{live_server.url}/unit/?page=0").text


@pytest.mark.parametrize(
    "path",
    [
        f"/flowversion/?flt0_0={HUGE}",
        f"/procedure/?flt0_2={HUGE}",
        f"/unit/?flt1_1={HUGE}",
        f"/audit/?flt0_3=2024-01-01+00:00:00+to+{HUGE}",
        f"/unit/details/?id={HUGE}",
        f"/unit/edit/?id={HUGE}",
        f"/officer/details/?id=-{HUGE}",
        f"/flowversion/details/?id={HUGE}",
        f"/report/{HUGE}",
        f"/versions/{HUGE}",
        f"/editor/{HUGE}",
    ],
)
def test_huge_ids_and_filter_values_are_not_server_errors(
    live_server: LiveServer, path: str
) -> None:
    browser = logged_in(live_server)
    response = browser.get(f"{live_server.url}{path}")
    assert response.status_code < 500, (path, response.status_code)
