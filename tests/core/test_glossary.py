"""The Chinese catalogue speaks the rollout team's words (GLOSSARY.md), and whole sentences stay whole."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from rollout.core import i18n
from rollout.core.labels import status_label

# English term in a message -> the word GLOSSARY.md gives for it (a part of it where the glossary offers
# variants: 项目启动会 contains 启动会, 期初数据 / 期初余额 share 期初, 实施人天 contains 人天).
TERMS = {
    r"\bgo-lives?\b": "上线",
    r"\bkey users?\b": "关键用户",
    r"\bkick-off\b": "启动会",
    r"\bopening balances?\b": "期初",
    r"\bconsultant days?\b|\bman-days?\b": "人天",
    r"\boverdue\b": "逾期",
    r"\bwaived\b": "豁免",
    r"\breadiness\b": "准备度",
    r"\bchecklist\b": "准备清单",
    r"\bpeak (?:months?|season)\b": "旺季",
    r"\bsingle points? of failure\b": "单点风险",
    r"\bpilot\b": "试点",
    r"\bsteering committee\b|\bsteering pack\b": "指导委员会",
    r"\binfeasible\b": "无可行方案",
    r"\bas[ -]of\b": "截至",
}
# Placeholders and quoted commands name code, not words: `import --db {path} FILE`, {template}.
CODE = re.compile(r"\{[a-z_]+\}|`[^`]*`")


def zh_catalogue() -> dict[str, str]:
    with (i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as source:
        catalog = read_po(source)
    return {(m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
            for m in catalog if m.id}


def test_every_chinese_message_uses_the_glossary_words() -> None:
    wrong = []
    for english, chinese in zh_catalogue().items():
        words = CODE.sub(" ", english).lower()
        for term, word in TERMS.items():
            if re.search(term, words) and word not in chinese:
                wrong.append(f"{english!r} -> {chinese!r}: expected {word}")
    assert wrong == []


@pytest.mark.parametrize(("message", "word"), [
    ("go-live in {count} day", "上线"),
    ("{module} still has {count} key users", "关键用户"),
    ("kick-off of {branch}", "启动会"),
    ("capacity in {months} is {days} consultant days", "人天"),
    ("{count} overdue item", "逾期"),
    ("infeasible", "无可行方案"),
])
def test_key_terms_sample(message: str, word: str) -> None:
    """A sample the glossary rule above must not pass vacuously: these messages exist and carry the word."""
    assert word in zh_catalogue()[message]


def test_red_amber_green_are_the_traffic_light_words() -> None:
    with i18n.use_language("zh"):
        assert [status_label(s) for s in ("red", "amber", "green", "live", "no_plan")] == \
            ["红", "黄", "绿", "已上线", "无计划"]


def test_every_placeholder_survives_translation() -> None:
    """A msgstr that drops or renames a {placeholder} would raise KeyError (or lose a fact) at run time."""
    names = re.compile(r"\{([a-z_]+)\}")
    broken = [m for m, t in zh_catalogue().items() if sorted(names.findall(m)) != sorted(names.findall(t))]
    assert broken == []
