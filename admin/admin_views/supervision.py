"""The supervision dashboard (bảng theo dõi, giám sát): figures for managers, read-only.

For supervisors and administrators only (anonymous: the login form; another role: 403).
Everything is a GET: the period, the breakdown and its order, and the overdue list's
filters are query parameters (the period's as `periods` reads them for every supervision
page: ``period``, ``day``, ``from``, ``to``), and a value that makes no sense is said on
the page and replaced by the default (this month), never a 500. The figures come from
`workflow_model.supervision.figures`, inside the user's scope (`scope_of_user`); each
links to the dossier list through its `DossierFilter` (the list applies the same scope
again). Each figure is drawn by plotly.js from JSON the page carries in a
``<script type="application/json">`` element (`static/supervision.js` draws them: no
inline script), and its data is also an HTML table, for screen readers and printing.
plotly.js comes from the installed `plotly` package, served by `plotly_js` below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from typing import Any

import plotly
import sqlalchemy as sa
from flask import Response, abort, g, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from exporters.overdue_xlsx import overdue_filename, overdue_xlsx
from workflow_model.models import Channel, Role, Unit, Verdict, utcnow
from workflow_model.supervision import PeriodKind, Scope, today_in_vietnam
from workflow_model.supervision.figures import (
    BreakdownBy,
    BreakdownRow,
    Headline,
    OverdueFilter,
    TrendWeek,
    breakdown,
    headline,
    headline_drill,
    overdue_dossiers,
    week_drill,
    weekly_trend,
)
from workflow_model.tracking.wording import CHANNEL_WORDS, VERDICT_WORDS, label, working_time

from ..database import db_session
from .base import has_any_role
from .dossiers import XLSX
from .periods import PeriodChoice, kind_choices, period_or_default
from .reading import page_language, query_text, reader_scope

SUPERVISION_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""Who may read the dashboard."""
OVERDUE_LIMIT = 500
"""The most overdue dossiers the page and the workbook list (the most overdue first)."""
ENDS = 10
"""How many officers each end of the officer breakdown shows."""
PLOTLY_JS = files("plotly") / "package_data" / "plotly.min.js"
"""plotly.js as the installed `plotly` package ships it (never copied into the repository)."""
DEFAULT_KIND = PeriodKind.MONTH
"""The period the dashboard shows when none is asked for (or the one asked makes none)."""
_FONT = 13
"""The figures' text size in CSS px (labels at least 12 px)."""
_COLOURS = {"early": "#2e7d32", "on_time": "#1565c0", "late": "#c62828", "received": "#6d4c41"}

BREAKDOWN_NAMES = {
    BreakdownBy.AGENCY: _l("Agency"),
    BreakdownBy.UNIT: _l("Unit"),
    BreakdownBy.PROCEDURE: _l("Procedure"),
    BreakdownBy.STEP: _l("Step"),
    BreakdownBy.OFFICER: _l("Officer"),
}
SORT_COLUMNS: dict[str, Any] = {
    "label": _l("Name"),
    "total": _l("Total"),
    # The verdicts are named by `tracking.wording`, as everywhere (None: the page asks it).
    "early": None,
    "on_time": None,
    "late": None,
    "early_rate": _l("Early rate"),
    "late_rate": _l("Late rate"),
    "median_overrun_hours": _l("Median overrun"),
}
"""The breakdown table's columns, each a sort key (an attribute of `BreakdownRow`)."""


@dataclass
class Choices:
    """What the page's parameters asked for, and what was wrong with them."""

    period: PeriodChoice
    by: BreakdownBy = BreakdownBy.AGENCY
    sort: str = "total"
    order: str = "desc"
    overdue: OverdueFilter = field(default_factory=OverdueFilter)
    problems: list[str] = field(default_factory=list)


