"""Rate limits: fixed windows in the shared cache, so every worker process sees the same counts.

Every limit's numbers are in settings.SMSN_RATE_LIMITS, per action. A view asks
`allow(action, network_hash, visitor_id)`: one more action counted for each key, and a refusal if
any key is over any of the action's limits, with the seconds until that limit's window ends (the
answer is a 429 that says so and when to try again). Windows are fixed: every count starts again
at a multiple of the window's length.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# A lost or hung database or cache: the action was refused (the site answers 503), not done.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)

# The counter keys hit() has counted inside the innermost refunded_on_outage() block, if any.
_counted: ContextVar[list[str] | None] = ContextVar("ratelimit_counted", default=None)


def limits(action: str) -> list[tuple[int, int]]:
    """Return the (how many, per seconds) limits of an action, from settings."""
    return [(int(count), int(seconds)) for count, seconds in settings.SMSN_RATE_LIMITS[action]]


@dataclass(frozen=True)
class Allowance:
    """What allow() answers: true if the action may go ahead; if not, how long to wait."""

    allowed: bool
    # Seconds until the window of the limit that refused the action ends (0 when allowed).
    retry_after: int = 0

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def wait(self) -> str:
        """Return the wait in words: "42 seconds", "about 7 minutes"."""
        return wait_in_words(self.retry_after)


def allow(action: str, *keys: object) -> Allowance:
    """Count one `action` by each key (an IP-network hash, a visitor id; empty ones skipped);
    refuse as soon as a key is over one of the action's limits.

    On Redis every counter is counted in one round trip (RedisCache.count_within_limits).
    """
    counters = [
        (f"{action}:{n}:{window}", str(key), count, window)
        for count, window in limits(action)
        for n, key in enumerate(keys)
        if key
    ]
    count_within_limits = getattr(cache, "count_within_limits", None)
    if count_within_limits is None:
        for scope, key, count, window in counters:
            if not hit(scope, key, count, window):
                return Allowance(False, retry_after=seconds_left(window))
        return Allowance(True)
    cache_keys = [_cache_key(scope, key, window) for scope, key, _, window in counters]
    refused = count_within_limits(
        [
            (k, count, window + 5)
            for k, (_, _, count, window) in zip(cache_keys, counters, strict=True)
        ]
    )
    counted = _counted.get()
    if counted is not None:
        counted.extend(cache_keys[:refused] if refused else cache_keys)
    if refused:
        return Allowance(False, retry_after=seconds_left(counters[refused - 1][3]))
    return Allowance(True)


def _cache_key(scope: str, key: str, window: int) -> str:
    return f"rl:{scope}:{key}:{int(time.time() // window)}"


def seconds_left(window: int) -> int:
    """Return the whole seconds until the current fixed window of `window` seconds ends."""
    now = time.time()
    return max(1, math.ceil((now // window + 1) * window - now))


def wait_in_words(seconds: int) -> str:
    """Return a wait as a person would say it, never shorter than the real one."""
    if seconds < 90:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minutes"


def hit(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one action by `key` in `scope`; return True if it is within `limit` per `window`s."""
    cache_key = _cache_key(scope, key, window)
    # Counting an existing window is one atomic round trip; only the first action in a window
    # creates the counter, with add(), which one caller wins if several start it at once.
    try:
        count = cache.incr(cache_key)
    except ValueError:
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    counted = _counted.get()
    if counted is not None:
        counted.append(cache_key)
    return count <= limit


@contextlib.contextmanager
def refunded_on_outage() -> Iterator[None]:
    """Give back every hit counted in the block if the block fails for want of the database.

    A vote, distinction, comment or report refused with a 503 did not happen, so it must not
    use up the visitor's allowance. Use it as a view decorator, `@ratelimit.refunded_on_outage()`.
    Actions refused for other reasons (a form error, a 404) still count: they cost the site work.
    """
    counted: list[str] = []
    token = _counted.set(counted)
    try:
        yield
    except OUTAGE_ERRORS:
        for cache_key in counted:
            # The window may have ended (ValueError: no such counter), or the cache be down too.
            with contextlib.suppress(ValueError, *OUTAGE_ERRORS):
                cache.decr(cache_key)
        raise
    finally:
        _counted.reset(token)


def too_many_requests(message: str, retry_after: int = 60) -> HttpResponse:
    """Return a plain-text 429 answer that says what happened and when to try again.

    For the admin's sign-in only: visitors' refusals are pages (smsn.refusals).
    """
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response
