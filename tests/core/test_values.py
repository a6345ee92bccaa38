"""rollout/core/values.py: the one reading of empty cells, dates, rounding and SQL quoting."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import pytest

from rollout.core.values import (
    as_date,
    comparable,
    is_missing,
    iso_text,
    json_ready,
    page_count,
    page_of,
    plain,
    quote,
    quote_text,
    round1,
)


@pytest.mark.parametrize("value", [None, float("nan"), np.float64("nan"), pd.NaT, pd.NA])
def test_every_empty_cell_is_missing(value: object) -> None:
    assert is_missing(value) and plain(value) is None and as_date(value) is None and iso_text(value) is None
    assert comparable(value) is None


@pytest.mark.parametrize("value", ["", "NaN", 0, False, [None]])
def test_text_numbers_and_lists_are_not_missing(value: object) -> None:
    assert not is_missing(value)


def test_values_as_read_back_become_plain_python() -> None:
    assert plain(pd.Timestamp("2026-11-22")) == date(2026, 11, 22)
    assert plain(pd.Timestamp("2026-11-22 08:30")) == datetime(2026, 11, 22, 8, 30)
    assert type(plain(np.int32(7))) is int and type(plain(np.bool_(True))) is bool
    assert json_ready(pd.Timestamp("2026-11-22")) == "2026-11-22" and json_ready(np.float64(1.5)) == 1.5
    assert as_date("2026-11-22 00:00:00") == date(2026, 11, 22) == as_date(datetime(2026, 11, 22, 9))


def test_comparable_treats_two_readings_of_one_cell_alike() -> None:
    assert comparable(pd.Timestamp("2026-11-22")) == comparable(date(2026, 11, 22)) == comparable("2026-11-22 00:00:00")
    assert comparable(np.int64(40)) == comparable(40.0) == comparable(40)
    assert comparable("") is None and comparable(True) is True and comparable("B01") == "B01"


@pytest.mark.parametrize(("value", "rounded"), [(0.05, 0.1), (0.15, 0.2), (2.25, 2.3), (-2.25, -2.3), (66.66, 66.7)])
def test_round1_is_half_away_from_zero_like_duckdb(value: float, rounded: float) -> None:
    assert round1(value) == rounded == duckdb.sql(f"SELECT round({value}::DOUBLE, 1)").fetchone()[0]


def test_quoting_keeps_any_name_and_text_intact() -> None:
    name, text = 'odd "table"; DROP', "it's; DROP TABLE x; --"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {quote(name)} (v VARCHAR)")
    con.execute(f"INSERT INTO {quote(name)} VALUES ({quote_text(text)})")
    assert con.execute(f"SELECT v FROM {quote(name)}").fetchall() == [(text,)]
    assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [(name,)]


def test_pages_of_a_long_table() -> None:
    frame = pd.DataFrame({"n": range(120)})
    assert page_count(120, 50) == 3 and page_count(100, 50) == 2
    assert page_count(0, 50) == 1  # an empty table still has its page
    assert page_of(frame, 1, 50)["n"].tolist() == list(range(50))
    assert page_of(frame, 3, 50)["n"].tolist() == list(range(100, 120))
    assert page_of(frame, 9, 50)["n"].tolist() == list(range(100, 120))  # clamped to the last page
    assert page_of(frame, 0, 50)["n"].tolist() == list(range(50))

