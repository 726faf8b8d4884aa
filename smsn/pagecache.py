"""The shared cache of comparison and source pages: the HTML that is the same for every visitor.

Rendering the page (sources table, key differences, twenty readers' distinctions, a fifty-comment
thread) costs far more than serving it, and for most requests it is the same for everyone. So
the page is rendered once per *version* of its comparison and kept in the shared cache (Redis in
production) as a `SharedPage`: plain data, the HTML split into literal bytes and *holes*. Serving
it is a join: each hole gets this request's value, and the visitor's own votes pick the states of
their vote forms.

Templates declare their holes; nothing searches the HTML for them:
- `{% csrf_token %}` and `{{ csrf_token }}`, `{{ csp_nonce }}` (and `{% htmx_script %}`) read the
  context, which holds a hole marker instead of the value when a page is rendered to be shared;
- `{% fresh "name" value %}` (smsn/templatetags/page_holes.py) writes a one-time form value,
  made anew for every page view by the function registered with `register_fresh_value`;
- `{% vote_form distinction.pk %}…{% endvote_form %}` marks a vote form, which comes in three
  states (not voted, voted yes, voted no);
- `{% placement_form dimension.pk %}…{% endplacement_form %}` marks a point's placement block,
  which comes in four states (not placed, placed with term A, with both, with term B).

Each rendering to be shared makes its own `Holes`: its markers carry a random secret made for
that rendering, so no text a reader wrote before it (every text on the page) can contain one,
whatever characters it holds. Text that looks like a marker is shown as typed.

Each worker process keeps its own copy of the newest page it served, so a page view costs one
read of the shared cache (the versions) and, for a visitor with a cookie, the queries for their
own rows. The copy is only served when its version is the current one.

`bump(comparison_id)` starts a new version; it runs whenever a vote, distinction, comment, report,
source or moderation decision changes what the page shows (model signals, wired in the apps'
ready(), plus the moderation code that writes with queryset.update()). It runs at once and again
when the transaction commits, so the visitor who acted sees their change on the next request and
nobody can cache the page from a snapshot older than the change. `bump_all()` starts a new
version of every comparison.

Every key holding rendered HTML carries the release (`release()`), so two releases on one Redis
(a rolling deploy) never serve each other's pages and their hashed static file names.

A source page is kept the same way, as one more page of its comparison (`source_page(pk)`,
found by the address "<comparison slug>/<source slug>"): it changes with the same versions.

Visitors with something of their own on the page (a pending distinction or comment, a comment
they may still edit, a report) get the page rendered for them; the apps say what counts as
"something of their own" through `register_personal`, because this module imports no app.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.conf import settings
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
# The format of what is stored: changes whenever SharedPage or a stored fragment does, so a
# deploy never reads data of another shape.
FORMAT = 5
# The name of the comparison page among a comparison's shared pages (a source's: `source_page`).
COMPARISON_PAGE = "shared-page"

# Hidden form fields whose value must be new for every page view (one-time submission tokens
# and signed load times): name -> function(comparison id) returning a fresh value.
_fresh_values: dict[str, Callable[[int], str]] = {}
# What a personal check returns: True, or querysets that find a row if the page is personal.
PersonalCheck = bool | Iterable[QuerySet] | None
# Functions(request, comparison_id) saying whether the page shows this visitor something personal.
_personal: list[Callable[[HttpRequest, int], PersonalCheck]] = []


def register_fresh_value(name: str, make: Callable[[int], str]) -> None:
    """Have `{% fresh name %}` filled with `make(comparison_id)` on every page view."""
    _fresh_values[name] = make


def register_personal(check: Callable[[HttpRequest, int], PersonalCheck]) -> None:
    """Add a check for whether a visitor has something of their own on a comparison's page.

    `check(request, comparison_id)` returns True if it knows without a query, else querysets
    (any model) that find a row if the visitor has something of their own, or nothing.
    """
    if check not in _personal:
        _personal.append(check)


@memoize
def _manifest_release() -> str:
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    try:
        return hashlib.sha256(manifest.read_bytes()).hexdigest()[:12]
    except OSError:
        return "dev"


def release() -> str:
    """Return the name of this release: SMSN_RELEASE, else the static manifest's hash."""
    return getattr(settings, "SMSN_RELEASE", "") or _manifest_release()


