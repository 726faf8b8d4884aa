"""Site-wide middleware: outages, admin sign-in limits, form encoding, refusals that explain."""

from __future__ import annotations

import codecs
import logging
import math
import time
from collections.abc import Buffer, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import parse_header_parameters
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from smsn.ratelimit import hit, limits, wait_in_words
from smsn.refusals import came_from, refusal_html, refuse, wants_fragment
from smsn.visitors import client_ip, hash_ip

logger = logging.getLogger(__name__)

# The errors a lost, refused or restarting database raises, and those of the shared Redis cache
# (rate limits, sessions) when it is unreachable. IntegrityError, DataError and ProgrammingError
# are bugs in a query, not outages: they stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_outage(exception: BaseException | None) -> bool:
    """Return True if `exception` means the database or the cache cannot be reached right now."""
    return isinstance(exception, OUTAGE_ERRORS)


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """Return the styled 503 page (to htmx, its sentence), rendered without the request.

    Rendering without the request keeps every context processor (session, user, messages) out of
    it, so the page itself never touches the database (or cache) that just failed. The request
    only says where the person came from (the page's link back) and whether htmx asked.
    """
    retry_after = settings.SMSN_OUTAGE_RETRY_AFTER
    if request is not None and wants_fragment(request):
        html = refusal_html(
            None,
            title="Back in a moment",
            message=(
                "Something the site depends on is not answering just now, so nothing was "
                f"saved. Try again in about {retry_after} seconds."
            ),
            status=503,
            fragment=True,
        )
    else:
        came = came_from(request) if request is not None else ""
        context = {
            "retry_after": retry_after,
            "back_url": came or reverse("definitions:home"),
            "back_label": "Go back to the page you were on" if came else "Try the comparison again",
        }
        html = get_template("503.html").render(context)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
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
        return service_unavailable(request)


class AdminLoginRateLimitMiddleware:
    """Refuse admin sign-ins from an address after too many failures (429, the site's page).

    Failures are counted per IP hash in the shared cache (smsn.ratelimit): a failed
    sign-in is a POST to the admin login page that does not redirect. The failure over the limit
    and every attempt after it, right password or not, get a 429 until the window has passed;
    the page says how long that still is.
    """

    scope = "admin-login"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path_info != reverse("admin:login"):
            return self.get_response(request)
        key = hash_ip(client_ip(request))
        blocked_key = f"{self.scope}:blocked:{key}"
        ((failures, window),) = limits("admin-sign-in")
        blocked_until = cache.get(blocked_key)
        if blocked_until:
            if isinstance(blocked_until, bool) or not isinstance(blocked_until, int | float):
                blocked_until = time.time() + window
            return self.refuse(request, blocked_until)
        response = self.get_response(request)
        failed = response.status_code == 200
        if failed and not hit(self.scope, key, failures, window):
            blocked_until = time.time() + window
            cache.set(blocked_key, blocked_until, timeout=window)
            logger.warning("Admin sign-in blocked after repeated failures (ip hash %s)", key[:12])
            return self.refuse(request, blocked_until)
        return response

    @staticmethod
    def refuse(request: HttpRequest, blocked_until: float) -> HttpResponse:
        """Answer with the site's page saying when signing in can be tried again."""
        left = max(1, math.ceil(blocked_until - time.time()))
        return refuse(
            request,
            429,
            "Too many failed sign-ins from your network, so this one was not tried. Try again "
            f"in {wait_in_words(left)}.",
            title="Too many failed sign-ins",
            back_url=reverse("admin:login"),
            back_label="Back to the sign-in page",
            retry_after=left,
        )


# The codec Utf8MultiPartParser decodes with: UTF-8 that refuses broken bytes even where
# Django's parser asks for errors="replace".
STRICT_UTF8 = "smsn_strict_utf_8"


def _strict_utf8_decode(data: Buffer, errors: str = "strict", /) -> tuple[str, int]:
    return codecs.utf_8_decode(data, "strict", True)


codecs.register(
    lambda name: (
        codecs.CodecInfo(codecs.utf_8_encode, _strict_utf8_decode, name=STRICT_UTF8)
        if name == STRICT_UTF8
        else None
    )
)


class NotUtf8(MultiPartParserError):
    """A multipart form's text is not valid UTF-8."""


class Utf8MultiPartParser(MultiPartParser):
    """Django's multipart parser, refusing a text field or file name that is not UTF-8."""

    def __init__(self, META: Any, input_data: Any, upload_handlers: Any, encoding: Any = None):
        super().__init__(META, input_data, upload_handlers, STRICT_UTF8)

    def parse(self) -> Any:
        try:
            return super().parse()
        except UnicodeDecodeError as error:
            raise NotUtf8(str(error)) from error


