"""The forecast's track record on screen (METRICS.md "Forecast track record"), AppTest through app.py, in both
languages: the Methodology page's "Track record" (figures, note, reliability diagram), the Portfolio's line
under the go-lives at risk, and the note beside every P80 date shown (go-lives at risk, Branch page) when
P80 dates came true less than 70 % of the time.

The store is the hand-checked one of tests/track_cases.py (143 P80 dates decided, 65.7 % came
true: the note shows) and one branch whose go-live is near and at risk (SOON, METRICS.md's worked example)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from track_cases import BRANCHES, CHECKLIST, REGIONS, branch, done_in_weeks

from rollout.core.i18n import use_language
from rollout.metrics import track_record
from rollout.store.db import Database
from rollout.store.settings import get_settings

from support import chart_text, make_db, texts

D = date(2026, 11, 22)


@pytest.fixture(scope="module")
def record_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("track") / "track.duckdb"
    soon = done_in_weeks("SOON", {1: 2, 3: 1, 5: 3, 7: 2}, open_weight=10)
    mine = [b for b in BRANCHES if b["branch_code"] != "ELSEWHERE"]
    items = [i for i in CHECKLIST if i["branch_code"] != "ELSEWHERE"]
    make_db(path, regions=REGIONS, branches=[*mine, branch("SOON", 30)], checklist=[*items, *soon]).close()
    return path


@pytest.fixture
def db_path(record_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "track.duckdb"
    copy.write_bytes(record_db.read_bytes())
    return copy


def expected(db_path: Path, language: str) -> tuple[str, str]:
    with Database(db_path, read_only=True) as db, use_language(language):
        record = track_record.track_record(db, D)
        assert record["p80_decided"] >= 30 and record["p80_coverage"] < 70
        return track_record.headline(record), track_record.p80_note(record, get_settings(db))


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_portfolio_line_and_the_note_beside_p80_dates(open_page, db_path: Path, language: str) -> None:
    line, note = expected(db_path, language)
    at = open_page("portfolio", db_path=db_path, as_of=D, query={"lang": language})
    assert not at.exception, [e.value for e in at.exception]
    captions = texts(at.caption)
    if language == "en":
        assert f"Track record: {line} (last 52 weeks; see Methodology)." in captions, captions
        assert f"P80 ready date: {note}." in captions
        assert line.startswith("P80 dates came true ") and line.endswith(" past forecasts")
    else:
        assert any(line in c for c in captions) and any(note in c for c in captions), captions
        assert "P80" in note and "%" in note and "of the time" not in note
    branch = open_page("branch", db_path=db_path, as_of=D, query={"branch": "SOON", "lang": language})
    assert not branch.exception, [e.value for e in branch.exception]
    assert any(note in t for t in texts(branch.markdown)), texts(branch.markdown)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_methodology_track_record(open_page, db_path: Path, language: str) -> None:
    _line, note = expected(db_path, language)
    with Database(db_path, read_only=True) as db:
        record = track_record.track_record(db, D)
    at = open_page("methodology", db_path=db_path, as_of=D, query={"lang": language})
    assert not at.exception, [e.value for e in at.exception]
    assert ("Track record" if language == "en" else "预测回溯") in [s.value for s in at.subheader]
    figures = next(d.value for d in at.dataframe if len(d.value) == 9)
    values = list(figures.iloc[:, 1])
    assert values[0] == f"{record['forecasts']}" and values[3] == f"{record['p80_decided']}"
    assert values[4] == f"{record['p80_coverage']:.1f}%"
    assert any(note in t for t in texts(at.warning))
    drawn = [chart_text(c) for c in at.get("plotly_chart")]
    chart = next(text for text in drawn if "Reliability" in text or "可靠" in text)
    assert '"dash"' in chart  # the diagonal


def test_reliability_figure_points_counts_and_diagonal() -> None:
    import pandas as pd

    from ui.figures import reliability_figure
    bins = pd.DataFrame({"bin_from": range(0, 100, 10), "bin_to": range(10, 110, 10),
                         "forecasts": [47, 0, 1, 0, 0, 0, 0, 0, 0, 98],
                         "mean_chance": [0.0, None, 28.2, None, None, None, None, None, None, 99.9],
                         "came_true": [89.4, None, 0.0, None, None, None, None, None, None, 53.1]})
    fig = reliability_figure(bins)
    diagonal, points = fig.data
    assert list(diagonal.x) == [0, 100] and list(diagonal.y) == [0, 100]
    assert list(points.x) == [0.0, 28.2, 99.9] and list(points.y) == [89.4, 0.0, 53.1]
    assert list(points.text) == ["47", "1", "98"]
    empty = reliability_figure(bins.assign(forecasts=0))
    assert not empty.data and empty.layout.annotations
