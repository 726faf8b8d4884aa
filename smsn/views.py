"""Site-wide views: health checks, the privacy page and styled error pages."""

from __future__ import annotations

import logging
import sys
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from smsn import cards
from smsn.middleware import is_outage, service_unavailable
from smsn.refusals import refusal_html, refuse, wants_fragment
from smsn.templatetags.share import absolute

logger = logging.getLogger(__name__)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Tell crawlers what to leave alone (the admin, POST-only addresses) and where the sitemap
    is."""
    context = {
        "admin_path": settings.ADMIN_PATH,
        "sitemap_url": absolute(request, reverse("definitions:sitemap")),
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


@require_safe
def site_card(request: HttpRequest) -> HttpResponse:
    """Answer with the site's preview image, for pages that are not one comparison's."""
    return cards.card_response(request, cards.card_digest("site"), cards.site_card)


@require_safe
def liveness(request: HttpRequest) -> HttpResponse:
    """Answer without touching the database: the process is up."""
    return HttpResponse(b"ok", content_type="text/plain")


def database_answers() -> bool:
    """Return True if the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def cache_answers() -> bool:
    """Return True if the shared cache stores a value and gives it back."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:  # a cache that fails in any way is not ready
        logger.warning("Readiness: the cache failed: %r", error)
        return False
    return answered


@require_safe
def readiness(request: HttpRequest) -> HttpResponse:
    """Answer 200 if the database and the shared cache answer, 503 naming each that does not.

    The database's cache (no REDIS_URL) is not asked again when the database has just failed.
    """
    down = [] if database_answers() else ["database"]
    if not (down and isinstance(caches["default"], DatabaseCache)) and not cache_answers():
        down.append("cache")
    if down:
        body = "; ".join(f"{part} unavailable" for part in down)
        response = HttpResponse(body, content_type="text/plain", status=503)
        response["Retry-After"] = str(settings.SMSN_OUTAGE_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(b"ready", content_type="text/plain")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """Say what the site keeps about visitors, why, and for how long."""
    return render(request, "privacy.html", {"retention_days": settings.SMSN_RETENTION_DAYS})


def _error(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    *,
    back_url: str = "",
    back_label: str = "",
) -> HttpResponse:
    return refuse(request, status, message, title=title, back_url=back_url, back_label=back_label)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return _error(
            request,
            413,
            "Too much to send",
            f"What you sent is larger than this site accepts ({limit_kb} KB), so nothing was "
            "saved. Go back, shorten it and send it again.",
        )
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Not allowed", "You do not have permission to do that.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_fragment(request):
        # Asked for from a page: what it showed has gone since it was loaded.
        message = (
            "This is no longer here: it may have been removed. Reload the page to see it as "
            "it is now."
        )
    else:
        message = "There is nothing at this address."
    return _error(
        request,
        404,
        "Page not found",
        message,
        back_url=reverse("definitions:home"),
        back_label="Go to the comparison",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled error: 503 if the database or cache is down, else the styled 500.

    Rendered without the request's context processors, which may be what failed.
    """
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    html = refusal_html(
        None,
        title="Something went wrong",
        message="Something went wrong on our side. Please try again in a moment.",
        status=500,
        fragment=wants_fragment(request),
        csp_nonce=get_nonce(request),
    )
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Refuse a form whose CSRF check failed (usually a page left open for days), saying why."""
    if wants_fragment(request):
        message = (
            "This page has been open too long to send from, so nothing was saved. Copy anything "
            "you typed, reload the page and send it again."
        )
    else:
        message = (
            "This form could not be checked, so nothing was saved. Go back (what you typed is "
            "still in the form), reload the page and send it again."
        )
    return refuse(request, 403, message, title="Form expired")
