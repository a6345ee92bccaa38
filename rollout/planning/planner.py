"""The launch wave planner (PLANNING.md): when each branch that is not live goes live, optimised with CP-SAT.

Every branch gets a stage-1 go-live month g (the 1st), a stage-2 month s where a phase >= 2 module is
not live, and a kick-off date k. For a given g the kick-off and stage-2 rules only ask whether a valid
k / s *exists* (the reported k is the latest valid one, s the earliest), so the model is: one boolean
per (branch, allowed month), exactly one per branch; the per-branch rules (horizon, peak, requested
month, kick-off, stage 2, readiness, pin) shape each branch's allowed months; the coupling rules are
linear constraints per month (consultant capacity, compared exactly with integer scaling, and the
maximum number of go-lives). The objective is lexicographic, folded into one integer objective with a
dominating weight: (horizon + 1) × weighted lateness + finish month offset.

A national chain (thousands of branches) makes one model too big to solve in time: above DECOMPOSE_ABOVE
go-live choices the branches are planned in parts, one model per region (a region over the limit split
in runs of branch codes). The monthly capacity and go-live limits are shared out first: each part gets
what a greedy plan of the whole uses in its branches plus its share of what is left, so every part is
feasible with the greedy plan as its hint and the parts together keep every rule of the whole. The gap
of such a plan is measured against a bound of the whole (the least lateness under every rule but
consultant capacity, a min-cost flow), so "feasible, gap x %" stays a true statement about the whole.

When no plan exists, the conflict is found by the solver, not guessed: every rule of every branch and
every monthly coupling constraint becomes an assumption literal, CP-SAT returns a sufficient subset of
assumptions for infeasibility, that core is shrunk by deletion, and each rule in it is put in words.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from rollout.core.errors import CellError, ValidationError
from rollout.core.i18n import _, ngettext
from rollout.core.labels import N_
from rollout.core.typed import fold_code
from rollout.core.values import as_date, is_missing, iso_text, plain
from rollout.exchange.spec import peak_month_set
from rollout.metrics.live import branches_live, branches_live_sql
from rollout.store.db import Database
from rollout.store.settings import SETTINGS, check_setting, get_settings

PARAMETERS = ("horizon_months", "capacity_days_per_month", "max_go_lives_per_month", "kickoff_lead_weeks",
              "stage2_gap_months", "prep_months", "unplanned_lead_months", "solve_time_limit_s")
# Per-branch rules, in the order conflicts name them.
BRANCH_RULES = ("pin", "requested", "ready", "peak", "kickoff", "stage2")
MAX_CORE_SHRINK = 60  # deletion-minimise cores up to this size (each step is one small solve)
# Go-live choices (branch × allowed month) above which the portfolio is planned in parts: about 2,000
# branches still solve as one model; a national chain of 10,000 is planned region by region.
DECOMPOSE_ABOVE = 40_000


# --- months ---------------------------------------------------------------------------------------

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_first(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of_year(index: int) -> int:
    return index % 12 + 1


def _exact(value: Any) -> Fraction:
    """A stored number as an exact fraction of its shortest decimal form (120.3 is 1203/10, not a binary
    approximation); empty counts as 0."""
    if is_missing(value):
        return Fraction(0)
    return Fraction(Decimal(repr(float(value))))


# --- inputs ---------------------------------------------------------------------------------------

@dataclass
class Params:
    horizon_months: int
    capacity_days_per_month: Fraction
    max_go_lives_per_month: int
    kickoff_lead_weeks: int
    stage2_gap_months: int
    prep_months: int
    unplanned_lead_months: int
    solve_time_limit_s: float

    def as_dict(self) -> dict[str, float]:
        return {k: (float(v) if isinstance(v, Fraction) else v) for k, v in self.__dict__.items()}


def params_from(db: Database, overrides: dict[str, Any] | None = None) -> Params:
    """The stored planner settings with overrides (each validated like on the Settings page)."""
    values = get_settings(db)
    errors: list[CellError] = []
    for key, value in (overrides or {}).items():
        if key not in PARAMETERS:
            errors.append(CellError("plan", None, key, None, _("is not a planner setting (expected one of "
                                                            "{settings})").format(settings=", ".join(PARAMETERS))))
            continue
        try:
            values[key] = check_setting(key, value)
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors)
    kwargs: dict[str, Any] = {}
    for key in PARAMETERS:
        if key == "capacity_days_per_month":
            kwargs[key] = _exact(values[key])
        elif SETTINGS[key].integer:
            kwargs[key] = int(values[key])
        else:
            kwargs[key] = float(values[key])
    return Params(**kwargs)


@dataclass
class Branch:
    code: str
    size: int
    requested: int | None          # month index of planned_go_live
    planned_go_live: date | None
    peaks: set[int]
    peak_text: str
    remaining: Fraction            # consultant days still to spend
    fixed_kickoff: date | None     # a kick-off that has happened (planned_kickoff <= D)
    has_stage2: bool
    ready_month: int | None        # rule 6: earliest month (None: no restriction)
    ready_text: str = ""
    pinned: int | None = None
    region: str = ""               # the part it is planned in when the portfolio is decomposed
    forbidden: dict[str, set[int]] = field(default_factory=dict)  # rule -> months it rules out
    domain: list[int] = field(default_factory=list)


CONFIDENCES = (50, 80)  # --confidence: rule 6 uses the P50 or P80 ready date (METRICS.md "Probabilistic forecast")


def check_confidence(confidence: Any) -> int | None:
    """None (the forecast ready date) or 50 / 80; anything else is an input error."""
    if confidence is None:
        return None
    if isinstance(confidence, bool) or confidence not in CONFIDENCES:
        raise ValidationError([CellError("plan", None, "confidence", confidence,
                                         _("is not 50 or 80 (the P50 or P80 ready date; leave it out for the "
                                           "forecast ready date)"))])
    return int(confidence)


def _forecast(db: Database, as_of: date, settings: dict[str, float], confidence: int | None = None) -> pd.DataFrame:
    """Per branch: forecast_ready_on (the ready date rule 6 uses), stalled, has_plan. With a confidence,
    the P50 or P80 ready date stands for the forecast ready date."""
    from rollout.metrics import readiness

    if confidence is None:
        return readiness.forecast_ready(db, as_of, settings=settings)
    frame = readiness.probabilistic_forecast(db, as_of)
    return frame.assign(forecast_ready_on=frame[f"ready_p{confidence}_on"])[
        ["branch_code", "forecast_ready_on", "stalled", "has_plan"]]


def load_branches(db: Database, as_of: date, params: Params, ignore_forecast: bool,
                  settings: dict[str, float] | None = None, confidence: int | None = None) -> list[Branch]:
    """The branches to plan (not live on D), with everything the rules need, in code order. Rule 6 uses
    the forecast ready date, or with a confidence (50, 80) the P50 / P80 ready date."""
    rows = db.run(f"SELECT branch_code, region_code, headcount, planned_kickoff, planned_go_live, peak_months, "
                  f"consultant_days_budget, consultant_days_used FROM ({branches_live_sql()}) "
                  "WHERE NOT is_live ORDER BY branch_code", {"as_of": as_of})
    stage2 = {r[0] for r in db.rows(
        "SELECT DISTINCT branch_code FROM modules WHERE phase >= 2 AND (actual_go_live IS NULL OR actual_go_live > ?)",
        [as_of])}
    m0 = month_index(as_of)
    forecast: dict[str, tuple[Any, bool, bool]] = {}
    if not ignore_forecast and len(rows):
        frame = _forecast(db, as_of, settings if settings is not None else get_settings(db), confidence)
        for rec in frame.itertuples(index=False):
            forecast[rec.branch_code] = (as_date(rec.forecast_ready_on), bool(rec.stalled), bool(rec.has_plan))
    branches = []
    for rec in rows.itertuples(index=False):
        planned = as_date(rec.planned_go_live)
        kickoff = as_date(rec.planned_kickoff)
        ready_month, ready_text = None, ""
        if not ignore_forecast:
            ready_on, stalled, has_plan = forecast.get(rec.branch_code, (None, False, False))
            unplanned = m0 + params.unplanned_lead_months
            if not has_plan:
                ready_month = unplanned
                ready_text = _("has no checklist plan, so it goes live no earlier than {month}").format(
                    month=month_label(unplanned))
            elif stalled:
                ready_month = unplanned
                ready_text = _("is stalled (no checklist progress in the forecast window), so it goes live no "
                               "earlier than {month}").format(month=month_label(unplanned))
            elif ready_on is not None:
                ready_month = month_index(ready_on) + (0 if ready_on.day == 1 else 1)
                message = _("is forecast ready on {day}, so it goes live no earlier than {month}") \
                    if confidence is None else CHANCE_READY[confidence]
                ready_text = _(message).format(day=ready_on.isoformat(), month=month_label(ready_month))
            elif confidence is not None:  # no P50 / P80 date: not within 260 weeks at this confidence
                from rollout.metrics.readiness import MAX_WEEKS as MAX_READY_WEEKS

                beyond = as_of + timedelta(days=7 * (MAX_READY_WEEKS + 1))
                ready_month = month_index(beyond) + (0 if beyond.day == 1 else 1)
                ready_text = _(CHANCE_BELOW[confidence]).format(weeks=MAX_READY_WEEKS, month=month_label(ready_month))
        headcount = plain(rec.headcount)  # an empty cell (None, NaN or pd.NA) weighs like one person
        size = 1 if headcount is None or int(headcount) <= 0 else int(headcount)
        remaining = max(_exact(rec.consultant_days_budget) - _exact(rec.consultant_days_used), Fraction(0))
        peaks = peak_month_set(rec.peak_months if isinstance(rec.peak_months, str) else None)
        branches.append(Branch(
            code=rec.branch_code, size=size, requested=month_index(planned) if planned else None,
            planned_go_live=planned, peaks=peaks, peak_text=",".join(str(p) for p in sorted(peaks)),
            remaining=remaining, fixed_kickoff=kickoff if kickoff is not None and kickoff <= as_of else None,
            has_stage2=rec.branch_code in stage2, ready_month=ready_month, ready_text=ready_text,
            region=str(plain(rec.region_code) or "")))
    return branches


# Rule 6 at a confidence (--confidence 50 / 80), one whole sentence each.
CHANCE_READY = {50: N_("reaches a 50% chance of being ready on {day}, so it goes live no earlier than {month}"),
                80: N_("reaches an 80% chance of being ready on {day}, so it goes live no earlier than {month}")}
CHANCE_BELOW = {50: N_("stays below a 50% chance of being ready for {weeks} weeks, so it goes live no earlier than "
                       "{month}"),
                80: N_("stays below an 80% chance of being ready for {weeks} weeks, so it goes live no earlier than "
                       "{month}")}


def parse_pins(db: Database, as_of: date, params: Params, pins: Iterable[str]) -> dict[str, int]:
    """`CODE=YYYY-MM-01` texts as {branch code: month index}; every bad pin is one CellError."""
    m0 = month_index(as_of)
    known = {r.branch_code: (r.is_live, r.actual_go_live) for r in branches_live(db, as_of).itertuples()}
    result: dict[str, int] = {}
    errors: list[CellError] = []
    for text in pins:
        text = str(text).strip()
        if not text:
            continue
        code, sep, day_text = text.partition("=")
        code, day_text = fold_code(code), day_text.strip()  # `Ｂ０１４` is B014, as the importer reads it
        try:
            if not sep or not code:
                raise ValueError
            day = date.fromisoformat(day_text)
            if len(day_text) != 10:
                raise ValueError
        except ValueError:
            errors.append(CellError("pin", None, None, text, _("is not CODE=YYYY-MM-01 (e.g. B03=2027-03-01)")))
            continue
        if code not in known:
            errors.append(CellError("pin", None, None, text, _("names no branch ({code} is not a branch code)").format(
                code=code)))
        elif known[code][0]:
            errors.append(CellError("pin", None, None, text, _("pins a live branch ({code} went live on {day})").format(
                code=code, day=iso_text(known[code][1]))))
        elif day.day != 1:
            errors.append(CellError("pin", None, None, text, _("is not on the 1st of a month (go-lives are on a 1st)")))
        elif not m0 + 1 <= month_index(day) <= m0 + params.horizon_months:
            errors.append(CellError("pin", None, None, text, _("is outside the horizon (expected a 1st from {first} to "
                                                               "{last})").format(
                first=month_first(m0 + 1).isoformat(), last=month_first(m0 + params.horizon_months).isoformat())))
        elif code in result and result[code] != month_index(day):
            errors.append(CellError("pin", None, None, text, _("pins {code} a second time to another month").format(
                code=code)))
        else:
            result[code] = month_index(day)
    if errors:
        raise ValidationError(errors)
    return result


# --- per-branch rules -----------------------------------------------------------------------------

def latest_kickoff(branch: Branch, go_live: int, as_of: date, params: Params) -> date | None:
    """Rule 5: the latest valid kick-off for a go-live on the 1st of month `go_live` (None: there is none)."""
    latest = month_first(go_live) - timedelta(days=7 * params.kickoff_lead_weeks)
    if branch.fixed_kickoff is not None:
        return branch.fixed_kickoff if branch.fixed_kickoff <= latest else None
    day = latest
    while day > as_of:
        if day.month in branch.peaks:
            day = date(day.year, day.month, 1) - timedelta(days=1)
        elif day.weekday() >= 5:
            day -= timedelta(days=1)
        else:
            return day
    return None


def earliest_stage2(branch: Branch, go_live: int, m0: int, params: Params) -> int | None:
    """Rules 1, 2, 4: the earliest valid stage-2 month after stage 1 in `go_live` (None: there is none)."""
    for month in range(go_live + params.stage2_gap_months, m0 + params.horizon_months + 1):
        if month_of_year(month) not in branch.peaks:
            return month
    return None


def shape_domains(branches: list[Branch], as_of: date, params: Params) -> None:
    """The months each per-branch rule rules out, and the months left (the branch's domain)."""
    m0 = month_index(as_of)
    horizon = range(m0 + 1, m0 + params.horizon_months + 1)
    for b in branches:
        out: dict[str, set[int]] = {}
        if b.pinned is not None:
            out["pin"] = {m for m in horizon if m != b.pinned}
        else:
            if b.requested is not None:
                out["requested"] = {m for m in horizon if m < b.requested}
            if b.ready_month is not None:
                out["ready"] = {m for m in horizon if m < b.ready_month}
        out["peak"] = {m for m in horizon if month_of_year(m) in b.peaks}
        out["kickoff"] = {m for m in horizon if latest_kickoff(b, m, as_of, params) is None}
        if b.has_stage2:
            out["stage2"] = {m for m in horizon if earliest_stage2(b, m, m0, params) is None}
        b.forbidden = {rule: months for rule, months in out.items() if months}
        banned = set().union(*b.forbidden.values()) if b.forbidden else set()
        b.domain = [m for m in horizon if m not in banned]


def window(go_live: int, m0: int, params: Params) -> range:
    """Rule 7: the preparation months of a go-live in month `go_live`."""
    return range(max(go_live - params.prep_months, m0), go_live)


# --- the model ------------------------------------------------------------------------------------

@dataclass
class Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    assumptions: dict[int, tuple[str, Any]] = field(default_factory=dict)  # literal index -> (kind, detail)
    literals: dict[tuple[str, Any], cp_model.IntVar] = field(default_factory=dict)


def _integer_rows(terms: list[tuple[Any, Fraction]], capacity: Fraction) -> tuple[list[tuple[Any, int]], int]:
    """sum(coef × x) <= capacity with fractional coefficients as an equivalent integer row: every
    fraction times the least common denominator (exact). Falls back to a fine rounding only when the
    exact integers would not fit in 62 bits (never with the default settings)."""
    denominator = capacity.denominator
    for _key, coef in terms:
        denominator = math.lcm(denominator, coef.denominator)
    total = sum(coef for _key, coef in terms) + capacity
    if total * denominator < 2 ** 62:
        return [(v, int(c * denominator)) for v, c in terms], int(capacity * denominator)
    scale = max(1, int(Fraction(2 ** 62) / max(total, Fraction(1))))
    return [(v, round(c * scale)) for v, c in terms], math.floor(capacity * scale)


@dataclass
class Loads:
    """Exact integer consultant loads: a branch's share per preparation month for a window of w months
    is remaining / w; with `scale` = the least common multiple of every denominator (decimal places of
    the budgets and the capacity, window lengths 1..prep_months) each share is an exact integer."""
    scale: int
    capacity: int
    share: dict[tuple[int, int], int]  # (branch, window length) -> scaled share per month


def scaled_loads(branches: list[Branch], params: Params) -> Loads:
    scale = math.lcm(params.capacity_days_per_month.denominator, *range(1, params.prep_months + 1),
                     *(b.remaining.denominator for b in branches))
    share = {(i, w): int(b.remaining * scale / w) for i, b in enumerate(branches) if b.remaining > 0
             for w in range(1, params.prep_months + 1)}
    return Loads(scale, int(params.capacity_days_per_month * scale), share)


@dataclass
class Limits:
    """Rules 7 and 8 month by month: scaled consultant capacity per preparation month, go-lives per
    go-live month. The whole portfolio has the settings' values in every month; a part has its share."""
    capacity: dict[int, int]
    go_lives: dict[int, int]


def whole_limits(m0: int, params: Params, loads: Loads) -> Limits:
    return Limits({t: loads.capacity for t in range(m0, m0 + params.horizon_months + 1)},
                  {m: params.max_go_lives_per_month for m in range(m0 + 1, m0 + params.horizon_months + 1)})


def build(branches: list[Branch], m0: int, params: Params, explain: bool = False, loads: Loads | None = None,
          limits: Limits | None = None, hint: dict[int, int] | None = None) -> Model:
    """The CP-SAT model. explain=True: every month of the horizon is a candidate and each rule is
    enforced only under its own assumption literal, so the solver can name a conflicting subset.
    loads, limits and hint: a part of a decomposed portfolio (its shares of rules 7 and 8, and the greedy
    plan of the whole as its first solution); by default the whole with the settings' limits."""
    model = cp_model.CpModel()
    horizon = range(m0 + 1, m0 + params.horizon_months + 1)
    loads = loads or scaled_loads(branches, params)
    limits = limits or whole_limits(m0, params, loads)
    built = Model(model, {})
    for i, b in enumerate(branches):
        months = list(horizon) if explain else b.domain
        for m in months:
            built.x[i, m] = model.new_bool_var(f"x_{b.code}_{m}")
        model.add_exactly_one(built.x[i, m] for m in months)
        if explain:
            for rule, banned in b.forbidden.items():
                literal = model.new_bool_var(f"{rule}_{b.code}")
                built.literals[rule, i] = literal
                for m in banned:
                    model.add_implication(literal, ~built.x[i, m])
    by_month: dict[int, tuple[list[Any], list[int]]] = {}
    go_lives: dict[int, list[Any]] = {}
    for (i, m), var in built.x.items():
        go_lives.setdefault(m, []).append(var)
        if branches[i].remaining > 0:
            months = window(m, m0, params)
            share = loads.share[i, len(months)]
            for t in months:
                row = by_month.setdefault(t, ([], []))
                row[0].append(var)
                row[1].append(share)
    for t in sorted(by_month):
        variables, coefs = by_month[t]
        capacity = limits.capacity[t]
        if sum(coefs) <= capacity:
            continue  # can never bind
        if sum(coefs) + capacity < 2 ** 62:
            constraint = model.add(cp_model.LinearExpr.weighted_sum(variables, coefs) <= capacity)
        else:  # huge scales (long preparation windows): per-row exact fractions
            row, bound = _integer_rows([(v, Fraction(c, loads.scale)) for v, c in zip(variables, coefs, strict=True)],
                                       Fraction(capacity, loads.scale))
            constraint = model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in row], [c for _, c in row])
                                   <= bound)
        if explain:
            literal = model.new_bool_var(f"capacity_{t}")
            built.literals["capacity", t] = literal
            constraint.only_enforce_if(literal)
    for m in sorted(go_lives):
        if len(go_lives[m]) <= limits.go_lives[m]:
            continue
        constraint = model.add(cp_model.LinearExpr.sum(go_lives[m]) <= limits.go_lives[m])
        if explain:
            literal = model.new_bool_var(f"go_lives_{m}")
            built.literals["go_lives", m] = literal
            constraint.only_enforce_if(literal)
    if not explain:
        late = [(var, branches[i].size * (m - branches[i].requested)) for (i, m), var in built.x.items()
                if branches[i].requested is not None and m > branches[i].requested]
        lateness = cp_model.LinearExpr.weighted_sum([v for v, _ in late], [c for _, c in late])
        finish = model.new_int_var(1, params.horizon_months, "finish")
        earliest_finish = max(b.domain[0] for b in branches)  # every branch goes live by then at the earliest
        model.add(finish >= earliest_finish - m0)
        for m in sorted(go_lives):
            if m > earliest_finish:  # some go-live in month m -> finish >= m (implications: cheap to presolve)
                used = model.new_bool_var(f"used_{m}")
                for var in go_lives[m]:
                    model.add_implication(var, used)
                model.add(finish >= m - m0).only_enforce_if(used)
        model.minimize((params.horizon_months + 1) * lateness + finish)
        chosen = hint if hint is not None else greedy(branches, m0, params, loads, limits)
        if chosen is not None:
            for (i, m), var in built.x.items():
                model.add_hint(var, chosen[i] == m)
            model.add_hint(finish, max(chosen.values()) - m0)
    for key, literal in built.literals.items():
        built.assumptions[literal.index] = key
    return built


