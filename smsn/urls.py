"""Root URLs: the two apps, the admin at a configurable path, health endpoints."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from smsn import views

# The admin is the moderators' back office: every page of it says so, not "Django administration".
admin.site.site_header = "smsn moderation"
admin.site.site_title = "smsn moderation"
admin.site.index_title = "Queues, log and content"

urlpatterns = [
    # Comparisons (/ and compare/<slug>/), their sources, votes, readers' distinctions, open data,
    # preview images, the distinctions feed and sitemap.xml: definitions/urls.py.
    path("", include("definitions.urls")),
    # Comment threads (compare/<slug>/comments/, …/sources/<slug>/comments/), comment forms,
    # permalinks, edit, delete, report (comments/<pk>/…) and comment feeds: comments/urls.py.
    path("", include("comments.urls")),
    # Search across sources, definitions, distinctions and comments (search/?q=…): search/urls.py.
    path("", include("search.urls")),
    path("healthz", views.liveness, name="liveness"),
    path("readyz", views.readiness, name="readiness"),
    path("privacy/", views.privacy, name="privacy"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("preview.png", views.site_card, name="site_card"),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler400 = "smsn.views.bad_request"
handler403 = "smsn.views.permission_denied"
handler404 = "smsn.views.page_not_found"
handler500 = "smsn.views.server_error"
