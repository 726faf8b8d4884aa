"""Static files, served by WhiteNoise with the cache lifetime the README promises."""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, telling browsers to keep a file with a hashed name for one year, not ten.

    A hashed name changes whenever the file does, so the file never goes stale; one year is the
    most RFC 9111 suggests and what settings.WHITENOISE_MAX_AGE gives every other file.
    """

    FOREVER = 365 * 24 * 60 * 60
