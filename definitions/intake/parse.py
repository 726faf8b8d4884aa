"""Split the raw text of a web article into title, date, body and reader comments.

Plain Python on strings: no database, no model, no network.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_ARTICLE_CHARS = 50_000

# ---------------------------------------------------------------------------------------------
# Splitting the raw article
# ---------------------------------------------------------------------------------------------


class ParsedComment(NamedTuple):
    author: str
    body: str
    kind: str  # "comment" or "pingback"
    date: tuple[int | None, int | None, int | None] = (None, None, None)
    # (hour, minute) on a 24-hour clock when the date line gives the time ("at 4:15 pm").
    time: tuple[int, int] | None = None


@dataclass
class ParsedArticle:
    title: str
    date: tuple[int | None, int | None, int | None]
    body: str
    comments: list[ParsedComment] = field(default_factory=list)
    debris_removed: list[str] = field(default_factory=list)
    # What the format stated (header lines, an HTML page's meta tags), and which format it was.
    original_url: str = ""
    author: str = ""
    site_name: str = ""
    format: str = "text"
    # Characters of the article's text once line breaks are normalised and markup is gone: what
    # the size limit counts.
    text_chars: int = 0


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+"
_PREFIX = r"(?:(?:posted|published|updated|written|last updated)(?:\s+on)?:?\s+)?"
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# Whole lines that are nothing but a date, most specific first. "15 2010" is a day and a year
# whose month the scraper lost: the date stays partial rather than guessed.
_DATE_LINES = [
    re.compile(rf"^{_PREFIX}(?:{_WEEKDAY})?{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}$", re.I),
    re.compile(rf"^{_PREFIX}(?:{_WEEKDAY})?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}{_TIME}$", re.I),
    re.compile(
        rf"^{_PREFIX}(?P<year>(?:19|20)\d{{2}})[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}}){_TIME}$",
        re.I,
    ),
    re.compile(rf"^{_PREFIX}{_MONTH},?\s+{_YEAR}$", re.I),
    re.compile(rf"^{_PREFIX}{_DAY},?\s+{_YEAR}$", re.I),
    re.compile(rf"^{_PREFIX}{_YEAR}$", re.I),
]

# Lines that are page furniture, not the article. Only short lines are tested against these.
_DEBRIS_LINES = re.compile(
    r"^(?:"
    r"(?:social\s+)?share(?:\s+this(?:\s+(?:post|article|page))?)?(?:\s+(?:on|via)\s+\w+)?:?"
    r"|tweet(?:\s+this)?|pin\s+it|print(?:\s+this)?(?:\s+(?:post|article|page))?"
    r"|e-?mail(?:\s+this)?(?:\s+(?:post|article|page))?|like\s+this:?|loading\.*|related(?:\s+posts)?:?"
    r"|back(?:\s+to)?(?:\s+(?:blog|home|top|articles?|posts?))?"
    r"|(?:previous|next|older|newer)\s+(?:post|article|entry)s?\b.*"
    r"|posted\s+(?:in|on|by|under)\b.*|filed\s+under\b.*|tags?:.*|tagged\b.*|categor(?:y|ies):.*"
    r"|leave\s+a\s+(?:reply|comment|response)|comments?\s+are\s+closed\.?|post\s+a\s+comment"
    r"|add\s+a\s+comment|cancel\s+reply|you\s+must\s+be\s+logged\s+in\b.*"
    r"|(?:no|\d+)\s+(?:comments?|responses?)"
    r"|follow\s+me\s+on\s+\w+:.*|\S{1,40}[\u2019']s\s+last\s+blog\s+post\s*\.\..*"
    r"|read\s+more|continue\s+reading\b.*|advertisements?|sponsored|home|menu|search"
    r"|skip\s+to\s+(?:main\s+)?content|main\s+menu"
    r"|(?:[^\u203a\u00bb>|]{1,40}[\u203a\u00bb>]\s*)+[^\u203a\u00bb>|]{0,60}"  # breadcrumbs
    r")$",
    re.I,
)
_FOOTER_LINES = re.compile(
    r"^(?:leave\s+a\s+(?:reply|comment|response)|comments?\s+are\s+closed\.?|post\s+a\s+comment"
    r"|add\s+a\s+comment|cancel\s+reply|you\s+must\s+be\s+logged\s+in\b.*)$",
    re.I,
)
_COUNT_WORDS = r"(?:\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)"
_COMMENTS_HEADER = re.compile(
    rf"^{_COUNT_WORDS}\s+(?:thoughts?|comments?|responses?|replies|reactions?)\s+(?:on|to)\b"
    r"|^(?:reader\s+)?(?:comments?|responses?|replies|discussion)\s*(?:\(\d+\))?:?$"
    r"|^\d+\s+(?:comments?|responses?):$",  # Blogger: "5 comments:"
    re.I,
)
_COMMENT_COUNT_HINT = re.compile(r"\b(\d+)\s+comments?\b", re.I)
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<mark>[•·▪●◦*\-\u2013\u2014]|\d{1,3}[.)])[ \t\u00a0]+(?P<rest>\S.*)$"
)
_SAYS = re.compile(
    r"^(?P<author>[^\n:]{1,60}?)\s+(?:says|said|wrote)\s*(?::|\.\.\.|…)?\s*"
    r"(?:[\w ,:.]{0,40}\d[\w ,:.]{0,40})?$",
    re.I,
)
# "Jane Doe — March 3, 2012 at 4:15 pm": a numbered comment's first line, after its number.
_NAME_DATE = re.compile(r"^(?P<author>[^\n]{1,60}?)\s+(?:[\u2014\u2013|]|-{1,2}|·)\s+(?P<date>.+)$")
# Links under each comment of a blog's thread, not part of what the reader wrote.
_COMMENT_TOOLS = re.compile(
    r"^(?:reply(?:\s*[↓\u2193])?|report(?:\s+comment)?|like|log\s+in\s+to\s+reply"
    r"|delete|permalink|link|edit)$",
    re.I,
)
_LAST_POST = re.compile(r"^(?P<author>\S{1,40}?)[\u2019']s\s+last\s+blog\s+post\s*\.\.", re.I)
_FOLLOW_ME = re.compile(r"^follow\s+me\s+on\s+\w+:\s*@?(?P<author>[\w.]{1,40})\s*$", re.I)
_PINGBACK = re.compile(
    r"^(?:\[(?:\.\.\.|…)\]|pingback:|trackback:)|this\s+post\s+was\s+mentioned\s+on\b", re.I
)


def _clean_line(line: str) -> str:
    return line.strip()


def parse_date(line: str) -> tuple[int | None, int | None, int | None] | None:
    """Return (year, month, day) if the line is only a date; parts it lacks are None."""
    text = _clean_line(line)
    for pattern in _DATE_LINES:
        m = pattern.match(text)
        if not m:
            continue
        parts = m.groupdict()
        year = int(parts["year"]) if parts.get("year") else None
        month = parts.get("month")
        if month is not None:
            month = int(month) if month.isdigit() else _MONTHS[month.lower()]
        day = int(parts["day"]) if parts.get("day") else None
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= 31:
            return None
        return (year, month, day)
    return None


_CLOCK = re.compile(
    r"(?:^|[\s,])(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:\s*(?P<half>[ap])\.?m\.?)?$",
    re.I,
)


def parse_time(line: str) -> tuple[int, int] | None:
    """Return (hour, minute), 24-hour, from the time at the end of a date line, or None.

    "March 3, 2012 at 4:15 pm" gives (16, 15); "2012-03-03 09:05" gives (9, 5).
    """
    m = _CLOCK.search(_clean_line(line))
    if not m:
        return None
    hour, minute = int(m["hour"]), int(m["minute"])
    if half := (m["half"] or "").lower():
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return (hour, minute)


def _is_debris(line: str) -> bool:
    text = _clean_line(line)
    if not text:
        return False
    if parse_date(text):
        return True
    return len(text) <= 120 and bool(_DEBRIS_LINES.match(text))


def is_title_like(line: str) -> bool:
    text = _clean_line(line)
    words = text.split()
    return (
        0 < len(words) <= 20
        and len(text) <= 200
        and not text.endswith((".", ",", ";", ":"))
        and not _ITEM.match(line)
    )


def _comments_start(lines: list[str], start: int) -> int | None:
    """Return the index of the first line of the reader comments, or None if there are none."""
    for i in range(start, len(lines)):
        if _COMMENTS_HEADER.match(_clean_line(lines[i])):
            return i
    # No header: a numbered list of indented items running to the end of the text is the
    # comment thread when an item is signed ("Josh says:") or the post announced its comments.
    last_flush = start - 1
    for i in range(start, len(lines)):
        line = lines[i]
        if line.strip() and not line[:1].isspace() and not _FOOTER_LINES.match(line.strip()):
            last_flush = i
    first = None
    for i in range(last_flush + 1, len(lines)):
        m = _ITEM.match(lines[i])
        if m and m["indent"] and m["mark"] in ("1.", "1)"):
            first = (i, m["indent"])
            break
    if first is None:
        return None
    at, indent = first
    hint = None
    for line in lines[start:at]:
        m = _COMMENT_COUNT_HINT.search(line)
        if m and _is_debris(line):
            hint = int(m.group(1))
            break
    items = sum(1 for line in lines[at:] if (m := _ITEM.match(line)) and m["indent"] == indent)
    signed = any(_SAYS.match(line.strip()) for line in lines[at:])
    if signed or (hint is not None and hint == items):
        return at
    return None


def _is_name_line(text: str) -> bool:
    """Return True if the line could be a commenter's name on a line of its own."""
    return (
        0 < len(text) <= 60
        and len(text.split()) <= 6
        and not text.endswith((".", "!", "?", ",", ";", ":", "\u2026"))
        and parse_date(text) is None
        and not _COMMENT_TOOLS.match(text)
        and not _FOOTER_LINES.match(text)
    )


