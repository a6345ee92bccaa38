"""Every plotly figure of the app: pure builders that take DataFrames and return a go.Figure.

No streamlit here and no metric arithmetic: a builder only reshapes what rollout computed (pivots,
order, colours) and draws it. Pages and sections call a builder and hand the figure to st.plotly_chart.

User text is made inert here, once for every figure: plotly reads a subset of HTML in every text
it draws (hover labels, axis ticks, legends, titles, annotations), so a branch code holding
`<a href=...>` would become a live link and `<b>` would render bold. Every public builder is
decorated with `@builder`, which escapes `&`, `<` and `>` in every string its arguments hold
(DataFrame cells, index and column labels, dict keys and values, lists) before the figure is built;
plotly shows the entities as the characters typed. Arguments are therefore data only: markup a
figure needs (`<br>` in a hover template) is written inside its builder, never passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ParamSpec

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from rollout.core.i18n import _
from rollout.core.labels import N_, STATUS_COLOURS, STATUS_ORDER, role_label
from rollout.exchange.spec import ROLES
from rollout.metrics import engagement, lessons
from ui.formats import percent, readiness_text, status_label

P = ParamSpec("P")

# 0 % red, 50 % yellow, 100 % green: the ends are the status palette's red and green
RED_TO_GREEN = [[0.0, STATUS_COLOURS["red"]], [0.5, "#ffdd57"], [1.0, STATUS_COLOURS["green"]]]
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
HEATMAP_ROWS = 40  # branches drawn in a staffing heatmap; the tables beside it hold every branch
MATRIX_CHART_BRANCHES = 60  # a lessons heatmap with more columns is unreadable (the table has every branch)
MAN_DAYS_CHART_BRANCHES = 40

# --- escaping user text ------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """`&`, `<`, `>` as HTML entities: plotly draws them as typed instead of reading them as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_series(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.rename_categories(lambda c: escaped(c))
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        return series.map(escaped, na_action="ignore")
    return series


def _escape_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_escape_index(level) for level in index.levels])
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return index.map(lambda v: escaped(v))
    return index


def escaped(value: Any) -> Any:
    """A copy of value with every string in it escaped (escape_text): str, DataFrame and Series (cells and
    labels), dict (keys and values), list, tuple, set. Numbers, dates and None are returned as they are."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for position in range(frame.shape[1]):
            frame.isetitem(position, _escape_series(frame.iloc[:, position]))
        frame.columns = _escape_index(frame.columns)
        frame.index = _escape_index(frame.index)
        return frame
    if isinstance(value, pd.Series):
        series = _escape_series(value.copy())
        series.index = _escape_index(series.index)
        return series.rename(escaped(series.name))
    if isinstance(value, Mapping):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(escaped(v) for v in value)
    return value


def builder(func: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """Mark a public figure builder: its arguments reach it with every string escaped (see above)."""
    @functools.wraps(func)
    def build(*args: Any, **kwargs: Any) -> go.Figure:
        return func(*(escaped(a) for a in args), **{k: escaped(v) for k, v in kwargs.items()})
    build.escapes_user_text = True  # type: ignore[attr-defined]
    return build  # type: ignore[return-value]


# --- shared pieces (called by builders, on arguments already escaped) --------------------------------


@builder
def empty_figure(message: str) -> go.Figure:
    """A small blank figure that says why there is nothing to draw (message: our words, not data)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(height=220, xaxis={"visible": False}, yaxis={"visible": False}, margin=MARGIN)
    return fig


def _percent_heatmap(pivot: pd.DataFrame, title: str, scale_title: str, hovertemplate: str) -> go.Figure:
    """Rows × columns of percentages (0–100, red to green, whole percent in each cell); a blank cell has none."""
    text = pivot.map(lambda v: "" if pd.isna(v) else f"{v:.0f}%")
    fig = go.Figure(go.Heatmap(
        z=pivot.values, x=list(pivot.columns), y=list(pivot.index), text=text.values, texttemplate="%{text}",
        colorscale=RED_TO_GREEN, zmin=0, zmax=100, colorbar={"title": scale_title}, hovertemplate=hovertemplate))
    fig.update_layout(title=title, height=max(260, 28 * len(pivot) + 120), margin=MARGIN)
    return fig


# --- readiness (Portfolio, Branch) -------------------------------------------------------------------

STATUS_ORDER = list(STATUS_ORDER)


