"""The rollout office's own records (METRICS.md "RAID log" and "Template deviations").

The weekly project meeting ends with actions, owners and dates; risks and issues go to the steering
committee; every branch-specific requirement against the pilot's template is decided ("do not promise
blindly"), and the requirement analysis is signed before the work goes on. Every figure here is computed
as of a date D from the dates of the records (rollout/metrics/sql/raid_*.sql, deviations_*.sql,
requirements_unsigned.sql), so a past date replays what was open, pending or blocking then. Reads go
through the caller's scoped handle (programme-wide items are every scope's); writes go through
rollout.exchange.edits: the importer's rules, one transaction, audited, programme items by administrators.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.exchange import edits
from rollout.exchange.spec import SHEETS
from rollout.metrics.queries import load_sql
from rollout.store.db import Database

RAID_COLUMNS = SHEETS["raid"].column_names
DEVIATION_COLUMNS = SHEETS["deviations"].column_names
BANDS = ("critical", "high", "medium", "low")
BRANCH_COUNTS = ["open_critical_risks", "open_risks_high", "overdue_actions", "open_issues", "deviations_pending",
                 "deviations_blocking"]
SUMMARY_COLUMNS = ["branch_code", *BRANCH_COUNTS, "requirements_unsigned"]
# Words shown for the format's enumeration values (the values themselves stay as WORKBOOK.md spells them).
KIND_WORDS = {"risk": N_("risk"), "action": N_("action item"), "issue": N_("issue"), "decision": N_("decision")}
BAND_WORDS = {"critical": N_("critical (20-25)"), "high": N_("high (12-19)"), "medium": N_("medium (6-11)"),
              "low": N_("low (1-5)")}
DECISION_WORDS = {"proposed": N_("proposed"), "approved": N_("approved"), "rejected": N_("rejected"),
                  "after_go_live": N_("after go-live")}
STATUS_WORDS = {"open": N_("still open"), "in_progress": N_("in progress"), "closed": N_("closed"),
                "cancelled": N_("cancelled")}
RESPONSE_WORDS = {"avoid": N_("avoid"), "mitigate": N_("mitigate"), "transfer": N_("transfer"), "accept": N_("accept")}
DEVIATION_KIND_WORDS = {"configuration": N_("configuration"), "report": N_("report"), "interface": N_("interface"),
                        "form": N_("form"), "enhancement": N_("enhancement"), "workflow": N_("workflow"),
                        "data": N_("data")}
REQUIREMENTS_UNSIGNED = N_("requirement analysis not signed")


def _run(db: Database, name: str, as_of: date, **more: Any) -> pd.DataFrame:
    return db.run(load_sql(name), {"as_of": as_of, **more})


def band_of(score: Any) -> str | None:
    """The band of a risk score (critical 20-25, high 12-19, medium 6-11, low 1-5); None without a score."""
    if score is None or pd.isna(score):
        return None
    score = int(score)
    return "critical" if score >= 20 else "high" if score >= 12 else "medium" if score >= 6 else \
        "low" if score >= 1 else None


# --- figures ----------------------------------------------------------------------------------------

def raid_branch_counts(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch on D: open critical risks, open risks high, overdue actions, open issues."""
    return _run(db, "raid_branch_counts", as_of)


