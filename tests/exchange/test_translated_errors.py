"""The importer's and edits' errors in Chinese: the same sheet, row, column and value as in English, the
sentence translated; the template's header comments in the chosen language, the format untouched."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rollout.core import i18n
from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.exchange.edits import insert_rows
from rollout.exchange.exporter import header_note, template_bytes
from rollout.exchange.importer import import_workbook
from rollout.exchange.spec import SHEETS
from rollout.store.db import Database

CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(folder: Path, language: str) -> ValidationError:
    with i18n.use_language(language), Database(":memory:") as db, pytest.raises(ValidationError) as caught:
        import_workbook(db, folder, today=date(2026, 11, 30), caller=LOCAL)
    return caught.value


@pytest.fixture
def bad_workbook(tmp_path: Path) -> Path:
    (tmp_path / "regions.csv").write_text("region_code,region_name\nEAST,华东\n", encoding="utf-8")
    (tmp_path / "branches.csv").write_text(
        "branch_code,branch_name,region_code,wave,planned_go_live\n"
        "B1,上海,NOWHERE,x,2026-13-01\nB2,,EAST,1,2027-01-01\nB2,杭州,EAST,1,\n", encoding="utf-8")
    (tmp_path / "kickoffs.csv").write_text("branch_code,held_on,duration_min\nB2,2026-01-01,0\n", encoding="utf-8")
    return tmp_path


def test_a_chinese_error_names_the_same_sheet_row_column_and_value(bad_workbook: Path) -> None:
    english, chinese = refused(bad_workbook, "en"), refused(bad_workbook, "zh")
    facts = [(e.sheet, e.row, e.column, e.value) for e in english.errors]
    assert facts == [(e.sheet, e.row, e.column, e.value) for e in chinese.errors]
    assert len(facts) == 6
    for en, zh in zip(english.errors, chinese.errors, strict=True):
        assert str(en).startswith(f"{en.sheet} row {en.row}, {en.column}: ")
        assert str(zh).startswith(f"{zh.sheet} 第 {zh.row} 行，{zh.column}：")
        assert CJK.search(zh.expected) and not CJK.search(en.expected)
    lines = str(chinese).splitlines()
    assert "branches 第 2 行，region_code：'NOWHERE' 不是已知的区域（应为以下之一：EAST）" in lines
    assert "branches 第 2 行，wave：'x' 不是数字" in lines
    assert "branches 第 3 行，branch_name：为空（应为文本）" in lines
    assert "branches 第 4 行，branch_code：主键（B2）与第 3 行重复（每个主键应只出现一次）" in lines
    assert "kickoffs 第 2 行，duration_min：'0' 超出范围（应为整数, > 0, <= 1,440）" in lines
    # the English sentences are exactly as before translation existed
    assert "kickoffs row 2, duration_min: '0' is out of range (expected a whole number, > 0, <= 1,440)" in \
        str(english).splitlines()


def test_the_language_of_a_refusal_is_the_language_of_its_context(bad_workbook: Path) -> None:
    refused(bad_workbook, "zh")
    assert i18n.current() == "en"
    assert "is not a known region" in str(refused(bad_workbook, "en"))


def test_an_edit_is_refused_in_chinese_naming_its_label_and_column() -> None:
    with i18n.use_language("zh"), Database(":memory:") as db, pytest.raises(ValidationError) as caught:
        insert_rows(db, "regions", [{"region_code": "EAST", "region_name": ""}], caller=LOCAL)
    assert str(caught.value) == "regions 新行，region_name：为空（应为文本）"


def test_the_template_comments_each_header_in_the_chosen_language() -> None:
    kickoffs = SHEETS["kickoffs"]
    for language, expected in (("en", "optional: a whole number, > 0, <= 1,440"),
                               ("zh", "选填：整数, > 0, <= 1,440")):
        book = load_workbook(io.BytesIO(template_bytes(language)))
        assert book.sheetnames == list(SHEETS)  # the format is not translated
        for sheet in SHEETS.values():
            headers = [c.value for c in book[sheet.name][1]]
            assert headers == sheet.column_names
        cells = {c.value: c for c in book["kickoffs"][1]}
        assert cells["duration_min"].comment.text == expected
        with i18n.use_language(language):
            assert cells["branch_code"].comment.text == header_note(kickoffs, "branch_code")
    zh = load_workbook(io.BytesIO(template_bytes("zh")))
    assert {c.value: c.comment.text for c in zh["checklist"][1]}["status"] == \
        "必填：以下之一：open, in_progress, done, waived"
    assert {c.value: c.comment.text for c in zh["checklist"][1]}["branch_code"] == \
        "必填：代码；属于主键；必须已在 branches 表或数据库中存在"
    assert i18n.current() == "en"
