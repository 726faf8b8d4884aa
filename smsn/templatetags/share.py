"""What a page tells search engines and the apps it is shared in: its canonical address, Open
Graph and Twitter-card tags, and schema.org structured data (JSON-LD).

`{% share_meta title=… description=… path=… image=… %}` writes the description, the canonical
link and the sharing tags, every address absolute: on `SMSN_SITE_URL` when it is set (production:
the same address whichever host name or instance served the page, and whichever visitor's request
rendered a cached page), else on the request's own scheme and host.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from smsn import cards

register = template.Library()

SITE_DESCRIPTION = "Compare how different sources define two easily-confused terms."
SITE_CARD_ALT = "smsn: compare how sources define two easily-confused terms"

# What json.dumps may write that would end a <script> element or open an HTML comment inside
# one: as in Django's json_script, written as JSON escapes, which mean the same characters. The
# apostrophe too, so no reader's quote stands raw anywhere in the page's HTML.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    ord("'"): "\\u0027",
}


def absolute(request: HttpRequest | None, path: str) -> str:
    """Return the full address of `path` on this site (SMSN_SITE_URL, else the request's)."""
    if settings.SMSN_SITE_URL:
        return settings.SMSN_SITE_URL + path
    if request is None:
        return path
    return request.build_absolute_uri(path)


def origin(request: HttpRequest | None) -> str:
    """Return the site's address without a trailing slash ("https://smsn.example")."""
    return absolute(request, "/").removesuffix("/")


def site_card_path() -> str:
    return f"{reverse('site_card')}?v={cards.card_digest('site')}"


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, path: str) -> str:
    """Return the full address of a path on this site."""
    return absolute(context.get("request"), path)


@register.inclusion_tag("_share.html", takes_context=True)
def share_meta(
    context: template.Context,
    *,
    title: str = "smsn",
    description: str = SITE_DESCRIPTION,
    path: str | None = None,
    image: str | None = None,
    image_alt: str = SITE_CARD_ALT,
    kind: str = "website",
) -> dict[str, Any]:
    """Return the canonical address and sharing tags of a page (path: the request's)."""
    request = context.get("request")
    if path is None:
        path = request.path if request is not None else "/"
    return {
        "title": title,
        "description": " ".join(str(description).split()),
        "url": absolute(request, path),
        "image": absolute(request, image or site_card_path()),
        "image_alt": image_alt,
        "kind": kind,
    }


@register.filter
def ld_json(data: Any) -> SafeString:
    """Return `data` as JSON safe to stand inside <script type="application/ld+json">.

    Readers' text cannot end the element or open a comment in it: "<", ">", "&" and "'" are
    written as JSON escapes, so "</script>" and "<!--" never appear as such.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return SafeString(text.translate(_SCRIPT_ESCAPES))
