"""Fixed-window rate limits in the shared cache, so every worker process sees the same counts."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpResponse


def hit(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one action by `key` in `scope`; return True if it is within `limit` per `window`s."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    # add() is atomic: only the first caller in a window creates the counter.
    if cache.add(cache_key, 1, timeout=window + 5):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def too_many_requests(message: str, retry_after: int = 60) -> HttpResponse:
    """Return a plain 429 answer that says what happened and when to try again."""
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response