@builder
def dimension_heatmap(by_dimension: pd.DataFrame, branches: list[str], dimensions: list[str],
                      keep_order: bool = False, title: str | None = None) -> go.Figure:
    """Branch × dimension heatmap of checklist readiness (%); blank: the branch has no item there.
    keep_order: the branches top to bottom as given (risk first), else by code. The dimensions are written
    in words (legend_word), as the Branch page's bars write them."""
    frame = by_dimension[by_dimension["branch_code"].isin(branches)]
    if frame.empty:
        return empty_figure(_("No checklist items for these branches"))
    pivot = frame.pivot_table(index="branch_code", columns="dimension", values="checklist_readiness",
                              aggfunc="first").reindex(columns=dimensions)
    rows = [b for b in reversed(branches) if b in pivot.index] if keep_order else sorted(pivot.index, reverse=True)
    return _percent_heatmap(pivot.reindex(rows).rename(columns=legend_word),
                            title or _("Readiness by branch and dimension"), _("Ready %"),
                            _("branch %{y}<br>%{x}<br>readiness %{z:.1f}%<extra></extra>"))


@builder
def status_counts_figure(counts: pd.DataFrame, by: str) -> go.Figure:
    """Stacked bars: branches per wave (or region) and status (rows of readiness.count_by)."""
    if counts.empty:
        return empty_figure(_("No branches"))
    axis = counts[by].map(lambda v: _("no wave") if pd.isna(v) else (_("wave {number}").format(number=int(v))
                                                                     if by == "wave" else str(v)))
    order = sorted(axis.unique(), key=lambda t: (len(t), t))
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = counts[counts["status"] == status]
        if part.empty:
            continue
        fig.add_bar(x=axis[part.index], y=part["branches"], name=status_label(status),
                    marker_color=STATUS_COLOURS[status])
    fig.update_layout(barmode="stack", title=_("Branch status per wave") if by == "wave" else
                      _("Branch status per region"),
                      xaxis={"categoryorder": "array", "categoryarray": order}, yaxis={"title": _("branches")},
                      height=320, margin=MARGIN)
    return fig


