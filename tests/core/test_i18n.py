"""Translations: the catalogues cover every message in the code, and the language follows its context."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rollout.core import i18n
from rollout.core.labels import column_label, labelled, status_label

from support import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def code_messages() -> set[str]:
    """Every message marked in the code, as pybabel extract finds it with the project's babel.cfg."""
    method_map = [("app.py", "python"), ("pages/**.py", "python"), ("ui/**.py", "python"), ("rollout/**.py", "python")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_every_message_is_translated_and_none_is_unused(language: str) -> None:
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    wanted = code_messages()
    assert wanted, "no message marked in the code"
    assert sorted(wanted - set(in_catalog)) == [], "in the code but not in the catalogue (pybabel update)"
    assert sorted(set(in_catalog) - wanted) == [], "in the catalogue but no longer in the code"
    assert [m.id for m in in_catalog.values() if m.fuzzy] == []
    untranslated = [m.id for m in in_catalog.values() if not (all(m.string) if isinstance(m.string, tuple)
                                                               else m.string)]
    assert untranslated == []
    assert not catalog.obsolete


def test_the_template_is_in_step_with_the_code() -> None:
    with (i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot").open("rb") as source:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert template == code_messages()


@pytest.mark.parametrize(("tag", "expected"), [("zh-CN", "zh"), ("zh_Hans", "zh"), ("zh_CN.UTF-8", "zh"),
                                               ("en-US", "en"), ("EN", "en"), ("fr-FR", None), ("", None),
                                               (None, None)])
def test_browser_and_posix_tags_map_to_our_languages(tag: str | None, expected: str | None) -> None:
    assert i18n.normalise(tag) == expected


def test_the_language_is_per_context_and_english_by_default() -> None:
    assert i18n.current() == "en"
    assert status_label("no_plan") == "no plan"
    with i18n.use_language("zh-CN"):
        assert status_label("no_plan") == "无计划"
        assert column_label("slip_days") == "延误（天）"
        assert i18n.format_day(date(2027, 1, 1)) == "2027年1月1日"
        with i18n.use_language("fr"):  # unknown: English
            assert status_label("red") == "red"
        assert status_label("red") == "红"
    assert status_label("red") == "red"
    assert i18n.format_day(date(2027, 1, 1)) == "1 Jan 2027"
    assert i18n.format_number(1234.5, 1) == "1,234.5"


def test_labels_for_unknown_codes_and_columns_stay_readable() -> None:
    assert status_label("mystery") == "mystery"
    assert column_label("used_pct") == "used pct"
    import pandas as pd
    frame = labelled(pd.DataFrame({"branch_code": ["B1"], "slip_days": [3]}))
    assert list(frame.columns) == ["Branch", "Slip (days)"]


def test_catalogue_folder_is_inside_the_package() -> None:
    assert Path(i18n.LOCALE_DIR).is_relative_to(ROOT / "rollout")
