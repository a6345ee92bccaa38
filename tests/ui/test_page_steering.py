"""The steering page: download buttons carry the pack, a snapshot is taken, two snapshots compare."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from rollout.store.db import Database


def media_managers() -> list:
    """Streamlit's media file managers still in memory (AppTest's is garbage once the run ends: hold it)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    return [o for o in gc.get_objects() if isinstance(o, MediaFileManager)]


def download_data(button, managers: list) -> bytes | None:
    """The bytes behind an AppTest download button (None if this Streamlit keeps them elsewhere)."""
    url = button.proto.url
    if button.proto.deferred_file_id:  # written on click: run the deferred callable as a click would
        for manager in managers:
            try:
                url = manager.execute_deferred(button.proto.deferred_file_id)
                break
            except Exception:  # another manager holds it: keep looking
                continue
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    for manager in managers:
        try:
            return bytes(manager._storage.get_file(file_id).content)
        except Exception:  # another manager holds it: keep looking
            continue
    return None


@pytest.mark.slow
def test_steering_page_downloads_snapshots_and_changes(open_page, sample_db_path) -> None:
    at = open_page("steering", as_of=date(2026, 9, 15))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Steering pack"
    signatures = {"pack_pptx": b"PK", "pack_xlsx": b"PK", "pack_html": b"<!DOCTYPE html>"}
    found, managers = 0, media_managers()
    for key, start in signatures.items():
        button = at.download_button(key=key)
        assert button.proto.url or button.proto.deferred_file_id, key
        data = download_data(button, managers)
        if data is not None:
            assert data.startswith(start), key
            found += 1
    assert found == 3  # the bytes are reachable in this Streamlit (1.67): check every file type
    assert any("two are needed" in i.value for i in at.info)  # no snapshot yet: no change list
    at.button(key="snapshot_take").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Snapshot" in s.value for s in at.success)
    at.sidebar.date_input(key="as_of_picker").set_value(date(2026, 11, 22))  # the sidebar's as-of date
    at.text_input(key="snapshot_label").input("weekly review").run()
    at.button(key="snapshot_take").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # Two snapshots: the change list compares the latest (2026-11-22) with the previous review (2026-09-15).
    old, new = at.selectbox(key="changes_old"), at.selectbox(key="changes_new")
    assert (old.value, new.value) == (1, 2)
    assert "People who left" in " ".join(m.value for m in at.markdown)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT snapshot_id, as_of, label FROM snapshots ORDER BY snapshot_id") == [
            (1, date(2026, 9, 15), None), (2, date(2026, 11, 22), "weekly review")]