def greedy(branches: list[Branch], m0: int, params: Params, loads: Loads, limits: Limits) -> dict[int, int] | None:
    """A greedy first plan, month by month: in each month the branches whose last allowed month it is
    go first, then those already due (largest headcount first, a month's delay costs them the most),
    then the rest, each while capacity and go-lives allow. None unless every branch found a month."""
    load: dict[int, int] = {}
    lives: dict[int, int] = {}
    chosen: dict[int, int] = {}
    allowed = [set(b.domain) for b in branches]
    for m in range(m0 + 1, m0 + params.horizon_months + 1):
        waiting = [i for i in range(len(branches)) if i not in chosen and m in allowed[i]]
        waiting.sort(key=lambda i: (branches[i].domain[-1] > m,
                                    -(branches[i].size if branches[i].requested is not None
                                      and m >= branches[i].requested else 0),
                                    branches[i].domain[-1], branches[i].code))
        months = window(m, m0, params)
        for i in waiting:
            if lives.get(m, 0) >= limits.go_lives[m]:
                break
            share = loads.share.get((i, len(months)), 0)
            if any(load.get(t, 0) + share > limits.capacity[t] for t in months):
                continue
            chosen[i] = m
            lives[m] = lives.get(m, 0) + 1
            for t in months:
                load[t] = load.get(t, 0) + share
    return chosen if len(chosen) == len(branches) else None


