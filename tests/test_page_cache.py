"""The comparison page is cached for everyone; every change a visitor or moderator makes shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from comments.models import Comment, CommentStatus
from comments.moderation import moderate
from definitions.models import Distinction, ModerationStatus

pytestmark = pytest.mark.django_db


def page(client, seeded) -> str:
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def vote_counts(html: str, distinction: Distinction) -> tuple[str, str]:
    form = re.search(rf'<form class="vote" id="vote-{distinction.pk}".*?</form>', html, re.S)
    up, down = re.findall(r'<span class="vote-count">(\d+)</span>', form.group(0))
    return up, down


def test_a_vote_shows_in_the_next_page_view_of_the_voter_and_of_a_stranger(
    client, seeded, make_distinction, returning_visitor
):
    distinction = make_distinction()
    assert vote_counts(page(client, seeded), distinction) == ("0", "0")
    voter, _ = returning_visitor()
    voter.post(reverse("definitions:vote", args=[distinction.pk]), {"value": "1"})
    html = page(voter, seeded)
    assert vote_counts(html, distinction) == ("1", "0")
    assert f'id="vote-{distinction.pk}-up" name="value" value="0" aria-pressed="true"' in html
    assert vote_counts(page(client, seeded), distinction) == ("1", "0")


def test_a_stranger_never_sees_another_visitors_vote_as_their_own(
    client, seeded, make_distinction, returning_visitor
):
    distinction = make_distinction()
    voter, _ = returning_visitor()
    voter.post(reverse("definitions:vote", args=[distinction.pk]), {"value": "1"})
    page(voter, seeded)
    assert 'aria-pressed="true"' not in page(client, seeded)


def test_a_distinction_a_moderator_removes_is_gone_from_the_next_page_view(
    client, seeded, make_distinction, moderator
):
    distinction = make_distinction(text_a="Broadcast to strangers")
    assert "Broadcast to strangers" in page(client, seeded)
    moderate(
        queryset=Distinction.objects.filter(pk=distinction.pk),
        status=ModerationStatus.REMOVED,
        user=moderator,
    )
    assert "Broadcast to strangers" not in page(client, seeded)


def test_a_comment_a_moderator_publishes_shows_in_the_next_page_view(
    client, seeded, make_comment, moderator
):
    comment = make_comment(body="Held for a moderator", status=CommentStatus.PENDING)
    assert "Held for a moderator" not in page(client, seeded)
    moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=CommentStatus.PUBLISHED,
        user=moderator,
    )
    assert "Held for a moderator" in page(client, seeded)


def test_a_posted_comment_shows_in_the_next_page_view_of_a_stranger(client, seeded, comment_form):
    page(client, seeded)
    poster = type(client)()
    poster.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}),
        comment_form(body="Fresh from the form"),
    )
    assert "Fresh from the form" in page(client, seeded)


def test_every_page_view_gets_its_own_csrf_token_nonce_and_form_tickets(client, seeded):
    first, second = (
        client.get(seeded.get_absolute_url()),
        type(client)().get(seeded.get_absolute_url()),
    )
    for response in (first, second):
        html = response.content.decode()
        nonce = re.search(r'nonce="([^"]+)"', html).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert "\ue000" not in html
    tickets = [
        re.search(r'name="ticket" value="([^"]+)"', r.content.decode()).group(1)
        for r in (first, second)
    ]
    assert tickets[0] != tickets[1]
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
        for r in (first, second)
    ]
    assert tokens[0] != tokens[1]


def test_a_visitor_with_a_pending_distinction_still_sees_it_on_a_cached_page(
    client, seeded, make_distinction, returning_visitor
):
    page(client, seeded)
    visitor, visitor_id = returning_visitor()
    make_distinction(text_a="Mine, waiting", visitor_id=visitor_id, status=ModerationStatus.PENDING)
    assert "Mine, waiting" in page(visitor, seeded)
    assert "Mine, waiting" not in page(client, seeded)
