"""Addresses of comparisons, their sources, examples, votes, readers' distinctions, open data."""

from __future__ import annotations

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from definitions import feeds, views
from definitions.sitemaps import SITEMAPS

app_name = "definitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/<slug:slug>/", views.comparison, name="comparison"),
    path("compare/<slug:slug>.json", views.comparison_json, name="comparison_json"),
    path("compare/<slug:slug>/preview.png", views.comparison_card, name="comparison_card"),
    path("compare/<slug:slug>/distinctions/", views.add_distinction, name="add_distinction"),
    path("compare/<slug:comparison_slug>/sources/<slug:slug>/", views.source, name="source"),
    path("distinctions/<int:pk>/", views.distinction, name="distinction"),
    path("distinctions/<int:pk>/edit/", views.edit_distinction, name="edit_distinction"),
    path("distinctions/<int:pk>/delete/", views.delete_distinction, name="delete_distinction"),
    path("distinctions/<int:pk>/report/", views.report_distinction, name="report_distinction"),
    path("distinctions/<int:pk>/vote/", views.vote, name="vote"),
    path("points/<int:pk>/place/", views.place, name="place"),
    path("compare/<slug:slug>/examples/", views.examples, name="examples"),
    path("compare/<slug:comparison_slug>/examples/<slug:slug>/", views.example, name="example"),
    path("examples/<int:pk>/answer/", views.answer, name="answer"),
    path("compare/<slug:slug>/feeds/examples/", feeds.ExamplesFeed(), name="examples_feed"),
    path(
        "compare/<slug:slug>/feeds/distinctions/",
        feeds.ReaderDistinctionsFeed(),
        name="distinctions_feed",
    ),
    # The sitemap answers at the site's root, as crawlers look for it (robots.txt names it too).
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
