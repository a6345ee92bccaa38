"""ui/state.py: get_db() and cached() read through the caller's scope, and the scope is in the cache key."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


def scoped_script() -> None:
    """A run that reads the branches through cached() and get_db() as the caller in session_state."""
    from datetime import date

    import streamlit as st

    from rollout.core.access import LOCAL, Caller
    from rollout.metrics import readiness
    from ui.state import cached, get_db

    region = st.session_state.get("scope")
    if region:
        st.session_state["_caller"] = Caller(f"{region.lower()}@acme.cn", "editor", frozenset({region}))
    else:  # the local administrator, decided as the gate decides it with sign-in off (no caller is a default)
        st.session_state["_caller"] = LOCAL
    st.text(",".join(sorted(cached(readiness.branch_status, date(2026, 11, 22))["branch_code"])))
    st.text(",".join(sorted(r[0] for r in get_db().rows("SELECT branch_code FROM branches"))))


@pytest.mark.slow
def test_each_scope_gets_its_own_cached_frames(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLLOUT_DB", str(sample_db_path))
    at = AppTest.from_function(scoped_script, default_timeout=90)
    seen = {}
    for scope in (None, "EAST", "WEST", None, "EAST"):  # each twice where the cache could answer
        at.session_state["scope"] = scope
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        cached_codes, direct_codes = at.text[0].value, at.text[1].value
        assert cached_codes == direct_codes
        seen.setdefault(scope, cached_codes)
        assert seen[scope] == cached_codes
    assert seen == {None: "B01,B02,B03,B04,B05,B06,B07,B08,B09,B10,B11,PIL", "EAST": "B01,B04,B07,B10,PIL",
                    "WEST": "B02,B05,B08,B11"}
