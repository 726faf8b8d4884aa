"""Discussing a distinction: every source's and reader's distinction has its own comment thread.

Replies, reports, moderation, feeds and rate limits work as in the other threads.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Report
from definitions.models import Source
from definitions.moderation import ModerationStatus
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def thread_url(distinction) -> str:
    return reverse(
        "comments:distinction_thread",
        kwargs={"slug": distinction.comparison.slug, "pk": distinction.pk},
    )


def post_url(distinction) -> str:
    return reverse(
        "comments:post_on_distinction",
        kwargs={"slug": distinction.comparison.slug, "pk": distinction.pk},
    )


def source_axis():
    return Source.objects.get(slug="channel-or-place").distinction


def new_visitor() -> Client:
    return Client(REMOTE_ADDR=f"10.7.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


def test_the_discussion_page_shows_the_distinction_and_an_empty_thread(client, seeded):
    axis = source_axis()
    response = client.get(thread_url(axis))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Discuss this distinction</h1>" in html
    assert axis.text_a in html
    assert "Be the first to comment." in html
    assert f'action="{post_url(axis)}#comment-form"' in html


def test_a_comment_without_javascript_lands_in_the_distinctions_thread(seeded, comment_form):
    visitor = new_visitor()
    axis = source_axis()
    response = visitor.post(post_url(axis), comment_form(body="A radio is not a coffee shop."))
    comment = Comment.objects.get(distinction=axis)
    assert response.status_code == 302
    assert response["Location"].startswith(thread_url(axis))
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    html = visitor.get(response["Location"]).content.decode()
    assert "A radio is not a coffee shop." in html
    assert comment.comparison_id == seeded.pk
    assert comment.source_id is None


def test_a_comment_with_htmx_is_added_in_place(seeded, comment_form):
    visitor = new_visitor()
    axis = source_axis()
    response = visitor.post(post_url(axis), comment_form(body="In place, please."), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "In place, please." in html
    assert "<html" not in html


def test_a_distinctions_comments_stay_out_of_the_comparisons_discussion(
    client, seeded, make_comment
):
    axis = source_axis()
    make_comment(distinction=axis, body="Only under the axis.")
    comparison_page = client.get(seeded.get_absolute_url()).content.decode()
    assert "Only under the axis." not in comparison_page
    assert "Only under the axis." in client.get(thread_url(axis)).content.decode()


def test_the_comparison_page_links_each_distinction_to_its_discussion_with_the_count(
    client, seeded, make_comment, make_distinction
):
    axis = source_axis()
    reader = make_distinction(axis_a="noun", axis_b="verb")
    make_comment(distinction=axis)
    make_comment(distinction=axis)
    make_comment(distinction=axis, status=ModerationStatus.PENDING)
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert f'href="{thread_url(axis)}">2 comments<span class="visually-hidden"> on the' in html
    assert f'href="{thread_url(reader)}">Discuss<span class="visually-hidden">' in html


def test_replies_work_in_a_distinctions_thread(seeded, comment_form, make_comment):
    axis = source_axis()
    parent = make_comment(distinction=axis, body="First thought.")
    visitor = new_visitor()
    response = visitor.post(post_url(axis), comment_form(body="A reply.", parent=str(parent.pk)))
    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    assert reply.distinction_id == axis.pk
    assert "A reply." in visitor.get(response["Location"]).content.decode()


def test_a_comment_in_a_distinctions_thread_can_be_reported(seeded, make_comment):
    axis = source_axis()
    comment = make_comment(distinction=axis)
    visitor = new_visitor()
    url = reverse("comments:report", args=[comment.pk])
    response = visitor.post(url, {"reason": "Off topic"})
    assert response.status_code in (200, 302)
    assert Report.objects.filter(comment=comment).count() == 1


def test_the_permalink_of_a_distinction_comment_leads_to_its_thread(client, seeded, make_comment):
    axis = source_axis()
    comment = make_comment(distinction=axis)
    response = client.get(comment.get_absolute_url())
    assert response["Location"] == f"{thread_url(axis)}#comment-{comment.pk}"


def test_a_removed_distinction_has_no_discussion_and_its_comments_are_hidden(
    client, seeded, make_comment, make_distinction, comment_form
):
    reader = make_distinction()
    comment = make_comment(distinction=reader, body="Under a removed distinction.")
    reader.status = ModerationStatus.REMOVED
    reader.save()
    assert client.get(thread_url(reader)).status_code == 404
    assert new_visitor().post(post_url(reader), comment_form()).status_code == 404
    assert client.get(comment.get_absolute_url()).status_code == 404
    feed = client.get(reverse("comments:comparison_feed", kwargs={"slug": seeded.slug}))
    assert "Under a removed distinction." not in feed.content.decode()


def test_distinction_comments_appear_in_the_comparisons_and_their_own_feeds(
    client, seeded, make_comment
):
    axis = source_axis()
    make_comment(distinction=axis, body="Feed me.", author_name="Flo")
    comparison_feed = client.get(reverse("comments:comparison_feed", kwargs={"slug": seeded.slug}))
    assert "Feed me." in comparison_feed.content.decode()
    assert "Flo commented on the distinction “channel vs place”" in (
        comparison_feed.content.decode()
    )
    own = client.get(
        reverse("comments:distinction_feed", kwargs={"slug": seeded.slug, "pk": axis.pk})
    )
    assert own["Content-Type"].startswith("application/atom+xml")
    assert "Feed me." in own.content.decode()


def test_posting_in_a_distinctions_thread_counts_towards_the_comment_limit(
    seeded, comment_form, settings
):
    # A day's window: the limit's windows are fixed, so two posts a minute apart could fall
    # into two minute-windows and both pass.
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(1, 86400)]}
    axis = source_axis()
    visitor = new_visitor()
    assert visitor.post(post_url(axis), comment_form(body="One is fine.")).status_code == 302
    response = visitor.post(post_url(axis), comment_form(body="Two is too many."))
    assert response.status_code == 429
    assert "You are posting faster than we allow" in response.content.decode()
    assert ratelimit.limits("comment") == [(1, 86400)]


def test_a_moderator_sees_distinction_comments_in_the_queue_with_their_place(
    moderator_client, seeded, make_comment
):
    axis = source_axis()
    make_comment(distinction=axis, body="Queue me.")
    html = moderator_client.get(
        reverse("admin:comments_comment_changelist"), {"place": f"d{seeded.pk}"}
    ).content.decode()
    assert "Queue me." in html
    assert "a distinction by" in html


def test_the_thread_takes_the_same_queries_for_few_and_many_comments(
    client, seeded, make_comment, django_assert_max_num_queries
):
    axis = source_axis()
    make_comment(distinction=axis)
    client.get(thread_url(axis))
    with django_assert_max_num_queries(20) as few:
        client.get(thread_url(axis))
    for _ in range(30):
        make_comment(distinction=axis)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(thread_url(axis))
