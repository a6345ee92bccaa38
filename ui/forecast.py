"""How sure is the date (METRICS.md "Probabilistic forecast"): the fan on the Branch page's trend chart,
the sentence and its warning, the chance column and the "go-lives at risk" list of the Portfolio, and
the confidence choice of the Launch planning page.

The figures come from rollout.metrics.readiness (probabilistic_forecast, forecast_fan, go_lives_at_risk);
this module only words and draws them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rollout.metrics import readiness
from ui.figures import percent
from ui.state import by_region, cached
from ui.widgets import plain, table

FAN_COLOUR = "rgba(31, 119, 180, 0.18)"
CHANCE = "chance by go-live %"


def long_date(value: Any) -> str:
    """'1 Jan 2027' (a date as the sentence writes it)."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def _missing(value: Any) -> bool:
    return value is None or pd.isna(value)


def add_fan(fig: go.Figure, fan: pd.DataFrame) -> go.Figure:
    """The trend chart with the P50–P80 band of reaching 100 % over the coming weeks (the fan): the
    P80 line, the P50 line filled down to it, a marker where each reaches 100 %."""
    if fan is None or fan.empty:
        return fig
    fig.add_scatter(x=fan["week_of"], y=fan["readiness_p80"], mode="lines", name="80% chance",
                    line={"color": "#1f77b4", "width": 1, "dash": "dot"},
                    hovertemplate="%{x|%Y-%m-%d}: 80%% chance of %{y:.1f}%%<extra></extra>")
    fig.add_scatter(x=fan["week_of"], y=fan["readiness_p50"], mode="lines", name="50% chance", fill="tonexty",
                    fillcolor=FAN_COLOUR, line={"color": "#1f77b4", "width": 1},
                    hovertemplate="%{x|%Y-%m-%d}: 50%% chance of %{y:.1f}%%<extra></extra>")
    ends = []
    for column, label in (("readiness_p50", "P50"), ("readiness_p80", "P80")):
        reached = fan[fan[column] >= 100]
        if len(reached):
            ends.append((reached["week_of"].iloc[0], label))
    if ends:
        fig.add_scatter(x=[x for x, _ in ends], y=[100] * len(ends), mode="markers+text", name="P50 / P80 ready",
                        text=[label for _, label in ends], textposition="bottom center", showlegend=False,
                        marker={"color": "#1f77b4", "size": 8, "symbol": "diamond"},
                        hovertemplate="%{text} ready %{x|%Y-%m-%d}<extra></extra>")
    return fig


def forecast_sentence(row: dict[str, Any] | pd.Series) -> str:
    """'At the pace of the last 8 weeks, the chance of being ready by the planned go-live (1 Jan 2027) is
    23.0%; 50% by 5 Feb 2027, 80% by 12 Mar 2027.' (or what stands in its place). Empty for a live branch."""
    if bool(row.get("is_live")) or row.get("status") == "live":
        return ""
    if row.get("status") == "no_plan" or not bool(row.get("has_plan", True)):
        return "No checklist plan: no chance of being ready can be computed."
    planned, chance = row.get("planned_go_live"), row.get("p_ready_by_go_live")
    p50, p80 = row.get("ready_p50_on"), row.get("ready_p80_on")
    weeks = readiness.PACE_WEEKS
    by_date = "" if _missing(planned) else f" by the planned go-live ({long_date(planned)})"
    if bool(row.get("stalled")):
        return (f"Nothing was completed in the last {weeks} weeks: the chance of being ready{by_date} is "
                f"{percent(0.0)}, and no ready date can be forecast.")
    if row.get("remaining_weight") == 0 and not _missing(p50):
        return f"Every checklist item is done (the last on {long_date(p50)}): ready."
    start = f"At the pace of the last {weeks} weeks"
    if _missing(planned):
        head = f"{start} (no planned go-live to compare with)"
    else:
        head = f"{start}, the chance of being ready{by_date} is {percent(chance)}"
    years = readiness.MAX_WEEKS // 52
    p50_text = f"50% by {long_date(p50)}" if not _missing(p50) else f"50% not within {years} years"
    p80_text = f"80% by {long_date(p80)}" if not _missing(p80) else f"80% not within {years} years"
    return f"{head}; {p50_text}, {p80_text}."


def trust_warning(row: dict[str, Any] | pd.Series) -> str:
    """'Only 2 of the last 8 weeks had any progress: …' when fewer than 4 did (else '')."""
    if bool(row.get("is_live")) or row.get("status") in ("live", "no_plan") or bool(row.get("stalled")) \
            or row.get("remaining_weight", 1) == 0 or _missing(row.get("weeks_with_progress")) \
            or bool(row.get("trusted", True)):
        return ""
    n, weeks = int(row["weeks_with_progress"]), readiness.PACE_WEEKS
    return (f"Only {n} of the last {weeks} weeks had any progress (fewer than {readiness.TRUSTED_WEEKS}): "
            "these figures are not to be trusted.")


def branch_forecast(row: pd.Series) -> None:
    """The Branch page's sentence under the trend chart, with its warning beside it when it applies."""
    sentence = forecast_sentence(row)
    if not sentence:
        return
    warning = trust_warning(row)
    if warning:
        left, right = st.columns([3, 2])
        left.markdown(plain(sentence))
        right.warning(plain(warning), icon=":material/help:")
    else:
        st.markdown(plain(sentence))


def go_lives_at_risk_section(as_of: date, regions: tuple[str, ...], days: int = 90, below: float = 50.0) -> None:
    """The Portfolio's list of planned go-lives in the next `days` days whose chance is below `below` %."""
    risky = by_region(cached(readiness.go_lives_at_risk, as_of, days=days, below=below), regions)
    st.subheader("Go-lives at risk")
    if risky.empty:
        st.caption(f"No planned go-live in the next {days} days has a chance below {below:g}% of being ready "
                   "by its date.")
        return
    st.warning(f"{len(risky)} planned go-live(s) in the next {days} days with less than {below:g}% chance of "
               "being ready by the planned date (at the pace of the last 8 weeks).", icon=":material/event_busy:")
    frame = risky.assign(**{CHANCE: risky["p_ready_by_go_live"].round(1),
                            "readiness %": risky["checklist_readiness"].round(1),
                            "trust": risky["trusted"].map({True: "", False: "not to be trusted"})})
    frame = frame.rename(columns={"branch_code": "branch", "branch_name": "name", "region_code": "region",
                                  "planned_go_live": "planned go-live", "days_to_go_live": "days to go-live",
                                  "ready_p50_on": "P50 ready", "ready_p80_on": "P80 ready",
                                  "weeks_with_progress": "weeks with progress"})
    table(frame[["branch", "name", "region", "planned go-live", "days to go-live", "status", "readiness %", CHANCE,
                 "P50 ready", "P80 ready", "weeks with progress", "trust"]],
          key="portfolio_go_lives_at_risk", file_name=f"go_lives_at_risk_{as_of.isoformat()}")


CONFIDENCE_CHOICES = {"the forecast ready date": None, "P50 ready date (50% chance)": 50,
                      "P80 ready date (80% chance)": 80}


def confidence_choice(key: str) -> int | None:
    """The Launch planning page's choice for rule 6: the forecast ready date, or the P50 / P80 ready date."""
    label = st.radio("Ready date for rule 6", list(CONFIDENCE_CHOICES), horizontal=True, key=key,
                     help="How sure must a branch be of being ready by its go-live? The P80 date is later than "
                          "the P50 date (see Methodology, 'How sure is the date').")
    return CONFIDENCE_CHOICES[label]