def _solver(seconds: float, workers: int = 4) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    solver.parameters.find_big_linear_overlap = False  # seconds of presolve on large portfolios, no gain here
    return solver


# --- a national chain: planning in parts -----------------------------------------------------------

def parts_of(branches: list[Branch], limit: int) -> list[list[int]]:
    """Branch indices by region (regions in code order); a region with more than `limit` go-live choices
    is cut into runs of branch codes of at most that many."""
    by_region: dict[str, list[int]] = {}
    for i, b in enumerate(branches):
        by_region.setdefault(b.region, []).append(i)
    parts: list[list[int]] = []
    for region in sorted(by_region):
        run: list[int] = []
        size = 0
        for i in by_region[region]:
            if run and size + len(branches[i].domain) > limit:
                parts.append(run)
                run, size = [], 0
            run.append(i)
            size += len(branches[i].domain)
        parts.append(run)
    return parts


def shared_limits(branches: list[Branch], parts: list[list[int]], m0: int, params: Params, loads: Loads,
                  chosen: dict[int, int] | None) -> list[Limits]:
    """Rules 7 and 8 shared out among the parts, month by month, never more than the whole's limit in
    total: each part keeps what the greedy plan `chosen` uses in its branches (nothing without one) and
    gets a share of the rest in proportion to its number of branches (rounded down)."""
    whole = whole_limits(m0, params, loads)
    used_days = [{t: 0 for t in whole.capacity} for _ in parts]
    used_lives = [{m: 0 for m in whole.go_lives} for _ in parts]
    plan = chosen or {}
    for p, part in enumerate(parts):
        for i in (i for i in part if i in plan):
            g = plan[i]
            used_lives[p][g] += 1
            months = window(g, m0, params)
            for t in months:
                used_days[p][t] += loads.share.get((i, len(months)), 0)
    total = len(branches)
    shared = []
    for p, part in enumerate(parts):
        capacity = {t: used_days[p][t] + (cap - sum(u[t] for u in used_days)) * len(part) // total
                    for t, cap in whole.capacity.items()}
        go_lives = {m: used_lives[p][m] + (most - sum(u[m] for u in used_lives)) * len(part) // total
                    for m, most in whole.go_lives.items()}
        shared.append(Limits(capacity, go_lives))
    return shared


