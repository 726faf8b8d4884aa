"""Visitors report comments to the moderators: once each, anonymously, held after a threshold."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.actions import report_comment
from comments.models import Comment, Report
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def report_url(comment: Comment) -> str:
    return reverse("comments:report", kwargs={"pk": comment.pk})


def reporter(n: int) -> Client:
    """A visitor on an address of their own."""
    return Client(REMOTE_ADDR=f"198.51.100.{n}")


def test_any_visitor_can_report_a_comment(seeded, make_comment):
    comment = make_comment()
    response = reporter(1).post(report_url(comment), {"reason": "Off-topic advertising"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.comment == comment
    assert report.reason == "Off-topic advertising"
    assert report.visitor_id is not None
    assert len(report.ip_hash) == 64
    comment.refresh_from_db()
    assert comment.reports.count() == 1
    assert comment.status == ModerationStatus.PUBLISHED


def test_report_page_without_javascript_thanks_the_reporter(seeded, make_comment):
    comment = make_comment()
    visitor = reporter(1)
    form = visitor.get(report_url(comment)).content.decode()
    assert "Report this comment to the moderators" in form
    assert f'<label for="report{comment.pk}-reason">' in form
    response = visitor.post(report_url(comment), {"reason": ""})
    thanks = visitor.get(response["Location"]).content.decode()
    assert "A moderator will look at this comment" in thanks


def test_the_same_visitor_reporting_twice_counts_once(seeded, make_comment):
    comment = make_comment()
    visitor = reporter(1)
    visitor.post(report_url(comment))
    visitor.post(report_url(comment), REMOTE_ADDR="198.51.100.99")
    assert Report.objects.count() == 1
    comment.refresh_from_db()
    assert comment.reports.count() == 1


def test_a_second_report_from_the_same_address_is_refused(seeded, make_comment):
    comment = make_comment()
    reporter(1).post(report_url(comment))
    reporter(1).post(report_url(comment))  # a new visitor id, the same address
    assert Report.objects.count() == 1


def test_refused_report_is_answered_exactly_like_a_counted_one(seeded, make_comment):
    """Nobody learns from the answer whether somebody on their address reported already."""
    first_comment = make_comment(body="Same words", author_name="Same")
    second_comment = make_comment(body="Same words", author_name="Same")
    reporter(1).post(report_url(first_comment))
    refused = reporter(1).post(report_url(first_comment), **HTMX).content.decode()
    counted = reporter(2).post(report_url(second_comment), **HTMX).content.decode()
    assert Report.objects.count() == 2
    # Only the ids and times differ between the two answers.
    assert re.sub(r"\d+", "N", refused) == re.sub(r"\d+", "N", counted)


def test_reports_from_three_visitors_hold_the_comment_for_a_moderator(seeded, make_comment):
    comment = make_comment(body="Rude words here")
    for n in (1, 2):
        reporter(n).post(report_url(comment))
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PUBLISHED
    reporter(3).post(report_url(comment))
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING
    assert comment.reports.count() == 3
    assert "reported by 3 visitors" in comment.moderation_reason
    assert "Rude words here" not in Client().get(seeded.get_absolute_url()).content.decode()


def test_report_threshold_is_a_setting(seeded, make_comment, settings):
    settings.SMSN_COMMENT_REPORT_THRESHOLD = 1
    comment = make_comment()
    reporter(1).post(report_url(comment))
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING


def test_held_comment_is_still_shown_to_its_author(seeded, comment_form):
    author = Client()
    author.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}),
        comment_form(body="Contested opinion"),
    )
    comment = Comment.objects.get(body="Contested opinion")
    for n in (1, 2, 3):
        reporter(n).post(report_url(comment))
    html = author.get(seeded.get_absolute_url()).content.decode()
    assert "Contested opinion" in html
    assert "Awaiting moderation" in html


def test_reports_a_moderator_has_decided_on_do_not_hold_the_comment_again(
    seeded, make_comment, moderator
):
    comment = make_comment()
    for n in (1, 2, 3):
        reporter(n).post(report_url(comment))
    Comment.objects.filter(pk=comment.pk).update(
        status=ModerationStatus.PUBLISHED, moderated_by=moderator, moderated_at=timezone.now()
    )
    reporter(4).post(report_url(comment))
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PUBLISHED
    assert comment.reports.count() == 4
    for n in (5, 6):
        reporter(n).post(report_url(comment))
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING


def test_reporting_never_reveals_who_reported_or_how_many(seeded, make_comment):
    comment = make_comment()
    reporter(1).post(report_url(comment), {"reason": "Secret reason from reporter one"})
    reporter(2).post(report_url(comment))
    for visitor in (Client(), reporter(3)):
        for url in (seeded.get_absolute_url(), report_url(comment)):
            html = visitor.get(url).content.decode()
            assert "Secret reason" not in html
            assert "2 reports" not in html
            assert "reported by" not in html


def test_a_reporter_sees_the_comment_marked_as_reported(seeded, make_comment):
    comment = make_comment()
    visitor = reporter(1)
    visitor.post(report_url(comment))
    article = visitor.get(seeded.get_absolute_url()).content.decode()
    article = article.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[0]
    assert "Reported" in article
    assert report_url(comment) not in article


def test_htmx_report_form_loads_in_place_and_answers_with_the_comment(seeded, make_comment):
    comment = make_comment()
    visitor = reporter(1)
    form = visitor.get(report_url(comment), **HTMX).content.decode()
    assert "<html" not in form
    assert f'hx-target="#comment-{comment.pk}"' in form
    html = visitor.post(report_url(comment), {"reason": "spam"}, **HTMX).content.decode()
    assert html.strip().startswith(f'<article class="comment" id="comment-{comment.pk}">')
    assert "A moderator will look at this comment" in html


def test_report_reason_with_control_characters_is_refused(seeded, make_comment):
    comment = make_comment()
    response = reporter(1).post(report_url(comment), {"reason": "bad\x00reason"})
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    assert not Report.objects.exists()


def test_hidden_comments_cannot_be_reported(seeded, make_comment):
    for status in (ModerationStatus.PENDING, ModerationStatus.SPAM, ModerationStatus.REMOVED):
        comment = make_comment(status=status)
        assert reporter(1).post(report_url(comment)).status_code == 404
    assert not Report.objects.exists()


def test_reporting_too_often_gets_429(seeded, make_comment, settings):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "report": [(2, 60)]}
    comments = [make_comment() for _ in range(3)]
    visitor = reporter(1)
    statuses = [visitor.post(report_url(c)).status_code for c in comments]
    assert statuses == [302, 302, 429]
    assert Report.objects.count() == 2


def test_each_visitor_and_each_network_reports_a_comment_once(seeded, make_comment, settings):
    settings.SMSN_COMMENT_REPORT_THRESHOLD = 100
    comment = make_comment()
    visitor_ids = [uuid.uuid4() for _ in range(5)]
    for n, visitor_id in enumerate(visitor_ids):
        assert report_comment(comment=comment, visitor_id=visitor_id, ip_hash=f"{n:064d}")
    assert not report_comment(comment=comment, visitor_id=visitor_ids[0], ip_hash="f" * 64)
    assert not report_comment(comment=comment, visitor_id=uuid.uuid4(), ip_hash=f"{0:064d}")
    comment.refresh_from_db()
    assert Report.objects.filter(comment=comment).count() == 5
