"""The comparison page's shared cache: the HTML that is the same for every visitor, versioned.

Rendering the page (sources table, key differences, twenty readers' distinctions, a fifty-comment
thread) costs far more than serving it, and for most requests it is the same for everyone. So
the page is rendered once per *version* of its comparison and kept in the shared cache (Redis in
production) as a `SharedPage`: the HTML split into literal bytes and slots for everything
per-request (the CSP nonce, the CSRF token, the forms' one-time tokens) and for each vote form,
rendered in its three states (not voted, yes, no). Serving it is a join: the visitor's own votes
pick the states of their vote forms.

Each worker process keeps its own copy of the newest page it served, so a page view costs one
read of the shared cache (the versions) and, for a visitor with a cookie, the queries for their
own rows. The copy is only served when its version is the current one.

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

import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, Value
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
PLACEHOLDER = re.compile("\ue000([a-z0-9:_]+)\ue000")

CSRF_VALUES = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")|("X-CSRFToken": ")[^"]*(")')
VOTE_FORM = re.compile(r'<form class="vote" id="vote-(\d+)".*?</form>', re.DOTALL)

# Hidden form fields whose value must be new for every page view (one-time submission tokens
# and signed load times): field name -> function(comparison) returning a fresh value.
_fresh_values: dict[str, Callable[[Any], str]] = {}
# What a personal check returns: True, or querysets that find a row if the page is personal.
PersonalCheck = bool | Iterable[QuerySet] | None
# Functions(request, comparison_id) saying whether the page shows this visitor something personal.
_personal: list[Callable[[HttpRequest, int], PersonalCheck]] = []


def register_fresh_value(field: str, make: Callable[[Any], str]) -> None:
    """Have hidden field `field` filled with `make(comparison)` on every page view."""
    _fresh_values[field] = make


def register_personal(check: Callable[[HttpRequest, int], PersonalCheck]) -> None:
    """Add a check for whether a visitor has something of their own on a comparison's page.

    `check(request, comparison_id)` returns True if it knows without a query, else querysets
    (any model) that find a row if the visitor has something of their own, or nothing.
    """
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


def personal_querysets(request: HttpRequest, comparison_id: int) -> list[QuerySet] | None:
    """Return the querysets that find what the page shows only this visitor (None: known already).

    Each registered check returns True (known without a query), or querysets that have a row
    if the visitor has something of their own.
    """
    querysets: list[QuerySet] = []
    for check in _personal:
        found = check(request, comparison_id)
        if found is True:
            return None
        querysets.extend(found or ())
    return querysets


def has_personal(request: HttpRequest, comparison_id: int) -> bool:
    """Return True if the page shows this visitor anything only they see, in at most one query."""
    querysets = personal_querysets(request, comparison_id)
    if querysets is None:
        return True
    if not querysets:
        return False
    first, *rest = (qs.order_by().values_list("pk", flat=True) for qs in querysets)
    return first.union(*rest).exists()


def own_votes_unless_personal(
    request: HttpRequest, comparison_id: int, votes: QuerySet
) -> dict[int, int] | None:
    """Return {distinction id: value} of `votes` (a visitor's votes), or None if the page shows
    this visitor anything of their own: both in one query (a UNION)."""
    querysets = personal_querysets(request, comparison_id)
    if querysets is None:
        return None
    # A row of something personal comes with the value 0, which no vote has.
    # (No ordering: SQLite allows none inside a UNION.)
    marked = [
        qs.order_by().annotate(personal=Value(0)).values_list("pk", "personal") for qs in querysets
    ]
    rows = list(votes.order_by().values_list("distinction_id", "value").union(*marked, all=True))
    if any(value == 0 for _, value in rows):
        return None
    return dict(rows)


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
    """Return the cached text with this request's nonce, CSRF token and fresh form tokens."""
    values: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            values[name] = _value(request, name, comparison)
        return values[name]

    # One pass over the text, whatever the number of placeholders.
    return PLACEHOLDER.sub(fill, html)


VOTE_SLOT = "\ue000vote:{}\ue000"
# Indentation and blank lines between tags: a browser shows one newline exactly as it shows
# them (the page has no <pre>, and its textareas are empty), and they are a fifth of the page.
INDENTATION = re.compile(r">[ \t\r\n]*\n[ \t\r\n]*<")


def _tighten(html: str) -> str:
    return INDENTATION.sub(">\n<", html)


class SharedPage:
    """A comparison page as every visitor sees it, split once into literal bytes and slots.

    Slots are the per-request values (nonce, CSRF token, fresh form tokens) and the vote forms,
    which come in three states: not voted, voted yes (1), voted no (-1). Serving the page is a
    join over the parts, with no template rendering and no pass over the whole text.
    """

    def __init__(
        self, comparison: Any, version: str, html: str, vote_states: dict[int, dict[int, str]]
    ) -> None:
        self.comparison = comparison
        self.slug = comparison.slug
        self.version = version
        self.votes: dict[int, dict[int, list]] = {}

        def slot(match: re.Match[str]) -> str:
            pk = int(match.group(1))
            states = {0: match.group(0), **vote_states.get(pk, {})}
            self.votes[pk] = {value: _split(_tighten(state)) for value, state in states.items()}
            return VOTE_SLOT.format(pk)

        self.parts = _split(_tighten(VOTE_FORM.sub(slot, html)))

    def render(self, request: HttpRequest, own_votes: dict[int, int] | None = None) -> bytes:
        """Return the page for this request, with `own_votes` (distinction id -> 1 or -1)."""
        own_votes = own_votes or {}
        values: dict[str, bytes] = {}

        def join(parts: list) -> bytes:
            out = parts.copy()
            for i in range(1, len(out), 2):
                name = out[i]
                if name.startswith("vote:"):
                    pk = int(name[5:])
                    out[i] = join(self.votes[pk].get(own_votes.get(pk, 0)) or self.votes[pk][0])
                else:
                    if name not in values:
                        values[name] = _value(request, name, self.comparison).encode()
                    out[i] = values[name]
            return b"".join(out)

        return join(self.parts)


def _split(html: str) -> list:
    """Return [literal bytes, slot name, literal bytes, ...] for a text with placeholders."""
    parts: list = PLACEHOLDER.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].encode()
    return parts


