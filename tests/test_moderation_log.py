"""The branded back office and its moderation log: who decided what, when and why, filterable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.moderation import VisitorFootprint, remove_visitor_content
from definitions.moderation import ModerationStatus, moderate

pytestmark = pytest.mark.django_db

LOG = reverse("admin:admin_logentry_changelist")


def test_every_admin_page_says_it_is_smsn_moderation(moderator_client):
    html = moderator_client.get(reverse("admin:index")).content.decode()
    assert "smsn moderation" in html
    assert "Django administration" not in html
    assert "<title>Queues, log and content | smsn moderation</title>" in html


def test_the_admin_index_links_to_the_log_and_the_removals(moderator_client):
    html = moderator_client.get(reverse("admin:index")).content.decode()
    assert f'href="{LOG}"' in html
    assert f'href="{reverse("admin:comments_visitorremoval_changelist")}"' in html


@pytest.fixture
def decisions(moderator, make_comment, make_distinction):
    """Two moderators' decisions: one removes a comment with a reason, one holds a distinction."""
    other = User.objects.create_user("otto", is_staff=True)
    other.groups.add(Group.objects.get(name="Moderators"))
    comment = make_comment(body="Buy followers here")
    distinction = make_distinction()
    moderate(
        queryset=type(comment).objects.filter(pk=comment.pk),
        status=ModerationStatus.REMOVED,
        user=moderator,
        reason="Advertising",
    )
    moderate(
        queryset=type(distinction).objects.filter(pk=distinction.pk),
        status=ModerationStatus.PENDING,
        user=other,
    )
    return {"comment": comment, "distinction": distinction, "other": other}


def rows(html: str) -> list[str]:
    body = html[html.index('id="result_list"') :].split("</tbody>", 1)[0]
    return body.split("<tr")[2:]


def test_the_log_shows_who_when_what_and_why(moderator_client, decisions):
    html = moderator_client.get(LOG).content.decode()
    [held, removed] = rows(html)
    assert "otto" in held
    assert "Held as pending" in held
    assert "moira" in removed
    assert "Comment: Reader: Buy followers here" in removed
    assert reverse("admin:comments_comment_change", args=[decisions["comment"].pk]) in removed
    assert 'class="field-decision">Removed<' in removed
    assert 'class="field-reason">Advertising<' in removed


def test_the_log_filters_by_moderator_decision_and_date(moderator_client, moderator, decisions):
    by_moderator = moderator_client.get(f"{LOG}?user__id__exact={decisions['other'].pk}")
    assert [("otto" in row) for row in rows(by_moderator.content.decode())] == [True]
    by_decision = moderator_client.get(f"{LOG}?decision=removed").content.decode()
    assert len(rows(by_decision)) == 1
    assert "Advertising" in rows(by_decision)[0]
    LogEntry.objects.filter(user=moderator).update(action_time=timezone.now() - timedelta(days=40))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = moderator_client.get(LOG, {"action_time__gte": str(midnight)}).content.decode()
    assert [("otto" in row) for row in rows(today)] == [True]
    html = moderator_client.get(LOG).content.decode()
    assert "<h1>Moderation log</h1>" in html
    for choice in ["By moderator", "By decision", "By date"]:
        assert choice.lower() in html.lower()


def test_moderators_read_only_the_log_of_what_they_moderate(moderator_client, decisions):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    LogEntry.objects.log_actions(root.pk, [root], CHANGE, "Changed password.", single_object=True)
    html = moderator_client.get(LOG).content.decode()
    assert "Changed password" not in html
    assert len(rows(html)) == 2


def test_nobody_edits_or_deletes_the_log(moderator_client, superuser_client, decisions):
    entry = LogEntry.objects.first()
    for client in (moderator_client, superuser_client):
        assert client.get(reverse("admin:admin_logentry_add")).status_code == 403
        delete = reverse("admin:admin_logentry_delete", args=[entry.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert ContentType.objects.get_for_model(LogEntry).app_label == "admin"


def test_staff_outside_the_group_cannot_read_the_log(staff_client, decisions):
    assert staff_client.get(LOG).status_code == 403


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_log_and_the_removals_lists_queries_do_not_grow_with_rows(
    moderator_client, moderator, make_comment
):
    removals = reverse("admin:comments_visitorremoval_changelist")

    def decide(n: int) -> None:
        for _ in range(n):
            comment = make_comment()
            remove_visitor_content(
                footprint=VisitorFootprint.of([(comment.visitor_id, "")]), user=moderator
            )

    decide(2)
    few = (_queries(moderator_client, LOG), _queries(moderator_client, removals))
    decide(20)
    assert (_queries(moderator_client, LOG), _queries(moderator_client, removals)) == few
