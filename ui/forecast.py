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

from rollout.core.i18n import _, format_day, format_number, ngettext
from rollout.core.labels import N_
from rollout.metrics import readiness, track_record
from rollout.store.settings import get_settings
from ui.figures import percent, reliability_figure
from ui.state import by_region, cached
from ui.widgets import plain, table

FAN_COLOUR = "rgba(31, 119, 180, 0.18)"


def long_date(value: Any) -> str:
    """'1 Jan 2027' / '2027年1月1日' (a date as the sentence writes it, in the current language)."""
    return format_day(pd.Timestamp(value).date())


def _missing(value: Any) -> bool:
    return value is None or pd.isna(value)


def add_fan(fig: go.Figure, fan: pd.DataFrame) -> go.Figure:
    """The trend chart with the P50–P80 band of reaching 100 % over the coming weeks (the fan): the
    P80 line, the P50 line filled down to it, a marker where each reaches 100 %."""
    if fan is None or fan.empty:
        return fig
    fig.add_scatter(x=fan["week_of"], y=fan["readiness_p80"], mode="lines", name=_("80% chance"),
                    line={"color": "#1f77b4", "width": 1, "dash": "dot"},
                    hovertemplate=_("%{x|%Y-%m-%d}: 80%% chance of %{y:.1f}%%<extra></extra>"))
    fig.add_scatter(x=fan["week_of"], y=fan["readiness_p50"], mode="lines", name=_("50% chance"), fill="tonexty",
                    fillcolor=FAN_COLOUR, line={"color": "#1f77b4", "width": 1},
                    hovertemplate=_("%{x|%Y-%m-%d}: 50%% chance of %{y:.1f}%%<extra></extra>"))
    ends = []
    for column, label in (("readiness_p50", "P50"), ("readiness_p80", "P80")):
        reached = fan[fan[column] >= 100]
        if len(reached):
            ends.append((reached["week_of"].iloc[0], label))
    if ends:
        fig.add_scatter(x=[x for x, _ in ends], y=[100] * len(ends), mode="markers+text", name=_("P50 / P80 ready"),
                        text=[label for _, label in ends], textposition="bottom center", showlegend=False,
                        marker={"color": "#1f77b4", "size": 8, "symbol": "diamond"},
                        hovertemplate=_("%{text} ready %{x|%Y-%m-%d}<extra></extra>"))
    return fig


def forecast_sentence(row: dict[str, Any] | pd.Series) -> str:
    """'At the pace of the last 8 weeks, the chance of being ready by the planned go-live (1 Jan 2027) is
    23.0%; 50% by 5 Feb 2027, 80% by 12 Mar 2027.' (or what stands in its place). Empty for a live branch."""
    if bool(row.get("is_live")) or row.get("status") == "live":
        return ""
    if row.get("status") == "no_plan" or not bool(row.get("has_plan", True)):
        return _("No checklist plan: no chance of being ready can be computed.")
    planned, chance = row.get("planned_go_live"), row.get("p_ready_by_go_live")
    p50, p80 = row.get("ready_p50_on"), row.get("ready_p80_on")
    weeks = readiness.PACE_WEEKS
    if bool(row.get("stalled")):
        if _missing(planned):
            return _("Nothing was completed in the last {weeks} weeks: the chance of being ready is {chance}, and no "
                     "ready date can be forecast.").format(weeks=weeks, chance=percent(0.0))
        return _("Nothing was completed in the last {weeks} weeks: the chance of being ready by the planned go-live "
                 "({day}) is {chance}, and no ready date can be forecast.").format(
            weeks=weeks, day=long_date(planned), chance=percent(0.0))
    if row.get("remaining_weight") == 0 and not _missing(p50):
        return _("Every checklist item is done (the last on {day}): ready.").format(day=long_date(p50))
    if _missing(planned):
        head = _("At the pace of the last {weeks} weeks (no planned go-live to compare with)").format(weeks=weeks)
    else:
        head = _("At the pace of the last {weeks} weeks, the chance of being ready by the planned go-live ({day}) is "
                 "{chance}").format(weeks=weeks, day=long_date(planned), chance=percent(chance))
    years = readiness.MAX_WEEKS // 52
    p50_text = (_("50% by {day}").format(day=long_date(p50)) if not _missing(p50)
                else _("50% not within {years} years").format(years=years))
    p80_text = (_("80% by {day}").format(day=long_date(p80)) if not _missing(p80)
                else _("80% not within {years} years").format(years=years))
    return _("{head}; {p50}, {p80}.").format(head=head, p50=p50_text, p80=p80_text)


