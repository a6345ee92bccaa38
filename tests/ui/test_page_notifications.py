"""The Notifications page (admins) and each user's own switches on Settings, through app.py (AppTest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rollout.cli import main
from rollout.notify.preferences import my_preferences
from rollout.store.db import Database


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notify-demo") / "demo.duckdb"
    assert main(["demo", "--db", str(path), "--branches", "40", "--today", "2026-11-22"]) == 0
    return path


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.slow
def test_demo_preview_looks_configured_and_hides_keys(open_page, demo_file: Path) -> None:
    """The demo's channels, masked; a preview of the Monday with messages; a test contacts nobody."""
    at = open_page("notifications", db_path=demo_file, as_of=date(2026, 11, 23))
    assert not at.exception and not at.error, [e.value for e in at.exception]
    text = page_text(at)
    assert "east (wecom, …east)" in text and "north (dingtalk, …orth)" in text
    assert "key=demo-east" not in text and "access_token" not in text and "SECdemo" not in text
    preview = next(df.value for df in at.dataframe if "region_daily" in df.value.to_csv())
    assert {"my_items", "region_daily"} <= set(preview.iloc[:, 0])  # the demo has no app users: no brief
    assert all(address.endswith("@demo.example") for address in preview.iloc[:, 1] if "@" in address)
    at.text_input(key="notify_test_to").input("someone@demo.example")
    at.button(key="notify_test_send").click().run()
    assert any("contacts nobody" in i.value for i in at.info)


def test_settings_switches_are_the_users_own(open_page, sample_db_path: Path) -> None:
    """Everyone switches their own rules and language on Settings; the choice is stored for that user."""
    at = open_page("settings")
    assert not at.exception and not at.error
    at.checkbox(key="notify_rule_weekly_brief").uncheck()
    at.selectbox(key="notify_lang").select("en")
    at.button(key="notify_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with Database(sample_db_path) as db:
        assert my_preferences(db, "local") == {"lang": "en", "rules": {"my_items": True, "weekly_brief": False,
                                                                      "region_daily": True}}
