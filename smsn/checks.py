"""System checks for the site's wiring: a Redis cache address that Redis cannot use."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string

# What redis-py accepts; anything else raises ValueError on the first cache call, so on every
# page. smsn/settings.py refuses the same for REDIS_URL, so a server does not even start.
REDIS_SCHEMES = ("redis", "rediss", "unix")


def redis_locations(location: str | list[str]) -> list[str]:
    """Return the server addresses in a Redis cache's LOCATION (a list, or comma-separated)."""
    items = location.split(",") if isinstance(location, str) else location
    return [item.strip() for item in items if item.strip()]


@checks.register(checks.Tags.caches)
def check_redis_cache_locations(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    """Report every Redis cache address whose scheme is not one Redis accepts."""
    errors = []
    for alias, config in settings.CACHES.items():
        try:
            backend = import_string(config["BACKEND"])
        except ImportError:
            continue  # Django's own cache checks report a backend that does not exist.
        if not (isinstance(backend, type) and issubclass(backend, RedisCache)):
            continue
        for address in redis_locations(config.get("LOCATION", "")):
            scheme = urlsplit(address).scheme
            if scheme not in REDIS_SCHEMES:
                errors.append(
                    checks.Error(
                        f"The Redis address of the {alias!r} cache has the scheme "
                        f"{scheme or 'none'!r}, which Redis does not accept: every page would "
                        "fail on its first use of the cache.",
                        hint="Set REDIS_URL to redis://host:6379/0, rediss://host:6380/0 (TLS) "
                        "or unix:///path/to/redis.sock.",
                        id="smsn.E001",
                    )
                )
    return errors