def relaxed_bound(branches: list[Branch], m0: int, params: Params) -> int:
    """A lower bound of the whole's objective: the least weighted lateness under every rule but consultant
    capacity (rule 7), an assignment of branches to their allowed months with at most the go-live limit in
    each (a min-cost flow, exact and fast at any size), and the latest earliest month as the finish."""
    lateness = sum(b.size * max(0, b.domain[0] - b.requested) for b in branches if b.requested is not None)
    months = sorted({m for b in branches for m in b.domain})
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = len(branches) + len(months)
    node = {m: len(branches) + k for k, m in enumerate(months)}
    for i, b in enumerate(branches):
        flow.set_node_supply(i, 1)
        for m in b.domain:
            late = b.size * max(0, m - b.requested) if b.requested is not None else 0
            flow.add_arc_with_capacity_and_unit_cost(i, node[m], 1, late)
    for m in months:
        flow.add_arc_with_capacity_and_unit_cost(node[m], sink, params.max_go_lives_per_month, 0)
    flow.set_node_supply(sink, -len(branches))
    if flow.solve() == flow.OPTIMAL:
        lateness = max(lateness, flow.optimal_cost())
    return (params.horizon_months + 1) * lateness + max(b.domain[0] for b in branches) - m0


def objective_value(branches: list[Branch], chosen: dict[int, int], m0: int, params: Params) -> int:
    """The folded objective of a plan (as the model minimises it)."""
    lateness = sum(b.size * max(0, chosen[i] - b.requested) for i, b in enumerate(branches) if b.requested is not None)
    return (params.horizon_months + 1) * lateness + max(chosen.values()) - m0


