"""Translations: gettext catalogues managed with Babel, and locale-aware numbers and dates.

The catalogues are `rollout/locale/<lang>/LC_MESSAGES/rollout.po` (English source strings, one
catalogue per language; see README "Translations" for the pybabel commands). A `.po` file is
compiled in memory the first time its language is used, so a fresh clone needs no build step.

The language is a context variable: the app sets it once per script run (from ?lang=, else the
browser's locale), the CLI once per command (--lang, else LANG). Library code marks user-facing
text with `_()` / `ngettext()` and never assembles a sentence from translated pieces; a whole
sentence with named placeholders is one message: `_("{count} branches at risk").format(count=n)`.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_decimal

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
DOMAIN = "rollout"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
BABEL_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}  # en_GB: "1 Jan 2027", as the reports write it

_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def normalise(tag: str | None) -> str | None:
    """Our language code for a browser / POSIX / URL tag ('zh-CN', 'zh_Hans', 'en_US.UTF-8', 'zh'), else None."""
    if not tag:
        return None
    base = str(tag).strip().replace("_", "-").split(".")[0].split("-")[0].lower()
    return base if base in LANGUAGES else None


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of a language (English, the source language, translates to itself)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=BABEL_LOCALES[language], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def current() -> str:
    """The language of this run or command."""
    return _language.get()


def set_language(language: str | None) -> str:
    """Use this language from now on in this context (an unknown one falls back to English); returns it."""
    chosen = normalise(language) or DEFAULT
    _language.set(chosen)
    return chosen


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Within the block, text is translated into this language."""
    token = _language.set(normalise(language) or DEFAULT)
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    """The message in the current language."""
    return translations(current()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form that fits count, by the current language's plural rule."""
    return translations(current()).ngettext(singular, plural, count)


def format_number(value: float | int, digits: int = 0, *, trim: bool = False) -> str:
    """A number with the current language's grouping and decimal signs, `digits` decimals; trim: at most
    `digits` decimals, trailing zeros dropped (a setting as typed: 3.0 s is '3', 2.5 s '2.5')."""
    pattern = "#,##0" + ("." + ("#" if trim else "0") * digits if digits > 0 else "")
    return _babel_decimal(value, format=pattern, locale=Locale.parse(BABEL_LOCALES[current()]))


def format_weekday(day: date) -> str:
    """The day of the week in the current language (Saturday / 星期六)."""
    return _babel_date(day, format="EEEE", locale=Locale.parse(BABEL_LOCALES[current()]))


def format_day(day: date) -> str:
    """A date as people of the current language write it in a report (1 Jan 2027 / 2027年1月1日)."""
    return _babel_date(day, format="medium", locale=Locale.parse(BABEL_LOCALES[current()]))
