"""Every page on a PostgreSQL store (ROLLOUT_DB = a postgresql:// URL): it renders, and shows exactly the
figures and tables it shows on the embedded file holding the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from rollout.store.transfer import copy_between

from support import metrics

PAGES = ["portfolio", "branch", "executives", "steering", "decisions", "staffing", "lessons", "planning", "data",
         "methodology", "settings"]


@pytest.fixture(scope="module")
def server_sample(pg_server, sample_db_file: Path) -> Iterator[str]:
    """The sample on the test PostgreSQL (the pages only read it)."""
    url = pg_server.create_database()
    copy_between(sample_db_file, url)
    yield url
    pg_server.drop_database(url)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_shows_the_same_on_the_server(open_page, server_sample: str, sample_db_path: Path, page: str) -> None:
    query = {"branch": "B03"} if page in ("branch", "staffing", "decisions") else None
    on_file = open_page(page, query=query)
    on_server = open_page(page, db_path=server_sample, query=query)
    assert not on_server.exception, [e.value for e in on_server.exception]
    assert not on_server.error, [e.value for e in on_server.error]
    assert metrics(on_server) == metrics(on_file)
    file_frames, server_frames = [d.value for d in on_file.dataframe], [d.value for d in on_server.dataframe]
    assert len(server_frames) == len(file_frames)
    for expected, shown in zip(file_frames, server_frames, strict=True):
        pd.testing.assert_frame_equal(shown, expected)
