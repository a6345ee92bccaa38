"""Keep the translation catalogues in step with the code: `python docs/catalogues.py`.

Runs Babel's own extract and update (pybabel) with the project's settings: babel.cfg's map, the
keywords `_`, `gettext`, `ngettext`, `N_`, entries sorted by message and without source locations (so
two branches that add messages rarely touch the same lines), no fuzzy matching (a guessed
translation is worse than none). The English catalogue is the source language: each of its
messages translates to itself, filled in here. Chinese messages still to translate are listed at the
end; write them in rollout/locale/zh/LC_MESSAGES/rollout.po with GLOSSARY.md's words.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "rollout" / "locale"
TEMPLATE = LOCALE / "rollout.pot"
STEADY_DATE = '"POT-Creation-Date: 2026-11-30 00:00+0000\\n"'
KEYWORDS = ["-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "N_"]


def pybabel(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"pybabel {args[0]} failed:\n{done.stderr}")


def fill_english() -> None:
    """English is the source language: every message translates to itself."""
    path = LOCALE / "en" / "LC_MESSAGES" / "rollout.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale="en")
    for message in catalog:
        if message.id and not (all(message.string) if isinstance(message.string, tuple) else message.string):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
    with path.open("wb") as target:
        write_po(target, catalog, omit_header=False, no_location=True, sort_output=True, ignore_obsolete=True,
                 width=120)


def steady_header() -> None:
    """A fixed creation date in every header: a date that moved on each run would make every branch that
    touches the catalogues conflict with every other."""
    for path in [TEMPLATE, *LOCALE.glob("*/LC_MESSAGES/rollout.po")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'"POT-Creation-Date: [^"]*"', lambda _m: STEADY_DATE, text), encoding="utf-8")


def untranslated(language: str) -> list[str]:
    with (LOCALE / language / "LC_MESSAGES" / "rollout.po").open("rb") as source:
        catalog = read_po(source)
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]


def main() -> int:
    pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--no-default-keywords", "--no-location", "--sort-output",
            "--width", "120", "--project", "rollout", "--copyright-holder", "rollout developers",
            "-o", str(TEMPLATE.relative_to(ROOT)), ".")
    pybabel("update", "-i", str(TEMPLATE.relative_to(ROOT)), "-d", str(LOCALE.relative_to(ROOT)), "-D", "rollout",
            "--no-fuzzy-matching", "--ignore-obsolete", "--width", "120")
    fill_english()
    steady_header()
    missing = untranslated("zh")
    for message in missing:
        print(f"zh: not yet translated: {message!r}")
    print(f"{len(missing)} Chinese message(s) to translate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