def _value(request: HttpRequest, name: str, comparison: Any) -> str:
    if name == "nonce":
        return str(get_nonce(request))
    if name == "csrf":
        return get_token(request)
    return _fresh_values[name.removeprefix("fresh:")](comparison)


# This process's copy of the newest shared page of each comparison it served, and which
# comparison a slug names. A copy is served after reading the comparison's current version from
# the shared cache, or, to a caller that allows it (`max_age`, for new visitors), within that
# many seconds of the last such read.
_local_pages: dict[int, SharedPage] = {}
_local_ids: dict[str, int] = {}
# When each local copy's version was last confirmed as current (time.monotonic()).
_confirmed: dict[int, float] = {}


@dataclass(frozen=True)
class Lookup:
    """What looking up a slug's shared page found: the page, or the version it is missing for."""

    page: SharedPage | None = None
    comparison_id: int | None = None
    version: str | None = None


def find_shared_page(slug: str, *, max_age: float = 0) -> Lookup:
    """Look up the current shared page of the comparison with this slug.

    For a comparison this process has served before, this costs one read of the shared cache
    (its version) and, when this process's copy is older, one more (the page). With `max_age`,
    a copy whose version was confirmed less than `max_age` seconds ago is served without asking.
    """
    pk = _local_ids.get(slug)
    if pk is None:
        return Lookup()
    page = _local_pages.get(pk)
    confirmed = _confirmed.get(pk, -math.inf)
    if page is not None and page.slug == slug and time.monotonic() - confirmed < max_age:
        return Lookup(page, pk, page.version)
    current = version(pk)
    page = cached_page(pk, current)
    if page is not None and page.slug != slug:
        return Lookup()
    return Lookup(page, pk, current)


def cached_page(comparison_id: int, current: str) -> SharedPage | None:
    """Return the shared page of this version (read just now) of a comparison, if cached."""
    page = _local_pages.get(comparison_id)
    if page is None or page.version != current:
        page = cache.get(_page_key(comparison_id, current))
        if not isinstance(page, SharedPage):
            return None
        _local_ids[page.slug] = comparison_id
        _local_pages[comparison_id] = page
    _confirmed[comparison_id] = time.monotonic()
    return page


def forget_local_copies() -> None:
    """Drop this process's copies, as a freshly started worker has none (tests use it)."""
    _local_pages.clear()
    _local_ids.clear()
    _confirmed.clear()


def store_shared_page(page: SharedPage) -> None:
    """Keep a freshly rendered shared page here and in the shared cache."""
    _local_ids[page.slug] = page.comparison.pk
    _local_pages[page.comparison.pk] = page
    # Not confirmed: its version was read before rendering, which took a while.
    _confirmed.pop(page.comparison.pk, None)
    cache.set(_page_key(page.comparison.pk, page.version), page, TIMEOUT)


def _page_key(comparison_id: int, current: str) -> str:
    # The format number changes whenever SharedPage does, so a deploy never reads old pickles.
    return f"cmp:{comparison_id}:shared-page-2:{current}"