def deviations_branch_counts(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch on D: deviations pending, deviations blocking, approved effort (man-days, 1 decimal)."""
    return _run(db, "deviations_branch_counts", as_of)


def requirements_unsigned(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch on D: whether its requirement analysis is still unsigned within 60 days of its go-live."""
    frame = _run(db, "requirements_unsigned", as_of)
    frame["requirements_unsigned"] = frame["requirements_unsigned"].astype(bool)
    return frame


def branch_figures(db: Database, as_of: date) -> pd.DataFrame:
    """Every branch's RAID and deviation figures on D, and the requirements finding, in code order."""
    frame = raid_branch_counts(db, as_of).merge(deviations_branch_counts(db, as_of), on="branch_code").merge(
        requirements_unsigned(db, as_of), on="branch_code")
    return frame.sort_values("branch_code", key=lambda s: s.astype(str)).reset_index(drop=True)


def summary_fields(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """branch_code + the seven RAID and deviation fields of the machine-readable summary."""
    return branch_figures(db, as_of)[SUMMARY_COLUMNS]


def open_items(db: Database, as_of: date, kind: str | None = None) -> pd.DataFrame:
    """Every item open on D (programme-wide ones with an empty branch_code), with score, band, overdue and
    age: overdue actions first (the most late first), then by score (critical first), then the oldest.
    `kind`: only the items of that kind (a reader of risks alone skips the other two thirds' texts)."""
    frame = _run(db, "raid_open_items", as_of) if kind is None else _run(db, "raid_open_items_of_kind", as_of,
                                                                             kind=kind)
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool)
    return frame.sort_values(["overdue", "score", "due_date", "age_days", "raid_code"],
                             ascending=[False, False, True, False, True], na_position="last").reset_index(drop=True)


def raid_log(db: Database, as_of: date) -> pd.DataFrame:
    """Every item raised on or before D, open or not (`open` says which on D), with score, band, overdue and
    age (open items only): the register the page filters by kind, band, branch, owner and status."""
    frame = db.df("SELECT r.*, b.region_code FROM raid r LEFT JOIN branches b USING (branch_code) "
                  "WHERE r.raised_on <= ? ORDER BY r.raid_code", [as_of])
    opened = open_items(db, as_of)[["raid_code", "overdue", "age_days"]]
    frame = frame.merge(opened, on="raid_code", how="left")
    frame["open"] = frame["age_days"].notna()
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool)
    frame["score"] = frame["probability"] * frame["impact"]
    frame["band"] = frame["score"].map(band_of)
    return frame.sort_values(["overdue", "open", "score", "due_date", "raid_code"],
                             ascending=[False, False, False, True, True], na_position="last").reset_index(drop=True)


def programme_open_items(db: Database, as_of: date) -> pd.DataFrame:
    """The programme's open items on D per kind and band, with overdue actions and each kind's median age."""
    return _run(db, "raid_programme_open_items", as_of)


def programme_totals(db: Database, as_of: date) -> dict[str, Any]:
    """The programme's totals on D: open items per kind, open risks per band, overdue actions, the median age
    of open items per kind (days; null when the kind has none), and the deviations blocking a go-live."""
    per = programme_open_items(db, as_of)
    kinds = {k: int(per.loc[per["kind"] == k, "open_items"].sum()) for k in KIND_WORDS}
    risks = per[per["kind"] == "risk"]
    bands = {b: int(risks.loc[risks["band"] == b, "open_items"].sum()) for b in BANDS}
    median = per.drop_duplicates("kind").set_index("kind")["median_age_days"]
    ages = {k: (float(median[k]) if k in median.index else None) for k in KIND_WORDS}
    blocking = int(deviations_branch_counts(db, as_of)["deviations_blocking"].sum())
    return {"open_items": kinds, "open_risks_by_band": bands, "overdue_actions": int(per["overdue_actions"].sum()),
            "median_age_days": ages, "deviations_blocking": blocking}


def raised_closed_per_week(db: Database, as_of: date, weeks: int = 12) -> pd.DataFrame:
    """Items raised and closed in each of the `weeks` weeks ending on D (week_ending, raised, closed)."""
    return _run(db, "raid_raised_closed_per_week", as_of, weeks=int(weeks))


def risk_heat_map(db: Database, as_of: date) -> pd.DataFrame:
    """Open scored risks on D counted per (probability, impact): the cells of the heat map, 25 rows (0 where
    none), so the grid is always whole."""
    risks = open_items(db, as_of, "risk")
    risks = risks[risks["score"].notna()]
    counts = risks.groupby(["probability", "impact"]).size()
    rows = [{"probability": p, "impact": i, "risks": int(counts.get((p, i), 0)), "score": p * i,
             "band": band_of(p * i)} for p in range(1, 6) for i in range(1, 6)]
    return pd.DataFrame(rows)


