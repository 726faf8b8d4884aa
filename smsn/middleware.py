"""Site-wide middleware: outages, admin sign-in limits, form encoding, refusals that explain."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import get_template
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from definitions.ratelimit import hit, too_many_requests
from definitions.visitors import client_ip, hash_ip

logger = logging.getLogger(__name__)

# The errors a lost, refused or restarting database raises, and those of the shared Redis cache
# (rate limits, sessions) when it is unreachable. IntegrityError, DataError and ProgrammingError
# are bugs in a query, not outages: they stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_outage(exception: BaseException | None) -> bool:
    """Return True if `exception` means the database or the cache cannot be reached right now."""
    return isinstance(exception, OUTAGE_ERRORS)


def service_unavailable() -> HttpResponse:
    """Return the styled 503 page, rendered without the request.

    Rendering without the request keeps every context processor (session, user, messages) out of
    it, so the page itself never touches the database (or cache) that just failed.
    """
    html = get_template("503.html").render({"retry_after": settings.SMSN_OUTAGE_RETRY_AFTER})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.SMSN_OUTAGE_RETRY_AFTER)
    # A 503 must never be cached as if it were the page.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a styled page and Retry-After when a view finds the database down.

    The same goes for the Redis cache: without it no rate limit can be checked, so nothing
    can be posted either.

    Errors raised outside views (in other middleware) reach handler500, which makes the same
    decision (smsn.views.server_error). The connection is re-established by Django on the next
    request (CONN_HEALTH_CHECKS), so the process recovers without a restart.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.error("Storage unavailable for %s %s", request.method, request.path, exc_info=True)
        return service_unavailable()


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


class FormEncodingMiddleware:
    """Refuse a form whose text is not valid UTF-8 with a plain 400, before anything reads it.

    Django would quietly turn the broken bytes (a lone surrogate, a stray 0xFF) into U+FFFD, so
    what got saved would not be what the visitor sent. Refusing keeps "stored exactly as typed"
    true for every form on the site. (Django 6 itself requires urlencoded forms to be UTF-8,
    whatever charset they declare.) Multipart bodies are left to the forms: no public form
    uses them.
    """

    message = "This form's text is not valid UTF-8, so nothing was saved. Retype it and send again."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "application/x-www-form-urlencoded" and request.method in {
            "POST",
            "PUT",
            "PATCH",
        }:
            # Reading the body here enforces DATA_UPLOAD_MAX_MEMORY_SIZE too (413, smsn.views).
            try:
                parse_qsl(request.body.decode(), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return HttpResponseBadRequest(
                    self.message, content_type="text/plain; charset=utf-8"
                )
        return self.get_response(request)


class ExplainRefusalsMiddleware:
    """Give every empty 4xx answer a plain sentence saying what was wrong.

    Django's own refusals, such as the 405 from @require_GET / @require_POST, have no body, so a
    visitor (or a developer with curl) would see a blank page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not 400 <= response.status_code < 500 or response.streaming or response.content:
            return response
        if response.status_code == 405:
            message = (
                f"This address does not accept {request.method} requests; "
                f"it accepts {response.get('Allow', 'other methods')}."
            )
        else:
            phrase = HTTPStatus(response.status_code).phrase
            message = f"{response.status_code} {phrase}."
        response.content = message.encode()
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
