"""The search page: a GET form, its results grouped by kind, and the results alone for htmx."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from search.forms import SearchForm
from search.results import KINDS, KindResults, Results, find, remembered
from smsn import pagecache as page_cache
from smsn.http import SiteRequest

TEMPLATE = "search/search.html"


def address(**params: Any) -> str:
    """Return the search page's address with these parameters (empty ones left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})
    return f"{reverse('search:search')}?{query}" if query else reverse("search:search")


def groups(results: Results, params: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Return each kind's results with the addresses of its other pages."""
    shown: list[dict[str, Any]] = []
    for group in results.kinds:
        if not group.total:
            continue
        shown.append(
            {
                "results": group,
                "more_url": address(**params, kind=group.kind.slug) if not kind else "",
                "previous_url": previous_page(group, params, kind),
                "next_url": (
                    address(**params, kind=kind, page=group.page + 1)
                    if kind and group.page < group.pages
                    else ""
                ),
            }
        )
    return shown


def previous_page(group: KindResults, params: dict[str, Any], kind: str) -> str:
    if not kind or group.page <= 1:
        return ""
    return address(**params, kind=kind, page=group.page - 1)


@require_safe
def search(request: SiteRequest) -> HttpResponse:
    """Find words across sources, definitions, distinctions and comments (published only).

    A query too long or a comparison that does not exist is answered 400 with the form and the
    sentence next to the field (200 with the sentence alone to htmx, which swaps only 2xx).
    The results, the same for everybody, are rendered once per version (search.results).
    """
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data.get("q", "") if valid else ""
    scope = form.cleaned_data.get("comparison") if valid else None
    kind = form.cleaned_data.get("kind", "") if valid else ""
    params = {"q": query, "comparison": scope.slug if scope else ""}
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "scope": scope,
        "kind": next((k for k in KINDS if k.slug == kind), None),
        "all_kinds_url": address(**params),
        "everywhere_url": address(q=query, kind=kind),
    }
    htmx = bool(request.htmx and not request.htmx.history_restore_request)
    if valid and query:
        page = request.GET.get("page")
        remember = partial(remembered, query=query, comparison=scope, kind=kind or None, page=page)

        def results_html() -> str:
            results = find(query, comparison=scope, kind=kind or None, page=page)
            shown = {"results": results, "groups": groups(results, params, kind)}
            return render_to_string(f"{TEMPLATE}#results", {**context, **shown})

        # Our own template's output, escaped when it was rendered.
        context["results_html"] = mark_safe(remember(results_html))  # noqa: S308
        if not htmx:
            # The whole page is the same for everybody but its CSRF token and CSP nonce: kept
            # with holes for them, as the comparison pages are (smsn.pagecache), so a popular
            # search costs their values and a join, not a rendering of the page around it.
            def shared_page() -> list[str]:
                holes = page_cache.Holes()
                html = render_to_string(TEMPLATE, {**context, **holes.context()}, request)
                return holes.split(html)

            parts = remember(shared_page, variant=f"page {request.get_host()}")
            value = page_cache.request_values(request, scope.pk if scope else 0)
            response = HttpResponse(page_cache.fill(parts, value))
            patch_vary_headers(response, ["HX-Request"])
            return response
    if htmx:
        response = HttpResponse(
            context.get("results_html") or render_to_string(f"{TEMPLATE}#results", context)
        )
    else:
        response = render(request, TEMPLATE, context, status=200 if valid else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response
