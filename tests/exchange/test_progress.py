"""Export and import report their progress to a callback (the CLI's bar, the Data page's st.progress)
up to 100 %, never going back; a demo portfolio's export re-imports with every figure unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.demo.portfolio import build_demo
from rollout.exchange.exporter import export, export_bytes
from rollout.exchange.importer import import_workbook
from rollout.exchange.spec import LOAD_ORDER
from rollout.metrics.summary import summary
from rollout.store.db import Database

TODAY = date(2026, 3, 10)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, done: float, step: str) -> None:
        self.calls.append((done, step))

    def check(self) -> None:
        fractions = [done for done, _step in self.calls]
        assert len(fractions) > 3
        assert fractions[0] == 0.0 and fractions[-1] == 1.0
        assert fractions == sorted(fractions), fractions
        assert all(0.0 <= done <= 1.0 and step for done, step in self.calls)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_a_demo_exports_and_reimports_with_every_figure_unchanged_reporting_progress(tmp_path: Path, suffix: str):
    source = Database(tmp_path / "a.duckdb")
    build_demo(source, branches=16, seed=7, today=TODAY, history=False)
    exported = Recorder()
    out = export(source, tmp_path / f"demo{suffix}", progress=exported)
    exported.check()
    assert any("branches" in step for _done, step in exported.calls)
    target = Database(tmp_path / "b.duckdb")
    imported = Recorder()
    result = import_workbook(target, out, today=TODAY, progress=imported, caller=LOCAL)
    imported.check()
    assert any(step == "checking sheet checklist" for _done, step in imported.calls)
    assert any(step == "writing checklist" for _done, step in imported.calls)
    assert result.rows == sum(source.scalar(f'SELECT count(*) FROM "{t}"') for t in LOAD_ORDER)
    for table in LOAD_ORDER:
        query = f'SELECT * FROM "{table}" ORDER BY ALL'
        assert source.rows(query) == target.rows(query), table
    assert summary(source, TODAY) == summary(target, TODAY)


@pytest.mark.slow
def test_a_dry_run_and_the_download_bytes_report_progress_too(tmp_path: Path):
    source = Database(tmp_path / "a.duckdb")
    build_demo(source, branches=8, seed=7, today=TODAY, history=False)
    made = Recorder()
    data = export_bytes(source, "xlsx", progress=made)
    made.check()
    dry = Recorder()
    result = import_workbook(Database(":memory:"), data, "demo.xlsx", dry_run=True, today=TODAY, progress=dry,
                             caller=LOCAL)
    dry.check()
    assert any(step.startswith("counting changes in") for _done, step in dry.calls)
    assert result.dry_run and result.rows > 0


def test_an_export_too_large_to_load_again_is_named(tmp_path: Path):
    """At 10,000 branches the .xlsx export is 92 MiB: written, but the importer refuses more than 50 MiB."""
    from rollout.exchange.sources import MAX_FILE_BYTES, size_refusal

    small = tmp_path / "small.xlsx"
    small.write_bytes(b"x" * 100)
    assert size_refusal(small) is None
    big = tmp_path / "big.xlsx"
    with big.open("wb") as out:  # a sparse file: the size counts, not the content
        out.truncate(MAX_FILE_BYTES + 1)
    assert size_refusal(big) == "big.xlsx is larger than 50 MiB, more than the importer accepts"
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "regions.csv").write_bytes(b"region_code,region_name\n")
    assert size_refusal(folder) is None
    with (folder / "checklist.csv").open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    assert size_refusal(folder) == "checklist.csv is larger than 50 MiB, more than the importer accepts"