def has_nul(data: QueryDict) -> bool:
    """Return True if any name or value holds a NUL character (PostgreSQL cannot store one)."""
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def part_headers_are_utf8(body: bytes, content_type: str) -> bool:
    """Return True if the headers of every part of a multipart body (field names) are UTF-8.

    Django's parser skips a part whose headers are not, so its text never reaches a form; this
    lets the visitor hear why instead.
    """
    boundary = parse_header_parameters(content_type)[1].get("boundary", "")
    if not boundary:
        return True
    for part in body.split(b"--" + boundary.encode("ascii", "replace")):
        headers, end, _ = part.partition(b"\r\n\r\n")
        try:
            if end:
                headers.decode()
        except UnicodeDecodeError:
            return False
    return True


class FormEncodingMiddleware:
    """Refuse a form whose text is not valid UTF-8, or an address holding NUL, with a plain 400.

    Django would quietly turn the broken bytes (a lone surrogate, a stray 0xFF) into U+FFFD, so
    what got saved would not be what the visitor sent. Refusing keeps "stored exactly as typed"
    true for every form on the site, urlencoded or multipart. (Django 6 itself requires
    urlencoded forms to be UTF-8, whatever charset they declare.) A NUL in a query string is
    refused before any view (the admin's list filters above all) passes it to PostgreSQL.
    A body sent in chunks is read here too, under the same size limit.
    """

    message = "This form's text is not valid UTF-8, so nothing was saved. Retype it and send again."
    nul_message = (
        "This address holds a NUL character (%00), which no page here accepts. "
        "Remove it and try again."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request.GET):
            return self.refuse(self.nul_message)
        if request.method not in {"POST", "PUT", "PATCH"}:
            return self.get_response(request)
        if is_chunked(request):
            read_chunked_body(request)
        if request.content_type == "application/x-www-form-urlencoded":
            # Reading the body here enforces DATA_UPLOAD_MAX_MEMORY_SIZE too (413, smsn.views).
            try:
                parse_qsl(request.body.decode(), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return self.refuse(self.message)
        elif request.content_type == "multipart/form-data" and request.method == "POST":
            content_type = request.META.get("CONTENT_TYPE", "")
            # Every public form fits in memory; bigger bodies (the admin's file uploads) are
            # parsed as a stream, their fields still checked by the parser.
            fits = 0 < _content_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if fits and not part_headers_are_utf8(request.body, content_type):
                return self.refuse(self.message)
            # django-stubs types this as a parser instance; Django takes the class.
            request.multipart_parser_class = Utf8MultiPartParser  # type: ignore[assignment]
            try:
                request.POST  # noqa: B018 (parsed here, so nothing later reads replaced text)
            except NotUtf8:
                return self.refuse(self.message)
        return self.get_response(request)

    @staticmethod
    def refuse(message: str) -> HttpResponse:
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def is_chunked(request: HttpRequest) -> bool:
    """Return True for a body sent in chunks that the server has decoded and ends for us."""
    meta = request.META
    return (
        not meta.get("CONTENT_LENGTH")
        and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        and bool(meta.get("wsgi.input_terminated"))
    )


def read_chunked_body(request: HttpRequest) -> None:
    """Read a body sent in chunks, which Django alone would take for an empty one.

    Django reads as far as Content-Length says, and a chunked body has none: its form would
    arrive empty and one over DATA_UPLOAD_MAX_MEMORY_SIZE would get no 413. Gunicorn decodes the
    chunks and marks the input as ending (`wsgi.input_terminated`), so it can be read to the end;
    more than the limit gets the same 413 as a Content-Length over it (smsn.views.bad_request).
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    stream = request.META["wsgi.input"]
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise RequestDataTooBig("A chunked body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
    # What HttpRequest.body stores: the forms are parsed from it as from any other body.
    request._body = body
    request.META["CONTENT_LENGTH"] = str(len(body))


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ExplainRefusalsMiddleware:
    """Give every empty 4xx answer the site's page with a sentence saying what was wrong.

    Django's own refusals, such as the 405 from @require_safe / @require_POST, have no body, so a
    visitor would see the browser's own error page (or a developer with curl, nothing). This runs
    after CommonMiddleware has set Content-Length on the empty answer, so it sets it again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not 400 <= response.status_code < 500 or response.streaming or response.content:
            return response
        status = response.status_code
        if status == 405:
            title = "Not at this address"
            message = (
                f"This address does not accept {request.method} requests; "
                f"it accepts {response.get('Allow', 'other methods')}."
            )
        else:
            title = HTTPStatus(status).phrase
            message = f"{status} {title}."
        back_url = came_from(request)
        response.content = refusal_html(
            request,
            title=title,
            message=message,
            status=status,
            back_url=back_url,
            back_label="Go back to the page you were on" if back_url else "",
            fragment=wants_fragment(request),
        ).encode()
        response["Content-Type"] = "text/html; charset=utf-8"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