class Holes:
    """The holes of one rendering of a page to be shared, written as markers no reader can type.

    A marker is a private-use character, a secret made for this rendering, the hole's name and
    the private-use character again. Every text on the page was written before the secret
    existed, so splitting on markers with this secret finds exactly the holes the templates made.
    """

    def __init__(self) -> None:
        self._open = f"\ue000{secrets.token_hex(16)}:"
        self._pattern = re.compile(re.escape(self._open) + "([a-z0-9:_-]+)\ue000")

    def mark(self, name: str) -> str:
        """Return the marker of the hole `name` ("csrf", "nonce", "fresh:<name>", "vote:<pk>",
        "place:<pk>")."""
        return f"{self._open}{name}\ue000"

    def context(self) -> dict[str, Any]:
        """Return the template context that makes the templates write holes, not values."""
        return {
            "page_holes": self,
            "csrf_token": self.mark("csrf"),
            "csp_nonce": self.mark("nonce"),
        }

    def split(self, html: str) -> list[str]:
        """Return [literal, hole name, literal, ...] for HTML rendered with these holes."""
        return self._pattern.split(html)


def fill(parts: list[str], value: Callable[[str], str]) -> str:
    """Return split HTML joined with `value(name)` in each hole (one call per name)."""
    values: dict[str, str] = {}
    out = parts.copy()
    for i in range(1, len(out), 2):
        name = out[i]
        if name not in values:
            values[name] = value(name)
        out[i] = values[name]
    return "".join(out)


def request_values(request: HttpRequest, comparison_id: int) -> Callable[[str], str]:
    """Return the function giving this request's value of each hole."""

    def value(name: str) -> str:
        if name == "nonce":
            return str(get_nonce(request))
        if name == "csrf":
            return get_token(request)
        return _fresh_values[name.removeprefix("fresh:")](comparison_id)

    return value


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


def _bump(key: str) -> None:
    _incr(key)
    # Outside a transaction the change is committed already: one new version is enough. Inside
    # one, a page rendered from a snapshot taken before the commit must not stay current.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _incr(key))


def bump(comparison_id: int) -> None:
    """Start a new version of a comparison's page, now and when the transaction commits."""
    _bump(_key(comparison_id))


def bump_all() -> None:
    """Start a new version of every comparison's page, now and when the transaction commits."""
    _bump(_key("all"))


def page_key(comparison_id: int, name: str) -> str:
    """Return the key of a fragment `name` of the current version of a comparison's page."""
    return f"cmp:{release()}:{FORMAT}:{comparison_id}:{name}:{version(comparison_id)}"


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


@dataclass(frozen=True)
class OwnStates:
    """A visitor's own states of a page's vote forms and placement blocks."""

    # {distinction id: 1 or -1}
    votes: dict[int, int] = field(default_factory=dict)
    # {dimension id: placement state, a number (see the placement_states of the page)}
    placements: dict[int, int] = field(default_factory=dict)


# What each row of the UNION in own_states_unless_personal is.
_PERSONAL, _VOTE, _PLACEMENT = 0, 1, 2


def own_states_unless_personal(
    request: HttpRequest, comparison_id: int, votes: QuerySet, placements: QuerySet
) -> OwnStates | None:
    """Return the visitor's own vote and placement states, or None if the page shows this
    visitor anything of their own: all in one query (a UNION).

    `votes` gives (distinction id, value) rows, `placements` (dimension id, state) rows.
    """
    querysets = personal_querysets(request, comparison_id)
    if querysets is None:
        return None
    # Each row says what it is in its first column. (No ordering: SQLite allows none inside a
    # UNION.)
    marked = [
        qs.order_by()
        .annotate(row_kind=Value(_PERSONAL), state=Value(0))
        .values_list("row_kind", "pk", "state")
        for qs in querysets
    ]
    own_votes = (
        votes.order_by()
        .annotate(row_kind=Value(_VOTE))
        .values_list("row_kind", "distinction_id", "value")
    )
    own_placements = (
        placements.order_by()
        .annotate(row_kind=Value(_PLACEMENT))
        .values_list("row_kind", "dimension_id", "state")
    )
    rows = list(own_votes.union(own_placements, *marked, all=True))
    if any(kind == _PERSONAL for kind, _, _ in rows):
        return None
    return OwnStates(
        votes={pk: value for kind, pk, value in rows if kind == _VOTE},
        placements={pk: value for kind, pk, value in rows if kind == _PLACEMENT},
    )