def deviations_register(db: Database, as_of: date) -> pd.DataFrame:
    """Every deviation raised on or before D with its state on D (pending, blocking, approved) and the go-live
    it blocks (the branch's planned_go_live and days to it): blocking ones first, nearest go-live first."""
    frame = _run(db, "deviations_register", as_of)
    branches = db.df("SELECT branch_code, branch_name, region_code, planned_go_live, actual_go_live FROM branches")
    frame = frame.merge(branches, on="branch_code", how="left")
    planned = pd.to_datetime(frame["planned_go_live"])
    frame["days_to_go_live"] = (planned - pd.Timestamp(as_of)).dt.days
    for column in ("pending", "blocking", "approved", "blocks_go_live"):
        frame[column] = frame[column].fillna(False).astype(bool)
    return frame.sort_values(["blocking", "days_to_go_live", "deviation_code"], ascending=[False, True, True],
                             na_position="last").reset_index(drop=True)


def decided_between(db: Database, after: date, until: date) -> pd.DataFrame:
    """Deviations decided in (after, until]: what the steering committee hears as "deviations decided"."""
    return db.df("SELECT deviation_code, branch_code, title, decision, decided_on, effort_days FROM deviations "
                  "WHERE decision <> 'proposed' AND decided_on > ? AND decided_on <= ? "
                  "ORDER BY decided_on, deviation_code", [after, until])


def new_critical_risks(db: Database, after: date, until: date) -> pd.DataFrame:
    """Risks of band critical raised in (after, until] and still open on `until`."""
    frame = open_items(db, until, "risk")
    frame = frame[frame["band"] == "critical"]
    return frame[pd.to_datetime(frame["raised_on"]) > pd.Timestamp(after)].reset_index(drop=True)


def branch_items(db: Database, branch_code: str, as_of: date) -> pd.DataFrame:
    """One branch's RAID items (its own, not the programme's), as raid_log orders them."""
    log = raid_log(db, as_of)
    return log[log["branch_code"] == branch_code].reset_index(drop=True)


def branch_deviations(db: Database, branch_code: str, as_of: date) -> pd.DataFrame:
    """One branch's deviations, as deviations_register orders them."""
    register = deviations_register(db, as_of)
    return register[register["branch_code"] == branch_code].reset_index(drop=True)


def finding_text(word: str) -> str:
    """A finding word in the current language, for display."""
    return _(word)


# --- writes -----------------------------------------------------------------------------------------

def _clean_row(values: Mapping[str, Any], columns: list[str]) -> dict[str, Any]:
    row = {c: values.get(c) for c in columns}
    return {c: (None if isinstance(v, str) and not v.strip() else v) for c, v in row.items()}


def save_item(db: Database, item: Mapping[str, Any], original: Mapping[str, Any] | None = None,
              *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Add or change one RAID item: the importer's rules, audited; an item of a branch by an editor of its
    scope, a programme-wide one (no branch) by an administrator. A closing day cannot be after today.
    `original`: the item as shown, so someone else's change is not overwritten."""
    today = today or date.today()
    row = _clean_row(item, RAID_COLUMNS)
    label = _("RAID item {code}").format(code=row.get("raid_code"))
    edits.refuse_future(label, row, ["closed_on"], today)
    return edits.upsert_row(db, "raid", row, original=original, caller=caller, today=today, label=label)


def save_deviation(db: Database, deviation: Mapping[str, Any], original: Mapping[str, Any] | None = None,
                   *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Add or change (decide, deliver) one deviation from the template: the importer's rules, audited, by an
    editor of the branch's scope. Decided and delivered days cannot be after today."""
    today = today or date.today()
    row = _clean_row(deviation, DEVIATION_COLUMNS)
    label = _("deviation {code}").format(code=row.get("deviation_code"))
    edits.refuse_future(label, row, ["decided_on", "delivered_on"], today)
    return edits.upsert_row(db, "deviations", row, original=original, caller=caller, today=today, label=label)
