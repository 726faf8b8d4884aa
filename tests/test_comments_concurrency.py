"""Comments written from many connections at once: one comment per form, reports counted right."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import connection

from comments.actions import post_comment, report_comment
from comments.models import Comment, Report
from definitions.moderation import ModerationStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): concurrent writers are tested")


def run_at_once(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run each job in its own thread and database connection, all released together."""
    start = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_one_form_sent_from_ten_connections_at_once_is_one_comment(seeded):
    needs_postgresql()
    visitor_id = uuid.uuid4()

    def send():
        return post_comment(
            target=seeded,
            visitor_id=visitor_id,
            ip_hash="a" * 64,
            author_name="Ada",
            body="Sent with a double click",
            submission_token="the-same-token",
        )

    results, errors = run_at_once([send] * 10)
    assert errors == []
    assert Comment.objects.filter(submission_token="the-same-token").count() == 1
    assert sum(1 for posted in results if posted.created) == 1
    assert len({posted.comment.pk for posted in results}) == 1


def test_reports_from_ten_visitors_at_once_are_all_counted(seeded, make_comment, settings):
    needs_postgresql()
    settings.SMSN_COMMENT_REPORT_THRESHOLD = 3
    comment = make_comment()

    def reporter(n: int) -> Callable[[], bool]:
        return lambda: report_comment(comment=comment, visitor_id=uuid.uuid4(), ip_hash=f"{n:064d}")

    results, errors = run_at_once([reporter(n) for n in range(10)])
    assert errors == []
    assert all(results)
    comment.refresh_from_db()
    assert Report.objects.filter(comment=comment).count() == 10
    assert comment.status == ModerationStatus.PENDING