# Indentation and blank lines between tags: a browser shows one newline exactly as it shows
# them (the page has no <pre>, and its textareas are empty), and they are a fifth of the page.
INDENTATION = re.compile(r">[ \t\r\n]*\n[ \t\r\n]*<")


def _tighten(html: str) -> str:
    return INDENTATION.sub(">\n<", html)


def _regions(parts: list, kind: str = "vote") -> tuple[list, dict[int, list]]:
    """Return split HTML with each region of `kind` replaced by the hole "<kind>:<pk>", and the
    regions.

    `{% vote_form %}` writes a form between the holes "vote:<pk>" and "end-vote",
    `{% placement_form %}` a block between "place:<pk>" and "end-place".
    """
    top: list = [""]
    regions: dict[int, list] = {}
    region: list | None = None
    pk = 0
    for i, part in enumerate(parts):
        target = top if region is None else region
        if i % 2 == 0:
            target[-1] += part
        elif part.startswith(f"{kind}:") and region is None:
            pk, region = int(part.removeprefix(f"{kind}:")), [""]
        elif part == f"end-{kind}" and region is not None:
            regions[pk] = region
            top.extend([f"{kind}:{pk}", ""])
            region = None
        else:
            target.extend([part, ""])
    return top, regions


def _encode(parts: list) -> list:
    """Return split HTML with its literals tightened and encoded (holes stay names)."""
    return [_tighten(p).encode() if i % 2 == 0 else p for i, p in enumerate(parts)]


@dataclass
class SharedPage:
    """A comparison page as every visitor sees it, split once into literal bytes and holes.

    Holes are the per-request values (nonce, CSRF token, fresh form tokens), the vote forms,
    which come in three states: not voted (0), voted yes (1), voted no (-1), and the points'
    placement blocks, in four: not placed (0) and one state per placement (numbered by the
    caller). Serving the page is a join over the parts, with no template rendering and no pass
    over the whole text. It holds plain data only, and is stored in the shared cache as a dict
    (`as_data`).
    """

    comparison_id: int
    # The address it is found by: the comparison's slug, or "<comparison slug>/<source slug>".
    slug: str
    version: str
    parts: list
    votes: dict[int, dict[int, list]] = field(default_factory=dict)
    placements: dict[int, dict[int, list]] = field(default_factory=dict)
    # Which of the comparison's pages it is (COMPARISON_PAGE, or source_page(pk)).
    name: str = COMPARISON_PAGE

    @classmethod
    def from_rendering(
        cls,
        *,
        comparison_id: int,
        slug: str,
        version: str,
        holes: Holes,
        html: str,
        vote_states: dict[int, dict[int, str]],
        placement_states: dict[int, dict[int, str]] | None = None,
        name: str = COMPARISON_PAGE,
    ) -> SharedPage:
        """Split a page rendered with `holes`, and the other states of its vote forms and
        placement blocks rendered with it."""
        parts, vote_regions = _regions(holes.split(html), "vote")
        parts, placement_regions = _regions(parts, "place")

        def states(
            kind: str, regions: dict[int, list], rendered: dict[int, dict[int, str]]
        ) -> dict[int, dict[int, list]]:
            found: dict[int, dict[int, list]] = {}
            for pk, region in regions.items():
                found[pk] = {0: _encode(region)}
                for state, html in rendered.get(pk, {}).items():
                    found[pk][state] = _encode(_regions(holes.split(html), kind)[1][pk])
            return found

        return cls(
            comparison_id,
            slug,
            version,
            _encode(parts),
            states("vote", vote_regions, vote_states),
            states("place", placement_regions, placement_states or {}),
            name,
        )

    def render(
        self,
        request: HttpRequest,
        own_votes: dict[int, int] | None = None,
        own_placements: dict[int, int] | None = None,
    ) -> bytes:
        """Return the page for this request, with `own_votes` (distinction id -> 1 or -1) and
        `own_placements` (dimension id -> state)."""
        own = {
            "vote": (self.votes, own_votes or {}),
            "place": (self.placements, own_placements or {}),
        }
        value = request_values(request, self.comparison_id)
        values: dict[str, bytes] = {}

        def join(parts: list) -> bytes:
            out = parts.copy()
            for i in range(1, len(out), 2):
                name = out[i]
                kind, _, pk = name.partition(":")
                if kind in own:
                    regions, chosen = own[kind]
                    states = regions[int(pk)]
                    out[i] = join(states.get(chosen.get(int(pk), 0)) or states[0])
                else:
                    if name not in values:
                        values[name] = value(name).encode()
                    out[i] = values[name]
            return b"".join(out)

        return join(self.parts)

    def as_data(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "comparison_id": self.comparison_id,
            "slug": self.slug,
            "version": self.version,
            "parts": self.parts,
            "votes": self.votes,
            "placements": self.placements,
            "name": self.name,
        }

    @classmethod
    def from_data(cls, data: Any) -> SharedPage | None:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return cls(
            data["comparison_id"],
            data["slug"],
            data["version"],
            data["parts"],
            data["votes"],
            data["placements"],
            data["name"],
        )


