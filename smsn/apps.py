"""The site itself as an app, so its system checks are registered at start."""

from __future__ import annotations

from django.apps import AppConfig


class SmsnConfig(AppConfig):
    name = "smsn"
    verbose_name = "Site"

    def ready(self) -> None:
        from smsn import checks  # noqa: F401 (registers the checks)
