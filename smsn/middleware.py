"""Site-wide middleware: a styled 503 during database outages and a limit on admin sign-ins."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.urls import reverse

from definitions.ratelimit import hit, too_many_requests
from definitions.visitors import client_ip, hash_ip

logger = logging.getLogger(__name__)

# The errors a lost, refused or restarting database raises. IntegrityError, DataError and
# ProgrammingError are bugs in a query, not outages: they stay 500s.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(exception: BaseException | None) -> bool:
    """Return True if `exception` means the database cannot be reached right now."""
    return isinstance(exception, DATABASE_OUTAGE_ERRORS)


def database_unavailable() -> HttpResponse:
    """Return the styled 503 page, rendered without the request.

    Rendering without the request keeps every context processor (session, user, messages) out of
    it, so the page itself never touches the database that just failed.
    """
    html = get_template("503.html").render({"retry_after": settings.SMSN_OUTAGE_RETRY_AFTER})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.SMSN_OUTAGE_RETRY_AFTER)
    # A 503 must never be cached as if it were the page.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a styled page and Retry-After when a view finds the database down.

    Errors raised outside views (in other middleware) reach handler500, which makes the same
    decision (smsn.views.server_error). The connection is re-established by Django on the next
    request (CONN_HEALTH_CHECKS), so the process recovers without a restart.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.error("Database unavailable for %s %s", request.method, request.path, exc_info=True)
        return database_unavailable()


class AdminLoginRateLimitMiddleware:
    """Refuse admin sign-ins from an address after too many failures (429, plain text).

    Failures are counted per IP hash in the shared cache (definitions.ratelimit): a failed
    sign-in is a POST to the admin login page that does not redirect. The failure over the limit
    and every attempt after it, right password or not, get a 429 until the window has passed.
    """

    scope = "admin-login"
    message = "Too many failed sign-ins from your address. Wait 15 minutes and try again."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path_info != reverse("admin:login"):
            return self.get_response(request)
        key = hash_ip(client_ip(request))
        blocked_key = f"{self.scope}:blocked:{key}"
        window = settings.SMSN_ADMIN_LOGIN_WINDOW
        if cache.get(blocked_key):
            return too_many_requests(self.message, retry_after=window)
        response = self.get_response(request)
        failed = response.status_code == 200
        if failed and not hit(self.scope, key, settings.SMSN_ADMIN_LOGIN_FAILURES, window):
            cache.set(blocked_key, True, timeout=window)
            logger.warning("Admin sign-in blocked after repeated failures (ip hash %s)", key[:12])
            return too_many_requests(self.message, retry_after=window)
        return response