# This process's copy of the newest shared page of each (comparison, page name) it served, and
# which (comparison, page name) an address names. A copy is served after reading the
# comparison's current version from the shared cache, or, to a caller that allows it
# (`max_age`, for new visitors), within that many seconds of the last such read.
_local_pages: dict[tuple[int, str], SharedPage] = {}
_local_ids: dict[str, tuple[int, str]] = {}
# When each local copy's version was last confirmed as current (time.monotonic()).
_confirmed: dict[tuple[int, str], float] = {}


def source_page(source_id: int) -> str:
    """Return the name of a source's page among its comparison's shared pages."""
    return f"source-page:{source_id}"


@dataclass(frozen=True)
class Lookup:
    """What looking up a slug's shared page found: the page, or the version it is missing for."""

    page: SharedPage | None = None
    comparison_id: int | None = None
    version: str | None = None


def find_shared_page(slug: str, *, max_age: float = 0) -> Lookup:
    """Look up the current shared page with this address (a comparison's slug, or
    "<comparison slug>/<source slug>").

    For a comparison this process has served before, this costs one read of the shared cache
    (its version) and, when this process's copy is older, one more (the page). With `max_age`,
    a copy whose version was confirmed less than `max_age` seconds ago is served without asking.
    """
    local = _local_ids.get(slug)
    if local is None:
        return Lookup()
    pk, name = local
    page = _local_pages.get(local)
    confirmed = _confirmed.get(local, -math.inf)
    if page is not None and page.slug == slug and time.monotonic() - confirmed < max_age:
        return Lookup(page, pk, page.version)
    current = version(pk)
    page = cached_page(pk, current, name)
    if page is not None and page.slug != slug:
        return Lookup()
    return Lookup(page, pk, current)


def cached_page(comparison_id: int, current: str, name: str = COMPARISON_PAGE) -> SharedPage | None:
    """Return the shared page `name` of this version (read just now) of a comparison, if cached."""
    local = (comparison_id, name)
    page = _local_pages.get(local)
    if page is None or page.version != current:
        page = SharedPage.from_data(cache.get(_page_key(comparison_id, current, name)))
        if page is None:
            return None
        _local_ids[page.slug] = local
        _local_pages[local] = page
    _confirmed[local] = time.monotonic()
    return page


def last_good_page(slug: str) -> SharedPage | None:
    """Return the newest shared page of this slug that this process or any other stored.

    For new visitors while the database cannot be reached: an older page beats an error.
    """
    local = _local_ids.get(slug)
    page = _local_pages.get(local) if local is not None else None
    if page is not None and page.slug == slug:
        return page
    try:
        return SharedPage.from_data(cache.get(_last_key(slug)))
    except UNAVAILABLE:
        return None


def forget_local_copies() -> None:
    """Drop this process's copies, as a freshly started worker has none (tests use it)."""
    _local_pages.clear()
    _local_ids.clear()
    _confirmed.clear()


def store_shared_page(page: SharedPage) -> None:
    """Keep a freshly rendered shared page here and in the shared cache."""
    local = (page.comparison_id, page.name)
    _local_ids[page.slug] = local
    _local_pages[local] = page
    # Not confirmed: its version was read before rendering, which took a while.
    _confirmed.pop(local, None)
    data = page.as_data()
    cache.set(_page_key(page.comparison_id, page.version, page.name), data, TIMEOUT)
    # The last good page outlives its version: it is what new visitors read during an outage.
    cache.set(_last_key(page.slug), data, 7 * 24 * 3600)


def _page_key(comparison_id: int, current: str, name: str = COMPARISON_PAGE) -> str:
    return f"cmp:{release()}:{FORMAT}:{comparison_id}:{name}:{current}"


def _last_key(slug: str) -> str:
    return f"cmp:{release()}:{FORMAT}:last-good:{slug}"
