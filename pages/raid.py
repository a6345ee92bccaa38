"""RAID and changes: the rollout office's log (risks, actions, issues, decisions) and the template's deviations.

Overdue actions first, the risk heat map, and the deviations register with what blocks which go-live; editors
change their scope's items, administrators the programme's (the library checks and audits every save)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rollout.core.i18n import _, format_number, ngettext
from rollout.exchange.spec import RAID_KINDS, RAID_STATUSES
from rollout.metrics import raid
from rollout.steering import pack
from ui import figures
from ui.auth import may_edit
from ui.router import ensure_routed
from ui.sections.raid import (
    PROGRAMME,
    band_word,
    deviation_form,
    filter_log,
    in_regions,
    item_form,
    kind_word,
    readable_log,
    readable_register,
    status_word,
)
from ui.state import cached, filters, show_flash
from ui.widgets import code_and_name, lazy_tabs, table

ensure_routed()
st.title(_("RAID and changes"))
st.caption(_("Risks, action items, issues and decisions of the weekly project meetings and the steering committee; "
             "every branch's deviations from the pilot's template and their decisions."))

f = filters()
as_of, regions = f.as_of, f.regions
today = date.today()
show_flash("raid")

log = in_regions(cached(raid.raid_log, as_of), regions)
register = in_regions(cached(raid.deviations_register, as_of), regions)
totals = cached(raid.programme_totals, as_of)
branches = cached(pack.branch_choices)
names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))

tiles = st.columns(5)
tiles[0].metric(_("Open risks"), format_number(totals["open_items"]["risk"]))
tiles[1].metric(_("Critical risks"), format_number(totals["open_risks_by_band"]["critical"]))
tiles[2].metric(_("Overdue action items"), format_number(totals["overdue_actions"]))
tiles[3].metric(_("Open issues"), format_number(totals["open_items"]["issue"]))
tiles[4].metric(_("Deviations blocking a go-live"), format_number(totals["deviations_blocking"]))


def log_tab() -> None:
    """The log, filtered; overdue actions first."""
    c1, c2, c3, c4, c5 = st.columns(5)
    kinds = c1.multiselect(_("Kind"), RAID_KINDS, key="raid_kind", placeholder=_("All kinds"), format_func=kind_word)
    bands = c2.multiselect(_("Band"), raid.BANDS, key="raid_band", placeholder=_("All bands"), format_func=band_word)
    codes = [PROGRAMME, *sorted(names)]
    chosen = c3.multiselect(_("Branch"), codes, key="raid_branch", placeholder=_("All branches"),
                            format_func=lambda c: _("the whole programme") if c == PROGRAMME else
                            code_and_name(names)(c))
    owners = c4.multiselect(_("Owner"), sorted(log["owner"].dropna().unique()), key="raid_owner",
                            placeholder=_("All owners"))
    statuses = c5.multiselect(_("Status"), RAID_STATUSES, key="raid_status", placeholder=_("All statuses"),
                              format_func=status_word)
    shown = filter_log(log, kinds, bands, chosen, owners, statuses)
    st.caption(_("{shown} of {total} items raised by {day}; overdue action items first, then risks by score.").format(
        shown=format_number(len(shown)), total=format_number(len(log)), day=as_of.isoformat()))
    table(readable_log(shown), key="raid_table", file_name=f"raid_{as_of.isoformat()}")


def heat_map_tab() -> None:
    """Where the open risks sit, and whether the log is worked off."""
    left, right = st.columns(2)
    left.plotly_chart(figures.risk_heat_map_figure(cached(raid.risk_heat_map, as_of)), width="stretch",
                      key="raid_heat_map")
    right.plotly_chart(figures.raised_closed_figure(cached(raid.raised_closed_per_week, as_of)), width="stretch",
                       key="raid_weeks")
    ages = totals["median_age_days"]
    st.caption(_("Median age of open items (days): risks {risk}, action items {action}, issues {issue}, decisions "
                 "{decision}.").format(**{k: "—" if v is None else format_number(v, 1, trim=True)
                                          for k, v in ages.items()}))


def deviations_tab() -> None:
    """The register: decisions, effort, and which go-live each blocking one holds up."""
    blocking = register[register["blocking"]]
    if blocking.empty:
        st.caption(_("No deviation blocks a go-live on {day}.").format(day=as_of.isoformat()))
    else:
        st.warning(ngettext("{count} deviation blocks a go-live; within 30 days of it, it makes the branch red.",
                            "{count} deviations block a go-live; within 30 days of it they make the branch red.",
                            len(blocking)).format(count=format_number(len(blocking))), icon=":material/block:")
    table(readable_register(register), key="deviations_table", file_name=f"deviations_{as_of.isoformat()}")


def edit_tab() -> None:
    """Forms for the caller's scope (the tab is not drawn for a viewer, as on every page)."""
    st.subheader(_("RAID item"))
    item_form(names, log, today)
    st.subheader(_("Deviation"))
    deviation_form(names, register, today)


tabs = {_("RAID log"): log_tab, _("Risk heat map"): heat_map_tab, _("Deviations"): deviations_tab}
if may_edit("raid"):  # a viewer gets no edit control (ACCESS.md); the library refuses their writes anyway
    tabs[_("Edit")] = edit_tab
lazy_tabs(tabs, key="raid_tabs")
