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


# Moderation (issue 5): accounts for the admin, and builders for rows a visitor leaves behind.


@pytest.fixture
def moderator(db):
    """A staff account in the "Moderators" group, as `createmoderator` makes it."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("moira", password="not-used-in-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_client(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def staff_client(db) -> Client:
    """A staff account that is not in the Moderators group."""
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_user("stan", is_staff=True))
    return client


@pytest.fixture
def superuser_client(db) -> Client:
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.fixture
def make_comment(seeded):
    """Return a builder of reader comments on the flagship comparison (or one of its sources)."""
    from comments.models import Comment

    def build(**fields):
        fields.setdefault("comparison", seeded)
        fields.setdefault("author_name", "Reader")
        fields.setdefault("body", f"A comment {uuid.uuid4().hex[:6]}")
        fields.setdefault("visitor_id", uuid.uuid4())
        fields.setdefault("ip_hash", uuid.uuid4().hex * 2)
        return Comment.objects.create(**fields)

    return build


@pytest.fixture
def make_distinction(seeded):
    """Return a builder of readers' distinctions on the flagship comparison."""
    from definitions.models import Distinction

    def build(**fields):
        fields.setdefault("comparison", seeded)
        fields.setdefault("author_name", "Reader")
        fields.setdefault("text_a", f"Broadcasting {uuid.uuid4().hex[:6]}")
        fields.setdefault("text_b", "Relationships")
        fields.setdefault("visitor_id", uuid.uuid4())
        fields.setdefault("ip_hash", uuid.uuid4().hex * 2)
        return Distinction.objects.create(**fields)

    return build


@pytest.fixture
def make_vote():
    """Return a builder of votes that keeps the distinction's stored counts in step."""
    from definitions.models import Vote

    def build(distinction, value=Vote.Value.UP, **fields):
        fields.setdefault("visitor_id", uuid.uuid4())
        fields.setdefault("ip_hash", uuid.uuid4().hex * 2)
        vote = Vote.objects.create(distinction=distinction, value=value, **fields)
        distinction.recount()
        distinction.save(update_fields=["upvotes", "downvotes", "score"])
        return vote

    return build
