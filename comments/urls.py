"""Addresses of comment threads, comment forms and feeds (included at the site root)."""

from __future__ import annotations

from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("compare/<slug:slug>/comments/", views.thread, name="thread"),
    path("compare/<slug:slug>/comments/post/", views.post_on_comparison, name="post_on_comparison"),
    path(
        "compare/<slug:comparison_slug>/sources/<slug:slug>/comments/",
        views.source_thread,
        name="source_thread",
    ),
    path(
        "compare/<slug:comparison_slug>/sources/<slug:slug>/comments/post/",
        views.post_on_source,
        name="post_on_source",
    ),
    path(
        "compare/<slug:slug>/distinctions/<int:pk>/discuss/",
        views.distinction_thread,
        name="distinction_thread",
    ),
    path(
        "compare/<slug:slug>/distinctions/<int:pk>/discuss/post/",
        views.post_on_distinction,
        name="post_on_distinction",
    ),
    path(
        "compare/<slug:slug>/distinctions/<int:pk>/discuss/feeds/comments/",
        feeds.DistinctionCommentsFeed(),
        name="distinction_feed",
    ),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path(
        "compare/<slug:slug>/feeds/comments/",
        feeds.ComparisonCommentsFeed(),
        name="comparison_feed",
    ),
    path(
        "compare/<slug:comparison_slug>/sources/<slug:slug>/feeds/comments/",
        feeds.SourceCommentsFeed(),
        name="source_feed",
    ),
]