def solve_in_parts(branches: list[Branch], m0: int, params: Params, deadline: float,
                   limit: int) -> tuple[dict[int, int], float] | None:
    """A plan of the whole from one model per part, and its gap to relaxed_bound; None when the parts
    found none (the caller then solves the whole, which also explains an infeasible portfolio)."""
    loads = scaled_loads(branches, params)
    start = greedy(branches, m0, params, loads, whole_limits(m0, params, loads))
    parts = parts_of(branches, limit)
    limits = shared_limits(branches, parts, m0, params, loads, start)
    chosen: dict[int, int] = {}
    choices_left = sum(len(b.domain) for b in branches)
    for part, part_limits in zip(parts, limits, strict=True):
        members = [branches[i] for i in part]
        index = {i: k for k, i in enumerate(part)}
        part_loads = Loads(loads.scale, loads.capacity, {(index[i], w): share for (i, w), share in loads.share.items()
                                                         if i in index})
        hint = {index[i]: start[i] for i in part} if start is not None else None
        built = build(members, m0, params, loads=part_loads, limits=part_limits, hint=hint)
        choices = sum(len(b.domain) for b in members)
        seconds = max(1.0, (deadline - time.monotonic()) * choices / max(1, choices_left))
        choices_left -= choices
        solver = _solver(seconds)
        status = solver.solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {k: m for (k, m), var in built.x.items() if solver.boolean_value(var)}
        elif hint is not None:  # no better plan in this part's time: its greedy plan keeps every rule
            found = hint
        else:
            return None
        chosen.update({part[k]: m for k, m in found.items()})
    value = objective_value(branches, chosen, m0, params)
    gap = round(max(0, value - relaxed_bound(branches, m0, params)) / max(1, value), 6)
    return chosen, gap


