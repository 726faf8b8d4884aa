"""Every page that shows comments or their forms passes the Nu Html Checker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from definitions.models import Source
from definitions.moderation import ModerationStatus
from tests.test_html_validity import needs_java, validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_thread(client, seeded, comment_form, make_comment, settings):
    """A thread with replies, a removed parent, the visitor's own pending and fresh comments."""
    settings.SMSN_COMMENTS_PER_PAGE = 3
    post = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    old = timezone.now() - timedelta(hours=2)
    top = make_comment(author_url="https://reader.example", created=old, body="See www.a.example")
    make_comment(parent=top, created=old + timedelta(minutes=1))
    removed = make_comment(status=ModerationStatus.REMOVED, created=old + timedelta(minutes=2))
    make_comment(parent=removed, created=old + timedelta(minutes=3))
    make_comment(created=old + timedelta(minutes=4))
    client.post(post, comment_form(body="Mine, <b>in</b> the thread\n\nTwo paragraphs."))
    client.post(post, comment_form(body="x https://a.example https://b.example https://c.example"))
    return Comment.objects.get(body__startswith="Mine")


@needs_java
def test_comment_pages_have_no_html_errors(client, seeded, busy_thread, comment_form, tmp_path):
    source = Source.objects.get(slug="channel-or-place")
    thread = reverse("comments:thread", kwargs={"slug": seeded.slug})
    post = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    top = Comment.objects.filter(is_imported=False, parent=None).first()
    pages = {
        "comparison": client.get(seeded.get_absolute_url()),
        "thread-page-2": client.get(thread, {"page": 2}),
        "source-with-imported": client.get(source.get_absolute_url()),
        "form-errors": client.post(post, comment_form(author_name="", body="x")),
        "reply": client.get(reverse("comments:reply", kwargs={"pk": top.pk})),
        "reply-errors": client.post(post, comment_form(author_name="", parent=str(top.pk))),
        "edit": client.get(reverse("comments:edit", kwargs={"pk": busy_thread.pk})),
        "delete": client.get(reverse("comments:delete", kwargs={"pk": busy_thread.pk})),
        "report": Client().get(reverse("comments:report", kwargs={"pk": top.pk})),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        "comparison": 200,
        "thread-page-2": 200,
        "source-with-imported": 200,
        "form-errors": 400,
        "reply": 200,
        "reply-errors": 400,
        "edit": 200,
        "delete": 200,
        "report": 200,
    }
    assert validate({name: r.content for name, r in pages.items()}, tmp_path) == ""


def test_comment_templates_spell_htmx_attributes_the_valid_way(client, seeded, busy_thread):
    html = client.get(seeded.get_absolute_url()).content.decode()
    discussion = html.split('<section class="wrap discussion"', 1)[1]
    assert "data-hx-get=" in discussion
    assert "data-hx-post=" in discussion
    assert re.findall(r"\shx-[a-z-]+=", discussion) == []
