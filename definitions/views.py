"""Pages for comparisons and their sources."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from definitions.models import Comparison, Source


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the flagship comparison."""
    return comparison(request, settings.SMSN_FLAGSHIP_COMPARISON)


@require_GET
def comparison(request: HttpRequest, slug: str) -> HttpResponse:
    comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
    sources = (
        comparison.sources.published().select_related("distinction").prefetch_related("definitions")
    )
    return render(
        request, "definitions/comparison.html", {"comparison": comparison, "sources": sources}
    )


@require_GET
def source(request: HttpRequest, comparison_slug: str, slug: str) -> HttpResponse:
    source = get_object_or_404(
        Source.objects.published().select_related("comparison"),
        comparison__slug=comparison_slug,
        comparison__is_published=True,
        slug=slug,
    )
    return render(request, "definitions/source.html", {"source": source})