def _breakdown_choice(args: Mapping[str, str], choices: Choices) -> None:
    by = query_text(args, "by") or BreakdownBy.AGENCY.value
    if by in set(BreakdownBy):
        choices.by = BreakdownBy(by)
    else:
        choices.problems.append(str(_l("Unknown breakdown; by agency is shown.")))
    sort = query_text(args, "sort") or "total"
    if sort in SORT_COLUMNS:
        choices.sort = sort
    else:
        choices.problems.append(str(_l("Unknown column to sort by; sorted by total.")))
    order = query_text(args, "order") or "desc"
    if order in ("asc", "desc"):
        choices.order = order
    else:
        choices.problems.append(str(_l("Unknown sort order; largest first.")))


def _overdue_choice(args: Mapping[str, str], choices: Choices) -> None:
    min_days: float = 0
    text = query_text(args, "min_days").replace(",", ".")
    if text:
        try:
            min_days = float(text)
            if not 0 <= min_days <= 10_000:
                raise ValueError(text)
        except ValueError:
            min_days = 0
            choices.problems.append(
                str(_l("The minimum days overdue must be a number of days, 0 or more."))
            )
    apology_text = query_text(args, "apology")
    apology = {"": None, "yes": True, "no": False}.get(apology_text)
    if apology_text not in ("", "yes", "no"):
        choices.problems.append(str(_l("Unknown apology slip filter; all are shown.")))
    choices.overdue = OverdueFilter(
        procedure=query_text(args, "procedure"),
        unit=query_text(args, "unit"),
        min_days=min_days,
        apology=apology,
    )


def read_choices(args: Mapping[str, str], today: date) -> Choices:
    """The dashboard's parameters from the query string; what is wrong goes to `problems`."""
    period, problems = period_or_default(args, today, DEFAULT_KIND)
    choices = Choices(period, problems=problems)
    _breakdown_choice(args, choices)
    _overdue_choice(args, choices)
    return choices


def sorted_rows(rows: tuple[BreakdownRow, ...], sort: str, order: str) -> list[BreakdownRow]:
    """The breakdown's rows by `sort` (a `SORT_COLUMNS` key), rows without a value last."""
    present = [row for row in rows if getattr(row, sort) is not None]
    missing = [row for row in rows if getattr(row, sort) is None]

    def key(row: BreakdownRow) -> Any:
        value = getattr(row, sort)
        return value.casefold() if isinstance(value, str) else value

    present.sort(key=lambda row: row.label.casefold())
    present.sort(key=key, reverse=order == "desc")
    return present + missing


def officer_ends(rows: tuple[BreakdownRow, ...]) -> tuple[list[BreakdownRow], list[BreakdownRow]]:
    """Both ends of the officer breakdown: the best early rates and the worst late rates.

    Early handling is rewarded as much as delays are found (issue 16); an officer with no
    early (or late) run is not on that end's table.
    """
    early = sorted(
        (row for row in rows if row.early), key=lambda r: (-r.early_rate, -r.total, r.label)
    )
    late = sorted(
        (row for row in rows if row.late), key=lambda r: (-r.late_rate, -r.total, r.label)
    )
    return early[:ENDS], late[:ENDS]


# --- the figures, as plotly JSON ---------------------------------------------------------


def _layout(title: str, **more: Any) -> dict[str, Any]:
    axis = {"tickfont": {"size": _FONT}, "title": {"font": {"size": _FONT}}, "automargin": True}
    return {
        "title": {"text": title, "font": {"size": _FONT + 2}},
        "font": {"size": _FONT, "family": "system-ui, sans-serif"},
        "legend": {"font": {"size": _FONT}, "orientation": "h"},
        "hoverlabel": {"font": {"size": _FONT}},
        "margin": {"t": 48, "r": 16, "b": 48, "l": 16},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "height": 340,
        **more,
    }


def bar_figure(names: list[str], values: list[int], colour: Any, title: str) -> dict[str, Any]:
    """One bar per name, each labelled with its value; `colour` one or one per bar."""
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": values,
                "text": [str(value) for value in values],
                "textposition": "auto",
                "textfont": {"size": _FONT},
                "marker": {"color": colour},
            }
        ],
        "layout": _layout(title),
    }


