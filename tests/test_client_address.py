"""Which address a request counts as: trusted proxies only, validated, one IPv6 /64 per network.

Votes, distinctions, comments, reports and admin sign-ins are limited per network (the keyed hash
of the client's address), so a client that could choose its own address would escape them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from comments.models import Comment, Report
from comments.moderation import VisitorFootprint
from definitions.models import Vote
from definitions.moderation import ModerationStatus
from smsn import ratelimit
from smsn.visitors import client_ip, client_network, hash_ip

BASE_DIR = Path(__file__).resolve().parent.parent


def vote_url(distinction) -> str:
    return reverse("definitions:vote", args=[distinction.pk])


@pytest.fixture
def still_clock(monkeypatch):
    """Hold the clock still so no rate-limit window rolls over during a test."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


def test_the_trusted_proxy_count_is_zero_unless_configured():
    from django.conf import settings

    program = "import django; django.setup(); from django.conf import settings as s; "
    program += "print(s.SMSN_TRUSTED_PROXY_COUNT)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="t" * 60, DJANGO_SETTINGS_MODULE="smsn.settings")
    production = subprocess.run(
        [sys.executable, "-c", program], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert production.stdout.strip() == "0", production.stderr
    assert settings.SMSN_TRUSTED_PROXY_COUNT == 0


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_trusted_proxy_count_that_is_not_a_whole_number_stops_the_site_starting(value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    env.update(SMSN_TRUSTED_PROXY_COUNT=value, DJANGO_SETTINGS_MODULE="smsn.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SMSN_TRUSTED_PROXY_COUNT must be a whole number" in result.stderr


def test_without_a_trusted_proxy_forged_forwarded_addresses_do_not_escape_the_vote_limit(
    seeded, bulk_distinctions, settings, still_clock
):
    limit = settings.SMSN_RATE_LIMITS["vote"][0][0]
    made = bulk_distinctions(limit + 10)
    answers = [
        Client(REMOTE_ADDR="198.51.100.23", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .post(vote_url(distinction), {"value": "1"})
        .status_code
        for n, distinction in enumerate(made)
    ]
    assert answers.count(302) == limit
    assert answers[limit:] == [429] * 10
    assert Vote.objects.count() == limit


def test_behind_one_trusted_proxy_the_address_it_appended_is_the_one_counted(seeded, settings):
    settings.SMSN_TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    forged = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 9.9.9.9,  203.0.113.7"
    )
    assert client_ip(forged) == "203.0.113.7"
    # Nothing the client puts before it changes which network the request counts as.
    assert client_ip(forged) == client_ip(
        factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="5.5.5.5,203.0.113.7")
    )
    Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7").post(
        vote_url(seeded.sources.first().distinction), {"value": "1"}
    )
    assert Vote.objects.get().ip_hash == hash_ip("203.0.113.7")


def test_behind_one_trusted_proxy_forged_entries_do_not_escape_the_vote_limit(
    seeded, bulk_distinctions, settings, still_clock
):
    settings.SMSN_TRUSTED_PROXY_COUNT = 1
    limit = settings.SMSN_RATE_LIMITS["vote"][0][0]
    made = bulk_distinctions(limit + 5)
    answers = [
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.23")
        .post(vote_url(distinction), {"value": "1"})
        .status_code
        for n, distinction in enumerate(made)
    ]
    assert answers[limit:] == [429] * 5


def test_with_two_trusted_proxies_the_address_the_outer_one_appended_is_counted(settings):
    settings.SMSN_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7, 10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded", ["unknown", "203.0.113.7:443", "<script>", "203.0.113.256", "2001:db8::g"]
)
def test_an_entry_that_is_not_an_address_counts_as_the_proxy_never_as_the_clients_choice(
    settings, forwarded
):
    settings.SMSN_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "10.0.0.2"


def test_with_fewer_forwarded_entries_than_trusted_proxies_the_peer_is_counted(settings):
    settings.SMSN_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(request) == "10.0.0.2"


def test_addresses_are_written_one_way_whatever_way_they_arrive():
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR="::ffff:198.51.100.23")) == "198.51.100.23"
    assert client_ip(factory.get("/", REMOTE_ADDR="2001:DB8:0:0::1")) == "2001:db8::1"
    assert client_ip(factory.get("/", REMOTE_ADDR="not an address")) == ""


