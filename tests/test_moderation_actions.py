"""Moderators' bulk decisions on comments and distinctions, recorded on the row and in the log."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from comments.models import Comment
from definitions.models import Distinction
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:comments_comment_changelist")
DISTINCTIONS = reverse("admin:definitions_distinction_changelist")


def run_action(client, changelist: str, action: str, rows, reason: str = "", **extra):
    data = {
        "action": action,
        "_selected_action": [row.pk for row in rows],
        "index": "0",
        "reason": reason,
        **extra,
    }
    return client.post(changelist, data)


def log_entries(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
    )


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("publish", ModerationStatus.PENDING, ModerationStatus.PUBLISHED),
        ("hold", ModerationStatus.PUBLISHED, ModerationStatus.PENDING),
        ("remove", ModerationStatus.PUBLISHED, ModerationStatus.REMOVED),
        ("mark_spam", ModerationStatus.PENDING, ModerationStatus.SPAM),
        ("restore", ModerationStatus.REMOVED, ModerationStatus.PUBLISHED),
        ("restore", ModerationStatus.SPAM, ModerationStatus.PUBLISHED),
    ],
)
def test_moderator_action_on_comments_records_who_when_and_why(
    moderator_client, moderator, make_comment, action, before, after
):
    comments = [make_comment(status=before) for _ in range(3)]
    response = run_action(moderator_client, COMMENTS, action, comments, reason="House rules")
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == after
        assert comment.moderated_by == moderator
        assert comment.moderated_at is not None
        assert comment.moderation_reason == "House rules"
        [entry] = log_entries(comment)
        assert entry.user == moderator
        assert entry.is_change()
        assert "House rules" in entry.get_change_message()


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("publish", ModerationStatus.PENDING, ModerationStatus.PUBLISHED),
        ("hold", ModerationStatus.PUBLISHED, ModerationStatus.PENDING),
        ("remove", ModerationStatus.PUBLISHED, ModerationStatus.REMOVED),
        ("mark_spam", ModerationStatus.PENDING, ModerationStatus.SPAM),
        ("restore", ModerationStatus.REMOVED, ModerationStatus.PUBLISHED),
    ],
)
def test_moderator_action_on_distinctions_records_who_when_and_why(
    moderator_client, moderator, make_distinction, action, before, after
):
    distinctions = [make_distinction(status=before) for _ in range(2)]
    run_action(moderator_client, DISTINCTIONS, action, distinctions)
    for distinction in distinctions:
        distinction.refresh_from_db()
        assert distinction.status == after
        assert distinction.moderated_by == moderator
        assert distinction.moderation_reason == ""
        assert len(log_entries(distinction)) == 1


def test_restore_leaves_pending_comments_alone(moderator_client, make_comment):
    pending = make_comment(status=ModerationStatus.PENDING)
    removed = make_comment(status=ModerationStatus.REMOVED)
    run_action(moderator_client, COMMENTS, "restore", [pending, removed])
    pending.refresh_from_db()
    removed.refresh_from_db()
    assert pending.status == ModerationStatus.PENDING
    assert pending.moderated_by is None
    assert log_entries(pending) == []
    assert removed.status == ModerationStatus.PUBLISHED


def test_an_action_reports_how_many_rows_it_changed(moderator_client, make_comment):
    comments = [make_comment(status=ModerationStatus.PENDING) for _ in range(2)]
    response = run_action(moderator_client, COMMENTS, "publish", comments)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Published 2 comments."]


def test_an_overlong_reason_changes_nothing_and_says_why(moderator_client, make_comment):
    comment = make_comment(status=ModerationStatus.PENDING)
    response = run_action(moderator_client, COMMENTS, "publish", [comment], reason="x" * 301)
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING
    assert log_entries(comment) == []
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Nothing changed" in messages[0]
    assert "300" in messages[0]


def test_a_reason_with_a_nul_byte_changes_nothing(moderator_client, make_comment):
    comment = make_comment(status=ModerationStatus.PENDING)
    response = run_action(moderator_client, COMMENTS, "publish", [comment], reason="bad\x00")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING


@pytest.mark.parametrize(
    ("change", "make_row"),
    [
        ("admin:comments_comment_change", "make_comment"),
        ("admin:definitions_distinction_change", "make_distinction"),
    ],
)
def test_a_change_page_offers_one_way_to_change_the_status(
    moderator_client, request, change, make_row
):
    row = request.getfixturevalue(make_row)(status=ModerationStatus.PENDING)
    html = moderator_client.get(reverse(change, args=[row.pk])).content.decode()
    assert html.count('name="status"') == 1
    assert 'name="CHANGE_FORM-action"' not in html
    assert "Hold as pending" not in html


def test_an_action_posted_to_a_change_page_changes_nothing(moderator_client, make_comment):
    comment = make_comment(status=ModerationStatus.PENDING)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    moderator_client.post(
        url,
        {
            "CHANGE_FORM-action": "remove",
            "CHANGE_FORM-reason": "Off topic",
            "_selected_action": [comment.pk],
            "index": "0",
        },
    )
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING


def test_change_page_shows_the_moderation_history_and_the_decision_read_only(
    moderator_client, make_comment
):
    comment = make_comment(status=ModerationStatus.PENDING)
    run_action(moderator_client, COMMENTS, "publish", [comment], reason="Looks fine")
    run_action(moderator_client, COMMENTS, "remove", [comment], reason="Second look: spam link")
    html = moderator_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()
    assert 'id="moderation-history"' in html
    assert "Published. Reason: Looks fine" in html
    assert "Removed. Reason: Second look: spam link" in html
    assert html.index("Second look") < html.index("Looks fine")
    # The decision is shown, not editable; the reader's words are not editable either.
    assert 'name="moderation_reason"' not in html
    assert 'name="moderated_by"' not in html
    assert 'name="body"' not in html
    assert 'name="status"' in html


def test_changing_the_status_on_the_change_page_records_the_decision(
    moderator_client, moderator, make_comment
):
    comment = make_comment(status=ModerationStatus.PENDING)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    response = moderator_client.post(url, {"status": "published", "reason": "Checked the link"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PUBLISHED
    assert comment.moderated_by == moderator
    assert comment.moderation_reason == "Checked the link"
    [entry] = log_entries(comment)
    # Logged like the same decision taken from the list.
    assert entry.get_change_message() == "Published. Reason: Checked the link"


@pytest.mark.parametrize("rows", [10, 1000])
def test_a_thousand_comments_are_published_in_one_request_with_a_fixed_number_of_queries(
    moderator_client, moderator, seeded, django_assert_num_queries, rows
):
    Comment.objects.bulk_create(
        Comment(
            comparison=seeded,
            body=f"Queued comment {i}",
            author_name="Bulk",
            status=ModerationStatus.PENDING,
            visitor_id=uuid.uuid4(),
        )
        for i in range(rows)
    )
    one = Comment.objects.filter(status=ModerationStatus.PENDING).first()
    ContentType.objects.clear_cache()
    # Session, user and their permissions (4); the change list's filter choices and counts (4);
    # the filter choices again for the action's queryset (2); then the action: savepoint, the
    # rows to change, one UPDATE, the content type, one INSERT of every log entry, release (6);
    # a new version of every cached comparison page (6: tests use Django's database cache, where
    # starting and incrementing the version key are queries; in production it is one Redis INCR).
    with django_assert_num_queries(22):
        response = run_action(
            moderator_client,
            f"{COMMENTS}?status__exact=pending",
            "publish",
            [one],
            reason="Backlog",
            select_across="1",
        )
    assert response.status_code == 302
    assert not Comment.objects.filter(status=ModerationStatus.PENDING).exists()
    assert Comment.objects.filter(author_name="Bulk", moderated_by=moderator).count() == rows
    assert LogEntry.objects.filter(user=moderator).count() == rows


def test_a_removed_comment_is_gone_from_the_public_thread_on_the_next_request(
    moderator_client, client, make_comment, seeded
):
    comment = make_comment(body="Soon to be removed")
    assert Comment.objects.visible_to(None).filter(pk=comment.pk).exists()
    assert comment.body in client.get(seeded.get_absolute_url()).content.decode()
    run_action(moderator_client, COMMENTS, "remove", [comment])
    assert not Comment.objects.visible_to(None).filter(pk=comment.pk).exists()
    assert not Comment.objects.visible_to(comment.visitor_id).filter(pk=comment.pk).exists()
    assert comment.body not in client.get(seeded.get_absolute_url()).content.decode()


def test_a_published_comment_appears_in_the_public_thread_on_the_next_request(
    moderator_client, client, make_comment, seeded
):
    comment = make_comment(status=ModerationStatus.PENDING, body="Waiting for a moderator")
    assert not Comment.objects.visible_to(None).filter(pk=comment.pk).exists()
    assert comment.body not in client.get(seeded.get_absolute_url()).content.decode()
    run_action(moderator_client, COMMENTS, "publish", [comment])
    assert Comment.objects.visible_to(None).filter(pk=comment.pk).exists()
    assert comment.body in client.get(seeded.get_absolute_url()).content.decode()


def test_a_distinction_held_as_pending_leaves_the_public_ranking(
    moderator_client, client, make_distinction, seeded
):
    distinction = make_distinction()
    anchor = f'id="{distinction.anchor}"'
    assert Distinction.objects.published().filter(pk=distinction.pk).exists()
    assert anchor in client.get(seeded.get_absolute_url()).content.decode()
    run_action(moderator_client, DISTINCTIONS, "hold", [distinction])
    assert not Distinction.objects.published().filter(pk=distinction.pk).exists()
    assert anchor not in client.get(seeded.get_absolute_url()).content.decode()
    run_action(moderator_client, DISTINCTIONS, "publish", [distinction])
    assert Distinction.objects.published().filter(pk=distinction.pk).exists()
    assert anchor in client.get(seeded.get_absolute_url()).content.decode()


# Spam stays spam (issue 16).


@pytest.mark.parametrize(
    ("changelist", "make_row"), [(COMMENTS, "make_comment"), (DISTINCTIONS, "make_distinction")]
)
def test_a_bulk_remove_keeps_spam_as_spam(moderator_client, request, changelist, make_row):
    build = request.getfixturevalue(make_row)
    spam = build(status=ModerationStatus.SPAM)
    shown = build(status=ModerationStatus.PUBLISHED)
    response = run_action(moderator_client, changelist, "remove", [spam, shown])
    spam.refresh_from_db()
    shown.refresh_from_db()
    assert spam.status == ModerationStatus.SPAM
    assert spam.moderated_by is None
    assert log_entries(spam) == []
    assert shown.status == ModerationStatus.REMOVED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 marked as spam stayed marked as spam." in messages


# A source's own distinction (the axis of a source) is the source's: read-only for moderators.


@pytest.fixture
def source_distinction(seeded) -> Distinction:
    distinction = Distinction.objects.from_sources().filter(comparison=seeded).first()
    assert distinction is not None
    return distinction


def test_moderator_sees_a_sources_distinction_read_only(moderator_client, source_distinction):
    url = reverse("admin:definitions_distinction_change", args=[source_distinction.pk])
    html = moderator_client.get(url).content.decode()
    assert 'name="status"' not in html
    assert 'name="_save"' not in html
    response = moderator_client.post(url, {"status": "removed", "reason": "Vandal"})
    assert response.status_code == 403
    source_distinction.refresh_from_db()
    assert source_distinction.status == ModerationStatus.PUBLISHED


@pytest.mark.parametrize("action", ["hold", "remove", "mark_spam"])
def test_bulk_actions_leave_a_sources_distinction_alone_for_moderators(
    moderator_client, make_distinction, source_distinction, action
):
    readers = make_distinction()
    response = run_action(moderator_client, DISTINCTIONS, action, [source_distinction, readers])
    source_distinction.refresh_from_db()
    readers.refresh_from_db()
    assert source_distinction.status == ModerationStatus.PUBLISHED
    assert log_entries(source_distinction) == []
    assert readers.status != ModerationStatus.PUBLISHED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(m.startswith("Left 1 alone: a source's own distinction") for m in messages)


def test_a_superuser_may_still_hold_a_sources_distinction(superuser_client, source_distinction):
    run_action(superuser_client, DISTINCTIONS, "hold", [source_distinction])
    source_distinction.refresh_from_db()
    assert source_distinction.status == ModerationStatus.PENDING
    url = reverse("admin:definitions_distinction_change", args=[source_distinction.pk])
    assert 'name="status"' in superuser_client.get(url).content.decode()