@builder
def region_status_figure(rollup: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars: branches per region and status (portfolio.region_rollup), risk first,
    in the one status palette."""
    if rollup.empty:
        return empty_figure(_("No branches"))
    fig = go.Figure()
    regions = [f"{code} · {name}" for code, name in zip(rollup["region_code"], rollup["region_name"], strict=True)]
    for status in STATUS_ORDER:
        fig.add_bar(y=regions, x=rollup[status], name=status_label(status), orientation="h",
                    marker_color=STATUS_COLOURS[status],
                    hovertemplate="%{y}<br>%{x}<extra>" + status_label(status) + "</extra>")
    # the legend sits at the foot of the figure, below the axis title, whatever the plot's height: never over it
    fig.update_layout(barmode="stack", title=_("Branch status per region"), height=max(260, 34 * len(rollup) + 190),
                      yaxis={"autorange": "reversed"}, xaxis={"title": _("branches")}, margin={**MARGIN, "b": 130},
                      legend={"orientation": "h", "y": 0, "yanchor": "bottom", "yref": "container"})
    return fig


TREND_STATUSES = ("live", "green", "amber", "red")  # the portfolio trend: bottom to top of the stack


@builder
def portfolio_trend_figure(trend: pd.DataFrame) -> go.Figure:
    """Branches live / green / amber / red on each weekly review date (portfolio.status_trend), stacked."""
    if trend.empty:
        return empty_figure(_("No weekly figures"))
    fig = go.Figure()
    for status in TREND_STATUSES:
        fig.add_scatter(x=trend["week"], y=trend[status], name=status_label(status), mode="lines",
                        stackgroup="statuses", line={"color": STATUS_COLOURS[status], "width": 1},
                        fillcolor=STATUS_COLOURS[status])
    fig.update_layout(title=_("Branches per status, last 12 weeks"), yaxis={"title": _("branches")}, height=320,
                      margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig


@builder
def go_lives_ahead_figure(ahead: pd.DataFrame) -> go.Figure:
    """Planned go-lives per week ahead (portfolio.go_lives_ahead)."""
    if ahead.empty or not ahead["go_lives"].sum():
        return empty_figure(_("No go-live planned in the next 12 weeks"))
    fig = go.Figure(go.Bar(x=ahead["week"], y=ahead["go_lives"], marker_color=STATUS_COLOURS["live"],
                           hovertemplate=_("week of %{x}") + "<br>%{y}<extra></extra>"))
    fig.update_layout(title=_("Planned go-lives per week, next 12 weeks"), yaxis={"title": _("go-lives")},
                      height=320, margin=MARGIN)
    return fig


@builder
def dimension_bars(by_dimension: pd.DataFrame) -> go.Figure:
    """One branch's readiness per dimension (horizontal bars)."""
    if by_dimension.empty:
        return empty_figure(_("No checklist items"))
    frame = by_dimension.sort_values("dimension", ascending=False)
    fig = go.Figure(go.Bar(x=frame["checklist_readiness"], y=frame["dimension"].map(legend_word), orientation="h",
                           text=frame["checklist_readiness"].map(readiness_text), textposition="auto",
                           marker_color="#1f77b4"))
    fig.update_layout(title=_("Readiness by dimension"), xaxis={"range": [0, 100], "title": "%"}, height=300,
                      margin=MARGIN)
    return fig


@builder
def trend_figure(trend: pd.DataFrame, as_of: date, readiness: Any, forecast_ready_on: Any,
                 planned_go_live: Any) -> go.Figure:
    """The weekly readiness line, the forecast (dashed, to 100% on the forecast date) and the
    planned go-live (vertical line)."""
    if trend.empty:
        return empty_figure(_("No plan: no readiness trend"))
    fig = go.Figure(go.Scatter(x=trend["week_of"], y=trend["checklist_readiness"], mode="lines+markers",
                               name=_("readiness"), line={"color": "#1f77b4"}))
    if forecast_ready_on is not None and not pd.isna(forecast_ready_on) and readiness is not None \
            and not pd.isna(readiness):
        fig.add_scatter(x=[pd.Timestamp(as_of), pd.Timestamp(forecast_ready_on)], y=[readiness, 100],
                        mode="lines+markers", name=_("forecast"), line={"dash": "dash", "color": "#7f7f7f"})
    if planned_go_live is not None and not pd.isna(planned_go_live):
        x = pd.Timestamp(planned_go_live)
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line={"color": "#d62728", "dash": "dot"})
        fig.add_annotation(x=x, y=1, yref="paper", text=_("planned go-live"), showarrow=False, yanchor="bottom")
    fig.update_layout(title=_("Readiness trend (weekly) and forecast"), yaxis={"range": [0, 105], "title": "%"},
                      height=340, margin=MARGIN, legend={"orientation": "h", "y": -0.15})
    return fig


@builder
def master_data_figure(progress: pd.DataFrame) -> go.Figure:
    """Per master-data object: loaded and validated as % of expected."""
    if progress.empty:
        return empty_figure(_("No master data objects"))
    fig = go.Figure()
    fig.add_bar(x=progress["object"], y=progress["loaded_pct"], name=_("loaded %"), marker_color="#aec7e8")
    fig.add_bar(x=progress["object"], y=progress["validated_pct"], name=_("validated %"), marker_color="#1f77b4")
    fig.update_layout(barmode="group", title=_("Master data: loaded and validated (% of expected)"),
                      yaxis={"range": [0, 105]}, height=300, margin=MARGIN)
    return fig


# --- staffing ------------------------------------------------------------------------------------------

# 0 key users red, 1 amber, 2+ green (the coverage matrix's z is min(key users, 2)).
COVERAGE_COLOURS = [[0.0, STATUS_COLOURS["red"]], [0.33, STATUS_COLOURS["red"]], [0.34, STATUS_COLOURS["amber"]],
                    [0.66, STATUS_COLOURS["amber"]], [0.67, STATUS_COLOURS["green"]], [1.0, STATUS_COLOURS["green"]]]