def _name_then_date_heads(texts: list[str]) -> set[int]:
    """Return where comments start in a thread laid out as a name line, then a date line.

    That is WordPress's usual layout: "Jane Doe", "March 3, 2012 at 4:15 pm", the text, "Reply".
    """
    filled = [i for i, text in enumerate(texts) if text]
    heads = set()
    for here, following in itertools.pairwise(filled):
        if _is_name_line(texts[here]) and parse_date(texts[following]) is not None:
            heads.add(here)
    return heads


def _split_comments(lines: list[str]) -> list[ParsedComment]:
    """Split the thread into comments, with their authors and dates when the layout gives them.

    Layouts: a list whose items are comments ("1. Josh says: …"), numbered comments whose first
    line is "Name — date", "Name says:" or Blogger's "Name said..." lines, WordPress's name line
    then date line; the links under each comment ("Reply") are left out.
    """
    items: list[list[str]] = []
    marks = [m for line in lines if (m := _ITEM.match(line))]
    indent = min((len(m["indent"]) for m in marks), default=None)
    texts = [_clean_line(line) for line in lines]
    signed = any(_SAYS.match(text) for text in texts)
    name_heads = _name_then_date_heads(texts) if indent is None and not signed else set()
    for i, line in enumerate(lines):
        text = texts[i]
        m = _ITEM.match(line)
        if m and len(m["indent"]) == indent:
            items.append([m["rest"].strip()])
        elif indent is None and _SAYS.match(text) and not line[:1].isspace():
            items.append([text])
        elif i in name_heads:
            items.append([f"{text} says:"])
        elif text and not _FOOTER_LINES.match(text) and not _COMMENT_TOOLS.match(text):
            if not items:
                items.append([])
            items[-1].append(text)
    comments = []
    for item in items:
        author = ""
        date: tuple[int | None, int | None, int | None] = (None, None, None)
        time = None
        if item and (m := _SAYS.match(item[0])):
            author = m["author"].strip()
            item = item[1:]
        elif item and (m := _NAME_DATE.match(item[0])) and (found := _date_value(m["date"])):
            author, date, time = m["author"].strip(), found, parse_time(m["date"])
            item = item[1:]
        for at in (0, -1):
            if len(item) > 1 and date == (None, None, None) and (found := parse_date(item[at])):
                date, time = found, parse_time(item[at])
                item = item[1:] if at == 0 else item[:-1]
        if not item:
            continue
        for line in item:
            if not author and (m := _LAST_POST.match(line)):
                author = m["author"]
        for line in item:
            if not author and (m := _FOLLOW_ME.match(line)):
                author = m["author"]
        kind = "pingback" if _PINGBACK.search(item[0]) else "comment"
        comments.append(ParsedComment(author[:60], "\n\n".join(item), kind, date, time))
    return comments


