"""Read an article in any common text format: bytes to text, then HTML or Markdown to plain text.

`decode_article` turns a file's bytes into text (UTF-8 with or without a byte-order mark, UTF-16
with one) or refuses with a sentence naming the encoding it looks like. `prepare_article` turns
the text, in whatever format it is (detected, or chosen by the moderator), into the plain text
`parse.parse_article` splits, with the metadata the format states: header lines a moderator
pastes ("Title: …", "URL: …", "Date: …", "By …", "Posted on … by …"), or an HTML page's
`<title>` and meta tags.

Plain Python on strings and the standard library's HTML parser (a real tokenizer, tolerant of
broken markup, nothing to install): no database, no network.
"""

from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal, cast

Format = Literal["text", "html", "markdown"]
FORMAT_CHOICES: list[tuple[str, str]] = [
    ("auto", "Detect it"),
    ("text", "Plain text"),
    ("html", "HTML"),
    ("markdown", "Markdown"),
]

DateParts = tuple[int | None, int | None, int | None]


class UnreadableText(ValueError):
    """The bytes are not text this app can read; the message says why in one sentence."""


def normalize_text(text: str) -> str:
    """Return the text with LF line breaks, without a leading byte-order mark or NUL characters."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").removeprefix("\ufeff")


def decode_article(data: bytes) -> str:
    """Return the text of a file's bytes, or raise UnreadableText naming the encoding it looks like.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are read; line
    breaks are normalised. Anything else is refused: guessing a legacy encoding silently turns
    quotes and accents into the wrong letters.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableText("This file looks like UTF-32 text; save it as UTF-8 and try again.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return normalize_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise UnreadableText(
                "This file starts like UTF-16 text but cannot be read as UTF-16; "
                "save it as UTF-8 and try again."
            ) from None
    if b"\x00" in data:
        even, odd = data[0::2], data[1::2]
        if data and (even.count(0) > len(even) // 3 or odd.count(0) > len(odd) // 3):
            raise UnreadableText(
                "This file looks like UTF-16 text without a byte-order mark; "
                "save it as UTF-8 (or UTF-16 with a byte-order mark) and try again."
            )
        raise UnreadableText("This file contains NUL bytes: it is not a plain text file.")
    try:
        return normalize_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise UnreadableText(
            f"This file is not valid UTF-8 text (byte {error.start} cannot be read); it looks "
            f"like {_guess_legacy(data)}. Save it as UTF-8 and try again."
        ) from None


def _guess_legacy(data: bytes) -> str:
    # Bytes 0x80 to 0x9F are control characters in Latin-1 but curly quotes and dashes in
    # Windows-1252, which is what such files nearly always are.
    if any(0x80 <= b <= 0x9F for b in data):
        return "Windows-1252 (Western European) text"
    return "Latin-1 (ISO-8859-1) text"


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------


@dataclass
class ArticleMeta:
    title: str = ""
    original_url: str = ""
    date: DateParts = (None, None, None)
    author: str = ""
    site_name: str = ""


@dataclass
class PreparedArticle:
    text: str
    format: Format
    meta: ArticleMeta
    headers_removed: list[str]


def iso_date(date: DateParts) -> str | None:
    """Return "2012-03-04", "2012-03" or "2012" (as much as is known), or None without a year."""
    year, month, day = date
    if year is None:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def dated(date: DateParts, time: tuple[int, int] | None = None) -> datetime.datetime | None:
    """Return when a comment was written, in UTC, from the date (and time) its page gave.

    A whole date without a time is noon UTC of that day: whatever the page's time zone, that is
    the same day. A date missing its month or day is None (the comment is dated when imported).
    """
    year, month, day = date
    if year is None or month is None or day is None:
        return None
    hour, minute = time if time is not None else (12, 0)
    try:
        return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
    except ValueError:
        return None


def detect_format(text: str) -> Format:
    """Return "html" for markup, "markdown" for Markdown, else "text"."""
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(?:body|head)\b", head):
        return "html"
    tags = re.findall(
        r"</?(?:p|div|h[1-6]|article|br|li|ul|ol|span|a|em|strong|section)\b[^<>]*>", text, re.I
    )
    if len(tags) >= 3:
        return "html"
    marks = 0
    for line in text.split("\n")[:400]:
        line = line.strip()
        if re.match(r"#{1,6}\s+\S", line) or re.match(r">\s?\S", line):
            marks += 1
        marks += len(re.findall(r"\[[^\[\]\n]+\]\([^()\s]+\)|\*\*[^*\n]+\*\*|__[^_\n]+__", line))
    return "markdown" if marks >= 2 else "text"


def prepare_article(text: str, article_format: str = "auto") -> PreparedArticle:
    """Return the article as plain text, its format and the metadata the format states."""
    text = normalize_text(text)
    fmt: Format = detect_format(text)
    if article_format in ("text", "html", "markdown"):
        fmt = cast("Format", article_format)
    meta = ArticleMeta()
    if fmt == "html":
        text, meta = html_to_text(text)
    elif fmt == "markdown":
        text = markdown_to_text(text)
    text, header_meta, removed = read_header_lines(text)
    for name in ("title", "original_url", "author", "site_name"):
        if not getattr(meta, name) and getattr(header_meta, name):
            setattr(meta, name, getattr(header_meta, name))
    if meta.date == (None, None, None):
        meta.date = header_meta.date
    return PreparedArticle(text=text, format=fmt, meta=meta, headers_removed=removed)


# ---------------------------------------------------------------------------------------------
# Header lines
# ---------------------------------------------------------------------------------------------

_HEADER = re.compile(
    r"^(?P<name>title|headline|address|url|link|source\s+url|original\s+url|web\s+address"
    r"|date|published(?:\s+on)?|posted(?:\s+on)?|author|by|written\s+by|site|site\s+name"
    r"|website)\s*:\s*(?P<value>\S.*)$",
    re.I,
)
_HEADER_NAMES = {
    "title": "title", "headline": "title",
    "address": "original_url", "url": "original_url", "link": "original_url",
    "source url": "original_url", "original url": "original_url", "web address": "original_url",
    "date": "date", "published": "date", "published on": "date", "posted": "date",
    "posted on": "date",
    "author": "author", "by": "author", "written by": "author",
    "site": "site_name", "site name": "site_name", "website": "site_name",
}  # fmt: skip
_NAME = r"[A-Z\u00c0-\u024f][\w.'\u2019-]*(?:\s+[A-Za-z\u00c0-\u024f][\w.'\u2019-]*){0,4}"
_BYLINE = re.compile(rf"^(?:written\s+)?by\s+(?P<author>{_NAME})$", re.I)
_POSTED = re.compile(
    r"^(?:posted|published|written)\s+(?:on\s+)?(?P<date>.+?)\s+by\s+(?P<author>"
    + _NAME
    + r")(?:\s+in\s+.*)?$",
    re.I,
)
_POSTED_BY_ON = re.compile(
    rf"^(?:posted|published|written)\s+by\s+(?P<author>{_NAME})\s+on\s+(?P<date>.+)$", re.I
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_HEADER_WINDOW = 12


def parse_date_value(value: str) -> DateParts | None:
    """Return (year, month, day) from a date as headers and meta tags write it, or None."""
    from definitions.intake.parse import parse_date

    value = value.strip().rstrip(".")
    m = re.match(r"^((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[T\s].*)?$", value)
    if m:
        year, month, day = (int(p) for p in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return (year, month, day)
        return None
    return parse_date(value)


def read_header_lines(text: str) -> tuple[str, ArticleMeta, list[str]]:
    """Take the header lines at the top of the text out of it, as metadata.

    Only the first lines are looked at, and only lines that are nothing but a header ("Title: …",
    "URL: https://…", "Date: …", "By Jane Doe", "Posted on 3 March 2012 by Jane"): a sentence
    of the article that happens to start with "By" is longer, or does not end in a name.
    """
    meta = ArticleMeta()
    lines = text.split("\n")
    removed: list[str] = []
    keep: list[bool] = [True] * len(lines)
    seen = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > _HEADER_WINDOW or len(stripped) > 300:
            break
        found = _read_header(stripped, meta)
        if found:
            keep[i] = False
            removed.append(stripped)
    if not removed:
        return text, meta, []
    body = "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)
    return body, meta, removed


def _read_header(line: str, meta: ArticleMeta) -> bool:
    if m := _HEADER.match(line):
        field = _HEADER_NAMES[re.sub(r"\s+", " ", m["name"].lower())]
        value = m["value"].strip()
        if field == "date":
            date = parse_date_value(value)
            if date is None:
                return False
            meta.date = meta.date if meta.date != (None, None, None) else date
        elif field == "original_url":
            if not _URL.match(value):
                return False
            meta.original_url = meta.original_url or _with_scheme(value)
        elif field == "author":
            if len(value) > 100:
                return False
            meta.author = meta.author or value
        else:
            setattr(meta, field, getattr(meta, field) or value[:300])
        return True
    for pattern in (_POSTED, _POSTED_BY_ON):
        if (m := pattern.match(line)) and (date := parse_date_value(m["date"])):
            meta.date = meta.date if meta.date != (None, None, None) else date
            meta.author = meta.author or m["author"].strip()
            return True
    if len(line) <= 60 and (m := _BYLINE.match(line)):
        meta.author = meta.author or m["author"].strip()
        return True
    if _URL.match(line) and len(line) <= 500 and not meta.original_url:
        meta.original_url = _with_scheme(line)
        return True
    return False


def _with_scheme(url: str) -> str:
    return url if re.match(r"https?://", url, re.I) else f"https://{url}"


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

# Every pattern stops at the next bracket, parenthesis or marker, so a line of unclosed ones costs
# linear time, not quadratic.
_LINK_TARGET = r"\((?:[^()\s]*)(?:\s+\"[^\"\n]*\")?\)"
_MD_INLINE = [
    (re.compile(rf"!\[[^\[\]\n]*\]{_LINK_TARGET}"), ""),  # images
    (re.compile(rf"\[([^\[\]\n]+)\]{_LINK_TARGET}"), r"\1"),  # links
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^<>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"\*\*(?=\S)((?:(?!\*\*).)+?)(?<=\S)\*\*"), r"\1"),  # strong
    (re.compile(r"__(?=\S)((?:(?!__).)+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)((?:(?!~~).)+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]


def markdown_to_text(text: str) -> str:
    """Return Markdown as plain text: markup gone, words, paragraphs and list items kept."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            out.append(line)
            continue
        if re.match(r"^(?:[-*_]\s*){3,}$|^=+$|^-+$", stripped):
            continue  # rules and setext underlines
        if re.match(r"^\[[^\]]+\]:\s*\S+", stripped):
            continue  # link reference definitions
        line = re.sub(r"^\s{0,3}(?:>\s?)+", "", line)
        line = re.sub(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$", r"\1", line)
        line = re.sub(r"^(\s*)[-*+]\s+(?=\S)", r"\1", line)
        for pattern, replacement in _MD_INLINE:
            line = pattern.sub(replacement, line)
        line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>])", r"\1", line)
        out.append(line.rstrip())
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_SKIP_ALWAYS = {
    "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "nav",
    "aside", "form", "button", "select", "textarea", "head", "menu", "dialog", "video", "audio",
}  # fmt: skip
_SKIP_OUTSIDE_COMMENTS = {"header", "footer"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "blockquote", "pre", "table", "tr", "td", "th", "dl", "dt", "dd", "figure",
    "figcaption", "header", "footer", "br", "hr", "address", "body", "time",
}  # fmt: skip
_VOID = {
    "br",
    "hr",
    "img",
    "meta",
    "link",
    "input",
    "area",
    "base",
    "col",
    "embed",
    "source",
    "wbr",
}
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|sidebar|widget|share|sharing|social|breadcrumbs?|related"
    r"|cookie|banner|advert|ads?|promo|subscribe|newsletter|masthead|site-header|site-footer"
    r"|skip-link|screen-reader-text|sharedaddy|jp-relatedposts|comment-respond|respond|reply"
    r"|comment-reply-link)(?:$|[\s_-])",
    re.I,
)
_COMMENTS_REGION = re.compile(
    r"(?:^|[\s_-])(?:comments|commentlist|comment-list)(?:$|[\s_-])", re.I
)
_COMMENT_ITEM = re.compile(r"(?:^|[\s_-])comment(?:$|[\s_-])|(?:^|\s)comment-\d+", re.I)


@dataclass
class _Block:
    text: str
    region: str  # "main" (inside <article>/<main>), "page" or "comments"
    link_chars: int
    comment: int  # which comment item (from 1) the block belongs to, 0 outside one


class _PageReader(HTMLParser):
    """Collect the page's text blocks, where each stands, and its metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self._stack: list[
            tuple[str, bool, bool, bool, bool]
        ] = []  # tag, skip, main, comments, item
        self._buffer: list[str] = []
        self._links = 0
        self._in_link = 0
        self._in_title = False
        self._in_h1 = False
        self._comment_count = 0
        self._comment_no = 0

    # state of the innermost open element
    def _state(self) -> tuple[bool, bool, bool]:
        if not self._stack:
            return False, False, False
        _tag, skip, main, comments, _item = self._stack[-1]
        return skip, main, comments

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
            return
        if tag == "link" and "canonical" in values.get("rel", "").lower():
            self.meta.setdefault("canonical", values.get("href", "").strip())
            return
        if tag == "title":
            self._in_title = True
        skip, main, comments = self._state()
        names = f"{values.get('class', '')} {values.get('id', '')}"
        in_comments = comments or bool(_COMMENTS_REGION.search(names))
        item = False
        if (
            in_comments
            and tag in ("li", "article", "div")
            and _COMMENT_ITEM.search(names)
            and not any(entry[4] for entry in self._stack)
        ):
            self._comment_count += 1
            self._comment_no = self._comment_count
            item = True
            self._flush()
        skip = (
            skip
            or tag in _SKIP_ALWAYS
            or (tag in _SKIP_OUTSIDE_COMMENTS and not in_comments)
            or (values.get("hidden") is not None and "hidden" in values)
            or values.get("aria-hidden") == "true"
            or bool(_BOILERPLATE.search(names))
        )
        main = main or tag in ("article", "main") or values.get("role") == "main"
        if tag in _BLOCKS:
            self._flush()
        if tag == "a":
            self._in_link += 1
        if tag == "h1":
            self._in_h1 = True
        if tag not in _VOID:
            self._stack.append((tag, skip, main, in_comments, item))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._in_link:
            self._in_link -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCKS:
            self._flush()
        if not any(entry[0] == tag for entry in self._stack):
            return  # a stray end tag
        while self._stack:
            entry = self._stack.pop()
            if entry[4]:
                self._flush()
                self._comment_no = 0
            if entry[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        skip, _main, _comments = self._state()
        if skip:
            return
        if self._in_h1 and not self.h1:
            self.h1 = " ".join(data.split())
        self._buffer.append(data)
        if self._in_link:
            self._links += len(data.strip())

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer, links = [], self._links
        self._links = 0
        if not text:
            return
        _skip, main, comments = self._state()
        region = "comments" if comments else "main" if main else "page"
        self.blocks.append(_Block(text, region, links, self._comment_no if comments else 0))

    def close(self) -> None:
        super().close()
        self._flush()


# A "<" that opens a tag, comment or declaration never closed before the next "<".
_UNCLOSED_MARKUP = re.compile(r"<(?=[A-Za-z/!?][^<>]*(?:<|\Z))")


def _defused(html: str) -> str:
    """Return the HTML without comments, and with every "<" that opens nothing as text.

    The standard library's parser rescans the rest of the page for the end of an unclosed tag
    or comment, once per such "<": a page of unclosed ones would take minutes (quadratic). Both
    are dealt with here in one pass each.
    """
    parts, at = [], 0
    while (start := html.find("<!--", at)) != -1:
        parts.append(html[at:start])
        end = html.find("-->", start + 4)
        if end == -1:
            at = len(html)
            break
        at = end + 3
    parts.append(html[at:])
    return _UNCLOSED_MARKUP.sub("&lt;", "".join(parts))


def html_to_text(html: str) -> tuple[str, ArticleMeta]:
    """Return the main text of an HTML page as paragraphs, its comments after it, and its metadata.

    The main text is what stands in <article> or <main> when the page has them, else every block
    that is not navigation, a header, a footer, a sidebar, a form or a script and is not mostly
    links (menus, tag clouds). Headings and paragraphs each become a paragraph. A comment thread
    (an element whose class or id says "comments") follows under a "Comments" line, one
    comment's lines together, comments separated by blank lines.
    """
    reader = _PageReader()
    reader.feed(_defused(html))
    reader.close()
    blocks = reader.blocks
    has_main = any(b.region == "main" for b in blocks)
    body: list[str] = []
    for block in blocks:
        if block.region == "comments":
            continue
        if has_main and block.region != "main":
            continue
        if block.link_chars > 0.6 * len(block.text) and len(block.text) < 200:
            continue  # a menu, a list of tags or related posts
        body.append(block.text)
    comment_lines: list[str] = []
    previous = -1
    for block in blocks:
        if block.region != "comments" or block.comment == 0:
            continue
        if block.text.lower() in ("reply", "reply ↓", "log in to reply"):
            continue
        if previous not in (-1, block.comment):
            comment_lines.append("")
        comment_lines.append(block.text)
        previous = block.comment
    meta = _html_meta(reader)
    text = "\n\n".join(body)
    if comment_lines:
        text += "\n\nComments\n\n" + "\n".join(comment_lines)
    return text, meta


def _html_meta(reader: _PageReader) -> ArticleMeta:
    meta = reader.meta
    title = meta.get("og:title") or meta.get("twitter:title") or reader.h1
    if not title:
        title = re.split(r"\s+[|\u2013\u2014-]\s+", " ".join(reader.title.split()))[0]
    date: DateParts = (None, None, None)
    for key in ("article:published_time", "date", "dc.date", "pubdate", "publish-date"):
        if key in meta and (found := parse_date_value(meta[key])):
            date = found
            break
    url = meta.get("og:url") or meta.get("canonical") or ""
    if not re.match(r"https?://", url, re.I):
        url = ""
    author = meta.get("author") or meta.get("article:author") or ""
    if re.match(r"https?://", author, re.I):
        author = ""
    return ArticleMeta(
        title=" ".join(title.split())[:300],
        original_url=url[:500],
        date=date,
        author=author[:200],
        site_name=meta.get("og:site_name", "")[:200],
    )
