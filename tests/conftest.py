"""Shared fixtures: the shipped seed data, visitors, and small builders for test rows."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.test import Client

from definitions.models import Comparison


@pytest.fixture
def seeded(db) -> Comparison:
    """Load the five shipped sources and return the flagship comparison."""
    call_command("loadsources", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Comparison.objects.get(slug="social-media-vs-social-networking")


@pytest.fixture
def visitor_client() -> Client:
    """A client that behaves like a browser of a fresh anonymous visitor."""
    return Client(REMOTE_ADDR=f"10.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
