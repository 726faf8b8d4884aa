"""Anonymous visitor identity: a random id in a signed cookie and a keyed hash of the IP address.

The raw IP address is never stored. The hash is keyed by settings.IP_HASH_KEY and by the current
month, so hashes from different months cannot be linked (README, "Privacy").
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property

SALT = "smsn.visitor"


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, trusting X-Forwarded-For only behind configured proxies."""
    proxies = getattr(settings, "SMSN_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hash_ip(ip: str, when=None) -> str:
    """Return the keyed hash of an IP address for the month of `when` (default now)."""
    period = (when or timezone.now()).strftime("%Y-%m")
    key = settings.IP_HASH_KEY.encode()
    return hmac.new(key, f"{period}|{ip}".encode(), hashlib.sha256).hexdigest()


class Visitor:
    """Who is asking, as far as an anonymous site can tell."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        self._new_id: uuid.UUID | None = None
        try:
            raw = request.get_signed_cookie(settings.SMSN_VISITOR_COOKIE, salt=SALT)
            self._id: uuid.UUID | None = uuid.UUID(raw)
        except (KeyError, signing.BadSignature, ValueError):
            self._id = None

    @property
    def id(self) -> uuid.UUID | None:
        """Return the visitor's id if they have one; never creates one."""
        return self._id

    def ensure_id(self) -> uuid.UUID:
        """Return the visitor's id, creating one (sent as a cookie) on first use."""
        if self._id is None:
            self._id = self._new_id = uuid.uuid4()
        return self._id

    @cached_property
    def ip_hash(self) -> str:
        return hash_ip(client_ip(self._request))

    def set_cookie(self, response: HttpResponse) -> None:
        if self._new_id is not None:
            response.set_signed_cookie(
                settings.SMSN_VISITOR_COOKIE,
                str(self._new_id),
                salt=SALT,
                max_age=settings.SMSN_VISITOR_COOKIE_AGE,
                httponly=True,
                secure=not settings.DEBUG,
                samesite="Lax",
            )


class VisitorMiddleware:
    """Attach `request.visitor` and send the visitor cookie when an id was created."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.visitor = Visitor(request)
        response = self.get_response(request)
        request.visitor.set_cookie(response)
        return response
