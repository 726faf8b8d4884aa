"""The comparison page's shared cache: the HTML that is the same for every visitor, versioned.

Rendering the page (sources table, key differences, twenty readers' distinctions, a fifty-comment
thread) costs far more than serving it, and for most requests it is the same for everyone. So
the page is rendered once per *version* of its comparison and kept in the shared cache (Redis in
production) with everything per-request taken out: the CSP nonce, the CSRF token and the forms'
one-time tokens are stored as placeholders and filled in for each request, and the visitor's own
vote state is spliced into the vote buttons they voted on.

`bump(comparison_id)` starts a new version; it runs whenever a vote, distinction, comment, report,
source or moderation decision changes what the page shows (model signals, wired in the apps'
ready(), plus the moderation code that writes with queryset.update()). It runs at once and again
when the transaction commits, so the visitor who acted sees their change on the next request and
nobody can cache the page from a snapshot older than the change. `bump_all()` starts a new
version of every comparison.

Visitors with something of their own on the page (a pending distinction or comment, a comment
they may still edit, a report) get the page rendered for them; other apps say what counts as
"something of their own" through `register_personal`, because definitions never imports comments.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

TIMEOUT = 10 * 60
# Reading needs no cache: without Redis the page is rendered for each request, as before.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
NONCE = "\ue000nonce\ue000"
CSRF = "\ue000csrf\ue000"
FRESH = "\ue000fresh:{}\ue000"
PLACEHOLDER = re.compile("\ue000([a-z:_]+)\ue000")

CSRF_VALUES = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")|("X-CSRFToken": ")[^"]*(")')
VOTE_FORM = re.compile(r'<form class="vote" id="vote-(\d+)".*?</form>', re.DOTALL)

# Hidden form fields whose value must be new for every page view (one-time submission tokens
# and signed load times): field name -> function(comparison) returning a fresh value.
_fresh_values: dict[str, Callable[[Any], str]] = {}
# Functions(request, comparison_id) -> True if the page shows this visitor something personal.
_personal: list[Callable[[HttpRequest, int], bool]] = []


def register_fresh_value(field: str, make: Callable[[Any], str]) -> None:
    """Have hidden field `field` filled with `make(comparison)` on every page view."""
    _fresh_values[field] = make


def register_personal(check: Callable[[HttpRequest, int], bool]) -> None:
    """Add a check for whether a visitor has something of their own on a comparison's page."""
    if check not in _personal:
        _personal.append(check)


def _key(comparison_id: int | str) -> str:
    return f"cmpv:{comparison_id}"


def _current(key: str) -> int:
    value = cache.get(key)
    if value is None:
        # Start from the clock, not 1, so a version lost from the cache is never reused.
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key, 0)
    return int(value)


def version(comparison_id: int) -> str:
    """Return the current version of a comparison's page (and of every page), in one read."""
    keys = [_key("all"), _key(comparison_id)]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        return f"{_current(keys[0])}.{_current(keys[1])}"
    return f"{found[keys[0]]}.{found[keys[1]]}"


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)


def bump(comparison_id: int) -> None:
    """Start a new version of a comparison's page, now and when the transaction commits."""
    _incr(_key(comparison_id))
    transaction.on_commit(lambda: _incr(_key(comparison_id)))


def bump_all() -> None:
    """Start a new version of every comparison's page, now and when the transaction commits."""
    _incr(_key("all"))
    transaction.on_commit(lambda: _incr(_key("all")))


def page_key(comparison_id: int, name: str) -> str:
    return f"cmp:{comparison_id}:{name}:{version(comparison_id)}"


def has_personal(request: HttpRequest, comparison_id: int) -> bool:
    """Return True if the page shows this visitor anything only they see."""
    return any(check(request, comparison_id) for check in _personal)


def to_template(request: HttpRequest, html: str) -> str:
    """Return the rendered page with every per-request value replaced by a placeholder."""
    nonce = get_nonce(request)
    if nonce:
        html = html.replace(str(nonce), NONCE)
    html = CSRF_VALUES.sub(
        lambda m: (m.group(1) or m.group(3)) + CSRF + (m.group(2) or m.group(4)), html
    )
    for field in _fresh_values:
        html = re.sub(
            rf'(name="{field}" value=")[^"]*(")',
            lambda m, f=field: m.group(1) + FRESH.format(f) + m.group(2),
            html,
        )
    return html


def from_template(request: HttpRequest, html: str, comparison: Any) -> str:
    """Return the cached page with this request's nonce, CSRF token and fresh form tokens."""
    values: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        placeholder = match.group(0)
        if placeholder not in values:
            name = match.group(1)
            if name == "nonce":
                values[placeholder] = str(get_nonce(request))
            elif name == "csrf":
                values[placeholder] = get_token(request)
            else:
                values[placeholder] = _fresh_values[name.removeprefix("fresh:")](comparison)
        return values[placeholder]

    # One pass over the page, whatever the number of placeholders.
    return PLACEHOLDER.sub(fill, html)


def voted_on(html: str) -> list[int]:
    """Return the ids of the distinctions with a vote form on the page."""
    return [int(m.group(1)) for m in VOTE_FORM.finditer(html)]


def splice_votes(html: str, widgets: dict[int, str]) -> str:
    """Return the page with the vote forms of these distinctions replaced by `widgets`."""
    if not widgets:
        return html
    return VOTE_FORM.sub(lambda m: widgets.get(int(m.group(1)), m.group(0)), html)
