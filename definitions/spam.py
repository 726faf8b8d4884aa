"""Spam heuristics shared by readers' distinctions and comments; no third-party service."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import urlize

from definitions.models import BannedWord

MAX_LINKS = 2


@dataclass(frozen=True)
class Verdict:
    hold: bool
    reason: str = ""


def count_links(text: str) -> int:
    """Return how many links Django's urlize makes of `text`, as comments are shown.

    That is every address with http(s):// or www., every bare domain (example.com) and every
    email address. Readers' distinctions are shown without links, but an address in them is
    counted all the same: it is there to be read and typed in.
    """
    return urlize(text, autoescape=True).count("<a ")


def looks_repetitive(text: str) -> bool:
    """Return True for text that is mostly one word or character run repeated."""
    words = re.findall(r"\w+", text.lower())
    if len(words) >= 8 and len(set(words)) / len(words) < 0.3:
        return True
    return bool(re.search(r"(.)\1{14,}", text))


def banned_phrases_in(text: str) -> list[str]:
    lowered = text.lower()
    return [p for p in BannedWord.objects.values_list("phrase", flat=True) if p in lowered]


def check(*texts: str) -> Verdict:
    """Return whether these texts should wait for a moderator, and why."""
    joined = "\n".join(t for t in texts if t)
    if count_links(joined) > MAX_LINKS:
        return Verdict(True, f"more than {MAX_LINKS} links")
    if looks_repetitive(joined):
        return Verdict(True, "repeated text")
    if banned := banned_phrases_in(joined):
        return Verdict(True, f"banned words: {', '.join(banned)}")
    return Verdict(False)
