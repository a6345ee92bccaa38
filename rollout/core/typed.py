"""What people type that names someone or something: a code, a region, an email, a name.

One rule each, shared by the importer, the in-app edits, the sign-in gate, the `users` table and the
command line, so that two spellings that look the same are the same thing (or are refused), and a text
that could be read as something else (`*` as every region, `XI,EAST` as two regions, a Unicode letter
that lower-cases into another person's ASCII email) never gets in. docs/methodology/safety.md explains.
"""

from __future__ import annotations

import re
import unicodedata

from rollout.core.errors import RolloutError
from rollout.core.i18n import _

MAX_NAME_CHARS = 200  # a person's name in the users table (docs/methodology/safety.md)
MAX_EMAIL_CHARS = 254  # the longest address mail servers carry (RFC 5321)

# Characters that show as nothing (or not at all): a code holding one looks like another code.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")  # fillers, blank signs
# Characters a region code may not hold: the stored scope is `*` (every region) or codes joined by `,`.
REGION_RESERVED = ("*", ",")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def invisible_character(text: str) -> str | None:
    """The first control or invisible character in text, described (U+200B ZERO WIDTH SPACE), or None."""
    if text.isascii() and text.isprintable():
        return None  # the usual code: nothing to look for
    for char in text:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _INVISIBLE_EXTRA or \
                0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF or 0x180B <= ord(char) <= 0x180F:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
    return None


def fold_code(text: object) -> str:
    """A code as typed, in the form the importer stores: NFKC (full-width `Ｂ０１４` is `B014`), trimmed."""
    return unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()


def region_code_refusal(code: str) -> str | None:
    """Why a region code cannot be one (None: it can): empty, or holding a character the stored scope
    reserves (`*` means every region, `,` separates regions)."""
    if not code.strip():
        return _("is empty (expected a region code)")
    reserved = [c for c in REGION_RESERVED if c in code]
    if reserved:
        return _("holds {characters} (expected a region code without * or ,: the scope of a user is * for every "
                 "region or codes separated by commas)").format(characters=" ".join(reserved))
    return None


def ascii_lower(text: str) -> str:
    """Lower-case the ASCII letters A-Z only: Unicode's rules would turn KELVIN SIGN into `k`."""
    return text.translate(_ASCII_LOWER)


def email_key(claim: object, verified: object = None) -> str:
    """The key of a person from an email claim (sign-in, `--as`, `users add`): trimmed, ASCII letters
    lower-cased. Refused (RolloutError, the reason in one line): an empty claim, an address the provider
    says is unverified (`email_verified` false, when the claim is present), a claim holding an invisible
    or control character or one that Unicode NFKC would change (a look-alike of another address), one that
    is not name@domain or is longer than an address can be."""
    text = str(claim if claim is not None else "").strip()
    shown = repr(text[:80] + ("…" if len(text) > 80 else ""))
    if not text:
        raise RolloutError(_("the email is empty (expected an email address)"))
    if verified is False or (isinstance(verified, str) and verified.strip().lower() in ("false", "0", "no")):
        raise RolloutError(_("{email} is not verified by the sign-in provider (expected a verified email "
                             "address)").format(email=shown))
    hidden = invisible_character(text)
    if hidden:
        raise RolloutError(_("{email} holds an invisible or control character, {character} (expected an email "
                             "address of visible characters)").format(email=shown, character=hidden))
    if unicodedata.normalize("NFKC", text) != text:
        raise RolloutError(_("{email} holds a character that looks like another one (expected the address as "
                             "plain characters, e.g. K, not the Kelvin sign)").format(email=shown))
    if len(text) > MAX_EMAIL_CHARS or not _EMAIL.match(text):
        raise RolloutError(_("{email} is not an email address").format(email=shown))
    return ascii_lower(text)


def person_name(text: object) -> str | None:
    """A person's name as stored (None: no name): trimmed; refused when longer than MAX_NAME_CHARS or
    holding an invisible or control character."""
    name = str(text if text is not None else "").strip()
    if not name:
        return None
    if len(name) > MAX_NAME_CHARS:
        raise RolloutError(_("the name is {length} characters long (expected at most {limit})").format(
            length=len(name), limit=MAX_NAME_CHARS))
    hidden = invisible_character(name)
    if hidden:
        raise RolloutError(_("the name holds an invisible or control character, {character} (expected visible "
                             "characters)").format(character=hidden))
    return name
