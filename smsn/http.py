"""The request the site's views receive: Django's, plus what the site's middleware attaches."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from smsn.visitors import Visitor


class SiteRequest(HttpRequest):
    """An HttpRequest after the middleware in settings.MIDDLEWARE has run.

    Only for annotations: Django builds its own request class, and the middleware sets these
    attributes on it (the pattern of django-htmx's `HtmxHttpRequest`).
    """

    visitor: Visitor  # smsn.visitors.VisitorMiddleware
    htmx: HtmxDetails  # django_htmx.middleware.HtmxMiddleware
