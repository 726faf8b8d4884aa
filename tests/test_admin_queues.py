"""The moderation queues: what moderators see in the comment, distinction and vote lists."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from comments.models import Comment, Report
from definitions.models import BannedWord, Distinction, Source, Vote
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:comments_comment_changelist")
DISTINCTIONS = reverse("admin:definitions_distinction_changelist")
VOTES = reverse("admin:definitions_vote_changelist")


def listed_bodies(html: str, bodies: list[str]) -> list[str]:
    """Return the given texts in the order the change list shows them."""
    return sorted((b for b in bodies if b in html), key=html.index)


def report(comment: Comment, times: int = 1) -> None:
    Report.objects.bulk_create(
        Report(comment=comment, visitor_id=uuid.uuid4(), reason="rude") for _ in range(times)
    )


def test_comment_queue_shows_where_who_status_ip_and_reports(moderator_client, make_comment):
    source = Source.objects.get(slug=Source.objects.order_by("position").first().slug)
    comment = make_comment(
        source=source, body="Look at my link", author_name="Spammy", ip_hash="f00dfeed" + "0" * 56
    )
    report(comment, times=3)
    html = moderator_client.get(COMMENTS).content.decode()
    row = html[html.index("Look at my link") :].split("</tr>", 1)[0]
    assert f'href="{comment.get_absolute_url()}"' in row
    assert escape(source.title) in row
    assert "Spammy" in row
    assert "Published" in row
    assert "f00dfeed" in row
    assert "f00dfeed0" not in row
    assert 'class="field-reporters">3<' in row


def test_comment_queue_is_newest_first(moderator_client, make_comment):
    now = timezone.now()
    make_comment(body="Older comment", created=now - timedelta(hours=2))
    make_comment(body="Newest comment", created=now)
    make_comment(body="Middle comment", created=now - timedelta(hours=1))
    html = moderator_client.get(COMMENTS).content.decode()
    assert listed_bodies(html, ["Older comment", "Newest comment", "Middle comment"]) == [
        "Newest comment",
        "Middle comment",
        "Older comment",
    ]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status__exact=pending", "Waiting comment", "Public comment"),
        ("is_imported__exact=0", "Public comment", "Imported-looking comment"),
        ("q=waiting", "Waiting comment", "Public comment"),
        ("q=Zelda", "Waiting comment", "Public comment"),
    ],
)
def test_comment_queue_filters_and_search(moderator_client, make_comment, query, shown, hidden):
    make_comment(body="Public comment", author_name="Ann")
    make_comment(body="Waiting comment", author_name="Zelda", status=ModerationStatus.PENDING)
    make_comment(body="Imported-looking comment", is_imported=True, import_position=999)
    html = moderator_client.get(f"{COMMENTS}?{query}").content.decode()
    assert shown in html
    assert hidden not in html


def test_comment_queue_filters_by_place(moderator_client, make_comment, seeded):
    source = seeded.sources.first()
    make_comment(body="On the comparison page")
    make_comment(body="On a source page", source=source)
    html = moderator_client.get(f"{COMMENTS}?place=s{source.pk}").content.decode()
    assert "On a source page" in html
    assert "On the comparison page" not in html
    html = moderator_client.get(f"{COMMENTS}?place=c{seeded.pk}").content.decode()
    assert "On the comparison page" in html
    assert "On a source page" not in html
    assert moderator_client.get(f"{COMMENTS}?place=nonsense").status_code == 200


def test_comment_queue_filters_by_date(moderator_client, make_comment):
    make_comment(body="Written last month", created=timezone.now() - timedelta(days=30))
    make_comment(body="Written today")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since = str(midnight - timedelta(days=7))  # as the filter's "Past 7 days" link has it
    html = moderator_client.get(COMMENTS, {"created__gte": since}).content.decode()
    assert "Written today" in html
    assert "Written last month" not in html


def test_reported_filter_lists_reported_comments_most_reported_first(
    moderator_client, make_comment
):
    make_comment(body="Never reported")
    report(make_comment(body="Reported once"), 1)
    report(make_comment(body="Reported by four"), 4)
    report(make_comment(body="Reported twice"), 2)
    html = moderator_client.get(f"{COMMENTS}?reported=yes").content.decode()
    assert "Never reported" not in html
    assert listed_bodies(html, ["Reported once", "Reported by four", "Reported twice"]) == [
        "Reported by four",
        "Reported twice",
        "Reported once",
    ]
    html = moderator_client.get(f"{COMMENTS}?reported=no").content.decode()
    assert "Never reported" in html
    assert "Reported once" not in html


def test_one_visitor_reporting_twice_counts_once(moderator_client, make_comment):
    comment = make_comment(body="Reported by one person")
    visitor = uuid.uuid4()
    Report.objects.create(comment=comment, visitor_id=visitor)
    report(comment, 1)
    html = moderator_client.get(f"{COMMENTS}?q=Reported+by+one").content.decode()
    assert 'class="field-reporters">2<' in html


def test_comments_can_be_sorted_by_report_count(moderator_client, make_comment):
    report(make_comment(body="Reported once"), 1)
    report(make_comment(body="Reported thrice"), 3)
    columns = moderator_client.get(COMMENTS).context["cl"].list_display
    column = columns.index("reporters")
    html = moderator_client.get(f"{COMMENTS}?o=-{column}").content.decode()
    assert listed_bodies(html, ["Reported once", "Reported thrice"]) == [
        "Reported thrice",
        "Reported once",
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_comment_queue_queries_do_not_grow_with_rows(moderator_client, make_comment, seeded):
    source = seeded.sources.first()
    for i in range(3):
        report(make_comment(source=source if i % 2 else None), 1)
    few = _queries(moderator_client, COMMENTS)
    for i in range(30):
        report(make_comment(source=source if i % 2 else None), 2)
    assert _queries(moderator_client, COMMENTS) == few


def test_distinction_queue_queries_do_not_grow_with_rows(moderator_client, make_distinction):
    for _ in range(3):
        make_distinction()
    few = _queries(moderator_client, DISTINCTIONS)
    for _ in range(30):
        make_distinction()
    assert _queries(moderator_client, DISTINCTIONS) == few


def test_vote_list_queries_do_not_grow_with_rows(moderator_client, make_distinction, make_vote):
    distinction = make_distinction()
    for _ in range(3):
        make_vote(make_distinction())
    few = _queries(moderator_client, VOTES)
    for _ in range(30):
        make_vote(distinction)
    assert _queries(moderator_client, VOTES) == few


def test_distinction_queue_shows_place_author_status_ip_and_vote_totals(
    moderator_client, make_distinction, make_vote
):
    distinction = make_distinction(
        axis_a="Talk", axis_b="Ties", author_name="Grace", ip_hash="c0ffee12" + "0" * 56
    )
    make_vote(distinction)
    make_vote(distinction)
    make_vote(distinction, Vote.Value.DOWN)
    html = moderator_client.get(f"{DISTINCTIONS}?q=Grace").content.decode()
    row = html[html.index("Talk vs Ties") :].split("</tr>", 1)[0]
    assert f'href="{distinction.get_absolute_url()}"' in row
    assert "Grace" in row
    assert "c0ffee12" in row
    assert 'class="field-upvotes">2<' in row
    assert 'class="field-downvotes">1<' in row
    assert f"distinction__id__exact={distinction.pk}" in row


def test_distinction_queue_filters_by_status_and_origin(moderator_client, make_distinction):
    make_distinction(text_a="A pending idea", status=ModerationStatus.PENDING)
    make_distinction(text_a="A published idea")
    from_source = escape(Distinction.objects.from_sources().first().axis)
    html = moderator_client.get(f"{DISTINCTIONS}?status__exact=pending").content.decode()
    assert "A pending idea" in html
    assert "A published idea" not in html
    html = moderator_client.get(f"{DISTINCTIONS}?origin=source").content.decode()
    assert from_source in html
    assert "A published idea" not in html
    html = moderator_client.get(f"{DISTINCTIONS}?origin=reader").content.decode()
    assert from_source not in html
    assert "A published idea" in html


def test_vote_list_shows_the_counted_totals_of_one_distinction(
    moderator_client, make_distinction, make_vote
):
    distinction = make_distinction()
    other = make_distinction()
    make_vote(distinction)
    make_vote(distinction)
    make_vote(distinction, Vote.Value.DOWN)
    voided = make_vote(distinction, Vote.Value.DOWN)
    Vote.objects.filter(pk=voided.pk).update(is_void=True)
    make_vote(other)
    html = moderator_client.get(f"{VOTES}?distinction__id__exact={distinction.pk}").content.decode()
    totals = re.search(r'<p id="vote-totals">(.*?)</p>', html, re.S).group(1)
    assert "<strong>2</strong> convincing" in totals
    assert "<strong>1</strong> not convincing" in totals
    assert "Voided by moderators: 1" in totals


def test_votes_are_read_only_even_for_a_superuser(superuser_client, make_distinction, make_vote):
    vote = make_vote(make_distinction())
    url = reverse("admin:definitions_vote_change", args=[vote.pk])
    html = superuser_client.get(url).content.decode()
    assert 'name="value"' not in html
    response = superuser_client.post(url, {"value": -1})
    assert response.status_code == 403
    vote.refresh_from_db()
    assert vote.value == Vote.Value.UP


def test_admin_index_shows_the_pending_count_to_moderators(
    moderator_client, make_comment, make_distinction
):
    make_comment(status=ModerationStatus.PENDING)
    make_comment(status=ModerationStatus.PENDING)
    make_distinction(status=ModerationStatus.PENDING)
    report(make_comment(), 1)
    html = moderator_client.get(reverse("admin:index")).content.decode()
    queue = html[html.index('id="moderation-queue"') :].split("</div>", 1)[0]
    assert "<strong>3</strong> pending" in queue
    assert "2 comments</a>" in queue
    assert "1 distinction</a>" in queue
    assert "1 published comment reported" in queue
    assert f"{COMMENTS}?status__exact=pending" in queue


def test_admin_index_shows_no_queue_to_staff_outside_the_group(staff_client, make_comment):
    make_comment(status=ModerationStatus.PENDING)
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "moderation-queue" not in html


def test_moderator_maintains_the_banned_words(moderator_client):
    add = reverse("admin:definitions_bannedword_add")
    assert moderator_client.post(add, {"phrase": "  Cheap Pills "}).status_code == 302
    word = BannedWord.objects.get()
    assert word.phrase == "cheap pills"
    change = reverse("admin:definitions_bannedword_change", args=[word.pk])
    assert moderator_client.post(change, {"phrase": "cheap meds"}).status_code == 302
    word.refresh_from_db()
    assert word.phrase == "cheap meds"
    delete = reverse("admin:definitions_bannedword_delete", args=[word.pk])
    assert moderator_client.post(delete, {"post": "yes"}).status_code == 302
    assert not BannedWord.objects.exists()


def test_a_banned_word_twice_in_another_case_is_refused_with_a_message(moderator_client):
    BannedWord.objects.create(phrase="casino")
    response = moderator_client.post(
        reverse("admin:definitions_bannedword_add"), {"phrase": "CASINO"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert BannedWord.objects.count() == 1


def test_a_superuser_deleting_votes_recounts_the_distinction(
    superuser_client, make_distinction, make_vote
):
    distinction = make_distinction()
    make_vote(distinction)
    doomed = make_vote(distinction)
    response = superuser_client.post(
        reverse("admin:definitions_vote_delete", args=[doomed.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    distinction.refresh_from_db()
    assert distinction.upvotes == 1
    other = make_vote(distinction, Vote.Value.DOWN)
    superuser_client.post(
        VOTES, {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    )
    distinction.refresh_from_db()
    assert (distinction.upvotes, distinction.downvotes) == (1, 0)


def test_moderator_cannot_delete_votes(moderator_client, make_distinction, make_vote):
    vote = make_vote(make_distinction())
    url = reverse("admin:definitions_vote_delete", args=[vote.pk])
    assert moderator_client.post(url, {"post": "yes"}).status_code == 403
    assert Vote.objects.filter(pk=vote.pk).exists()


def test_distinction_change_page_shows_history_and_keeps_the_readers_words_read_only(
    moderator_client, make_distinction
):
    distinction = make_distinction(status=ModerationStatus.PENDING)
    moderator_client.post(
        DISTINCTIONS,
        {
            "action": "publish",
            "_selected_action": [distinction.pk],
            "index": "0",
            "reason": "Fair point",
        },
    )
    html = moderator_client.get(
        reverse("admin:definitions_distinction_change", args=[distinction.pk])
    ).content.decode()
    history = html[html.index('id="moderation-history"') :]
    assert "Published. Reason: Fair point" in history
    assert "moira" in history
    assert 'name="text_a"' not in html
    assert 'name="status"' in html
    assert "Remove everything from this visitor" in html


def test_comment_change_page_lists_report_reasons_and_times_never_who(
    moderator_client, make_comment
):
    comment = make_comment()
    reporter = uuid.uuid4()
    Report.objects.create(
        comment=comment,
        visitor_id=reporter,
        ip_hash="e" * 64,
        reason="Advertises a follower shop",
        created=timezone.now() - timedelta(hours=1),
    )
    Report.objects.create(comment=comment, visitor_id=uuid.uuid4(), reason="Insults a reader")
    html = moderator_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()
    reports = html[html.index('class="report-reasons"') :].split("</ul>", 1)[0]
    assert reports.index("Insults a reader") < reports.index("Advertises a follower shop")
    assert reports.count("<time>") == 2
    assert str(reporter) not in html
    assert str(reporter)[:8] not in html
    assert "e" * 16 not in html
