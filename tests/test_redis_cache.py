"""The production cache backend (smsn.redis_cache.RedisCache) against the real Redis server."""

from __future__ import annotations

import threading

import pytest

from smsn.redis_cache import RedisCacheClient


@pytest.fixture
def redis_cache(redis_shared_cache):
    """Django's cache API on Redis through smsn.redis_cache.RedisCache (see conftest)."""
    from django.core.cache import cache

    assert isinstance(cache._cache, RedisCacheClient)
    return cache


def test_incr_of_a_missing_key_raises_value_error_and_creates_nothing(redis_cache):
    # Rate limits and page versions rely on Django's contract: a missing key is not created.
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("missing")
    assert redis_cache.get("missing") is None


def test_incr_adds_to_an_existing_counter_and_returns_the_new_value(redis_cache):
    redis_cache.set("votes", 5)
    assert redis_cache.incr("votes") == 6
    assert redis_cache.incr("votes", 10) == 16
    assert redis_cache.get("votes") == 16


def test_incr_from_many_threads_at_once_loses_no_count(redis_cache):
    redis_cache.add("hits", 0, timeout=60)

    def hit_many() -> None:
        for _ in range(200):
            redis_cache.incr("hits")

    threads = [threading.Thread(target=hit_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("hits") == 1600


def test_values_round_trip_as_with_djangos_backend(redis_cache):
    page = {"html": "<p>Tool vs activity</p>", "parts": [b"\x00bytes", "text", 3]}
    redis_cache.set("page", page, timeout=60)
    assert redis_cache.get("page") == page
    assert redis_cache.add("page", "other") is False
    assert redis_cache.get_many(["page", "absent"]) == {"page": page}
    redis_cache.delete("page")
    assert redis_cache.get("page", "gone") == "gone"
