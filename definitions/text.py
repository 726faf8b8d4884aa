"""The plain text readers send: which characters a page can show and what a name needs.

Every public form field whose text reaches a page (comments, replies, edits, reports, readers'
distinctions, their names and website links) is checked here, once, so the rules are the same
everywhere: control characters, lone surrogates and Unicode noncharacters are refused; a name or
a short label must have something visible in it and may not carry text-direction controls.
Private-use characters are ordinary text to the site and are kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

# Browsers send line breaks in a textarea as \r\n (made \n below); a tab is harmless there too.
MULTILINE_CONTROLS = frozenset("\n\t")
# Embeddings, overrides and isolates (not the marks U+200E, U+200F, U+061C): one of them left
# open inside a name reorders the rest of the line it is shown in ("By Eve, 3 May").
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and signs that fonts draw as nothing: Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
MAX_CODES_SHOWN = 5
ASCII_ID = re.compile(r"[0-9]{1,18}")


def is_noncharacter(char: str) -> bool:
    """Return True for the 66 code points Unicode reserves as never being text."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def refused_characters(value: str, *, multiline: bool) -> dict[str, list[str]]:
    """Return the characters no page shows, by kind, each described once as U+XXXX."""
    found: dict[str, list[str]] = {}
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in MULTILINE_CONTROLS):
            kind = "line break" if char == "\n" else "control"
        elif category == "Cs":
            kind = "surrogate"
        elif is_noncharacter(char):
            kind = "noncharacter"
        else:
            continue
        codes = found.setdefault(kind, [])
        code = f"U+{ord(char):04X}"
        if code not in codes:
            codes.append(code)
    return found


def is_visible(char: str) -> bool:
    """Return True if `char` is drawn as something: a letter, digit, sign or private-use glyph."""
    category = unicodedata.category(char)
    return (category[0] in "LNPS" or category == "Co") and char not in BLANK_LETTERS


def _describe(found: dict[str, list[str]]) -> tuple[str, str]:
    if list(found) == ["line break"]:
        return "a line break", "U+000A"
    names = {
        "control": "invisible control characters",
        "line break": "line breaks",
        "surrogate": "broken characters (lone surrogates)",
        "noncharacter": "characters Unicode keeps out of text",
    }
    what = " and ".join(names[kind] for kind in found)
    codes = [code for kind_codes in found.values() for code in kind_codes]
    shown = ", ".join(codes[:MAX_CODES_SHOWN]) + (", …" if len(codes) > MAX_CODES_SHOWN else "")
    return what, shown


def check_text(value: str, *, multiline: bool = False, inline: bool = False) -> None:
    """Raise ValidationError, with a sentence saying what to change, if a page cannot show it.

    `inline` text is shown within a line of the page (a name, a label, a link): it may not
    carry text-direction controls.
    """
    if found := refused_characters(value, multiline=multiline):
        what, codes = _describe(found)
        raise ValidationError(
            "Remove %(what)s (%(codes)s): only plain text is accepted here.",
            code="characters",
            params={"what": what, "codes": codes},
        )
    if inline and (controls := sorted({c for c in value if c in DIRECTION_CONTROLS})):
        raise ValidationError(
            "Remove the text-direction controls (%(codes)s): they would reorder the text shown "
            "next to this.",
            code="direction",
            params={"codes": ", ".join(f"U+{ord(c):04X}" for c in controls)},
        )


class PlainTextField(forms.CharField):
    """A text field that keeps plain text as typed and refuses what a page cannot show."""

    default_error_messages = {
        "invisible": "Write something that can be seen: this has no letter, number or sign.",
    }

    def __init__(self, *, multiline: bool = False, inline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        self.inline = inline
        super().__init__(**kwargs)
        # to_python() reports a NUL byte along with every other character it refuses, once.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = super().to_python(value)
        check_text(value, multiline=self.multiline, inline=self.inline)
        if value and not any(is_visible(c) for c in value):
            raise ValidationError(self.error_messages["invisible"], code="invisible")
        return value


class NameField(PlainTextField):
    """The name a reader signs with: one line, something visible, no text-direction controls."""

    default_error_messages = {
        "invisible": "Your name needs at least one visible letter, number or sign.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(inline=True, **kwargs)


def ascii_id(value: object) -> int | None:
    """Return the row id a query or form value names, or None unless it is 1 to 18 ASCII digits.

    `str.isdigit()` accepts "²" and "①", which `int()` refuses; `int()` accepts " 7", "1_0" and
    Arabic-Indic digits. Only what the site itself writes into its addresses counts.
    """
    if isinstance(value, str) and ASCII_ID.fullmatch(value):
        return int(value)
    return None
