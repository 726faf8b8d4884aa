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
        return vote

    return build


# Reader comments (issue 4): a visitor's filled-in comment form.


@pytest.fixture
def comment_form():
    """Return a builder of the POST data of a comment form a person filled in a minute ago."""
    import time

    from comments.forms import new_ticket

    def build(**fields):
        data = {
            "body": "Social media is the channel; social networking is what people do there.",
            "author_name": "Ada",
            "author_url": "",
            "author_email": "",
            "homepage": "",
            "parent": "",
            "ticket": new_ticket(issued_at=time.time() - 60),
        }
        data.update(fields)
        return data

    return build


# The comparison page (issue 3): returning visitors, the distinction form, bulk rows.


def visitor_cookie_value(visitor_id: uuid.UUID) -> str:
    """Return the signed cookie value the site gives a visitor with this id."""
    from django.conf import settings
    from django.http import HttpResponse

    from smsn.visitors import SALT

    response = HttpResponse()
    response.set_signed_cookie(settings.SMSN_VISITOR_COOKIE, str(visitor_id), salt=SALT)
    return response.cookies[settings.SMSN_VISITOR_COOKIE].value


@pytest.fixture
def returning_visitor():
    """Return a builder of (client, visitor id) for a visitor whose browser has the id cookie."""
    from django.conf import settings

    def build(visitor_id: uuid.UUID | None = None) -> tuple[Client, uuid.UUID]:
        visitor_id = visitor_id or uuid.uuid4()
        client = Client(REMOTE_ADDR=f"10.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
        client.cookies[settings.SMSN_VISITOR_COOKIE] = visitor_cookie_value(visitor_id)
        return client, visitor_id

    return build


@pytest.fixture
def distinction_form(seeded):
    """Return a builder of the POST data of a distinction form a person filled in a minute ago."""
    import time

    from definitions.forms import issue_token

    def build(**fields):
        data = {
            "text_a": "Social media is a loudspeaker: one voice, many listeners.",
            "text_b": "Social networking is a room where everybody talks back.",
            "axis_a": "loudspeaker",
            "axis_b": "room",
            "author_name": "Ada",
            "homepage": "",
            "token": issue_token(seeded, issued_at=time.time() - 60),
        }
        data.update(fields)
        return data

    return build


@pytest.fixture
def bulk_distinctions(seeded):
    """Return a builder of many readers' distinctions with votes, made with bulk_create."""
    import random

    from definitions.models import Distinction, Vote, wilson_lower_bound

    def build(count: int, votes: int = 0, *, seed: int = 3) -> list[Distinction]:
        rng = random.Random(seed)
        rows = [
            Distinction(
                comparison=seeded,
                text_a=f"Social media, take {n}: a channel for content.",
                text_b=f"Social networking, take {n}: people in a place.",
                axis_a="channel" if n % 2 else "",
                axis_b="place" if n % 2 else "",
                author_name=f"Reader {n}",
                visitor_id=uuid.uuid4(),
            )
            for n in range(count)
        ]
        made = Distinction.objects.bulk_create(rows)
        if votes:
            vote_rows = [
                Vote(
                    distinction=made[n % len(made)],
                    visitor_id=uuid.uuid4(),
                    value=rng.choice([1, 1, -1]),
                )
                for n in range(votes)
            ]
            Vote.objects.bulk_create(vote_rows, batch_size=1000)
            counts: dict[int, list[int]] = {d.pk: [0, 0] for d in made}
            for vote in vote_rows:
                counts[vote.distinction.pk][0 if vote.value == 1 else 1] += 1
            for d in made:
                d.upvotes, d.downvotes = counts[d.pk]
                d.score = wilson_lower_bound(d.upvotes, d.downvotes)
            Distinction.objects.bulk_update(made, ["upvotes", "downvotes", "score"], batch_size=500)
        return made

    return build


# Adding sources from text (issue 9): the raw seed articles and a new one written for the tests.


@pytest.fixture
def raw_seed_articles(request) -> dict[str, str]:
    """The five seed articles as scraped (tests/data/seeds), by seed key."""
    seeds = request.config.rootpath / "tests" / "data" / "seeds"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))}


@pytest.fixture
def new_article_text(request) -> str:
    """A scraped blog post on the flagship comparison that is not one of the seeds."""
    path = request.config.rootpath / "tests" / "data" / "intake_new_article.txt"
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def current_pages_for_everyone(settings):
    """Tests change rows and look at once as a stranger: strangers get the current page too.

    (Production lets a worker serve new visitors its copy for up to a second unchecked; the
    tests of that are in test_page_cache.py.)
    """
    settings.SMSN_SHARED_PAGE_MAX_AGE = 0


@pytest.fixture(autouse=True)
def empty_shared_cache():
    """Start every test with an empty shared cache, so no cached page leaks between tests."""
    import contextlib

    from django.core.cache import cache

    from search import results as search_results
    from smsn import pagecache as page_cache

    # A test without the database (DatabaseCache in tests) has nothing cached either.
    with contextlib.suppress(Exception):
        cache.clear()
    page_cache.forget_local_copies()
    search_results.forget_local_copies()


@pytest.fixture
def redis_shared_cache(settings):
    """Use production's Redis cache backend (db 15, a key prefix of its own) for this test."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=15)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (bin/serve and CI expect it)")
    # A prefix of its own: nothing another test (or test process) stored can be read here.
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "smsn.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
