"""The launch planner (PLANNING.md): hand-solved optima, infeasibility explained, pins, the CLI,
scenarios; every plan produced here is re-checked by `check_plan`, an independent validator that
re-implements hard constraints 1-9 on the JSON output (exact capacity with fractions)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist
from typing import Any

import pandas as pd
import pytest

from rollout.cli import main
from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ConflictError, ValidationError
from rollout.metrics import readiness
from rollout.planning import planner, scenarios
from rollout.store.settings import get_settings

D = date(2027, 1, 15)  # a Friday; month m0 = 2027-01
FAST = {"solve_time_limit_s": 5}
REGIONS = [{"region_code": "E", "region_name": "East"}]


def branch(code: str, requested: str | None = "2027-06-01", **kw: Any) -> dict[str, Any]:
    row = {"branch_code": code, "branch_name": f"Branch {code}", "region_code": "E", "headcount": 10,
           "planned_go_live": requested, "consultant_days_budget": 0}
    row.update(kw)
    return row


def make(db_factory, branches: list[dict[str, Any]], **tables: list[dict[str, Any]]):
    return db_factory(regions=REGIONS, branches=branches, **tables)


def run(db, overrides: dict[str, Any] | None = None, pins: list[str] | None = None, ignore_forecast: bool = True,
        as_of: date = D, confidence: int | None = None) -> dict[str, Any]:
    result = planner.plan_json(db, as_of, overrides={**FAST, **(overrides or {})}, pins=pins or [],
                                ignore_forecast=ignore_forecast, confidence=confidence)
    if result["status"] != "infeasible":
        check_plan(db, as_of, result, {**FAST, **(overrides or {})}, pins or [], ignore_forecast, confidence)
    return result


# --- the independent validator -------------------------------------------------------------------------

def _mi(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _num(value: Any) -> Fraction:
    if value is None or (isinstance(value, float) and value != value):
        return Fraction(0)
    return Fraction(Decimal(repr(float(value))))


def _d(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if hasattr(value, "hour") else value


def ready_at_confidence(db, as_of: date, confidence: int) -> dict[str, tuple[date | None, bool, bool]]:
    """METRICS.md "Probabilistic forecast" read again, one branch and one week at a time, from the raw
    checklist: branch -> (P50 or P80 ready date, stalled, has plan)."""
    level = confidence / 100
    items: dict[str, list[tuple[float, str, date | None]]] = {}
    for code, weight, status, completed in db.rows("SELECT branch_code, weight, status, completed_on FROM checklist"):
        items.setdefault(code, []).append((weight, status, completed))
    found = {}
    for code, rows in items.items():
        done = [(w, c) for w, s, c in rows if s == "done" and c is not None and c <= as_of]
        planned = sum(w for w, s, _ in rows if s != "waived")
        remaining = planned - sum(w for w, _ in done)
        if planned <= 0:
            found[code] = (None, False, False)
            continue
        if remaining <= 1e-9:
            found[code] = (max(c for _, c in done), False, True)
            continue
        weeks = [sum(w for w, c in done if as_of - timedelta(days=7 * j) < c <= as_of - timedelta(days=7 * (j - 1)))
                 for j in range(1, 9)]
        mu = sum(weeks) / 8
        sigma = (sum((w - mu) ** 2 for w in weeks) / 8) ** 0.5
        if mu == 0:
            found[code] = (None, True, True)
            continue

        def chance(k: int, mu: float = mu, sigma: float = sigma, remaining: float = remaining) -> float:
            if sigma < 1e-9:
                return 1.0 if k * mu >= remaining - 1e-9 else 0.0
            return 1 - NormalDist().cdf((remaining - k * mu) / (sigma * k ** 0.5))

        k = next((k for k in range(1, 261) if chance(k) >= level), None)
        found[code] = (None if k is None else as_of + timedelta(days=7 * k), False, True)
    return found


def check_plan(db, as_of: date, result: dict[str, Any], overrides: dict[str, Any], pins: list[str],
               ignore_forecast: bool, confidence: int | None = None) -> None:
    """Hard constraints 1-9 of PLANNING.md, the objective and the output shape, checked from scratch; with a
    confidence (50, 80), rule 6 uses the P50 / P80 ready date, re-computed here from the raw checklist."""
    p = {**get_settings(db), **overrides}
    horizon, cap, max_live = int(p["horizon_months"]), _num(p["capacity_days_per_month"]), int(
        p["max_go_lives_per_month"])
    weeks, gap, prep, lead = (int(p["kickoff_lead_weeks"]), int(p["stage2_gap_months"]), int(p["prep_months"]),
                              int(p["unplanned_lead_months"]))
    m0 = _mi(as_of)
    pinned = {t.split("=")[0]: _mi(date.fromisoformat(t.split("=")[1])) for t in pins}
    rows = db.df("SELECT * FROM branches WHERE actual_go_live IS NULL OR actual_go_live > ? ORDER BY branch_code",
                 [as_of])
    stage2 = {r[0] for r in db.rows("SELECT branch_code FROM modules WHERE phase >= 2 AND "
                                    "(actual_go_live IS NULL OR actual_go_live > ?)", [as_of])}
    ready = readiness.forecast_ready(db, as_of).set_index("branch_code")
    sure = ready_at_confidence(db, as_of, confidence) if confidence is not None else {}
    assert result["status"] in ("optimal", "feasible")
    assert [b["branch_code"] for b in result["branches"]] == list(rows["branch_code"])  # code order, all of them
    load: dict[int, Fraction] = {}
    lives: dict[int, int] = {}
    lateness = 0
    for b, row in zip(result["branches"], rows.to_dict("records"), strict=True):
        code = b["branch_code"]
        peaks = {int(x) for x in (row["peak_months"] if isinstance(row["peak_months"], str) else "").split(",") if x}
        go = date.fromisoformat(b["go_live"])
        assert go.day == 1, code
        g = _mi(go)
        assert m0 + 1 <= g <= m0 + horizon, code                                             # rule 1
        assert go.month not in peaks, code                                                   # rule 2
        requested = _d(row["planned_go_live"])
        if code not in pinned and requested is not None:
            assert g >= _mi(requested), code                                                 # rule 3
        if code in stage2:                                                                   # rule 4
            s = _mi(date.fromisoformat(b["stage2_go_live"]))
            assert date.fromisoformat(b["stage2_go_live"]).day == 1
            assert s >= g + gap and s <= m0 + horizon and _first(s).month not in peaks, code
            assert all(_first(e).month in peaks for e in range(g + gap, s)), f"{code}: stage 2 not earliest"
        else:
            assert b["stage2_go_live"] is None, code
        k = date.fromisoformat(b["kickoff"])                                                 # rule 5
        latest = go - timedelta(days=7 * weeks)
        assert k <= latest, code
        fixed = _d(row["planned_kickoff"])
        if fixed is not None and fixed <= as_of:
            assert k == fixed, code
        else:
            def valid(day: date, peaks: set[int] = peaks) -> bool:
                return day.weekday() < 5 and day > as_of and day.month not in peaks
            assert valid(k), code
            assert not any(valid(k + timedelta(days=n)) for n in range(1, (latest - k).days + 1)), \
                f"{code}: kick-off not the latest valid"
        if not ignore_forecast and code not in pinned and confidence is not None:           # rule 6, P50 / P80
            ready_on, stalled, has_plan = sure.get(code, (None, False, False))
            if not has_plan or stalled:
                assert g >= m0 + lead, code
            else:
                assert ready_on is not None, f"{code}: no {confidence}% ready date within 260 weeks, yet planned"
                assert go >= ready_on, code
        elif not ignore_forecast and code not in pinned:                                    # rule 6
            info = ready.loc[code] if code in ready.index else None
            if info is None or not info["has_plan"] or info["stalled"]:
                assert g >= m0 + lead, code
            elif not pd.isna(info["forecast_ready_on"]):
                assert go >= info["forecast_ready_on"].date(), code
        months = range(max(g - prep, m0), g)                                                 # rule 7
        remaining = max(_num(row["consultant_days_budget"]) - _num(row["consultant_days_used"]), Fraction(0))
        for t in months:
            load[t] = load.get(t, Fraction(0)) + remaining / len(months)
        lives[g] = lives.get(g, 0) + 1
        if code in pinned:                                                                   # rule 9
            assert g == pinned[code] and b["pinned"], code
        else:
            assert not b["pinned"], code
        late = max(0, g - _mi(requested)) if requested is not None else 0
        assert b["months_late"] == late, code
        size = 1 if pd.isna(row["headcount"]) or row["headcount"] <= 0 else int(row["headcount"])
        lateness += size * late
    for t, days in load.items():
        assert days <= cap, f"capacity exceeded in month {t}: {float(days)} > {float(cap)}"  # rule 7, exact
    assert all(n <= max_live for n in lives.values())                                        # rule 8
    assert result["objective"]["weighted_lateness"] == lateness
    if result["branches"]:
        finish = max(lives)
        assert result["objective"]["finish_month"] == f"{_first(finish):%Y-%m}"
        assert [r["month"] for r in result["load"]] == [f"{_first(t):%Y-%m}" for t in range(m0, finish + 1)]
        for r in result["load"]:
            t = _mi(date.fromisoformat(r["month"] + "-01"))
            assert r["go_lives"] == lives.get(t, 0)
            assert abs(r["consultant_days"] - float(load.get(t, 0))) <= 0.05 + 1e-9
            assert r["capacity"] == float(cap)
    if result["status"] == "optimal":
        assert result["gap"] == 0.0
    assert result["conflicts"] == []


def by_code(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["branch_code"]: b for b in result["branches"]}


# --- optima known by hand ------------------------------------------------------------------------------

def test_capacity_forces_the_smaller_branch_a_month_later(db_factory):
    # prep 1 month: each branch needs its 100 days in the month before go-live; capacity 150 holds one
    # branch a month. Both request June: one moves to July; the smaller (headcount 10 vs 50) moves.
    db = make(db_factory, [branch("A01", consultant_days_budget=100, headcount=10),
                           branch("A02", consultant_days_budget=100, headcount=50)])
    result = run(db, {"capacity_days_per_month": 150, "prep_months": 1})
    assert result["status"] == "optimal"
    assert by_code(result)["A01"]["go_live"] == "2027-07-01"  # 1 month late × 10 people
    assert by_code(result)["A02"]["go_live"] == "2027-06-01"
    assert result["objective"] == {"weighted_lateness": 10, "finish_month": "2027-07"}
    # load: May 100 (A02), June 100 (A01), 2027-01 .. 2027-07 listed with zeros
    assert [(r["month"], r["consultant_days"], r["go_lives"]) for r in result["load"]][-3:] == [
        ("2027-05", 100.0, 0), ("2027-06", 100.0, 1), ("2027-07", 0.0, 1)]
    assert len(result["load"]) == 7 and result["load"][0] == {"month": "2027-01", "consultant_days": 0.0,
                                                             "capacity": 150, "go_lives": 0}


@pytest.mark.slow
def test_capacity_is_compared_exactly(db_factory):
    # 3 branches × 100 days over a 3-month window = 100/3 each per month; 3 × 100/3 is exactly the
    # capacity 100 (a float sum would give 100.00000000000001): all three fit in June, nobody is late.
    db = make(db_factory, [branch(f"A0{i}", consultant_days_budget=100) for i in range(1, 4)])
    result = run(db, {"capacity_days_per_month": 100})
    assert result["objective"]["weighted_lateness"] == 0
    assert {b["go_live"] for b in result["branches"]} == {"2027-06-01"}
    assert [r["consultant_days"] for r in result["load"][2:5]] == [100.0, 100.0, 100.0]  # March..May
    # one more consultant day anywhere and one branch must move
    db2 = make(db_factory, [branch(f"A0{i}", consultant_days_budget=100) for i in range(1, 3)]
               + [branch("A03", consultant_days_budget=100.5)])
    assert run(db2, {"capacity_days_per_month": 100})["objective"]["weighted_lateness"] > 0


def test_peak_month_is_skipped(db_factory):
    # requested June, peak season June-July: the first month allowed is August, 2 months late × 25 people
    db = make(db_factory, [branch("A01", headcount=25, peak_months="6,7")])
    result = run(db)
    assert by_code(result)["A01"]["go_live"] == "2027-08-01"
    assert result["objective"] == {"weighted_lateness": 50, "finish_month": "2027-08"}


def test_stage2_follows_stage1_outside_peak(db_factory):
    # production (phase 2) not live: stage 2 at least 1 month after stage 1 (July); August is peak -> September.
    db = make(db_factory, [branch("A01", requested="2027-07-01", peak_months="8"), branch("A02")],
              modules=[{"branch_code": "A01", "module": "finance", "phase": 1},
                       {"branch_code": "A01", "module": "production", "phase": 2}])
    result = run(db)
    assert by_code(result)["A01"]["go_live"] == "2027-07-01"
    assert by_code(result)["A01"]["stage2_go_live"] == "2027-09-01"
    assert by_code(result)["A02"]["stage2_go_live"] is None  # no phase >= 2 module
    result = run(db, {"stage2_gap_months": 3})
    assert by_code(result)["A01"]["stage2_go_live"] == "2027-10-01"  # July + 3


def test_max_go_lives_per_month(db_factory):
    # 3 branches request June, at most 2 go-lives a month: the smallest (headcount 5) goes in July
    db = make(db_factory, [branch("A01", headcount=30), branch("A02", headcount=5), branch("A03", headcount=20)])
    result = run(db, {"max_go_lives_per_month": 2})
    assert by_code(result)["A02"]["go_live"] == "2027-07-01"
    assert result["objective"] == {"weighted_lateness": 5, "finish_month": "2027-07"}
    assert [r["go_lives"] for r in result["load"][-2:]] == [2, 1]


def test_kickoff_latest_weekday_outside_peak_and_fixed_kickoff(db_factory):
    # go-live 2027-06-01 − 12 weeks = 2027-03-09 (Tuesday): the latest valid kick-off. A02's peak
    # season is March, so its kick-off falls back to Friday 2027-02-26 (Feb 27-28 is a weekend).
    # A03 kicked off on 2026-12-01 (before D): fixed, whatever its peaks.
    db = make(db_factory, [branch("A01"), branch("A02", peak_months="3"),
                           branch("A03", planned_kickoff="2026-12-01", peak_months="12")])
    result = by_code(run(db))
    assert result["A01"]["kickoff"] == "2027-03-09"
    assert result["A02"]["kickoff"] == "2027-02-26"
    assert result["A03"]["kickoff"] == "2026-12-01"


def test_kickoff_lead_pushes_go_live(db_factory):
    # requested February: a kick-off after D (2027-01-15) plus 12 weeks reaches 2027-04-09 at the
    # earliest, so May 2027 is the first valid go-live (3 months late). A kick-off that happened on
    # 2026-10-01 allows February (2026-10-01 + 84 days = 2026-12-24 <= 2027-02-01).
    db = make(db_factory, [branch("A01", requested="2027-02-01"),
                           branch("A02", requested="2027-02-01", planned_kickoff="2026-10-01")])
    result = by_code(run(db))
    assert result["A01"]["go_live"] == "2027-05-01"
    assert result["A01"]["kickoff"] == "2027-02-05"  # 2027-05-01 − 84 days = Sat 2027-02-06 → Friday
    assert result["A02"]["go_live"] == "2027-02-01"


def test_readiness_forecast_holds_back_and_can_be_ignored(db_factory):
    # A01: 1 item done in the last 56 days, 4 remaining → forecast D + ceil(4 × 56 / 1) = 2027-08-27,
    # so September at the earliest (3 months late). A02 has no checklist → no earlier than m0 + 6 = July.
    items = [{"branch_code": "A01", "item_code": f"I{n}", "dimension": "data", "title": "item",
              "status": "done" if n == 0 else "open", "completed_on": "2027-01-10" if n == 0 else None}
             for n in range(5)]
    db = make(db_factory, [branch("A01"), branch("A02")], checklist=items)
    assert readiness.forecast_ready(db, D).set_index("branch_code").loc["A01", "forecast_ready_on"].date() \
        == date(2027, 8, 27)
    result = by_code(run(db, ignore_forecast=False))
    assert result["A01"]["go_live"] == "2027-09-01"
    assert result["A02"]["go_live"] == "2027-07-01"
    result = by_code(run(db, ignore_forecast=True))
    assert result["A01"]["go_live"] == result["A02"]["go_live"] == "2027-06-01"
    # a pin lifts rule 6 for its branch only
    result = by_code(run(db, pins=["A01=2027-06-01"], ignore_forecast=False))
    assert result["A01"]["go_live"] == "2027-06-01" and result["A02"]["go_live"] == "2027-07-01"


def lumpy_plan(code: str, done_on: date, done: float, remaining: float) -> list[dict[str, Any]]:
    return [{"branch_code": code, "item_code": f"{code}-1", "dimension": "data", "title": "item", "weight": done,
             "status": "done", "completed_on": done_on.isoformat()},
            {"branch_code": code, "item_code": f"{code}-2", "dimension": "data", "title": "item",
             "weight": remaining, "status": "open"}]


@pytest.mark.slow
def test_confidence_uses_the_p50_or_p80_ready_date(db_factory):
    # A01 (kicked off, requested February) finished 8 in one week four weeks ago (D − 24) and none since:
    # weeks 0, 0, 0, 8, 0, 0, 0, 0, μ = 1, σ = √7 ≈ 2.646; remaining 10.5.
    # forecast: D + ceil(10.5 × 56 / 8) = D + 74 = 2027-03-30 -> April (2 months late × 10);
    # P50: k = ceil(10.5 / 1) = 11, D + 77 = 2027-04-02 -> May (3 months late);
    # P80: k = 21 ((10.5 − 20) / (√7 √20) ≈ −0.803 > −0.8416, (10.5 − 21) / (√7 √21) ≈ −0.866),
    #      D + 147 = 2027-06-11 -> July (5 months late).
    # B02 has no plan: July (m0 + 6) in every case, 1 month late × 10.
    db = make(db_factory, [branch("A01", requested="2027-02-01", planned_kickoff="2026-10-01"), branch("B02")],
              checklist=lumpy_plan("A01", D - timedelta(days=24), 8, 10.5))
    forecast = run(db, ignore_forecast=False)
    p50 = run(db, ignore_forecast=False, confidence=50)
    p80 = run(db, ignore_forecast=False, confidence=80)
    assert [by_code(r)["A01"]["go_live"] for r in (forecast, p50, p80)] == ["2027-04-01", "2027-05-01", "2027-07-01"]
    assert [by_code(r)["B02"]["go_live"] for r in (forecast, p50, p80)] == ["2027-07-01"] * 3
    assert [r["objective"]["weighted_lateness"] for r in (forecast, p50, p80)] == [30, 40, 60]
    sure = ready_at_confidence(db, D, 80)
    assert sure["A01"] == (D + timedelta(days=147), False, True)
    # without the flag nothing changes; --ignore-forecast and pins still lift rule 6
    assert planner.plan_json(db, D, overrides=FAST, ignore_forecast=False) == forecast
    free = by_code(run(db, ignore_forecast=True, confidence=80))
    assert free["A01"]["go_live"] == "2027-02-01"
    pinned = by_code(run(db, pins=["A01=2027-03-01"], ignore_forecast=False, confidence=80))
    assert pinned["A01"]["go_live"] == "2027-03-01" and pinned["B02"]["go_live"] == "2027-07-01"


def test_confidence_without_a_date_within_260_weeks_is_explained(db_factory):
    # one weight 1 done last week, 30 open: μ = 0.125; the chance stays below 80 % for 260 weeks
    # (METRICS.md: no P80 date), so A01 cannot go live before D + 261 weeks (2032-01-16 -> 2032-02).
    db = make(db_factory, [branch("A01")], checklist=lumpy_plan("A01", D - timedelta(days=3), 1, 30))
    result = run(db, ignore_forecast=False, confidence=80)
    assert result["status"] == "infeasible"
    assert result["conflicts"] == ["A01: stays below an 80% chance of being ready for 260 weeks, so it goes live no "
                                   "earlier than 2032-02, but the horizon 2027-02..2029-01 leaves no such month"]
    # its P50 date (k = 240) and forecast date (D + 1680 days) exist, beyond the horizon too
    assert run(db, ignore_forecast=False, confidence=50)["conflicts"][0].startswith(
        "A01: reaches a 50% chance of being ready on 2031-08-22, so it goes live no earlier than 2031-09")
    assert run(db, ignore_forecast=False)["conflicts"][0].startswith("A01: is forecast ready on 2031-08-22")


@pytest.mark.slow  # near the 1 s budget on a slow hour of this machine (CI run, 2026-12-05)
def test_confidence_on_the_sample_portfolio(sample_db):
    as_of = date(2026, 11, 22)
    results = {c: run(sample_db, as_of=as_of, ignore_forecast=False, confidence=c) for c in (None, 50, 80)}
    assert all(r["status"] == "optimal" for r in results.values())
    lateness = [results[c]["objective"]["weighted_lateness"] for c in (None, 50, 80)]
    assert lateness[0] <= lateness[1] <= lateness[2] and lateness[0] < lateness[2]
    # B05: forecast ready 2027-12-19 -> 2028-01; its P80 date 2028-03-19 -> 2028-04
    assert by_code(results[None])["B05"]["go_live"] == "2028-01-01"
    assert by_code(results[80])["B05"]["go_live"] == "2028-04-01"


def test_confidence_is_50_or_80(db_factory, capsys):
    db = make(db_factory, [branch("A01")])
    for bad in (70, 0, "80", True):
        with pytest.raises(ValidationError) as caught:
            planner.plan_json(db, D, overrides=FAST, confidence=bad)
        assert "is not 50 or 80" in str(caught.value.errors[0])
    path = db.path
    db.close()
    with pytest.raises(SystemExit) as exit_code:
        main(["plan", "--db", path, "--confidence", "70"])
    assert exit_code.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_confidence_plan_is_valid(db_factory, capsys):
    db = make(db_factory, [branch("A01", requested="2027-02-01", planned_kickoff="2026-10-01"), branch("B02")],
              checklist=lumpy_plan("A01", D - timedelta(days=24), 8, 10.5))
    path = db.path
    db.close()
    code = main(["plan", "--db", path, "--as-of", "2027-01-15", "--time-limit", "5", "--confidence", "80", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and by_code(result)["A01"]["go_live"] == "2027-07-01"
    with planner.Database(path) as again:
        check_plan(again, D, result, {}, [], False, confidence=80)
        with pytest.raises(AssertionError):  # the same plan breaks rule 6 read at 80 % once A01 moves to June
            broken = json.loads(json.dumps(result))
            by_code(broken)["A01"]["go_live"] = "2027-06-01"
            check_plan(again, D, broken, {}, [], False, confidence=80)


def test_pins_are_respected(db_factory):
    # A01 pinned later than requested; A02 pinned before its requested month (a pin lifts rule 3):
    # months_late counts only lateness, so A02 is 0 late; A01 is 3 months late × 10.
    db = make(db_factory, [branch("A01"), branch("A02", requested="2027-08-01"), branch("A03")])
    result = run(db, pins=["A01=2027-09-01", "A02=2027-05-01"])
    rows = by_code(result)
    assert (rows["A01"]["go_live"], rows["A01"]["pinned"], rows["A01"]["months_late"]) == ("2027-09-01", True, 3)
    assert (rows["A02"]["go_live"], rows["A02"]["pinned"], rows["A02"]["months_late"]) == ("2027-05-01", True, 0)
    assert rows["A03"]["go_live"] == "2027-06-01" and not rows["A03"]["pinned"]
    assert result["objective"] == {"weighted_lateness": 30, "finish_month": "2027-09"}


def test_no_branch_to_plan(db_factory):
    db = make(db_factory, [branch("A01", actual_go_live="2026-06-01")])
    result = run(db)
    assert result == {"as_of": "2027-01-15", "status": "optimal",
                      "objective": {"weighted_lateness": 0, "finish_month": None}, "gap": 0.0,
                      "branches": [], "load": [], "conflicts": []}


def test_sample_portfolio_plans_feasibly(sample_db):
    as_of = date(2026, 11, 22)
    result = run(sample_db, as_of=as_of, ignore_forecast=False)
    assert result["status"] == "optimal"
    # B08 is stalled: not before m0 + 6 = 2027-05; B05 forecast ready 2027-12-19 → 2028-01
    assert by_code(result)["B08"]["go_live"] >= "2027-05-01"
    assert by_code(result)["B05"]["go_live"] == "2028-01-01"
    assert "PIL" not in by_code(result) and "B01" not in by_code(result)  # live branches are not planned
    text = planner.plan_text(result)
    assert "optimal" in text and "B05" in text


# --- infeasible plans explained --------------------------------------------------------------------

def test_two_pins_in_one_month_with_one_go_live_allowed(db_factory):
    db = make(db_factory, [branch("SH02"), branch("GZ03"), branch("A01")])
    result = run(db, {"max_go_lives_per_month": 1}, pins=["SH02=2027-06-01", "GZ03=2027-06-01"])
    assert result["status"] == "infeasible"
    assert result["objective"] is None and result["gap"] is None and result["branches"] == [] == result["load"]
    assert result["conflicts"] == ["2027-06: at most 1 go-live per month, but GZ03 and SH02 are pinned to it"]


def test_capacity_conflict_of_pinned_branches(db_factory):
    # prep 1: the 4 pinned branches each need 40 days in May; capacity 120 < 160
    db = make(db_factory, [branch(f"A0{i}", consultant_days_budget=40) for i in range(1, 5)])
    result = run(db, {"capacity_days_per_month": 120, "prep_months": 1},
                 pins=[f"A0{i}=2027-06-01" for i in range(1, 5)])
    assert result["status"] == "infeasible"
    assert result["conflicts"] == ["capacity in 2027-05 is 120 consultant days; the 4 pinned branches "
                                   "(A01, A02, A03 and A04) need 160"]


def test_unpinned_conflict_names_rules_and_branches(db_factory):
    # horizon 2027-02..2027-06; a kick-off 12 weeks ahead allows only May and June; at most 1 go-live
    # a month cannot hold three branches.
    db = make(db_factory, [branch(c, requested=None) for c in ("A01", "A02", "A03")])
    result = run(db, {"horizon_months": 5, "max_go_lives_per_month": 1})
    assert result["status"] == "infeasible"
    first = result["conflicts"][0]
    assert first.startswith("2027-05..2027-06: at most 1 go-live per month, but A01, A02 and A03")
    assert any(c.startswith("A01 needs a kick-off") and "no earlier than 2027-05" in c for c in result["conflicts"])


def test_pin_in_peak_month_is_explained(db_factory):
    db = make(db_factory, [branch("A01", peak_months="11,12")])
    result = run(db, pins=["A01=2027-11-01"])
    assert result["status"] == "infeasible"
    assert result["conflicts"] == ["A01: is pinned to 2027-11; cannot go live in its peak months (11,12): no month in "
                                   "the horizon 2027-02..2029-01 satisfies all of these"]


def test_requested_month_after_horizon_is_explained(db_factory):
    db = make(db_factory, [branch("A01", requested="2027-09-01")])
    result = run(db, {"horizon_months": 6})
    assert result["conflicts"] == ["A01: cannot go live before its requested month 2027-09, but the horizon "
                                   "2027-02..2027-07 leaves no such month"]


# --- input errors -------------------------------------------------------------------------------------

BAD_PINS = [
    ("ZZ9=2027-06-01", "names no branch"),
    ("L01=2027-06-01", "pins a live branch"),
    ("A01=2027-06-15", "not on the 1st"),
    ("A01=2030-06-01", "outside the horizon"),
    ("A01=2027-01-01", "outside the horizon"),  # m0 itself: go-lives start in m0 + 1
    ("A01:2027-06-01", "is not CODE=YYYY-MM-01"),
    ("A01=June", "is not CODE=YYYY-MM-01"),
]


def test_bad_pins_are_input_errors(db_factory):
    db = make(db_factory, [branch("A01"), branch("L01", actual_go_live="2026-06-01")])
    for pin, words in BAD_PINS:
        with pytest.raises(ValidationError) as caught:
            planner.plan_json(db, D, overrides=FAST, pins=[pin], ignore_forecast=True)
        assert len(caught.value.errors) == 1 and words in str(caught.value.errors[0]), pin
    with pytest.raises(ValidationError) as caught:  # every bad pin is reported, not just the first
        planner.plan_json(db, D, overrides=FAST, pins=[p for p, _ in BAD_PINS], ignore_forecast=True)
    assert len(caught.value.errors) == len(BAD_PINS)


def test_validator_catches_broken_plans(db_factory):
    # the validator itself must be able to fail: break a correct plan in three ways
    db = make(db_factory, [branch("A01", consultant_days_budget=100, headcount=10, peak_months="8"),
                           branch("A02", consultant_days_budget=100, headcount=50)])
    overrides = {**FAST, "capacity_days_per_month": 150, "prep_months": 1}
    good = run(db, overrides)
    for change in ({"A01": {"go_live": "2027-06-01"}},     # May load 200 > 150, objective unchanged
                   {"A01": {"go_live": "2027-08-01"}},     # a peak month
                   {"A02": {"kickoff": "2027-03-06"}}):    # a Saturday
        broken = json.loads(json.dumps(good))
        for b in broken["branches"]:
            b.update(change.get(b["branch_code"], {}))
        with pytest.raises(AssertionError):
            check_plan(db, D, broken, overrides, [], True)


def test_cli_pin_error_exits_2_with_one_line(db_factory, tmp_path, capsys):
    db = make(db_factory, [branch("A01")])
    path = db.path
    db.close()
    code = main(["plan", "--db", path, "--as-of", "2027-01-15", "--pin", "A01=2027-06-15", "--json"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["error: pin: 'A01=2027-06-15' is not on the 1st of a month (go-lives are on a 1st)"]


@pytest.mark.slow
def test_cli_json_plan_and_infeasible_exit_3(db_factory, capsys):
    db = make(db_factory, [branch("A01", consultant_days_budget=100, headcount=10),
                           branch("A02", consultant_days_budget=100, headcount=50)])
    path = db.path
    db.close()
    code = main(["plan", "--db", path, "--as-of", "2027-01-15", "--capacity", "150", "--prep-months", "1",
                 "--time-limit", "5", "--ignore-forecast", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["objective"] == {"weighted_lateness": 10, "finish_month": "2027-07"}
    with planner.Database(path) as again:
        check_plan(again, D, result, {"capacity_days_per_month": 150, "prep_months": 1}, [], True)
    code = main(["plan", "--db", path, "--as-of", "2027-01-15", "--max-go-lives", "1", "--time-limit", "5",
                 "--pin", "A01=2027-06-01", "--pin", "A02=2027-06-01", "--ignore-forecast", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 3 and result["status"] == "infeasible"
    assert result["conflicts"] == ["2027-06: at most 1 go-live per month, but A01 and A02 are pinned to it"]
    code = main(["plan", "--db", path, "--as-of", "2027-01-15", "--kickoff-weeks", "-1", "--json"])
    assert code == 2 and "kickoff_lead_weeks" in capsys.readouterr().err


# --- scenarios ---------------------------------------------------------------------------------------

def test_scenarios_save_compare_diff_and_apply(db_factory):
    db = make(db_factory, [branch("A01", headcount=30), branch("A02", headcount=5, planned_kickoff="2027-02-01")],
              modules=[{"branch_code": "A02", "module": "finance", "phase": 1, "planned_go_live": "2027-06-01"},
                       {"branch_code": "A02", "module": "production", "phase": 2}])
    free = run(db)
    tight = run(db, {"max_go_lives_per_month": 1})
    scenarios.save_scenario(db, "free", {"max_go_lives_per_month": 3}, free, caller=LOCAL)
    scenarios.save_scenario(db, "tight", {"max_go_lives_per_month": 1}, tight, caller=LOCAL)
    with pytest.raises(ValidationError):
        scenarios.save_scenario(db, "free", {}, free, caller=LOCAL)
    assert list(scenarios.scenarios(db)["name"]) == ["tight", "free"]
    assert scenarios.load_scenario(db, "free")[0]["confidence"] is None  # recorded: the forecast ready date
    assert list(scenarios.scenarios(db)["ready_date"]) == ["forecast ready date"] * 2
    diff = scenarios.diff_from_current(db, tight).set_index("branch_code")
    assert diff.loc["A02", "change"] == "later by 1 month"  # headcount 5 moves to July
    assert diff.loc["A01", "change"] == "unchanged"
    side = scenarios.compare_scenarios(db, "free", "tight").set_index("branch_code")
    assert side.loc["A02", "moved_months"] == 1 and side.loc["A01", "moved_months"] == 0
    preview = scenarios.apply_preview(db, "tight", D)
    # A01: kick-off set (was empty); A02: kick-off, go-live July, finance July, production August
    assert set(zip(preview["branch_code"], preview["module"], preview["column"], strict=True)) == {
        ("A01", "", "planned_kickoff"), ("A02", "", "planned_kickoff"), ("A02", "", "planned_go_live"),
        ("A02", "finance", "planned_go_live"), ("A02", "production", "planned_go_live")}
    before = db.scalar("SELECT count(*) FROM audit_log")
    assert scenarios.apply_scenario(db, preview, caller=Caller("test", "admin"), today=D) == 5
    assert db.scalar("SELECT planned_go_live FROM branches WHERE branch_code = 'A02'") == date(2027, 7, 1)
    assert db.scalar("SELECT planned_go_live FROM modules WHERE module = 'production'") == date(2027, 8, 1)
    assert db.scalar("SELECT count(*) FROM audit_log") == before + 5
    # a stale preview is refused whole: nothing written
    with db.transaction() as cur:
        cur.execute("UPDATE branches SET planned_go_live = DATE '2027-12-01' WHERE branch_code = 'A01'")
    stale = preview.assign(new=preview["new"])
    with pytest.raises(ConflictError):
        scenarios.apply_scenario(db, stale, caller=Caller("test", "admin"), today=D)
    assert db.scalar("SELECT count(*) FROM audit_log") == before + 5


def test_scenarios_record_the_confidence_used(db_factory):
    db = make(db_factory, [branch("A01", requested="2027-02-01", planned_kickoff="2026-10-01")],
              checklist=lumpy_plan("A01", D - timedelta(days=24), 8, 10.5))
    sure = run(db, ignore_forecast=False, confidence=80)
    scenarios.save_scenario(db, "sure", {"max_go_lives_per_month": 3, "confidence": 80}, sure, caller=LOCAL)
    scenarios.save_scenario(db, "likely", {"max_go_lives_per_month": 3}, run(db, ignore_forecast=False), caller=LOCAL)
    assert scenarios.load_scenario(db, "sure")[0]["confidence"] == 80
    assert json.loads(db.scalar("SELECT params_json FROM plan_scenarios WHERE name = 'likely'"))["confidence"] is None
    assert dict(zip(scenarios.scenarios(db)["name"], scenarios.scenarios(db)["ready_date"], strict=True)) == {
        "sure": "P80 ready date", "likely": "forecast ready date"}
    headline = scenarios.compare_headline(db, "sure", "likely").set_index("figure")
    assert headline.loc["Ready date for rule 6"].tolist() == ["P80 ready date", "forecast ready date"]
    with pytest.raises(ValidationError):
        scenarios.save_scenario(db, "odd", {"confidence": 70}, sure, caller=LOCAL)


# --- a national chain: planned region by region ---------------------------------------------------------

CHAIN_REGIONS = [{"region_code": code, "region_name": name} for code, name in
                 (("E", "East"), ("N", "North"), ("S", "South"))]


def chain(db_factory):
    """30 branches in 3 regions, most asking for May-July 2027: capacity and go-lives bind."""
    rows = []
    for r, region in enumerate(("E", "N", "S")):
        for k in range(10):
            n = r * 10 + k
            rows.append(branch(f"{region}{k:02d}", requested=f"2027-{5 + n % 3:02d}-01", region_code=region,
                               headcount=10 + (n * 37) % 90, consultant_days_budget=60 + (n * 13) % 60,
                               peak_months="12" if n % 4 == 0 else None))
    return db_factory(regions=CHAIN_REGIONS, branches=rows)


@pytest.mark.slow
def test_a_chain_too_big_for_one_model_is_planned_by_region_with_a_valid_plan_and_its_gap(db_factory):
    db = chain(db_factory)
    settings = {**FAST, "capacity_days_per_month": 400, "max_go_lives_per_month": 5}
    whole = run(db, settings)
    parted = planner.plan_json(db, D, overrides=settings, ignore_forecast=True, decompose_above=250)
    check_plan(db, D, parted, settings, [], True)  # every rule of the whole portfolio holds
    assert parted["status"] in ("optimal", "feasible")
    assert isinstance(parted["gap"], float) and 0.0 <= parted["gap"] < 1.0
    assert parted["status"] == "feasible" and parted["gap"] > 0  # capacity binds: the bound ignores it
    # no better than the one-model optimum, and the one-model plan was not what the parts returned
    late = (parted["objective"]["weighted_lateness"], parted["objective"]["finish_month"])
    assert late >= (whole["objective"]["weighted_lateness"], whole["objective"]["finish_month"])
    assert whole["objective"]["weighted_lateness"] > 0
    # the gap is shown where a person reads it
    assert f"gap {parted['gap']:.2%}" in planner.plan_text(parted)


def test_parts_follow_regions_and_their_shares_never_exceed_the_whole():
    params = planner.Params(24, Fraction(100), 3, 12, 1, 3, 6, 5.0)
    m0 = planner.month_index(D)
    branches = [planner.Branch(code=f"{region}{k}", size=10, requested=m0 + 5, planned_go_live=None, peaks=set(),
                               peak_text="", remaining=Fraction(50 + k), fixed_kickoff=None, has_stage2=False,
                               ready_month=None, region=region)
                for region in ("S", "E") for k in range(4)]
    planner.shape_domains(branches, D, params)
    parts = planner.parts_of(branches, 1_000)
    assert [[branches[i].code for i in part] for part in parts] == [["E0", "E1", "E2", "E3"],
                                                                   ["S0", "S1", "S2", "S3"]]
    assert len(planner.parts_of(branches, 40)) == 4  # a region over the limit: runs of codes
    loads = planner.scaled_loads(branches, params)
    whole = planner.whole_limits(m0, params, loads)
    start = planner.greedy(branches, m0, params, loads, whole)
    assert start is not None
    for chosen in (start, None):
        shares = planner.shared_limits(branches, parts, m0, params, loads, chosen)
        for t, cap in whole.capacity.items():
            assert sum(s.capacity[t] for s in shares) <= cap
        for m, most in whole.go_lives.items():
            assert sum(s.go_lives[m] for s in shares) <= most
