"""Turn a visitor's plain text into safe HTML: paragraphs, line breaks and links, nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.html import format_html_join, urlize
from django.utils.safestring import SafeString, mark_safe

LINK_REL = "nofollow ugc noopener"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def linkify(text: str) -> SafeString:
    """Escape `text` and turn its web addresses into links marked as user content."""
    html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    # Everything the visitor wrote is escaped by now (their own `rel="..."` became
    # `rel=&quot;...&quot;`), so this only touches the attribute urlize itself wrote.
    return mark_safe(html.replace('rel="nofollow"', f'rel="{LINK_REL}"'))  # noqa: S308


def render_plain_text(text: str) -> SafeString:
    """Return paragraphs of escaped, linked text; single line breaks become <br>."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip("\n") for p in PARAGRAPH_BREAK.split(text) if p.strip()]
    return format_html_join(
        "\n",
        "<p>{}</p>",
        ((mark_safe("<br>".join(linkify(line) for line in p.split("\n"))),) for p in paragraphs),  # noqa: S308
    )


def safe_web_address(url: str) -> str:
    """Return `url` if it is an http or https address, else an empty string."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in {"http", "https"} else ""
