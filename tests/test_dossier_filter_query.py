"""The dossier list's filter as URL parameters, and the percentile the figures share.

Pure functions: no database. `from_query(to_query(f))` is `f` for any filter (its scope
is never in a URL); every value that cannot be read is refused with a `FilterError`
naming the parameter.
"""

from __future__ import annotations

import statistics
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow_model.models import Channel, DossierStatus, Verdict
from workflow_model.supervision import EVERYTHING, Scope, percentile
from workflow_model.tracking import DossierFilter
from workflow_model.tracking.listing import NO_AGENCY, FilterError


def _text(size: int) -> st.SearchStrategy[str]:
    # What a form sends, trimmed: the reader trims, so untrimmed text is not a round trip.
    return (
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=size)
        .map(str.strip)
        .filter(bool)
    )


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


filters = st.builds(
    DossierFilter,
    procedure=st.just("") | _text(64),
    case=_maybe(_text(64)),
    unit=st.just("") | _text(64) | st.just(NO_AGENCY),
    unit_now=st.booleans(),
    status=_maybe(st.sampled_from(DossierStatus)),
    late=st.booleans(),
    received_from=_maybe(st.dates()),
    received_to=_maybe(st.dates()),
    finished_from=_maybe(st.dates()),
    finished_to=_maybe(st.dates()),
    verdict=_maybe(st.sampled_from(Verdict)),
    channel=_maybe(st.sampled_from(Channel)),
    step=st.just("") | _text(64),
    officer=st.just("") | _text(254),
    run_verdict=_maybe(st.sampled_from(Verdict)),
    run_finished_from=_maybe(st.dates()),
    run_finished_to=_maybe(st.dates()),
    open_now=st.booleans(),
    overdue_now=st.booleans(),
    agency=st.just("") | st.just(NO_AGENCY) | _text(64),
)


@given(filters)
def test_to_query_and_back_is_the_same_filter(chosen: DossierFilter) -> None:
    query = chosen.to_query()
    assert all(isinstance(value, str) and value for value in query.values())
    assert "scope" not in query
    assert DossierFilter.from_query(query) == chosen


def test_the_scope_never_comes_from_the_url() -> None:
    scoped = DossierFilter(unit="tt", scope=Scope(frozenset({1}), frozenset({"svh"})))
    assert scoped.to_query() == {"unit": "tt"}
    assert DossierFilter.from_query({"scope": "everything", "unit": "tt"}).scope == EVERYTHING


def test_the_list_pages_links_still_read_the_same() -> None:
    # The parameters /dossiers/ has always used; `page` is the page's own, left alone.
    query = {
        "procedure": " 1.000894 ",
        "case": "a",
        "unit": "svh-qlvh",
        "unit_now": "1",
        "status": "in_progress",
        "late": "1",
        "received_from": "2026-03-01",
        "received_to": "2026-03-31",
        "page": "3",
    }
    assert DossierFilter.from_query(query) == DossierFilter(
        procedure="1.000894",
        case="a",
        unit="svh-qlvh",
        unit_now=True,
        status=DossierStatus.IN_PROGRESS,
        late=True,
        received_from=date(2026, 3, 1),
        received_to=date(2026, 3, 31),
    )
    # Empty values are no filter, as the list's form sends them.
    assert DossierFilter.from_query({"status": "", "late": "", "case": " "}) == DossierFilter()
    assert DossierFilter.from_query({"late": "on", "open_now": "0"}) == DossierFilter(late=True)


def test_the_new_figures_parameters() -> None:
    query = {
        "finished_from": "2026-03-01",
        "finished_to": "2026-03-31",
        "verdict": "late",
        "channel": "post",
        "step": "s2",
        "officer": "binh.tt@example.gov.vn",
        "run_verdict": "early",
        "run_finished_from": "2026-03-02",
        "run_finished_to": "2026-03-08",
        "open_now": "true",
        "overdue_now": "yes",
        "agency": NO_AGENCY,
    }
    chosen = DossierFilter.from_query(query)
    assert chosen == DossierFilter(
        finished_from=date(2026, 3, 1),
        finished_to=date(2026, 3, 31),
        verdict=Verdict.LATE,
        channel=Channel.POST,
        step="s2",
        officer="binh.tt@example.gov.vn",
        run_verdict=Verdict.EARLY,
        run_finished_from=date(2026, 3, 2),
        run_finished_to=date(2026, 3, 8),
        open_now=True,
        overdue_now=True,
        agency=NO_AGENCY,
    )
    assert chosen.to_query()["open_now"] == "1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "lost"}, r"status: unknown value 'lost' \(one of in_progress, paused"),
        ({"verdict": "LATE"}, "verdict: unknown value 'LATE' \\(one of early, on_time, late\\)"),
        ({"run_verdict": "soon"}, "run_verdict: unknown value 'soon'"),
        ({"channel": "fax"}, "channel: unknown value 'fax' \\(one of online, counter, post\\)"),
        ({"received_from": "2026-13-01"}, "received_from: '2026-13-01' is not a day"),
        ({"finished_to": "01/03/2026"}, "finished_to: '01/03/2026' is not a day"),
        ({"run_finished_from": "x"}, "run_finished_from: 'x' is not a day"),
        ({"late": "maybe"}, "late: 'maybe' is not a flag"),
        ({"overdue_now": "2"}, "overdue_now: '2' is not a flag"),
        ({"procedure": "9" * 65}, "procedure: longer than 64 characters"),
        ({"unit": "u" * 65}, "unit: longer than 64 characters"),
        ({"officer": "o" * 255}, "officer: longer than 254 characters"),
    ],
)
def test_a_bad_value_is_refused_naming_its_parameter(query: dict[str, str], message: str) -> None:
    with pytest.raises(FilterError, match=message) as refused:
        DossierFilter.from_query({"procedure": "1.000894", **query})
    ((name, value),) = query.items()
    assert (refused.value.parameter, refused.value.value) == (name, value)
    assert isinstance(refused.value, ValueError)


# --- The percentile ---------------------------------------------------------------------


def test_percentile_interpolates_like_percentile_cont() -> None:
    assert percentile([5.0, 6.0], 0.5) == 5.5
    assert percentile([4.0, 1.0], 0.5) == 2.5
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert percentile([1, 2, 3], 0) == 1.0 and percentile([1, 2, 3], 1) == 3.0
    assert percentile([], 0.5) is None


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=50))
def test_percentile_agrees_with_the_inclusive_deciles(values: list[float]) -> None:
    # statistics' "inclusive" method is the same linear interpolation between ranks.
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    for tenth, expected in enumerate(deciles, start=1):
        assert percentile(values, tenth / 10) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("q", [-0.1, 1.5, float("nan")])
def test_a_fraction_outside_zero_to_one_is_refused(q: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0, 2.0], q)
