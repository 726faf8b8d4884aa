"""Refusals that explain: what happened and what to do, next to the control or on a styled page.

A refused request keeps its real status (403, 404, 429, 503, a failed CSRF check). Without
JavaScript the person gets the site's page with the sentence and a link back to where they were.
An htmx request gets the sentence alone (error.html's `refusal` partial): htmx swaps only 2xx
answers, so static/js/in-place.js shows it next to the control that was used.
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

TEMPLATE = "error.html"


def wants_fragment(request: HttpRequest) -> bool:
    """Return True if the request comes from htmx and takes the sentence without the page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )


def came_from(request: HttpRequest) -> str:
    """Return the page of this site the person came from (the Referer), or "" if unknown.

    The address that refused (a form posted again from its own error page) does not count.
    """
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    if not referer or not same_site:
        return ""
    if referer.partition("?")[0].partition("#")[0] == request.build_absolute_uri(request.path):
        return ""
    return referer


def back_to(request: HttpRequest, fallback: str, anchor: str = "") -> str:
    """Return the page the person came from, or `fallback`, at `anchor` if given."""
    address = came_from(request) or fallback
    if anchor:
        address = f"{address.partition('#')[0]}#{anchor}"
    return address


def refusal_html(
    request: HttpRequest | None,
    *,
    title: str,
    message: str,
    status: int,
    back_url: str = "",
    back_label: str = "",
    fragment: bool = False,
    csp_nonce: object = None,
) -> str:
    """Render the refusal: the whole styled page, or with `fragment` only its sentence.

    Without a request (the answer to an outage or an unhandled error) no context processor
    runs, so nothing reads the database or the session that may be what failed; the page's
    scripts then need the request's `csp_nonce` passed in.
    """
    if not back_url:
        back_url, back_label = reverse("definitions:home"), "Go to the comparison"
    context = {
        "title": title,
        "message": message,
        "status": status,
        "back_url": back_url,
        "back_label": back_label,
    }
    if csp_nonce is not None:
        context["csp_nonce"] = csp_nonce
    template = f"{TEMPLATE}#refusal" if fragment else TEMPLATE
    return render_to_string(template, context, request=request)


def refuse(
    request: HttpRequest,
    status: int,
    message: str,
    *,
    title: str,
    back_url: str = "",
    back_label: str = "",
    retry_after: int | None = None,
) -> HttpResponse:
    """Answer `status` with a sentence saying what happened and what to do.

    The page links to `back_url`, named `back_label`; by default to the page the person came
    from, or else the home page. `retry_after`, in seconds, goes in the Retry-After header.
    """
    if not back_url:
        back_url = came_from(request)
        back_label = "Go back to the page you were on"
    html = refusal_html(
        request,
        title=title,
        message=message,
        status=status,
        back_url=back_url,
        back_label=back_label,
        fragment=wants_fragment(request),
    )
    response = HttpResponse(html, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    # A refusal is about this moment and this person: never a page to keep.
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response
