"""Django's Redis cache backend with two costs taken out of every call.

Django's backend builds a new `redis.Redis` client object for each cache call (about 80 µs of
Python, more than the round trip to Redis itself), and its `incr` asks Redis twice (EXISTS, then
INCRBY). Every page view reads the page versions and every vote counts a rate limit and bumps a
version, so this backend keeps one client per connection pool and increments with one atomic
script. Everything else, including how values are stored, is Django's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.cache.backends import redis as django_redis

if TYPE_CHECKING:
    from redis.connection import ConnectionPool

# INCRBY, but only for a key that exists: Django's incr() raises ValueError for a missing key.
INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


# Count one action on each key in turn (INCR; a new key gets its expiry) and stop at the first
# key over its limit (ARGV: limit, seconds to live, for each key). Return the 1-based position
# of that key, or 0 if every key is within its limit: a rate limit check in one round trip.
COUNT_WITHIN_LIMITS = """
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if n > tonumber(ARGV[2 * i - 1]) then return i end
end
return 0
"""


class RedisCacheClient(django_redis.RedisCacheClient):
    if TYPE_CHECKING:
        # Django's private parts this class builds on, which django-stubs leaves out.
        _client: Callable[..., Any]

        def _get_connection_pool(self, write: bool) -> ConnectionPool: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_scripts: dict[int, Any] = {}
        self._count_scripts: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key: str | bytes | memoryview, delta: int) -> int:
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            script = self._incr_scripts[id(client)] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key!s}' not found.")
        return int(value)

    def count_within_limits(self, keys: list[str], args: list[int]) -> int:
        client = self.get_client(write=True)
        script = self._count_scripts.get(id(client))
        if script is None:
            script = self._count_scripts[id(client)] = client.register_script(COUNT_WITHIN_LIMITS)
        return int(script(keys=keys, args=args))


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_within_limits(self, counters: list[tuple[str, int, int]]) -> int:
        """Count one action on each (key, limit, seconds to live) in turn, in one round trip;
        stop at the first key over its limit and return its 1-based position, else 0."""
        keys = [self.make_and_validate_key(key) for key, _, _ in counters]
        args = [n for _, limit, ttl in counters for n in (limit, ttl)]
        client = cast(RedisCacheClient, self._cache)
        return client.count_within_limits(keys, args)