@builder
def fill_heatmap(matrix: pd.DataFrame, branch_order: list[str] | None = None,
                 gaps: Mapping[str, float] | None = None) -> go.Figure:
    """Branch × role heatmap of fill rate (%); empty cells: the branch has no requirement for the role.
    branch_order: the branches to draw, top first (default: all, by code); gaps: each branch's open gap in
    fte, written beside its code. Roles head the columns in words, above the first row (a tall heatmap's
    bottom is out of view); a role none of the drawn branches requires gets no column."""
    if matrix.empty:
        return empty_figure(_("No role requirements"))
    pivot = matrix.pivot_table(index="branch_code", columns="role", values="fill_rate", aggfunc="first")
    order = [b for b in (branch_order if branch_order is not None else sorted(pivot.index)) if b in pivot.index]
    if not order:
        return empty_figure(_("No role requirements"))
    pivot = pivot.reindex(order).dropna(axis="columns", how="all")
    pivot = pivot[[r for r in ROLES if r in pivot.columns] + [r for r in pivot.columns if r not in ROLES]]
    if gaps is not None:
        pivot.index = [_("{branch} · gap {gap}").format(branch=code, gap=f"{float(gaps.get(code, 0)):.1f}")
                       for code in pivot.index]
    fig = _percent_heatmap(pivot.rename(columns=role_label), _("Fill rate by branch and role"), _("Fill %"),
                           _("branch %{y}<br>role %{x}<br>fill %{z:.1f}%<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed", "type": "category"},
                      xaxis={"side": "top", "type": "category", "tickangle": 0}, margin={**MARGIN, "t": 90})
    return fig


