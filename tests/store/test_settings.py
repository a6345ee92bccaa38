"""Settings: defaults until changed, validated ranges, stored and audited, editable on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.store.db import Database
from rollout.store.settings import SETTINGS, get_settings, save_settings


def test_defaults_until_changed_then_stored_and_audited(tmp_path: Path) -> None:
    with Database(tmp_path / "s.duckdb") as db:
        assert get_settings(db)["half_life_days"] == 30 == SETTINGS["half_life_days"].default
        assert save_settings(db, {"half_life_days": 20, "weight_visit": 3},
            caller=LOCAL) == ["half_life_days"]  # visit unchanged
        assert get_settings(db)["half_life_days"] == 20
        assert db.rows("SELECT row_key, old_value, new_value FROM audit_log") == [("half_life_days", "30", "20")]


@pytest.mark.parametrize("key, value, message", [
    ("half_life_days", 0, "half_life_days: 0 is out of range (expected a number from 1 to 3650)"),
    ("max_go_lives_per_month", 2.5, "is out of range (expected a whole number from 1 to 100000)"),
    ("capacity_days_per_month", 1_000_001, "is out of range (expected a number from 0 to 1000000)"),
    ("weight_visit", "lots", "weight_visit: 'lots' is not a number"),
    ("no_such", 1, "no_such: is not a setting"),
])
def test_bad_values_are_refused_whole(tmp_path: Path, key: str, value: object, message: str) -> None:
    with Database(tmp_path / "s.duckdb") as db:
        with pytest.raises(ValidationError) as caught:
            save_settings(db, {"half_life_days": 25, key: value}, caller=LOCAL)
        assert message in str(caught.value)
        assert get_settings(db)["half_life_days"] == 30  # the good value in the same save is not kept either


def test_settings_page_saves_a_change(open_page, sample_db_path: Path) -> None:
    at = open_page("settings")
    at.number_input(key="setting_red_readiness_below").set_value(70.0)
    at.button(key="settings_save_Readiness").click().run()
    assert not at.exception
    with Database(sample_db_path) as db:
        assert get_settings(db)["red_readiness_below"] == 70


@pytest.mark.slow
def test_backup_from_the_app_restores_to_the_same_data(open_page, sample_db_path: Path, tmp_path: Path) -> None:
    from rollout.store.backup import restore

    at = open_page("settings")
    assert not [b for b in at.get("download_button") if b.key == "backup_download"]  # prepared on demand
    at.button(key="backup_prepare").click().run()
    assert not at.exception
    data = at.session_state["backup_file"]
    assert data[8:12] == b"DUCK"  # a DuckDB file
    copy = tmp_path / "backup.duckdb"
    copy.write_bytes(data)
    restored = tmp_path / "restored.duckdb"
    restore(copy, restored, caller=LOCAL)
    with Database(restored) as new, Database(sample_db_path) as old:
        for table in ("branches", "checklist", "touchpoints"):
            assert new.rows(f"SELECT * FROM {table} ORDER BY ALL") == old.rows(f"SELECT * FROM {table} ORDER BY ALL")