def trust_warning(row: dict[str, Any] | pd.Series) -> str:
    """'Only 2 of the last 8 weeks had any progress: …' when fewer than 4 did (else '')."""
    if bool(row.get("is_live")) or row.get("status") in ("live", "no_plan") or bool(row.get("stalled")) \
            or row.get("remaining_weight", 1) == 0 or _missing(row.get("weeks_with_progress")) \
            or bool(row.get("trusted", True)):
        return ""
    n, weeks = int(row["weeks_with_progress"]), readiness.PACE_WEEKS
    return _("Only {count} of the last {weeks} weeks had any progress (fewer than {trusted}): these figures are not "
             "to be trusted.").format(count=n, weeks=weeks, trusted=readiness.TRUSTED_WEEKS)


def branch_forecast(row: pd.Series, as_of: date) -> None:
    """The Branch page's sentence under the trend chart, with its warning beside it when it applies, and
    the track record's note when the sentence gives a P80 date and those dates came true too rarely."""
    sentence = forecast_sentence(row)
    if not sentence:
        return
    if not _missing(row.get("ready_p80_on")) and row.get("remaining_weight") != 0:
        note = p80_note(as_of)
        sentence = sentence if note is None else _("{sentence} ({note}.)").format(sentence=sentence, note=note)
    warning = trust_warning(row)
    if warning:
        left, right = st.columns([3, 2])
        left.markdown(plain(sentence))
        right.warning(plain(warning), icon=":material/help:")
    else:
        st.markdown(plain(sentence))


def go_lives_at_risk_section(as_of: date, regions: tuple[str, ...], days: int = 90, below: float = 50.0) -> None:
    """The Portfolio's list of planned go-lives in the next `days` days whose chance is below `below` %.

    The table keeps the library's column names (ui.widgets.table labels them in the page's language)."""
    risky = by_region(cached(readiness.go_lives_at_risk, as_of, days=days, below=below), regions)
    st.subheader(_("Go-lives at risk"))
    below_text = format_number(below, 1, trim=True)
    if risky.empty:
        st.caption(_("No planned go-live in the next {days} days has a chance below {below}% of being ready by its "
                     "date.").format(days=format_number(days), below=below_text))
        return
    count = len(risky)
    st.warning(ngettext("{count} planned go-live in the next {days} days with less than {below}% chance of being "
                        "ready by the planned date (at the pace of the last {weeks} weeks).",
                        "{count} planned go-lives in the next {days} days with less than {below}% chance of being "
                        "ready by the planned date (at the pace of the last {weeks} weeks).", count).format(
        count=format_number(count), days=format_number(days), below=below_text, weeks=readiness.PACE_WEEKS),
        icon=":material/event_busy:")
    untrusted = _("not to be trusted")
    frame = risky.assign(p_ready_by_go_live=risky["p_ready_by_go_live"].round(1),
                         checklist_readiness=risky["checklist_readiness"].round(1),
                         trust=risky["trusted"].map({True: "", False: untrusted}))
    table(frame[["branch_code", "branch_name", "region_code", "planned_go_live", "days_to_go_live", "status",
                 "checklist_readiness", "p_ready_by_go_live", "ready_p50_on", "ready_p80_on", "weeks_with_progress",
                 "trust"]], key="portfolio_go_lives_at_risk", file_name=f"go_lives_at_risk_{as_of.isoformat()}")
    note = p80_note(as_of)
    if note is not None and risky["ready_p80_on"].notna().any():
        st.caption(_("P80 ready date: {note}.").format(note=note))


