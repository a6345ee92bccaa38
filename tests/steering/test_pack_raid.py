"""The steering pack carries the RAID log (issue 26): the risk slide lists the open RAID risks by score, critical
first, beside the branches at risk; the trend slide says what changed since the last review (new critical risks,
new overdue action items, deviations decided); the pack stays within 12 slides."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.core.access import Caller
from rollout.steering import pack, snapshots
from rollout.steering.model import MAX_SLIDES

from support import make_db

EARLIER, AS_OF = date(2026, 11, 1), date(2026, 11, 20)
ADMIN = Caller("a@acme.cn", "admin", None)


@pytest.mark.slow
def test_risk_slide_and_what_changed_carry_the_raid_log(tmp_path) -> None:
    def risk(code: str, raised: str, probability: int, impact: int, branch: str | None = "A") -> dict:
        return {"raid_code": code, "kind": "risk", "branch_code": branch, "title": f"risk {code}", "raised_on": raised,
                "status": "open", "probability": probability, "impact": impact}

    action = {"raid_code": "R4", "kind": "action", "branch_code": "A", "title": "act", "raised_on": "2026-11-01",
              "status": "open", "due_date": "2026-11-10"}
    db = make_db(tmp_path / "p.duckdb", regions=[{"region_code": "E", "region_name": "East"}],
                 branches=[{"branch_code": "A", "branch_name": "A", "region_code": "E",
                            "planned_go_live": "2027-02-01"}],
                 raid=[risk("R1", "2026-10-01", 3, 4), risk("R2", "2026-11-10", 5, 5, None),
                       risk("R3", "2026-10-01", 1, 2), action],
                 deviations=[{"deviation_code": "V1", "branch_code": "A", "title": "report", "kind": "report",
                              "raised_on": "2026-10-01", "decision": "approved", "decided_on": "2026-11-05",
                              "effort_days": 3}])
    snapshots.take_snapshot(db, EARLIER, caller=ADMIN)
    snapshots.take_snapshot(db, AS_OF, caller=ADMIN)
    content = pack.pack(db, AS_OF, "en")
    risks = next(s for s in content.sections if s.key == "risks")
    assert risks.side_by_side and [t.key for t in risks.tables] == ["risks", "raid_risks"]
    listed = risks.tables[1].full
    assert list(listed["raid_code"]) == ["R2", "R1", "R3"]  # 25 (critical), 12 (high), 2 (low)
    assert list(listed["band"]) == ["critical (20-25)", "high (12-19)", "low (1-5)"]
    assert listed["branch_code"].iloc[0] == "the whole programme"
    assert "3 open risks in the RAID log, 1 critical; the highest scores first." in risks.lines
    trend = next(s for s in content.sections if s.key == "trend")
    assert ("Since the review of 2026-11-01: 1 new critical risks, 1 new overdue action items, 1 deviations decided "
            "(1 approved, 0 after go-live, 0 rejected).") in trend.lines
    assert content.slide_count <= MAX_SLIDES == 12
    assert pack.render(content, "pptx")[:2] == b"PK"
    db.close()
