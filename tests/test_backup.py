"""Backups: bin/backup and bin/restore bring a whole site back, and the pages show the same data.

A site with readers' votes, distinctions, comments, a report and a moderator's decision is backed
up with bin/backup, restored with bin/restore into an empty database, and read from there: the
comparison page and the moderators' admin show the same things, and every table counts the same.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from definitions.models import Distinction, Vote
from definitions.moderation import ModerationStatus
from smsn import pagecache as page_cache

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def _url(name: str) -> str:
    """Return the URL of database `name` on the server (and as the user) the tests use."""
    s = connection.settings_dict
    user = quote(s["USER"], safe="") + (
        f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    )
    return f"postgres://{user}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def _run(script: str, *args: str, database: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _url(database)}
    return subprocess.run(
        [str(BASE_DIR / "bin" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"smsn_backup_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def reading_from(name: str) -> Iterator[None]:
    """Point the site at database `name` for the block, as an operator would with DATABASE_URL."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    connection.close()
    settings_dict["NAME"] = name
    page_cache.forget_local_copies()
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = original
        page_cache.forget_local_copies()


def _text(markup: str) -> str:
    """Return what a person reads on a page: its text, without tags, tokens or spacing."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


ADMIN_LISTS = [
    "admin:comments_comment_changelist",
    "admin:definitions_distinction_changelist",
    "admin:definitions_vote_changelist",
    "admin:comments_report_changelist",
    "admin:definitions_source_changelist",
]


def _what_the_site_shows(seeded_slug: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    # Counted first: the moderator's sign-in below adds a session.
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    reader = Client()
    moderator = Client()
    moderator.force_login(get_user_model().objects.get(username="root"))
    shown: dict[str, Any] = {
        "counts": counts,
        "comparison": _text(reader.get(f"/compare/{seeded_slug}/").content.decode()),
        "home": _text(reader.get("/").content.decode()),
    }
    for name in ADMIN_LISTS:
        response = moderator.get(reverse(name))
        assert response.status_code == 200, name
        shown[name] = _text(response.content.decode())
    return shown


@pytest.fixture
def busy_site(seeded, comment_form, distinction_form):
    """The flagship comparison after readers and a moderator have been at it."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.org", "x")
    slug = seeded.slug
    for n, text in enumerate(["a loudspeaker", "a room", "a market"]):
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            reverse("definitions:add_distinction", kwargs={"slug": slug}),
            distinction_form(text_a=f"Social media is {text} for many.", axis_a=f"axis {n}"),
        )
    distinctions = list(Distinction.objects.all())
    for n in range(12):
        voter = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        voter.post(
            reverse("definitions:vote", args=[distinctions[n % len(distinctions)].pk]),
            {"value": "1" if n % 3 else "-1"},
        )
    post = reverse("comments:post_on_comparison", kwargs={"slug": slug})
    for n in range(4):
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            post, comment_form(body=f"Reader comment number {n} on the two terms.")
        )
    first = Comment.objects.filter(body__startswith="Reader comment number 0").get()
    Client(REMOTE_ADDR="192.0.2.50").post(
        post,
        comment_form(body="A reply to the first reader.", parent=str(first.pk)),
    )
    Client(REMOTE_ADDR="192.0.2.60").post(reverse("comments:report", kwargs={"pk": first.pk}))
    Comment.objects.filter(body__startswith="Reader comment number 3").update(
        status=ModerationStatus.REMOVED
    )
    assert Distinction.objects.from_readers().count() == 3
    assert Vote.objects.count() == 12
    assert Comment.objects.filter(body__startswith="Reader comment").count() == 4
    assert Comment.objects.filter(parent=first).count() == 1
    assert first.reports.count() == 1
    return seeded


def test_a_restored_backup_shows_the_same_pages_admin_and_counts(
    busy_site, empty_database, tmp_path
):
    dump = tmp_path / "smsn.dump"
    backed_up = _run("backup", str(dump), database=connection.settings_dict["NAME"])
    assert backed_up.returncode == 0, backed_up.stderr
    before = _what_the_site_shows(busy_site.slug)
    restored = _run("restore", str(dump), database=empty_database)
    assert restored.returncode == 0, restored.stderr
    with reading_from(empty_database):
        after = _what_the_site_shows(busy_site.slug)
    assert after["counts"] == before["counts"]
    for page in before:
        assert after[page] == before[page], page
    assert "Reader comment number 2 on the two terms." in after["comparison"]
    assert "Reader comment number 3" not in after["comparison"]


def test_the_restored_site_takes_new_votes_and_comments(
    busy_site, empty_database, tmp_path, comment_form
):
    dump = tmp_path / "smsn.dump"
    assert _run("backup", str(dump), database=connection.settings_dict["NAME"]).returncode == 0
    assert _run("restore", str(dump), database=empty_database).returncode == 0
    with reading_from(empty_database):
        newest = Comment.objects.latest("pk").pk
        client = Client(REMOTE_ADDR="198.51.100.200")
        vote = client.post(
            reverse("definitions:vote", args=[Distinction.objects.earliest("pk").pk]),
            {"value": "1"},
        )
        assert vote.status_code == 302
        posted = client.post(
            reverse("comments:post_on_comparison", kwargs={"slug": busy_site.slug}),
            comment_form(body="Written after the restore."),
        )
        assert posted.status_code == 302
        # The id sequences came back too: new rows take ids after the restored ones.
        assert Comment.objects.get(body="Written after the restore.").pk > newest


def test_the_cache_tables_rows_are_left_out_of_the_backup(busy_site, empty_database, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM smsn_cache")
        assert cursor.fetchone()[0] > 0
    dump = tmp_path / "smsn.dump"
    assert _run("backup", str(dump), database=connection.settings_dict["NAME"]).returncode == 0
    assert _run("restore", str(dump), database=empty_database).returncode == 0
    with reading_from(empty_database), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM smsn_cache")
        assert cursor.fetchone()[0] == 0


def test_restoring_into_a_database_with_tables_is_refused(busy_site, tmp_path):
    dump = tmp_path / "smsn.dump"
    assert _run("backup", str(dump), database=connection.settings_dict["NAME"]).returncode == 0
    refused = _run("restore", str(dump), database=connection.settings_dict["NAME"])
    assert refused.returncode == 1
    assert "restore into an empty one" in refused.stderr