def verdict_figure(numbers: Headline, language: str, title: str) -> dict[str, Any]:
    """The resolved dossiers by verdict, a bar each."""
    verdicts = (Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE)
    return bar_figure(
        [label(VERDICT_WORDS, v, language) for v in verdicts],
        [numbers.early, numbers.on_time, numbers.late],
        [_COLOURS[v.value] for v in verdicts],
        title,
    )


def channel_figure(numbers: Headline, language: str, title: str) -> dict[str, Any]:
    """The dossiers received by channel, a bar each."""
    channels = list(Channel)
    return bar_figure(
        [label(CHANNEL_WORDS, c, language) for c in channels],
        [numbers.received_by_channel.get(channel, 0) for channel in channels],
        _COLOURS["received"],
        title,
    )


def breakdown_figure(rows: list[BreakdownRow], language: str, title: str) -> dict[str, Any]:
    """Early, on time and late per row, stacked horizontal bars (the first 20 rows)."""
    shown = list(reversed(rows[:20]))  # plotly draws the first category at the bottom
    names = [row.label or row.key for row in shown]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label(VERDICT_WORDS, verdict, language),
            "y": names,
            "x": [getattr(row, verdict.value) for row in shown],
            "marker": {"color": _COLOURS[verdict.value]},
        }
        for verdict in (Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE)
    ]
    height = max(240, 90 + 28 * len(shown))
    return {"data": data, "layout": _layout(title, barmode="stack", height=height)}


def trend_figure(
    weeks: tuple[TrendWeek, ...], language: str, title: str, received: str
) -> dict[str, Any]:
    """Received, and resolved early, on time and late, week by week."""
    mondays = [week.monday.isoformat() for week in weeks]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": label(VERDICT_WORDS, verdict, language),
            "x": mondays,
            "y": [getattr(week, verdict.value) for week in weeks],
            "marker": {"color": _COLOURS[verdict.value]},
        }
        for verdict in (Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE)
    ]
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": received,
            "x": mondays,
            "y": [week.received for week in weeks],
            "line": {"color": _COLOURS["received"]},
        }
    )
    layout = _layout(title, barmode="stack")
    layout["xaxis"]["type"] = "category"
    return {"data": data, "layout": layout}


# --- the view -----------------------------------------------------------------------------


def _units(scope: Scope) -> list[tuple[str, str]]:
    """The active units the overdue list may be narrowed to: those of the scope."""
    query = sa.select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.name, Unit.code)
    if scope.unit_ids is not None:
        query = query.where(Unit.id.in_(sorted(scope.unit_ids)))
    return [(code, name) for code, name in db_session().execute(query)]