def test_one_ipv6_slash_64_is_one_network_and_the_next_is_another():
    assert client_network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert hash_ip("2001:db8:1:2::1") == hash_ip("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert hash_ip("2001:db8:1:2::1") != hash_ip("2001:db8:1:3::1")
    # An IPv4 address is a network of its own.
    assert hash_ip("198.51.100.23") != hash_ip("198.51.100.24")


def test_forty_addresses_of_one_ipv6_slash_64_share_one_vote_limit(
    seeded, bulk_distinctions, settings, still_clock
):
    limit = settings.SMSN_RATE_LIMITS["vote"][0][0]
    made = bulk_distinctions(limit + 10)
    answers = [
        Client(REMOTE_ADDR=f"2001:db8:5:7::{n + 1:x}").post(vote_url(d), {"value": "1"}).status_code
        for n, d in enumerate(made)
    ]
    assert answers.count(302) == limit
    assert answers[limit:] == [429] * 10
    # Another /64 is another network.
    other = Client(REMOTE_ADDR="2001:db8:5:8::1").post(vote_url(made[-1]), {"value": "1"})
    assert other.status_code == 302


def test_three_addresses_of_one_ipv6_slash_64_cannot_hide_a_comment_by_reporting_it(
    seeded, make_comment
):
    comment = make_comment(body="An opinion somebody dislikes")
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    for n in range(1, 4):
        Client(REMOTE_ADDR=f"2001:db8:5:7::{n}").post(url, {"reason": "dislike"})
    comment.refresh_from_db()
    assert Report.objects.filter(comment=comment).count() == 1
    assert comment.status == ModerationStatus.PUBLISHED


def test_removing_everything_from_a_network_reaches_all_its_ipv6_addresses(seeded, comment_form):
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    for n, body in [(1, "First words from this home."), (2, "Second words from this home.")]:
        Client(REMOTE_ADDR=f"2001:db8:5:7::{n}").post(url, comment_form(body=body))
    Client(REMOTE_ADDR="2001:db8:5:8::1").post(url, comment_form(body="A neighbour's words."))
    first = Comment.objects.get(body="First words from this home.")
    footprint = VisitorFootprint.of([(None, first.ip_hash)])
    assert sorted(footprint.comments().values_list("body", flat=True)) == [
        "First words from this home.",
        "Second words from this home.",
    ]


@pytest.mark.django_db
def test_admin_sign_in_failures_from_forged_forwarded_addresses_count_as_one_address(settings):
    from django.contrib.auth import get_user_model

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_user_model().objects.create_user("mod", password="right", is_staff=True)
    answers = [
        Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(reverse("admin:login"), {"username": "mod", "password": "wrong"})
        .status_code
        for n in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0] + 1)
    ]
    assert answers[-1] == 429


# Health checks come from the proxy and the container engine over plain http.


def _production_health(tmp_path: Path) -> dict:
    program = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import override_settings\n"
        # Plain static storage: no collectstatic has run, and static files are not the point.
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
        "client = Client(HTTP_HOST='smsn.example')\n"
        "seen = {}\n"
        "for path in ['/healthz', '/readyz', '/privacy/']:\n"
        "    got, head = client.get(path), client.head(path)\n"
        "    seen[path] = [got.status_code, got.get('Location'), head.status_code,\n"
        "                  head.get('Location'), len(head.content)]\n"
        "seen['post'] = client.post('/healthz').status_code\n"
        "print(json.dumps(seen))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="health-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="smsn.example",
        DJANGO_SETTINGS_MODULE="smsn.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'health.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_health_checks_answer_get_and_head_over_plain_http_in_production(tmp_path):
    seen = _production_health(tmp_path)
    status, location, head_status, head_location, head_body = seen["/healthz"]
    assert (status, location, head_status, head_location, head_body) == (200, None, 200, None, 0)
    # Readiness may say "not ready" (this database has no tables), but never redirects.
    status, location, head_status, head_location, _ = seen["/readyz"]
    assert status in {200, 503}
    assert head_status == status
    assert (location, head_location) == (None, None)
    # Every other page still goes to https.
    assert seen["/privacy/"][:2] == [301, "https://smsn.example/privacy/"]
    assert seen["post"] == 405