# --- explaining infeasibility ---------------------------------------------------------------------

def _codes(codes: list[str], limit: int = 8) -> str:
    if len(codes) > limit:
        return _("{codes} and {count} more").format(codes=", ".join(codes[:limit]), count=len(codes) - limit)
    return codes[0] if len(codes) == 1 else _("{codes} and {last}").format(codes=", ".join(codes[:-1]),
                                                                         last=codes[-1])


def _months(months: Iterable[int]) -> str:
    """Month indexes as "2027-01..2027-03, 2027-06"."""
    ordered = sorted(set(months))
    parts = []
    for _step, run in itertools.groupby(enumerate(ordered), key=lambda p: p[1] - p[0]):
        block = [m for _index, m in run]
        parts.append(month_label(block[0]) if len(block) == 1 else f"{month_label(block[0])}..{month_label(block[-1])}")
    return ", ".join(parts)


def _days(value: Fraction) -> str:
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def rule_text(b: Branch, rule: str, as_of: date, m0: int, params: Params) -> str:
    """One per-branch rule in words (what it demands of this branch)."""
    if rule == "pin":
        return _("is pinned to {month}").format(month=month_label(b.pinned)) if b.pinned is not None else \
            _("is pinned")
    if rule == "requested":
        return _("cannot go live before its requested month {month}").format(month=month_label(b.requested))
    if rule == "ready":
        return b.ready_text
    if rule == "peak":
        return _("cannot go live in its peak months ({months})").format(months=b.peak_text)
    if rule == "kickoff":
        allowed = [m for m in range(m0 + 1, m0 + params.horizon_months + 1) if m not in b.forbidden["kickoff"]]
        first = _("no earlier than {month}").format(month=month_label(allowed[0])) if allowed else \
            _("in no month of the horizon")
        if b.fixed_kickoff is not None:
            return _("kicked off on {day} and needs {weeks} weeks from kick-off to go-live, so it goes live "
                     "{when}").format(day=b.fixed_kickoff.isoformat(), weeks=params.kickoff_lead_weeks, when=first)
        return _("needs a kick-off on a weekday after {day}, outside its peak months, at least {weeks} weeks before "
                 "go-live, so it goes live {when}").format(day=as_of.isoformat(), weeks=params.kickoff_lead_weeks,
                                                           when=first)
    if rule == "stage2":
        allowed = [m for m in range(m0 + 1, m0 + params.horizon_months + 1) if m not in b.forbidden["stage2"]]
        last = _("no later than {month}").format(month=month_label(allowed[-1])) if allowed else \
            _("in no month of the horizon")
        return _("needs its stage 2 at least {months} month(s) after stage 1, outside its peak months, by {end}, so "
                 "stage 1 goes live {when}").format(months=params.stage2_gap_months,
                                                     end=month_label(m0 + params.horizon_months), when=last)
    return rule


def _lone_branch_conflict(b: Branch, as_of: date, m0: int, params: Params) -> str:
    """A branch no month suits: the smallest set of its rules that together rule out the whole horizon."""
    horizon = set(range(m0 + 1, m0 + params.horizon_months + 1))
    rules = [r for r in BRANCH_RULES if r in b.forbidden]
    for size in range(1, len(rules) + 1):
        for subset in itertools.combinations(rules, size):
            if set().union(*(b.forbidden[r] for r in subset)) >= horizon:
                texts = [rule_text(b, r, as_of, m0, params) for r in subset]
                first, last = _months([m0 + 1]), month_label(m0 + params.horizon_months)
                if len(texts) == 1:
                    return _("{branch}: {rule}, but the horizon {first}..{last} leaves no such month").format(
                        branch=b.code, rule=texts[0], first=first, last=last)
                return _("{branch}: {rules}: no month in the horizon {first}..{last} satisfies all of these").format(
                    branch=b.code, rules="; ".join(texts), first=first, last=last)
    return _("{branch}: no month in the horizon satisfies its rules").format(branch=b.code)