@builder
def coverage_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Branch × module key-user coverage (0 red, 1 amber, 2+ green; text says how many are trained).
    Rows keep the matrix order (branches going live soonest at the top), the first HEATMAP_ROWS branches."""
    if matrix.empty:
        return empty_figure(_("No modules"))
    order = list(dict.fromkeys(matrix["branch_code"]))[:HEATMAP_ROWS]
    z = matrix.assign(level=matrix["key_users"].clip(upper=2)).pivot_table(
        index="branch_code", columns="module", values="level", aggfunc="first").reindex(order[::-1])
    text = matrix.pivot_table(index="branch_code", columns="module", values="coverage",
                              aggfunc="first").reindex(order[::-1]).reindex(columns=z.columns).fillna("")
    fig = go.Figure(go.Heatmap(
        z=z.values, x=list(z.columns), y=list(z.index), text=text.values, texttemplate="%{text}",
        colorscale=COVERAGE_COLOURS, zmin=0, zmax=2, showscale=False,
        hovertemplate=_("branch %{y}<br>module %{x}<br>key users %{text}<extra></extra>")))
    fig.update_layout(height=max(260, 28 * len(z) + 120), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title=_("Key users per module (soonest go-live at the top)"))
    return fig


# --- executive engagement ------------------------------------------------------------------------------

ENGAGEMENT_COLOURS = {"engaged": "#2e7d32", "cooling": "#f9a825", "silent": "#c62828"}
# Words for the codes a legend shows (the codes themselves stay as WORKBOOK.md defines them).
LEGEND_WORDS = {"engaged": N_("engaged"), "cooling": N_("cooling"), "silent": N_("silent"), "critical": N_("critical"),
                "high": N_("high"), "medium": N_("medium"), "low": N_("low"), "missing": N_("missing"),
                "planned": N_("planned"), "applied": N_("applied"), "verified": N_("verified"),
                "not_applicable": N_("not applicable"), "data": N_("data"), "training": N_("training"),
                "process": N_("process"), "people": N_("people"), "technical": N_("technical"),
                "executive": N_("executive"), "governance": N_("governance"), "kickoff": N_("kick-off")}


CHANNEL_WORDS = {"visit": N_("visit"), "meeting": N_("meeting"), "phone": N_("phone"), "email": N_("email")}


def channel_word(channel: str) -> str:
    """A touchpoint channel (visit, meeting, phone, email) in words."""
    return _(CHANNEL_WORDS[channel]) if channel in CHANNEL_WORDS else channel


def legend_word(code: str) -> str:
    """A code a chart shows (engagement status, severity, impact, application status) in words."""
    return _(LEGEND_WORDS[code]) if code in LEGEND_WORDS else code
SENTIMENT_SCALE = [(0.0, "#c62828"), (0.5, "#bdbdbd"), (1.0, "#2e7d32")]


def _executive(frame: pd.DataFrame) -> pd.Series:
    return frame["exec_code"] + " · " + frame["name"].fillna("")


@builder
def score_figure(history: pd.DataFrame, settings: Mapping[str, float]) -> go.Figure:
    """Weekly replay of the engagement score per executive, with the status thresholds."""
    frame = history.assign(executive=_executive(history), status=history["status"].map(legend_word))
    fig = px.line(frame, x="as_of", y="engagement_score", color="executive", markers=True,
                  hover_data={"status": True, "engagement_score": ":.1f"},
                  labels={"as_of": _("as of (weekly)"), "engagement_score": _("engagement score"),
                          "executive": _("executive"), "status": _("status")})
    fig.add_hline(y=settings["engaged_score_at_least"], line_dash="dot", line_color=ENGAGEMENT_COLOURS["engaged"],
                  annotation_text=_("engaged"), annotation_position="top left")
    fig.add_hline(y=settings["silent_score_below"], line_dash="dot", line_color=ENGAGEMENT_COLOURS["silent"],
                  annotation_text=_("silent below"), annotation_position="bottom left")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="")
    return fig


@builder
def timeline_figure(points: pd.DataFrame) -> go.Figure:
    """Touchpoints per executive over time: symbol = channel, colour = sentiment (−2 red … +2 green)."""
    frame = points.assign(executive=_executive(points), sentiment_shown=points["sentiment"].fillna(0),
                          channel=points["channel"].map(channel_word),
                          minutes=points["duration_min"].fillna(15).clip(lower=5))
    fig = px.scatter(frame, x="date", y="executive", symbol="channel", color="sentiment_shown", size="minutes",
                     size_max=16, color_continuous_scale=SENTIMENT_SCALE, range_color=(-2, 2),
                     hover_data={"channel": True, "sentiment": True, "duration_min": True, "minutes": False,
                                 "sentiment_shown": False},
                     labels={"sentiment_shown": _("sentiment"), "date": _("touchpoint date"), "channel": _("channel"),
                             "sentiment": _("sentiment"), "duration_min": _("duration (minutes)"),
                             "executive": _("executive"), "minutes": _("duration (minutes)")})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text=_("channel"),
                      coloraxis_colorbar={"title": _("sentiment"), "x": 1.12})
    fig.update_yaxes(title="", categoryorder="category descending")
    return fig


@builder
def status_figure(headline: Mapping[str, int]) -> go.Figure:
    """How many heads are engaged, cooling, silent (bar; counts of engagement.headline)."""
    statuses = list(engagement.STATUSES)
    counts = [headline[s] for s in statuses]
    words = [legend_word(s) for s in statuses]
    fig = px.bar(x=words, y=counts, color=words,
                 color_discrete_map={legend_word(s): ENGAGEMENT_COLOURS[s] for s in statuses},
                 labels={"x": _("status"), "y": _("executives")})
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=220)
    return fig


# --- lessons and go-live problems ----------------------------------------------------------------------

APPLICATION_COLOURS = {"missing": "#d62728", "planned": "#ffbf00", "applied": "#8fd175", "verified": "#2ca02c",
                       "not_applicable": "#b0b0b0"}
SEVERITY_COLOURS = {"critical": "#d62728", "high": "#ff7f0e", "medium": "#ffbf00", "low": "#9e9e9e"}
IMPACT_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#9e9e9e"}


@builder
def lessons_by_category_fig(per_category: pd.DataFrame) -> go.Figure:
    """Number of lessons per category, stacked by impact (rows of lessons.lessons_per_category)."""
    fig = go.Figure()
    for impact in ("high", "medium", "low"):
        part = per_category[per_category["impact"] == impact]
        fig.add_bar(x=[legend_word(c) for c in part["category"]], y=part["lessons"].tolist(), name=legend_word(impact),
                    marker_color=IMPACT_COLOURS[impact])
    fig.update_layout(barmode="stack", height=320, margin={"t": 30, "b": 10}, yaxis_title=_("lessons"),
                      legend_title_text=_("impact"), title=_("Lessons by category and impact"))
    return fig


@builder
def coverage_fig(overview: pd.DataFrame) -> go.Figure:
    """Application coverage per lesson (percent of eligible branches)."""
    shown = overview.sort_values("lesson_code", ascending=False)
    fig = go.Figure(go.Bar(
        x=shown["application_coverage"], y=shown["lesson_code"], orientation="h",
        text=[percent(v, _("n/a")) for v in shown["application_coverage"]],
        customdata=shown[["title", "covered_branches", "eligible_branches"]].to_numpy(),
        hovertemplate=_("%{y}: %{customdata[0]}<br>%{customdata[1]} of %{customdata[2]} branches<extra></extra>")))
    fig.update_layout(height=120 + 28 * len(shown), margin={"t": 30, "b": 10}, xaxis={"range": [0, 100],
                      "title": _("coverage (%)")}, title=_("Application coverage per lesson"))
    return fig


@builder
def matrix_fig(matrix: pd.DataFrame, limit: int = MATRIX_CHART_BRANCHES) -> go.Figure:
    """Lesson x branch heatmap of the application status (the `limit` branches going live soonest)."""
    statuses = list(lessons.MATRIX_STATUSES)
    branches = lessons.matrix_branch_order(matrix)[:limit]
    matrix = matrix[matrix["branch_code"].isin(branches)].astype({"status": object})  # object: a fast pivot
    codes = sorted(matrix["lesson_code"].unique(), reverse=True)
    grid = matrix.pivot(index="lesson_code", columns="branch_code", values="status").reindex(index=codes,
                                                                                                columns=branches)
    z = grid.map(lambda s: statuses.index(s) if isinstance(s, str) else None)
    n = len(statuses)
    scale = []
    for i, status in enumerate(statuses):
        scale += [[i / n, APPLICATION_COLOURS[status]], [(i + 1) / n, APPLICATION_COLOURS[status]]]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=branches, y=codes, text=grid.map(
                                   lambda s: legend_word(s) if isinstance(s, str) else s).to_numpy(),
                               texttemplate="%{text}",
                               colorscale=scale, zmin=-0.5, zmax=n - 0.5, showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y} at %{x}: %{text}<extra></extra>"))
    fig.update_layout(height=140 + 40 * len(codes), margin={"t": 30, "b": 10}, xaxis={"side": "top", "type":
                      "category"}, yaxis={"type": "category"}, title="")
    return fig


@builder
def backlog_fig(per_branch: pd.DataFrame) -> go.Figure:
    """Open problems per live branch, stacked by severity (rows of lessons.backlog_per_branch)."""
    fig = go.Figure()
    for severity in ("critical", "high", "medium", "low"):
        part = per_branch[per_branch["severity"] == severity]
        fig.add_bar(x=part["branch_code"].tolist(), y=part["open_problems"].tolist(), name=legend_word(severity),
                    marker_color=SEVERITY_COLOURS[severity])
    fig.update_layout(barmode="stack", height=320, margin={"t": 30, "b": 10}, yaxis_title=_("open problems"),
                      xaxis={"type": "category"}, title=_("Open problem backlog by severity"))
    return fig


@builder
def weekly_fig(per_week: pd.DataFrame) -> go.Figure:
    """Problems opened and closed per week after go-live, one branch."""
    fig = go.Figure()
    fig.add_bar(x=per_week["week"], y=per_week["opened"], name=_("opened"), marker_color="#d62728")
    fig.add_bar(x=per_week["week"], y=per_week["closed"], name=_("closed"), marker_color="#2ca02c")
    fig.update_layout(barmode="group", height=300, margin={"t": 30, "b": 10}, xaxis_title=_("week after go-live"),
                      yaxis_title=_("problems"), title=_("Problems opened and closed per week"))
    return fig


# --- launch planning -----------------------------------------------------------------------------------

PLAN_STATUS_COLOURS = {**STATUS_COLOURS, "unknown": "#9467bd"}  # a branch's status, as on the Portfolio
SEGMENT_OPACITY = {"preparation": 0.45, "stage 1": 0.9, "stage 2": 0.65}
SEGMENT_WORDS = {"preparation": N_("preparation"), "stage 1": N_("stage 1"), "stage 2": N_("stage 2")}


def _plan_status_word(status: str) -> str:
    """A Gantt bar's status in words: the branch's readiness status, or 'status unknown' (not in the data)."""
    return _("status unknown") if status == "unknown" else status_label(status)


@builder
def gantt_figure(segments: pd.DataFrame, plan: pd.DataFrame, statuses: Mapping[str, str]) -> go.Figure:
    """One row per branch of the plan (scenarios.plan_frame, in its order): its segments
    (scenarios.plan_segments), a diamond at the kick-off; coloured by the branch's current status.
    The legend and hover name segment and status in words; the codes pick opacity and colour."""
    fig = go.Figure()
    frame = segments.assign(status=[statuses.get(code, "unknown") for code in segments["branch_code"]])
    for (status, name), rows in frame.groupby(["status", "segment"], sort=True):
        begin, end = pd.to_datetime(rows["begin"]), pd.to_datetime(rows["end"])
        segment, status_word = _(SEGMENT_WORDS[name]), _plan_status_word(status)
        fig.add_bar(y=rows["branch_code"], base=begin, x=(end - begin).dt.total_seconds() * 1000,
                    orientation="h", name=f"{segment} · {status_word}", opacity=SEGMENT_OPACITY[name],
                    legendgroup=status, marker_color=PLAN_STATUS_COLOURS.get(status, PLAN_STATUS_COLOURS["unknown"]),
                    customdata=rows[["begin", "end"]].astype(str).assign(segment=segment).to_numpy(),
                    hovertemplate="%{y} %{customdata[2]}: %{customdata[0]} → %{customdata[1]}<extra>" + status_word
                    + "</extra>")
    if not plan.empty:
        fig.add_scatter(y=plan["branch_code"], x=pd.to_datetime(plan["kickoff"]), mode="markers", name=_("kick-off"),
                        marker={"symbol": "diamond", "size": 9, "color": "black"},
                        hovertemplate=_("%{y} kick-off %{x|%Y-%m-%d}<extra></extra>"))
    codes = list(plan["branch_code"])
    fig.update_layout(barmode="overlay", height=max(260, 22 * len(codes) + 120), xaxis={"type": "date"},
                      yaxis={"categoryorder": "array", "categoryarray": list(reversed(codes)), "title": None},
                      legend={"orientation": "h", "y": -0.15}, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title=_("Launch plan per branch"))
    return fig


@builder
def load_figure(plan: Mapping[str, Any]) -> go.Figure:
    """Consultant days per month (bars) against capacity (line), go-lives per month on hover."""
    frame = pd.DataFrame(plan.get("load") or [], columns=["month", "consultant_days", "capacity", "go_lives"])
    fig = go.Figure()
    fig.add_bar(x=frame["month"], y=frame["consultant_days"], name=_("consultant days"), marker_color="#1f77b4",
                customdata=frame["go_lives"],
                hovertemplate=_("%{x}: %{y} days, %{customdata} go-live(s)<extra></extra>"))
    fig.add_scatter(x=frame["month"], y=frame["capacity"], mode="lines", name=_("capacity"),
                    line={"color": "#d62728", "dash": "dash"})
    fig.update_layout(title=_("Consultant load per month"), yaxis_title=_("consultant days"),
                      xaxis={"type": "category"},
                      legend={"orientation": "h", "y": -0.2}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


# --- steering --------------------------------------------------------------------------------------------


@builder
def man_days_figure(per_branch: pd.DataFrame) -> go.Figure:
    """Consultant man-days per branch: budget and used side by side (rows of pack.man_days_chart_rows)."""
    fig = go.Figure([go.Bar(name=_("budget"), x=per_branch["branch_code"], y=per_branch["budget_days"]),
                     go.Bar(name=_("used"), x=per_branch["branch_code"], y=per_branch["used_days"])])
    fig.update_layout(barmode="group", height=320, margin={"t": 10, "b": 10}, yaxis_title=_("man-days"),
                      legend={"orientation": "h"})
    return fig


# --- from kick-off to acceptance -------------------------------------------------------------------------


@builder
def man_days_forecast_figure(over_time: pd.DataFrame, row: Mapping[str, Any], as_of: date) -> go.Figure:
    """Man-days used so far (running total), the forecast to the planned go-live and the budget."""
    if over_time.empty:
        return empty_figure(_("No consultant days logged up to this date"))
    fig = go.Figure(go.Scatter(x=over_time["work_date"], y=over_time["used"], mode="lines", name=_("used"),
                               line={"color": "#1f77b4"}))
    if pd.notna(row["forecast_at_go_live"]):
        end = max(pd.Timestamp(row["planned_go_live"]), pd.Timestamp(as_of))
        fig.add_scatter(x=[pd.Timestamp(as_of), end], y=[row["man_days_used"], row["forecast_at_go_live"]],
                        mode="lines+markers", name=_("forecast at go-live"), line={"dash": "dash", "color": "#7f7f7f"})
    if pd.notna(row["budget"]):
        fig.add_hline(y=float(row["budget"]), line={"color": "#d62728", "dash": "dot"}, annotation_text=_("budget"))
    fig.update_layout(title=_("Man-days used and forecast at go-live"), yaxis={"title": _("man-days")}, height=320,
                      margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig


@builder
def same_day_entry_figure(trend: pd.DataFrame, target: float) -> go.Figure:
    """The 30-day same-day entry rate per day, each day's own share as dots, and the target."""
    if trend.empty:
        return empty_figure(_("No daily entries logged"))
    fig = go.Figure(go.Scatter(x=trend["day"], y=trend["same_day_entry_rate"], mode="lines",
                               name=_("same-day entry (30 days)"), line={"color": "#1f77b4"}))
    own = trend[trend["day_documents"] > 0]
    fig.add_scatter(x=own["day"], y=100.0 * own["day_entered_same_day"] / own["day_documents"], mode="markers",
                    name=_("that day"), marker={"size": 4, "color": "#aec7e8"})
    fig.add_hline(y=target, line={"color": "#d62728", "dash": "dot"},
                  annotation_text=_("target {target}%").format(target=f"{target:g}"))
    fig.update_layout(title=_("Documents entered the same day (%)"), yaxis={"title": "%"}, height=320, margin=MARGIN,
                      legend={"orientation": "h", "y": -0.2})
    return fig


