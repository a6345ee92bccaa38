"""Thresholds and weights that METRICS.md / PLANNING.md mark *default*: stored in the database.

One registry so the CLI, every metric and the Settings page read the same values; a value that
was never changed is simply its default (nothing is written until a user edits it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rollout.core.access import Caller
from rollout.core.errors import CellError, ValidationError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.store.audit import authorise
from rollout.store.audit import record as audit_record

if TYPE_CHECKING:
    from rollout.store.db import Database


@dataclass(frozen=True)
class Setting:
    key: str
    default: float
    label: str  # label and group are marked N_: a page shows them translated, _(setting.label)
    minimum: float
    maximum: float
    group: str
    integer: bool = False


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        # Readiness (METRICS.md "Readiness")
        Setting("red_readiness_below", 60, N_("Red when readiness is below (%) and go-live is near"), 0, 100,
                N_("Readiness")),
        Setting("red_readiness_days", 60, N_("…and days to go-live at most"), 0, 365, N_("Readiness"), True),
        Setting("red_gate_days", 30, N_("Red when a gate fails and days to go-live at most"), 0, 365, N_("Readiness"),
                True),
        Setting("red_slip_days", 30, N_("Red when slip exceeds (days)"), 0, 365, N_("Readiness"), True),
        Setting("forecast_window_days", 56, N_("Forecast pace window (days)"), 7, 365, N_("Readiness"), True),
        Setting("track_record_note_below", 70, N_("Note beside P80 dates when they came true less often than (%)"),
                0, 100, N_("Readiness")),
        # Staffing
        Setting("training_pass_mark", 80, N_("Training pass mark (score)"), 0, 100, N_("Staffing")),
        Setting("end_users_per_key_user", 20, N_("End users per key user (norm, upper end)"), 1, 1000, N_("Staffing")),
        Setting("end_users_per_key_user_low", 15, N_("End users per key user (norm, lower end)"), 1, 1000,
                N_("Staffing")),
        Setting("min_key_users_per_module", 2, N_("Key users per module (norm)"), 1, 10, N_("Staffing"), True),
        # Executive engagement
        Setting("weight_visit", 3, N_("Channel weight: visit"), 0, 100, N_("Engagement")),
        Setting("weight_meeting", 2, N_("Channel weight: meeting"), 0, 100, N_("Engagement")),
        Setting("weight_phone", 1.5, N_("Channel weight: phone"), 0, 100, N_("Engagement")),
        Setting("weight_email", 1, N_("Channel weight: email"), 0, 100, N_("Engagement")),
        Setting("half_life_days", 30, N_("Engagement half-life (days)"), 1, 3650, N_("Engagement")),
        Setting("silent_score_below", 1, N_("Silent when score below"), 0, 1000, N_("Engagement")),
        Setting("silent_after_days", 45, N_("Silent when no touchpoint for more than (days)"), 0, 3650,
                N_("Engagement"), True),
        Setting("engaged_score_at_least", 3, N_("Engaged when score at least"), 0, 1000, N_("Engagement")),
        # Kick-off meeting (METRICS.md "Kick-off meeting")
        Setting("kickoff_max_minutes", 240, N_("Kick-off at most (minutes: half a day)"), 1, 1440,
                N_("Kick-off"), True),
        Setting("minutes_signed_within_days", 7, N_("Kick-off minutes signed within (days)"), 0, 365, N_("Kick-off"),
                True),
        # After go-live (METRICS.md "After go-live"); the critical limit also flags problems on the Lessons page
        Setting("critical_problem_days", 3, N_("Time limit of a critical problem (days)"), 0, 365, N_("After go-live"),
                True),
        Setting("high_problem_days", 7, N_("Time limit of a high problem (days)"), 0, 365, N_("After go-live"), True),
        Setting("medium_problem_days", 14, N_("Time limit of a medium problem (days)"), 0, 365,
                N_("After go-live"), True),
        Setting("low_problem_days", 30, N_("Time limit of a low problem (days)"), 0, 365, N_("After go-live"), True),
        Setting("same_day_entry_target", 95, N_("Ready for acceptance: same-day entry rate at least (%)"), 0, 100,
                N_("After go-live")),
        Setting("acceptance_overdue_days", 14, N_("Acceptance overdue when ready for (days)"), 1, 365,
                N_("After go-live"), True),
        # Launch planner (PLANNING.md)
        Setting("horizon_months", 24, N_("Planning horizon (months)"), 1, 120, N_("Planning"), True),
        # Limits sized for a national chain (docs/methodology/planning.md "Limits for a national chain").
        Setting("capacity_days_per_month", 400, N_("Consultant capacity (days per month)"), 0, 1_000_000,
                N_("Planning")),
        Setting("max_go_lives_per_month", 3, N_("Go-lives per month at most"), 1, 100_000, N_("Planning"), True),
        Setting("kickoff_lead_weeks", 12, N_("Kick-off at least weeks before go-live"), 0, 104, N_("Planning"), True),
        Setting("stage2_gap_months", 1, N_("Stage 2 at least months after stage 1"), 0, 24, N_("Planning"), True),
        Setting("prep_months", 3, N_("Preparation window (months)"), 1, 24, N_("Planning"), True),
        Setting("unplanned_lead_months", 6, N_("Stalled / no-plan branches: earliest month offset"), 0, 60,
                N_("Planning"), True),
        Setting("solve_time_limit_s", 20, N_("Solver time limit (seconds)"), 1, 3600, N_("Planning")),
    ]
}


def get_settings(db: Database) -> dict[str, float]:
    """Every setting: the stored value where a user changed it, else the default."""
    values = {key: s.default for key, s in SETTINGS.items()}
    for key, value in db.rows("SELECT key, value FROM settings"):
        if key in values:
            values[key] = int(value) if SETTINGS[key].integer else float(value)
    return values


def check_setting(key: str, value: object) -> float:
    """A setting value, validated against its range: the same rule for the page and the CLI."""
    if key not in SETTINGS:
        raise ValidationError([CellError("settings", None, key, None, _("is not a setting (expected one of "
                                                                        "{settings})").format(
            settings=", ".join(sorted(SETTINGS))))])
    s = SETTINGS[key]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError([CellError("settings", None, key, value, _("is not a number"))]) from None
    if not (s.minimum <= number <= s.maximum) or (s.integer and number != int(number)):
        message = _("is out of range (expected a whole number from {low} to {high})") if s.integer else \
            _("is out of range (expected a number from {low} to {high})")
        raise ValidationError([CellError("settings", None, key, value,
                                         message.format(low=f"{s.minimum:.15g}", high=f"{s.maximum:.15g}"))])
    return number


def save_settings(db: Database, values: dict[str, object], *, caller: Caller) -> list[str]:
    """Store changed settings (validated, one transaction, audited); returns the keys changed. Admins only:
    a setting changes every region's figures."""
    authorise(db, caller, "settings")
    checked = {key: check_setting(key, value) for key, value in values.items()}
    current = get_settings(db)
    changed = [k for k, v in checked.items() if float(current[k]) != v]
    if not changed:
        return []
    with db.transaction() as cur:
        for key in changed:
            cur.execute("INSERT INTO settings VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                        "updated_at = excluded.updated_at", [key, checked[key], datetime.now()])
            audit_record(cur, caller.email, "update", "settings", key, "value", f"{current[key]:.15g}",
                         f"{checked[key]:.15g}")  # never 1e+06
    return changed