def p80_note(as_of: date) -> str | None:
    """The note every P80 date shown carries when P80 dates came true too rarely (METRICS.md), or None:
    from the track record the page has cached (computed once per store version, scope and language)."""
    return track_record.p80_note(cached(track_record.track_record, as_of), cached(get_settings))


def track_record_line(as_of: date) -> None:
    """The Portfolio's compact line under the go-lives at risk: "P80 dates came true 53 % of the time over
    1,117 past forecasts" (over the reader's scope; the Methodology page has the rest)."""
    line = track_record.headline(cached(track_record.track_record, as_of))
    if line is None:
        st.caption(_("Track record: no P80 date of the last 52 weeks has passed yet."))
        return
    st.caption(_("Track record: {line} (last 52 weeks; see Methodology).").format(line=line))


def track_record_section(as_of: date) -> None:
    """The Methodology page's "Track record" under the forecast: the forecasts of the last 52 weeks replayed
    and checked against what happened, as METRICS.md defines it, and the reliability diagram."""
    record = cached(track_record.track_record, as_of)
    st.subheader(_("Track record"))
    st.markdown(plain(_("Every week of the 52 before {day} is replayed as of its own date: the forecasts the app "
                        "would have shown then are checked against what happened by {day}. Over the branches you "
                        "can see. Limit: today's planned go-live and checklist stand in for those of each past "
                        "week (neither keeps a history).").format(day=long_date(as_of))))
    if not record["forecasts"]:
        st.info(_("No forecast in the last 52 weeks: no branch had a pace and work left."))
        return
    rows = [(_("Past forecasts"), format_number(record["forecasts"])),
            (_("P50 dates passed"), format_number(record["p50_decided"])),
            (_("P50 dates that came true"), percent(record["p50_coverage"])),
            (_("P80 dates passed"), format_number(record["p80_decided"])),
            (_("P80 dates that came true"), percent(record["p80_coverage"])),
            (_("Chances by a planned go-live that passed"), format_number(record["chance_decided"])),
            (_("Brier score (0 is perfect)"), _score(record["brier"])),
            (_("Brier score of quoting the share that made it"), _score(record["brier_reference"])),
            (_("Brier skill (above 0: better than that share)"), _score(record["brier_skill"]))]
    st.dataframe(pd.DataFrame(rows, columns=[_("Figure"), _("Value")]), hide_index=True)
    note = p80_note(as_of)
    if note is not None:
        st.warning(plain(_("{note}: read every P80 date as less sure than 80 %.").format(note=note)),
                   icon=":material/help:")
    st.plotly_chart(reliability_figure(cached(track_record.reliability_bins, as_of)), key="method_reliability")


def _score(value: Any) -> str:
    return "—" if _missing(value) else format_number(value, 3)


# The radio's stable keys -> rule 6's confidence (None: the forecast ready date), and what each key reads.
CONFIDENCE_CHOICES: dict[str, int | None] = {"forecast": None, "p50": 50, "p80": 80}
CONFIDENCE_WORDS = {"forecast": N_("the forecast ready date"), "p50": N_("P50 ready date (50% chance)"),
                    "p80": N_("P80 ready date (80% chance)")}


def confidence_choice(key: str) -> int | None:
    """The Launch planning page's choice for rule 6: the forecast ready date, or the P50 / P80 ready date.

    The options are stable keys shown in words by format_func: the value read back never depends on the words."""
    choice = st.radio(_("Ready date for rule 6"), list(CONFIDENCE_CHOICES), horizontal=True, key=key,
                      format_func=lambda option: _(CONFIDENCE_WORDS[option]),
                      help=_("How sure must a branch be of being ready by its go-live? The P80 date is later than "
                             "the P50 date (see Methodology, 'How sure is the date')."))
    return CONFIDENCE_CHOICES[choice]