class SupervisionView(BaseView):
    """The dashboard, its overdue list as a workbook, and plotly.js for its figures."""

    def is_accessible(self) -> bool:
        """Supervisors and administrators."""
        return has_any_role(SUPERVISION_ROLES)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login form; logged in without the role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The dashboard for the chosen period, breakdown and overdue filters."""
        session = db_session()
        now = utcnow()
        choices = read_choices(request.args, today_in_vietnam(now))
        period = choices.period.period
        scope = reader_scope()
        language = page_language()
        numbers = headline(session, period, scope, now)
        rows = breakdown(session, period, scope, choices.by)
        ordered = sorted_rows(rows, choices.sort, choices.order)
        weeks = weekly_trend(session, period, scope)
        overdue = overdue_dossiers(session, scope, now, choices.overdue, limit=OVERDUE_LIMIT)

        def drill(figure: str) -> str:
            query = headline_drill(figure, period, now, scope=scope).to_query()
            return url_for("dossiers.index", **query)

        def drill_week(week: TrendWeek, figure: str) -> str:
            query = week_drill(week, figure, period, now, scope=scope).to_query()
            return url_for("dossiers.index", **query)

        base = self._base_args(choices)
        figures = {
            "fig-channels": channel_figure(numbers, language, str(_l("Received by channel"))),
            "fig-verdicts": verdict_figure(numbers, language, str(_l("Resolved by outcome"))),
            "fig-breakdown": breakdown_figure(
                ordered, language, str(_l("By %(by)s", by=BREAKDOWN_NAMES[choices.by]))
            ),
            "fig-trend": trend_figure(
                weeks, language, str(_l("Week by week")), str(_l("Received"))
            ),
        }
        early_end, late_end = officer_ends(rows)
        return self.render(
            "sodo/supervision.html",
            choices=choices,
            period=period,
            scope=scope,
            numbers=numbers,
            rows=ordered,
            early_end=early_end,
            late_end=late_end,
            weeks=weeks,
            overdue=overdue,
            overdue_limit=OVERDUE_LIMIT,
            figures=figures,
            drill=drill,
            drill_week=drill_week,
            drill_row=lambda row: url_for("dossiers.index", **row.drill.to_query()),
            sort_url=self._sort_url(base, choices),
            xlsx_url=url_for(".overdue_xlsx", **self._overdue_args(choices)),
            base=base,
            units=_units(scope),
            period_kinds=kind_choices(PeriodKind),
            breakdown_names=BREAKDOWN_NAMES,
            sort_columns=SORT_COLUMNS,
            channels=list(Channel),
            channel_words=lambda value: label(CHANNEL_WORDS, value, language),
            verdict_words=lambda value: label(VERDICT_WORDS, value, language),
            hours=lambda value: working_time(value, language),
            plotly_url=url_for(".plotly_js", v=plotly.__version__),
        )

    @staticmethod
    def _base_args(choices: Choices) -> dict[str, str]:
        """The period and breakdown parameters, which every link of the page keeps."""
        return {**choices.period.arguments(), "by": choices.by.value}

    @staticmethod
    def _overdue_args(choices: Choices) -> dict[str, str]:
        wanted = choices.overdue
        found = {"procedure": wanted.procedure, "unit": wanted.unit}
        if wanted.min_days:
            found["min_days"] = f"{wanted.min_days:g}"
        if wanted.apology is not None:
            found["apology"] = "yes" if wanted.apology else "no"
        return {key: value for key, value in found.items() if value}

    def _sort_url(self, base: dict[str, str], choices: Choices) -> Callable[[str], str]:
        """A column heading's link: sort by it, the other way round when it is the sort."""
        kept = self._overdue_args(choices)

        def link(column: str) -> str:
            if column == choices.sort:
                order = "asc" if choices.order == "desc" else "desc"
            else:
                order = "asc" if column == "label" else "desc"
            arguments = {**base, **kept, "sort": column, "order": order}
            return url_for(".index", **arguments) + "#breakdown"

        return link

    @expose("/overdue.xlsx")
    def overdue_xlsx(self) -> ResponseReturnValue:
        """The overdue list, with the page's filters, as a workbook.

        The list is what is overdue now, whatever the period: a period that makes none does
        not matter here, and the filters fall back as on the page.
        """
        now = utcnow()
        today = today_in_vietnam(now)
        choices = read_choices(request.args, today)
        rows = overdue_dossiers(
            db_session(), reader_scope(), now, choices.overdue, limit=OVERDUE_LIMIT
        )
        response = Response(overdue_xlsx(rows, page_language()), mimetype=XLSX)
        name = overdue_filename(today.isoformat())
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @expose("/plotly.min.js")
    def plotly_js(self) -> ResponseReturnValue:
        """plotly.js from the installed package, cached by the browser (its URL has the version).

        Behind the login like the page (4.6 MB is no reason to serve it to anyone).
        """
        g.sodo_cacheable = True
        response = send_file(
            str(PLOTLY_JS), mimetype="text/javascript", max_age=86_400, conditional=True
        )
        response.cache_control.public = False
        response.cache_control.private = True
        return response
