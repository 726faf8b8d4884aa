"""Fixed-window rate limits in the shared cache, so every worker process sees the same counts."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpResponse


def hit(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one action by `key` in `scope`; return True if it is within `limit` per `window`s."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    # Counting an existing window is one atomic round trip; only the first action in a window
    # creates the counter, with add(), which one caller wins if several start it at once.
    try:
        count = cache.incr(cache_key)
    except ValueError:
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    return count <= limit


def too_many_requests(message: str, retry_after: int = 60) -> HttpResponse:
    """Return a plain 429 answer that says what happened and when to try again."""
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response