def _date_value(text: str) -> tuple[int | None, int | None, int | None] | None:
    from definitions.intake.formats import parse_date_value

    return parse_date_value(text)


def _title_in_comments_header(lines: list[str]) -> str:
    """Return the title quoted in a header such as "8 thoughts on “The difference…”", or ""."""
    for line in lines:
        text = _clean_line(line)
        if _COMMENTS_HEADER.match(text):
            m = re.search(r"\bon\s+[“\"'\u2018]?(?P<t>.+?)[”\"'\u2019]?$", text)
            return m["t"].strip() if m else ""
    return ""


def parse_article(text: str, article_format: str = "auto") -> ParsedArticle:
    """Split the raw text of an article into title, date, body and reader comments.

    The text may be plain text (with header lines or without), HTML or Markdown: `article_format`
    says which, or "auto" to detect it (definitions.intake.formats).
    """
    from definitions.intake.formats import prepare_article

    prepared = prepare_article(text, article_format)
    meta = prepared.meta
    lines = prepared.text.split("\n")
    debris: list[str] = list(prepared.headers_removed)
    date: tuple[int | None, int | None, int | None] = meta.date

    # The title: a line near the top that reads like one, after the page furniture; the one the
    # comment thread repeats ("8 thoughts on “…”") if there is a choice. A title the format
    # stated ("Title: …", <title>) wins, and the same line in the text is left out.
    repeated = _title_in_comments_header(lines)
    candidates: list[tuple[int, str]] = []
    seen = 0
    for i, line in enumerate(lines):
        text_line = _clean_line(line)
        if not text_line:
            continue
        seen += 1
        if seen > 8 or meta.title:
            break
        if _is_debris(text_line):
            continue
        if not is_title_like(text_line):
            break
        if len(text_line.split()) >= 3:
            candidates.append((i, text_line))
    title, title_index = meta.title, -1
    if candidates:
        title_index, title = next(
            (c for c in candidates if c[1].casefold() == repeated.casefold()), candidates[0]
        )
    for line in lines[: title_index + 1] if title_index >= 0 else []:
        text_line = _clean_line(line)
        if text_line and text_line != title:
            debris.append(text_line)
            date = _merge_date(date, parse_date(text_line))

    body_start = title_index + 1
    comments_at = _comments_start(lines, body_start)
    body_lines = lines[body_start:comments_at] if comments_at is not None else lines[body_start:]
    comment_lines = lines[comments_at:] if comments_at is not None else []
    if comment_lines and _COMMENTS_HEADER.match(_clean_line(comment_lines[0])):
        header = _clean_line(comment_lines[0])
        debris.append(header)
        comment_lines = comment_lines[1:]
        title = title or repeated

    paragraphs: list[str] = []
    for line in body_lines:
        text_line = _clean_line(line)
        if not text_line:
            continue
        if _is_debris(text_line) or (title and text_line.casefold() == title.casefold()):
            debris.append(text_line)
            if date == (None, None, None) and not paragraphs:
                date = _merge_date(date, parse_date(text_line))
            continue
        paragraphs.append(text_line)
    comments = _split_comments(comment_lines)
    debris.extend(
        _clean_line(line) for line in comment_lines if _FOOTER_LINES.match(_clean_line(line))
    )
    return ParsedArticle(
        title=title[:300],
        date=date,
        body="\n\n".join(paragraphs),
        comments=comments,
        debris_removed=debris,
        original_url=meta.original_url,
        author=meta.author,
        site_name=meta.site_name,
        format=prepared.format,
        text_chars=len(prepared.text),
    )


def _merge_date(
    current: tuple[int | None, int | None, int | None],
    found: tuple[int | None, int | None, int | None] | None,
) -> tuple[int | None, int | None, int | None]:
    if found is None or current != (None, None, None):
        return current
    return found


# ---------------------------------------------------------------------------------------------
# Sentences with exact offsets
# ---------------------------------------------------------------------------------------------
