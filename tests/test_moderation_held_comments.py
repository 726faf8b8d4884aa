"""Moderators see a held comment in its thread; nobody else does, and no cache keeps it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HELD_MARKER = "Held: only moderators see this"


@pytest.mark.parametrize(
    "status", [ModerationStatus.PENDING, ModerationStatus.REMOVED, ModerationStatus.SPAM]
)
def test_a_moderator_sees_a_held_comment_on_its_permalink_marked_as_held(
    moderator_client, make_comment, status
):
    comment = make_comment(body="Waiting for a second look", status=status)
    response = moderator_client.get(comment.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for a second look" in html
    assert HELD_MARKER in html
    assert reverse("admin:comments_comment_change", args=[comment.pk]) in html
    assert 'name="robots" content="noindex"' in html


def test_a_held_reply_is_shown_under_the_comment_it_answers(moderator_client, make_comment):
    parent = make_comment(body="The comment everyone sees")
    reply = make_comment(body="A reply on hold", parent=parent, status=ModerationStatus.PENDING)
    html = moderator_client.get(reply.get_absolute_url()).content.decode()
    assert html.index("The comment everyone sees") < html.index("A reply on hold")
    assert html.count(HELD_MARKER) == 2  # the page's notice and the reply's label


def test_the_admins_view_on_site_of_a_pending_comment_leads_the_moderator_to_it(
    moderator_client, make_comment
):
    comment = make_comment(body="Pending and looked at", status=ModerationStatus.PENDING)
    change = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert change.context["has_absolute_url"]
    response = moderator_client.get(change.context["absolute_url"], follow=True)
    assert response.status_code == 200
    assert "Pending and looked at" in response.content.decode()


def test_the_held_page_is_never_cached(moderator_client, make_comment):
    comment = make_comment(status=ModerationStatus.PENDING)
    response = moderator_client.get(comment.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_visitors_and_staff_outside_the_group_still_get_404_for_a_held_comment(
    client, staff_client, make_comment
):
    comment = make_comment(body="Not for readers", status=ModerationStatus.PENDING)
    for somebody in (client, staff_client):
        response = somebody.get(comment.get_absolute_url())
        assert response.status_code == 404
        assert "Not for readers" not in response.content.decode()


def test_a_published_comment_still_sends_the_moderator_to_its_thread(
    moderator_client, make_comment
):
    comment = make_comment()
    response = moderator_client.get(comment.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{comment.anchor}")


def test_a_moderator_sees_a_held_comment_in_its_place_on_the_right_page_of_its_thread(
    moderator_client, seeded, make_comment, settings
):
    settings.SMSN_COMMENTS_PER_PAGE = 2
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(hours=1)
    for n in range(3):
        make_comment(body=f"Published number {n}", created=start + timedelta(minutes=n))
    held = make_comment(
        body="Removed for rudeness",
        status=ModerationStatus.REMOVED,
        created=start + timedelta(minutes=3),
    )
    make_comment(body="Published after it", created=start + timedelta(minutes=4))
    make_comment(body="Published last", created=start + timedelta(minutes=5))
    response = moderator_client.get(held.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    # Page two of three (two top-level comments a page): the one before it and the held one.
    assert "<h1>Comments, page 2 of 3</h1>" in html
    assert html.index("Published number 2") < html.index("Removed for rudeness")
    assert "Published number 1" not in html
    assert "Published after it" not in html
    assert f'id="{held.anchor}"' in html
    assert "Held: only moderators see this · Removed" in html
    assert "no-store" in response["Cache-Control"]


def test_a_held_reply_under_a_held_comment_is_shown_with_it_in_the_thread(
    moderator_client, make_comment
):
    parent = make_comment(body="Held parent", status=ModerationStatus.SPAM)
    reply = make_comment(body="Held reply", parent=parent, status=ModerationStatus.PENDING)
    make_comment(body="Everybody reads this")
    html = moderator_client.get(reply.get_absolute_url()).content.decode()
    assert "Everybody reads this" in html
    assert html.index("Held parent") < html.index("Held reply")
    assert html.count("Held: only moderators see this ·") == 2
