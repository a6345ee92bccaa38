"""The Data page: upload, dry run, confirm; a refused workbook loads nothing; downloads exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.store.db import Database

from support import frame_with, xlsx


@pytest.mark.slow
def test_upload_dry_run_then_confirm_loads(open_page, sample_db_path: Path) -> None:
    at = open_page("data")
    workbook = xlsx({"regions": [["region_code", "region_name"], ["SOUTH", "华南区"]],
                     "branches": [["branch_code", "branch_name", "region_code"], ["S01", "广州分公司", "SOUTH"]]})
    at.file_uploader(key="upload").upload("south.xlsx", workbook).run()
    assert not at.exception
    assert any("Dry run of south" in s.value for s in at.success)
    with Database(sample_db_path) as db:  # the dry run wrote nothing
        assert db.scalar("SELECT count(*) FROM branches WHERE branch_code = 'S01'") == 0
    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert any("Loaded south" in s.value for s in at.success)
    bars = at.get("progress")  # driven by the importer's progress callback, left at 100 % once loaded
    assert [(bar.value, bar.proto.text) for bar in bars] == [(100, "done")]
    again = open_page("data")  # another session reads through the same process-wide connection
    assert not again.exception
    history = frame_with(again, "sha256")
    assert "south.xlsx" in set(history.file_name)


@pytest.mark.slow
def test_refused_upload_lists_errors_and_saves_nothing(open_page, sample_db_path: Path) -> None:
    at = open_page("data")
    workbook = xlsx({"branches": [["branch_code", "branch_name", "region_code", "wave"],
                                  ["Z1", "甲", "MARS", "x"], ["Z2", "乙", "EAST", "2"]]})
    at.file_uploader(key="upload").upload("bad.xlsx", workbook).run()
    assert not at.exception
    assert any("Refused: 2 problem(s) in bad" in e.value for e in at.error)
    problems = frame_with(at, "problem")["problem"].tolist()
    assert problems == ["branches row 2, region_code: 'MARS' is not a known region (expected one of EAST, NORTH, "
                        "WEST)", "branches row 2, wave: 'x' is not a number"]
    assert not [b for b in at.button if b.key == "import_confirm"]  # nothing to confirm


def test_downloads_are_offered(open_page) -> None:
    at = open_page("data")
    keys = {b.key for b in at.get("download_button")}
    assert {"export_xlsx", "export_zip", "template_xlsx"} <= keys