def _core(built: Model, keys: list[tuple[str, Any]], seconds: float) -> list[tuple[str, Any]] | None:
    """A sufficient set of assumptions for infeasibility (None when the solver found none in time)."""
    built.model.clear_assumptions()
    built.model.add_assumptions([built.literals[k] for k in keys])
    solver = _solver(seconds)
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return None
    return [built.assumptions[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def _minimal_core(built: Model, deadline: float) -> list[tuple[str, Any]] | None:
    core = _core(built, list(built.literals), max(0.5, deadline - time.monotonic()))
    if core is None or len(core) > MAX_CORE_SHRINK:
        return core
    kept = list(core)
    for key in list(core):
        if key not in kept or time.monotonic() > deadline:
            continue
        trial = [k for k in kept if k != key]
        smaller = _core(built, trial, min(2.0, max(0.2, deadline - time.monotonic())))
        if smaller is not None:
            kept = [k for k in kept if k in set(smaller)]
    return kept


def no_plan_in_time(params: Params) -> str:
    return _("no plan was found within the time limit of {seconds} s, and none was proven impossible either: raise "
             "the time limit").format(seconds=f"{params.solve_time_limit_s:g}")


def explain(branches: list[Branch], as_of: date, params: Params, seconds: float) -> list[str]:
    """The conflicting rules in words, from the solver's infeasible core."""
    m0 = month_index(as_of)
    lonely = [b for b in branches if not b.domain]
    if lonely:
        return [_lone_branch_conflict(b, as_of, m0, params) for b in lonely]
    built = build(branches, m0, params, explain=True)
    core = _minimal_core(built, time.monotonic() + seconds)
    if core is None:
        return [no_plan_in_time(params)]
    horizon = range(m0 + 1, m0 + params.horizon_months + 1)
    cap_months = sorted(d for kind, d in core if kind == "capacity")
    live_months = sorted(d for kind, d in core if kind == "go_lives")
    rules: dict[int, list[str]] = {}
    for kind, detail in core:
        if kind in BRANCH_RULES:
            rules.setdefault(detail, []).append(kind)
    # A branch is caught when every month its core rules leave it loads a capacity month or counts
    # as a go-live in a limited month of the core: the others could step aside.
    caught: list[int] = []
    for i, b in enumerate(branches):
        banned = set().union(*(b.forbidden[r] for r in rules.get(i, [])))
        options = [m for m in horizon if m not in banned]
        if all(m in live_months or (b.remaining > 0 and set(window(m, m0, params)) & set(cap_months))
               for m in options):
            caught.append(i)
    lines: list[str] = []
    all_pinned = all(branches[i].pinned is not None and "pin" in rules.get(i, []) for i in caught)
    if live_months:
        members = [i for i in caught if any(m in live_months for m in horizon
                                            if m not in set().union(*(branches[i].forbidden[r]
                                                                      for r in rules.get(i, []))))]
        codes = _codes([branches[i].code for i in members])
        k = params.max_go_lives_per_month
        limit = ngettext("at most {count} go-live per month", "at most {count} go-lives per month", k).format(count=k)
        one = len(live_months) == 1
        if all_pinned:
            message = _("{months}: {limit}, but {codes} are pinned to it") if one else \
                _("{months}: {limit}, but {codes} are pinned to these months")
        else:
            message = _("{months}: {limit}, but {codes} can only go live in it") if one else \
                _("{months}: {limit}, but {codes} can only go live in these months")
        lines.append(message.format(months=_months(live_months), limit=limit, codes=codes))
    if cap_months:
        need = Fraction(0)
        members = []
        for i in caught:
            b = branches[i]
            banned = set().union(*(b.forbidden[r] for r in rules.get(i, [])))
            loads = [sum((b.remaining / len(window(m, m0, params)) for t in window(m, m0, params) if t in cap_months),
                         Fraction(0)) for m in horizon if m not in banned]
            if b.remaining > 0 and loads:
                members.append(b.code)
                need += min(loads)
        capacity = params.capacity_days_per_month * len(cap_months)
        head = (_("capacity in {months} is {days} consultant days per month") if len(cap_months) > 1 else
                _("capacity in {months} is {days} consultant days")).format(
            months=_months(cap_months), days=_days(params.capacity_days_per_month))
        if all_pinned and len(members) > 1:
            lines.append(_("{capacity}; the {count} pinned branches ({codes}) need {days}").format(
                capacity=head, count=len(members), codes=_codes(members), days=_days(need)))
        elif all_pinned:
            lines.append(_("{capacity}; {code} needs {days}").format(capacity=head, code=members[0],
                                                                    days=_days(need)))
        elif need > capacity:
            lines.append(_("{capacity}; {codes} need at least {days} there").format(
                capacity=head, codes=_codes(members), days=_days(need)))
        else:
            lines.append(_("{capacity}; it cannot hold the preparation of {codes} in any order (at least {days} "
                           "consultant days fall in these months)").format(capacity=head, codes=_codes(members),
                                                                           days=_days(need)))
    for i in sorted(rules):
        for rule in rules[i]:
            if rule == "pin" and all_pinned:
                continue
            lines.append(f"{branches[i].code} {rule_text(branches[i], rule, as_of, m0, params)}")
    if not lines:
        lines.append(_("the horizon is too short for the branches to plan"))
    return lines


# --- solving --------------------------------------------------------------------------------------

def solve(db: Database, as_of: date, overrides: dict[str, Any] | None = None, pins: Iterable[str] = (),
          ignore_forecast: bool = False, confidence: int | None = None,
          decompose_above: int = DECOMPOSE_ABOVE) -> dict[str, Any]:
    """The plan as the PLANNING.md JSON (see plan_json); a portfolio of more than `decompose_above` go-live
    choices is planned in parts (solve_in_parts)."""
    started = time.monotonic()
    confidence = check_confidence(confidence)
    params = params_from(db, overrides)
    settings = {**get_settings(db), **params.as_dict()}
    pinned = parse_pins(db, as_of, params, pins)
    branches = load_branches(db, as_of, params, ignore_forecast, settings, confidence)
    for b in branches:
        b.pinned = pinned.get(b.code)
    m0 = month_index(as_of)
    shape_domains(branches, as_of, params)
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "status": "optimal", "objective": None, "gap": None,
                              "branches": [], "load": [], "conflicts": []}
    if not branches:
        result.update(objective={"weighted_lateness": 0, "finish_month": None}, gap=0.0)
        return result
    # the time limit covers the whole run: reading the data and building the model count too
    deadline = started + params.solve_time_limit_s - 0.5
    found = None
    if any(not b.domain for b in branches):
        status = cp_model.INFEASIBLE
    elif sum(len(b.domain) for b in branches) > decompose_above and \
            (found := solve_in_parts(branches, m0, params, deadline, decompose_above)) is not None:
        chosen, gap = found
        status = cp_model.OPTIMAL if gap == 0 else cp_model.FEASIBLE
    else:
        built = build(branches, m0, params)
        solver = _solver(max(1.0, deadline - time.monotonic()))
        status = solver.solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {i: m for (i, m), var in built.x.items() if solver.boolean_value(var)}
            gap = 0.0 if status == cp_model.OPTIMAL else _gap(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result["status"] = "infeasible"
        left = max(2.0, params.solve_time_limit_s - (time.monotonic() - started))
        result["conflicts"] = explain(branches, as_of, params, left) if status == cp_model.INFEASIBLE else [
            no_plan_in_time(params)]
        return result
    lateness = 0
    rows = []
    for i, b in enumerate(branches):
        g = chosen[i]
        late = max(0, g - b.requested) if b.requested is not None else 0
        lateness += b.size * late
        s = earliest_stage2(b, g, m0, params) if b.has_stage2 else None
        rows.append({"branch_code": b.code, "kickoff": latest_kickoff(b, g, as_of, params).isoformat(),
                     "go_live": month_first(g).isoformat(),
                     "stage2_go_live": month_first(s).isoformat() if s is not None else None,
                     "months_late": late, "pinned": b.pinned is not None})
    finish = max(chosen.values())
    load: dict[int, Fraction] = {t: Fraction(0) for t in range(m0, finish + 1)}
    go_lives = {t: 0 for t in load}
    for i, g in chosen.items():
        go_lives[g] += 1
        months = window(g, m0, params)
        for t in months:
            load[t] += branches[i].remaining / len(months)
    capacity = params.capacity_days_per_month
    capacity_out: float | int = int(capacity) if capacity.denominator == 1 else float(capacity)
    result.update(
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective={"weighted_lateness": lateness, "finish_month": month_label(finish)},
        gap=gap,
        branches=rows,
        load=[{"month": month_label(t), "consultant_days": round(float(load[t]), 1), "capacity": capacity_out,
               "go_lives": go_lives[t]} for t in sorted(load)])
    return result


def _gap(solver: cp_model.CpSolver) -> float:
    value, bound = solver.objective_value, solver.best_objective_bound
    return round(max(0.0, value - bound) / max(1.0, abs(value)), 6)


def plan_json(db: Database, as_of: date, overrides: dict[str, Any] | None = None, pins: Iterable[str] = (),
              ignore_forecast: bool = False, confidence: int | None = None,
              decompose_above: int = DECOMPOSE_ABOVE) -> dict[str, Any]:
    """`python -m rollout plan --json`: exactly the PLANNING.md output (status optimal / feasible /
    infeasible; conflicts in words when infeasible). Input errors raise ValidationError.
    confidence 50 / 80 (`--confidence`): rule 6 uses the P50 / P80 ready date instead of the forecast
    ready date (None: unchanged)."""
    return solve(db, as_of, overrides or {}, list(pins or []), ignore_forecast, confidence, decompose_above)


# The JSON's words as plan_text and the Launch planning page print them (the JSON keeps them as PLANNING.md
# defines them).
PLAN_STATUS = {"optimal": N_("optimal"), "feasible": N_("feasible"), "infeasible": N_("infeasible"),
               "current": N_("current plan")}
LOAD_COLUMNS = {"month": N_("month"), "consultant_days": N_("consultant_days"), "capacity": N_("capacity"),
                "go_lives": N_("go_lives")}


def status_word(status: Any) -> str:
    """A plan's status (optimal, feasible, infeasible, or current: the dates in force) in words; unknown
    ones as they are."""
    return _(PLAN_STATUS[status]) if status in PLAN_STATUS else str(status)


def plan_text(result: dict[str, Any]) -> str:
    """The plan for a person reading a terminal."""
    lines = [_("launch plan as of {day}: {status}").format(day=result["as_of"],
                                                          status=status_word(result["status"]))]
    if result["status"] == "infeasible":
        lines.append(_("no plan satisfies every rule; the conflict:"))
        lines += [f"  - {c}" for c in result["conflicts"]]
        return "\n".join(lines)
    objective = result["objective"]
    figures = dict(lateness=objective["weighted_lateness"], finish=objective["finish_month"] or "-")
    lines.append(_("weighted lateness {lateness} (headcount × months late), finish month {finish}, gap {gap}").format(
        **figures, gap=f"{result['gap']:.2%}") if result["gap"] else
        _("weighted lateness {lateness} (headcount × months late), finish month {finish}").format(**figures))
    if not result["branches"]:
        lines.append(_("no branch to plan: every branch is live"))
        return "\n".join(lines)
    stage2, pinned = _("stage 2"), _("pinned")
    frame = pd.DataFrame(result["branches"]).rename(columns={
        "branch_code": _("branch"), "stage2_go_live": stage2, "go_live": _("go-live"), "months_late": _("months late"),
        "kickoff": _("kickoff"), "pinned": pinned})
    frame[stage2] = frame[stage2].fillna("-")
    frame[pinned] = frame[pinned].map({True: pinned, False: ""})
    load = pd.DataFrame(result["load"])
    lines += ["", frame.to_string(index=False), "", _("consultant load per month:"),
              load.rename(columns={c: _(LOAD_COLUMNS[c]) for c in load.columns if c in LOAD_COLUMNS})
              .to_string(index=False)]
    return "\n".join(lines)

