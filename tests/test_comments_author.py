"""The author's own comment: editing and deleting it for fifteen minutes after posting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def own_comment(client, seeded, comment_form) -> Comment:
    """A comment `client` posted a moment ago."""
    client.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}),
        comment_form(body="My first thought"),
    )
    return Comment.objects.get(body="My first thought")


def edit_url(comment: Comment) -> str:
    return reverse("comments:edit", kwargs={"pk": comment.pk})


def delete_url(comment: Comment) -> str:
    return reverse("comments:delete", kwargs={"pk": comment.pk})


def age(comment: Comment, minutes: int) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created=timezone.now() - timedelta(minutes=minutes)
    )


def test_author_sees_edit_and_delete_links_and_others_do_not(client, seeded, own_comment):
    mine = client.get(seeded.get_absolute_url()).content.decode()
    assert f'href="{edit_url(own_comment)}"' in mine
    assert f'href="{delete_url(own_comment)}"' in mine
    theirs = Client().get(seeded.get_absolute_url()).content.decode()
    assert edit_url(own_comment) not in theirs
    assert delete_url(own_comment) not in theirs


def test_author_can_edit_and_the_comment_then_says_edited(client, seeded, own_comment):
    response = client.post(edit_url(own_comment), {"body": "My second thought"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{own_comment.pk}")
    own_comment.refresh_from_db()
    assert own_comment.body == "My second thought"
    assert own_comment.edited is not None
    html = Client().get(seeded.get_absolute_url()).content.decode()
    article = html.split(f'id="comment-{own_comment.pk}"', 1)[1].split("</article>", 1)[0]
    assert "My second thought" in article
    assert '<span class="comment-edited">edited</span>' in article


def test_saving_the_same_text_is_not_an_edit(client, own_comment):
    client.post(edit_url(own_comment), {"body": "My first thought"})
    own_comment.refresh_from_db()
    assert own_comment.edited is None


def test_edit_form_works_without_javascript_and_in_place_with_htmx(client, own_comment):
    page = client.get(edit_url(own_comment)).content.decode()
    assert "<html" in page
    assert ">\nMy first thought</textarea>" in page
    partial = client.get(edit_url(own_comment), **HTMX).content.decode()
    assert "<html" not in partial
    assert partial.strip().startswith(
        f'<article class="comment is-editing" id="comment-{own_comment.pk}">'
    )


def test_htmx_edit_answers_with_the_updated_comment(client, own_comment):
    html = client.post(edit_url(own_comment), {"body": "Changed in place"}, **HTMX).content.decode()
    assert html.strip().startswith(f'<article class="comment" id="comment-{own_comment.pk}">')
    assert "Changed in place" in html
    assert "edited" in html
    assert "Saved." in html


def test_edit_with_an_invalid_body_keeps_the_text_and_changes_nothing(client, own_comment):
    response = client.post(edit_url(own_comment), {"body": "x\x00y"})
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == "My first thought"


def test_edit_that_adds_many_links_sends_the_comment_to_moderation(client, seeded, own_comment):
    client.post(
        edit_url(own_comment), {"body": "https://a.example https://b.example https://c.example"}
    )
    own_comment.refresh_from_db()
    assert own_comment.status == ModerationStatus.PENDING
    assert (
        f'id="comment-{own_comment.pk}"'
        not in Client().get(seeded.get_absolute_url()).content.decode()
    )


def test_another_visitor_cannot_edit_or_delete(seeded, own_comment):
    stranger = Client()
    for url in (edit_url(own_comment), delete_url(own_comment)):
        assert stranger.get(url).status_code == 403
        response = stranger.post(url, {"body": "Hijacked"})
        assert response.status_code == 403
        assert "Nothing was changed: only the person who wrote a comment" in (
            response.content.decode()
        )
    own_comment.refresh_from_db()
    assert own_comment.body == "My first thought"
    assert own_comment.status == ModerationStatus.PUBLISHED


def test_after_fifteen_minutes_the_author_can_no_longer_edit_or_delete(client, seeded, own_comment):
    age(own_comment, 16)
    assert client.post(edit_url(own_comment), {"body": "Too late"}).status_code == 403
    assert client.post(delete_url(own_comment)).status_code == 403
    own_comment.refresh_from_db()
    assert own_comment.body == "My first thought"
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert edit_url(own_comment) not in html


def test_fourteen_minutes_after_posting_the_author_can_still_edit(client, own_comment):
    age(own_comment, 14)
    assert client.post(edit_url(own_comment), {"body": "Just in time"}).status_code == 302


def test_edit_window_is_a_setting(client, own_comment, settings):
    settings.SMSN_COMMENT_EDIT_MINUTES = 5
    age(own_comment, 6)
    assert client.post(edit_url(own_comment), {"body": "Too late"}).status_code == 403


def test_imported_comments_cannot_be_edited_by_anyone(client, seeded):
    imported = Comment.objects.filter(is_imported=True).first()
    assert client.post(edit_url(imported), {"body": "Rewritten"}).status_code == 403


def test_author_deletes_and_the_comment_is_hidden_but_kept(client, seeded, own_comment):
    response = client.post(delete_url(own_comment))
    assert response.status_code == 302
    own_comment.refresh_from_db()
    assert own_comment.status == ModerationStatus.REMOVED
    assert own_comment.moderation_reason == "deleted by its author"
    for visitor in (client, Client()):
        html = visitor.get(seeded.get_absolute_url()).content.decode()
        assert "My first thought" not in html
        assert f'id="comment-{own_comment.pk}"' not in html


def test_delete_asks_first_without_javascript(client, own_comment):
    html = client.get(delete_url(own_comment)).content.decode()
    assert "Delete this comment?" in html
    assert f'action="{delete_url(own_comment)}"' in html
    own_comment.refresh_from_db()
    assert own_comment.status == ModerationStatus.PUBLISHED


def test_deleted_comment_with_replies_leaves_a_placeholder_and_keeps_the_replies(
    client, seeded, own_comment, make_comment
):
    reply = make_comment(parent=own_comment, body="An answer to it")
    client.post(delete_url(own_comment))
    html = Client().get(seeded.get_absolute_url()).content.decode()
    article = html.split(f'id="comment-{own_comment.pk}"', 1)[1].split("</article>", 1)[0]
    assert "Comment removed." in article
    assert "My first thought" not in html
    assert f'id="comment-{reply.pk}"' in html


def test_deleting_a_reply_leaves_its_conversation_in_place(seeded, make_comment, comment_form):
    top = make_comment(body="The question")
    replier = Client()
    replier.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}),
        comment_form(body="My reply", parent=str(top.pk)),
    )
    reply = Comment.objects.get(body="My reply")
    response = replier.post(delete_url(reply))
    assert response["Location"].endswith(f"#comment-{top.pk}")
    html = Client().get(seeded.get_absolute_url()).content.decode()
    assert "The question" in html
    assert "My reply" not in html


def test_htmx_delete_answers_with_a_placeholder_in_place(client, own_comment):
    html = client.post(delete_url(own_comment), **HTMX).content.decode()
    assert html.strip().startswith(f'<article class="comment" id="comment-{own_comment.pk}">')
    assert "Comment removed." in html
    assert "My first thought" not in html


def test_a_deleted_comment_cannot_be_deleted_or_edited_again(client, own_comment):
    client.post(delete_url(own_comment))
    assert client.post(delete_url(own_comment)).status_code == 404
    assert client.post(edit_url(own_comment), {"body": "Back"}).status_code == 404
