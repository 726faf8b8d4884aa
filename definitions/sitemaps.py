"""sitemap.xml: every published comparison and every published source of one, and the home page.

Addresses are on SMSN_SITE_URL when it is set (as the canonical links are), else on the
request's scheme and host.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from definitions.models import Comparison, Source


class SiteSitemap(Sitemap):
    """Addresses on the site's public address when it has one."""

    def get_domain(self, site: Any = None) -> str:
        if settings.SMSN_SITE_URL:
            return urlsplit(settings.SMSN_SITE_URL).netloc
        return super().get_domain(site)

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SMSN_SITE_URL:
            return urlsplit(settings.SMSN_SITE_URL).scheme
        return super().get_protocol(protocol)


class HomeSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["definitions:home", "privacy"]

    def location(self, item: str) -> str:
        return reverse(item)


class ComparisonSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.9

    def items(self) -> QuerySet[Comparison]:
        return Comparison.objects.listed()

    def lastmod(self, comparison: Comparison) -> datetime:
        return comparison.last_activity


class SourceSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Source]:
        return (
            Source.objects.published()
            .filter(comparison__is_published=True)
            .select_related("comparison")
            .order_by("comparison__position", "comparison__slug", "position", "id")
        )


SITEMAPS = {"site": HomeSitemap, "comparisons": ComparisonSitemap, "sources": SourceSitemap}
