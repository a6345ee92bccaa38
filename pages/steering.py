"""Steering pack: freeze this week's figures, see what changed since the last review, download the pack."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from rollout.core import i18n
from rollout.core.errors import RolloutError
from rollout.core.i18n import _, format_number
from rollout.steering import pack, snapshots
from ui.auth import download, may_edit
from ui.figures import MAN_DAYS_CHART_BRANCHES, man_days_figure
from ui.router import ensure_routed
from ui.state import cached, cached_on, caller, filters, get_db
from ui.widgets import plain, show_error, table

ensure_routed()
as_of = filters().as_of
stamp = as_of.isoformat()

st.title(_("Steering pack"))
st.caption(plain(_("As of {day}. The weekly status report to the steering committee: snapshots freeze the figures of "
                   "a review, the change list compares two reviews, the pack is one click.").format(day=stamp)))

# --- the pack ---------------------------------------------------------------------------------------
st.subheader(_("Download the pack"))
st.caption(_("Eleven slides at any portfolio size: executive summary, status by region, trend since the last reviews, "
             "top 10 risks, next go-lives, staffing risks, regional heads to call, lessons, man-days by region and "
             "decisions, as of the sidebar date. The full lists are in the Excel pack and the web page's appendix. "
             "PowerPoint charts and tables are native (editable)."))
st.caption(_("Each file is assembled when you click its button (a large portfolio takes a little while), not on "
             "every visit to this page."))


def pack_file(kind: str) -> Callable[[], bytes]:
    """The pack in one format, written on click on Streamlit's download thread: from the scoped handle this run
    captured (ui.auth.download), never a caller looked up there; the assembled pack is cached per scope and
    language."""
    return download(lambda db: pack.render(cached_on(db, pack.pack, as_of, i18n.current()), kind))


mimes = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html"}
labels = {"pptx": _("PowerPoint (.pptx)"), "xlsx": _("Excel (.xlsx)"), "html": _("Web page (.html)")}
for column, kind in zip(st.columns(3), pack.KINDS, strict=True):
    column.download_button(labels[kind], pack_file(kind), file_name=f"steering_pack_{stamp}.{kind}", mime=mimes[kind],
                           key=f"pack_{kind}", icon=":material/download:", width="stretch",
                           on_click="ignore")

# --- man-days --------------------------------------------------------------------------------------
st.subheader(_("Consultant man-days: used vs budget"))
days = cached(pack.man_days, as_of)
totals = pack.man_days_totals(days)
cols = st.columns(3)
for col, label, field in zip(cols, (_("Budget (man-days)"), _("Used (man-days)"), _("Remaining (man-days)")),
                             ("budget_days", "used_days", "remaining_days"), strict=True):
    col.metric(label, "—" if totals[field] is None else format_number(totals[field]))
chart_rows, branch_count = pack.man_days_chart_rows(days, MAN_DAYS_CHART_BRANCHES)
if branch_count > MAN_DAYS_CHART_BRANCHES:
    st.caption(_("The chart shows the {shown} branches with the most man-days used, of {count}; the table below has "
                 "every branch.").format(shown=MAN_DAYS_CHART_BRANCHES, count=branch_count))
st.plotly_chart(man_days_figure(chart_rows), width="stretch", key="steering_man_days_chart")
table(days, key="steering_man_days", file_name=f"man_days_{stamp}",
      column_config={"used_pct": st.column_config.NumberColumn(_("Used %"), format="%.1f")})

# --- snapshots -------------------------------------------------------------------------------------
st.subheader(_("Snapshots"))
st.caption(_("A snapshot freezes the figures of the sidebar date (and the facts the change list needs). It is never "
             "changed afterwards, even when the data is corrected later."))
if may_edit("snapshots"):  # editors (a snapshot of their scope) and administrators
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    label = left.text_input(_("Label (optional)"), key="snapshot_label",
                            placeholder=_("e.g. steering review {day}").format(day=stamp), max_chars=120)
    if right.button(_("Take snapshot as of {day}").format(day=stamp), key="snapshot_take", type="primary"):
        try:
            with st.spinner(_("Freezing the figures…")):
                new_id = snapshots.take_snapshot(get_db(), as_of, label, caller=caller())
            st.success(plain(_("Snapshot {id} taken as of {day}.").format(id=new_id, day=stamp)))
        except RolloutError as exc:
            show_error(exc)
taken = cached(snapshots.list_snapshots)
if taken.empty:
    st.info(_("No snapshot yet: take one at each steering review."))
else:
    table(taken, key="steering_snapshots", file_name="snapshots")

# --- what changed ----------------------------------------------------------------------------------
st.subheader(_("What changed since last review"))
if len(taken) < 2:
    st.info(_("The change list compares two snapshots: take one at each review (two are needed)."))
else:
    old_default, new_default = cached(snapshots.latest_pair)
    ids = [int(i) for i in taken["snapshot_id"]]
    shown = {int(r.snapshot_id): f"#{r.snapshot_id} · {r.as_of:%Y-%m-%d}" + (f" · {r.label}" if r.label else "")
             for r in taken.itertuples()}
    pick_old, pick_new = st.columns(2)
    old_id = pick_old.selectbox(_("Previous review"), ids, index=ids.index(old_default), key="changes_old",
                                format_func=lambda i: shown[i])
    new_id = pick_new.selectbox(_("This review"), ids, index=ids.index(new_default), key="changes_new",
                                format_func=lambda i: shown[i])
    if old_id == new_id:
        st.warning(_("Choose two different snapshots."))
    else:
        changes = cached(snapshots.changes_between, old_id, new_id)
        for key, title in snapshots.CHANGE_TABLES.items():
            frame = changes["tables"][key]
            st.markdown(f"**{_(title)}**")
            if frame is None:
                st.caption(_("Not yet available in these snapshots (their figures were not computed then)."))
            elif frame.empty:
                st.caption(_("None."))
            else:
                table(frame, key=f"changes_{key}", file_name=f"changes_{key}_{old_id}_{new_id}")