# --- the forecast's track record (Methodology) --------------------------------------------------------


@builder
def reliability_figure(bins: pd.DataFrame) -> go.Figure:
    """Forecast chance against how often it came true (track_record.reliability): one point per bin with
    forecasts, at (mean chance, share that came true), sized and labelled by its count, and the diagonal a
    calibrated forecast would lie on."""
    shown = bins[bins["forecasts"] > 0]
    if shown.empty:
        return empty_figure(_("No chance by a planned go-live that has passed"))
    fig = go.Figure()
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", name=_("came true as often as forecast"),
                    line={"color": "#888888", "dash": "dash", "width": 1}, hoverinfo="skip")
    size = 8 + 24 * (shown["forecasts"] / shown["forecasts"].max()) ** 0.5
    fig.add_scatter(x=shown["mean_chance"], y=shown["came_true"], mode="markers+text", name=_("past forecasts"),
                    text=shown["forecasts"].map(str), textposition="top center",
                    marker={"color": "#1f77b4", "size": size},
                    customdata=shown[["bin_from", "bin_to", "forecasts"]].to_numpy(),
                    hovertemplate=_("forecast %{customdata[0]}–%{customdata[1]}%%: %{customdata[2]} forecasts, "
                                    "mean chance %{x:.1f}%%, came true %{y:.1f}%%<extra></extra>"))
    fig.update_layout(title=_("Reliability: forecast chance against how often it came true"),
                      xaxis={"title": _("chance of being ready by the planned go-live (%)"), "range": [-3, 103]},
                      yaxis={"title": _("ready by the planned go-live (%)"), "range": [-3, 108]},
                      height=380, margin=MARGIN, legend={"orientation": "h", "y": -0.25})
    return fig


