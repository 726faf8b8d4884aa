"""Anonymous visitor identity: a random id in a signed cookie and a keyed hash of the network.

The client's address is the peer's, or behind SMSN_TRUSTED_PROXY_COUNT proxies the one the
outermost trusted proxy appended to X-Forwarded-For; anything else in that header is the client's
own word and never used. The address counts as its network: an IPv4 address is one, an IPv6
address counts as its /64 (one household or server gets a whole /64 and can pick any address in
it). The raw address is never stored: only a hash keyed by settings.IP_HASH_KEY and by the current
month, so hashes from different months cannot be linked (README, "Privacy").
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property

if TYPE_CHECKING:
    from smsn.http import SiteRequest

SALT = "smsn.visitor"
# One IPv6 /64 counts as one network: it is the smallest block a home or a server is given, and
# any host in it can take any of its addresses.
IPV6_NETWORK_PREFIX = 64

logger = logging.getLogger(__name__)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Return `text` as an IP address (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, trusting X-Forwarded-For only as far as the trusted proxies.

    Each trusted proxy appends the address it got the request from, so with N of them the Nth
    entry from the end is the client as the outermost one saw it; earlier entries are whatever
    the client sent. An entry that is not an address means a misconfigured proxy: the request
    then counts as coming from the proxy itself, never from an address the client chose.
    Return "" if not even the peer's address is one.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.SMSN_TRUSTED_PROXY_COUNT
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [entry for entry in header.split(",") if entry.strip()]
        if len(forwarded) >= proxies:
            address = parse_address(forwarded[-proxies])
            if address is not None:
                return str(address)
            logger.warning("X-Forwarded-For entry from a trusted proxy is not an IP address")
    return str(peer) if peer is not None else ""


def client_network(ip: str) -> str:
    """Return the network an address counts as: an IPv4 address itself, an IPv6 address's /64."""
    address = parse_address(ip)
    if address is None:
        return ip
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_PREFIX), strict=False))
    return str(address)


def hash_ip(ip: str, when=None) -> str:
    """Return the keyed hash of an address's network for the month of `when` (default now).

    Limits, report thresholds and "remove everything from this visitor" all go by this hash, so
    the addresses of one IPv6 /64 are one network to all of them.
    """
    period = (when or timezone.now()).strftime("%Y-%m")
    key = settings.IP_HASH_KEY.encode()
    return hmac.new(key, f"{period}|{client_network(ip)}".encode(), hashlib.sha256).hexdigest()


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

    def __call__(self, request: SiteRequest) -> HttpResponse:
        request.visitor = Visitor(request)
        response = self.get_response(request)
        request.visitor.set_cookie(response)
        return response