# --- RAID log (RAID and changes) ---------------------------------------------------------------------

@builder
def risk_heat_map_figure(cells: pd.DataFrame) -> go.Figure:
    """Open risks per probability (rows, 5 on top) × impact (columns): the count in each cell, the cell coloured
    by its score's band (critical red … low green), so the corner that matters stands out even when empty."""
    if cells.empty:
        return empty_figure(_("No open scored risk on this date."))
    counts = cells.pivot(index="probability", columns="impact", values="risks").sort_index(ascending=False)
    scores = cells.pivot(index="probability", columns="impact", values="score").sort_index(ascending=False)
    text = counts.map(lambda v: str(int(v)) if v else "")
    fig = go.Figure(go.Heatmap(
        z=scores.values, x=[str(c) for c in counts.columns], y=[str(i) for i in counts.index], text=text.values,
        texttemplate="%{text}", zmin=1, zmax=25, showscale=False,
        colorscale=[[0.0, STATUS_COLOURS["green"]], [0.2, "#ffdd57"], [0.5, STATUS_COLOURS["amber"]],
                    [1.0, STATUS_COLOURS["red"]]],
        hovertemplate=_("probability %{y} × impact %{x}: %{text} open risks") + "<extra></extra>"))
    fig.update_layout(title=_("Open risks: probability × impact"), height=360, margin=MARGIN,
                      xaxis_title=_("Impact"), yaxis_title=_("Probability"))
    return fig


@builder
def raised_closed_figure(weeks: pd.DataFrame) -> go.Figure:
    """Items raised and closed per week (bars side by side): is the log growing or being worked off?"""
    long = weeks.melt(id_vars="week_ending", value_vars=["raised", "closed"], var_name="what", value_name="items")
    long["what"] = long["what"].map({"raised": _("raised"), "closed": _("closed")})
    fig = px.bar(long, x="week_ending", y="items", color="what", barmode="group",
                 labels={"week_ending": _("Week ending"), "items": _("Items"), "what": ""})
    fig.update_layout(title=_("Raised and closed per week"), height=300, margin=MARGIN)
    return fig
