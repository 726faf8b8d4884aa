"""Voting on distinctions: one vote per visitor, changed or withdrawn, exact counts, no stuffing."""

from __future__ import annotations

import re
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.urls import reverse

from definitions.models import Distinction, Source, Vote, wilson_lower_bound
from definitions.moderation import ModerationStatus
from definitions.votes import VoteRefused, cast_vote
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def vote_url(distinction: Distinction) -> str:
    return reverse("definitions:vote", args=[distinction.pk])


def source_axis(slug: str = "channel-or-place") -> Distinction:
    return Source.objects.get(slug=slug).distinction


def test_a_vote_without_javascript_redirects_back_to_the_distinction(visitor_client, seeded):
    axis = source_axis()
    response = visitor_client.post(vote_url(axis), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{seeded.get_absolute_url()}#distinction-{axis.pk}"
    axis.refresh_from_db()
    assert (axis.upvotes, axis.downvotes) == (1, 0)
    assert axis.score == pytest.approx(wilson_lower_bound(1, 0))


def test_the_page_after_the_redirect_shows_the_new_count_and_the_visitors_vote(
    visitor_client, seeded
):
    axis = source_axis()
    html = visitor_client.post(vote_url(axis), {"value": "1"}, follow=True).content.decode()
    assert re.search(
        rf'id="vote-{axis.pk}-up" name="value" value="0" aria-pressed="true">.*?'
        r'class="vote-count">1<',
        html,
    )
    assert "Your vote: yes. Press it again to withdraw it." in html


def test_the_first_vote_gives_the_visitor_a_signed_httponly_cookie(visitor_client, seeded):
    response = visitor_client.post(vote_url(source_axis()), {"value": "1"})
    cookie = response.cookies[settings.SMSN_VISITOR_COOKIE]
    assert cookie["httponly"]
    assert cookie["max-age"] == settings.SMSN_VISITOR_COOKIE_AGE
    visitor_id = Vote.objects.get().visitor_id
    assert str(visitor_id) in cookie.value
    assert cookie.value != str(visitor_id)


def test_the_raw_ip_address_is_never_stored_with_a_vote(seeded):
    from django.test import Client

    Client(REMOTE_ADDR="203.0.113.7").post(vote_url(source_axis()), {"value": "1"})
    vote = Vote.objects.get()
    assert "203.0.113.7" not in vote.ip_hash
    assert len(vote.ip_hash) == 64


def test_voting_the_same_way_twice_keeps_one_vote(visitor_client, seeded):
    axis = source_axis()
    visitor_client.post(vote_url(axis), {"value": "1"})
    visitor_client.post(vote_url(axis), {"value": "1"})
    axis.refresh_from_db()
    assert Vote.objects.filter(distinction=axis).count() == 1
    assert axis.upvotes == 1


def test_pressing_the_pressed_button_again_withdraws_the_vote(visitor_client, seeded):
    axis = source_axis()
    visitor_client.post(vote_url(axis), {"value": "1"})
    html = visitor_client.get(seeded.get_absolute_url()).content.decode()
    # The pressed button now sends 0: pressing it again withdraws.
    assert f'id="vote-{axis.pk}-up" name="value" value="0" aria-pressed="true"' in html
    visitor_client.post(vote_url(axis), {"value": "0"})
    axis.refresh_from_db()
    assert not Vote.objects.filter(distinction=axis).exists()
    assert (axis.upvotes, axis.downvotes, axis.score) == (0, 0, 0.0)


def test_changing_a_vote_moves_it_from_one_count_to_the_other(visitor_client, seeded):
    axis = source_axis()
    visitor_client.post(vote_url(axis), {"value": "1"})
    visitor_client.post(vote_url(axis), {"value": "-1"})
    axis.refresh_from_db()
    assert (axis.upvotes, axis.downvotes) == (0, 1)
    assert Vote.objects.get(distinction=axis).value == -1


def test_votes_from_different_visitors_add_up(seeded, returning_visitor):
    axis = source_axis()
    for value in ("1", "1", "-1"):
        client, _ = returning_visitor()
        client.post(vote_url(axis), {"value": value})
    axis.refresh_from_db()
    assert (axis.upvotes, axis.downvotes) == (2, 1)


def test_a_vote_with_htmx_returns_the_widget_with_new_counts_and_pressed_state(
    visitor_client, seeded
):
    axis = source_axis()
    response = visitor_client.post(vote_url(axis), {"value": "-1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<form class="vote" id="vote-{axis.pk}"')
    assert f'id="vote-{axis.pk}-down" name="value" value="0" aria-pressed="true"' in html
    assert f'id="vote-{axis.pk}-up" name="value" value="1" aria-pressed="false"' in html
    assert re.search(r'class="vote-count">1<', html)
    # The page's live region announces the change to screen readers.
    assert '<div id="live-notice" data-hx-swap-oob="innerHTML">' in html
    assert "Your vote: not convincing. Now 0 convincing, 1 not convincing." in html


def test_withdrawing_with_htmx_says_so(visitor_client, seeded):
    axis = source_axis()
    visitor_client.post(vote_url(axis), {"value": "1"}, headers=HTMX)
    html = visitor_client.post(vote_url(axis), {"value": "0"}, headers=HTMX).content.decode()
    assert "Your vote is withdrawn." in html
    assert 'aria-pressed="true"' not in html


def test_a_readers_distinction_can_be_voted_on_too(visitor_client, seeded, make_distinction):
    mine = make_distinction()
    response = visitor_client.post(vote_url(mine), {"value": "1"})
    assert response["Location"] == f"{seeded.get_absolute_url()}#distinction-{mine.pk}"
    mine.refresh_from_db()
    assert mine.upvotes == 1


def test_the_redirect_goes_to_the_page_of_the_list_where_the_distinction_now_is(
    visitor_client, seeded, bulk_distinctions
):
    made = bulk_distinctions(25, votes=250)
    last = Distinction.objects.from_readers().ranked().last()
    response = visitor_client.post(vote_url(last), {"value": "-1"})
    assert response["Location"] == f"{seeded.get_absolute_url()}?page=2#distinction-{last.pk}"
    html = visitor_client.get(response["Location"]).content.decode()
    assert f'id="distinction-{last.pk}"' in html
    assert len(made) == 25


@pytest.mark.parametrize("value", ["2", "up", "", "1.0", "\x00", "-1; DROP TABLE", "1" * 5000])
def test_a_vote_that_is_not_up_down_or_withdraw_is_refused(visitor_client, seeded, value):
    axis = source_axis()
    response = visitor_client.post(vote_url(axis), {"value": value})
    assert response.status_code == 400
    assert "A vote is 1 (convincing), -1 (not convincing) or 0 (withdraw)" in (
        response.content.decode()
    )
    assert not Vote.objects.exists()


def test_a_vote_without_a_value_is_refused(visitor_client, seeded):
    assert visitor_client.post(vote_url(source_axis()), {}).status_code == 400
    assert not Vote.objects.exists()


def test_a_vote_on_an_unknown_distinction_is_not_found(visitor_client, seeded):
    response = visitor_client.post(reverse("definitions:vote", args=[999999]), {"value": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "status", [ModerationStatus.REMOVED, ModerationStatus.PENDING, ModerationStatus.SPAM]
)
def test_a_distinction_that_is_not_published_cannot_be_voted_on(
    visitor_client, seeded, make_distinction, status
):
    hidden = make_distinction(status=status)
    assert visitor_client.post(vote_url(hidden), {"value": "1"}).status_code == 404
    assert not Vote.objects.exists()


def test_voting_needs_a_post(visitor_client, seeded):
    assert visitor_client.get(vote_url(source_axis())).status_code == 405


def test_voting_needs_the_csrf_token(seeded):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(vote_url(source_axis()), {"value": "1"}).status_code == 403
    assert not Vote.objects.exists()


def test_more_than_thirty_votes_a_minute_from_one_network_get_429_and_change_nothing(
    seeded, bulk_distinctions, monkeypatch
):
    from django.test import Client

    # Hold the clock still so the minute's window cannot roll over during the test.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    made = bulk_distinctions(31)
    client = Client(REMOTE_ADDR="198.51.100.23")
    for distinction in made[:30]:
        assert client.post(vote_url(distinction), {"value": "1"}).status_code == 302
    response = client.post(vote_url(made[30]), {"value": "1"})
    assert response.status_code == 429
    assert "Too many votes from your network in the last minute" in response.content.decode()
    assert response["Retry-After"] == "60"
    made[30].refresh_from_db()
    assert made[30].upvotes == 0
    assert Vote.objects.count() == 30
    # Another network is not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.24").post(vote_url(made[30]), {"value": "1"}).status_code
        == 302
    )


def _database_down(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: refused")


def test_votes_refused_while_the_database_is_down_do_not_use_up_the_allowance(
    seeded, bulk_distinctions, redis_shared_cache, monkeypatch
):
    from django.test import Client

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    (distinction,) = bulk_distinctions(1)
    client = Client(REMOTE_ADDR="198.51.100.25")
    with monkeypatch.context() as outage:
        outage.setattr(connection, "cursor", _database_down)
        refused = [client.post(vote_url(distinction), {"value": "1"}) for _ in range(30)]
    assert {response.status_code for response in refused} == {503}
    # The database is back: the visitor's vote counts, as their first of the minute.
    assert client.post(vote_url(distinction), {"value": "1"}).status_code == 302
    assert Vote.objects.filter(distinction=distinction).count() == 1


def test_cast_vote_keeps_counts_equal_to_the_vote_rows(seeded):
    axis = source_axis()
    visitors = [uuid.uuid4() for _ in range(6)]
    for visitor, value in zip(visitors, [1, 1, 1, -1, -1, 1], strict=True):
        cast_vote(distinction_id=axis.pk, visitor_id=visitor, ip_hash="h", value=value)
    cast_vote(distinction_id=axis.pk, visitor_id=visitors[0], ip_hash="h", value=-1)
    cast_vote(distinction_id=axis.pk, visitor_id=visitors[1], ip_hash="h", value=0)
    axis.refresh_from_db()
    rows = Vote.objects.filter(distinction=axis)
    assert axis.upvotes == rows.filter(value=1).count() == 2
    assert axis.downvotes == rows.filter(value=-1).count() == 3
    assert axis.score == pytest.approx(wilson_lower_bound(2, 3))


def test_a_vote_a_moderator_voided_is_not_counted_and_cannot_be_revived(seeded):
    axis = source_axis()
    visitor = uuid.uuid4()
    cast_vote(distinction_id=axis.pk, visitor_id=visitor, ip_hash="h", value=1)
    Vote.objects.filter(visitor_id=visitor).update(is_void=True)
    axis.recount()
    outcome = cast_vote(distinction_id=axis.pk, visitor_id=visitor, ip_hash="h", value=0)
    cast_vote(distinction_id=axis.pk, visitor_id=visitor, ip_hash="h", value=1)
    axis.refresh_from_db()
    assert outcome.distinction.upvotes == 0
    assert axis.upvotes == 0
    assert Vote.objects.get(visitor_id=visitor).is_void


def test_cast_vote_refuses_a_distinction_removed_meanwhile(seeded, make_distinction):
    distinction = make_distinction()
    Distinction.objects.filter(pk=distinction.pk).update(status=ModerationStatus.REMOVED)
    with pytest.raises(VoteRefused):
        cast_vote(distinction_id=distinction.pk, visitor_id=uuid.uuid4(), ip_hash="h", value=1)
    assert not Vote.objects.exists()


def test_cast_vote_refuses_values_other_than_up_down_or_withdraw(seeded):
    with pytest.raises(ValueError, match="1, -1 or 0"):
        cast_vote(distinction_id=source_axis().pk, visitor_id=uuid.uuid4(), ip_hash="h", value=5)


def test_votes_reorder_readers_distinctions_by_wilson_score(seeded, make_distinction):
    older, newer = make_distinction(), make_distinction()
    assert list(Distinction.objects.from_readers().ranked()) == [newer, older]
    for _ in range(3):
        cast_vote(distinction_id=older.pk, visitor_id=uuid.uuid4(), ip_hash="h", value=1)
    assert list(Distinction.objects.from_readers().ranked()) == [older, newer]


def run_at_once(jobs: list[tuple[uuid.UUID, int]], distinction: Distinction) -> list[BaseException]:
    """Cast each (visitor, value) vote from its own thread and connection, all at the same time."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def vote(voter: uuid.UUID, value: int) -> None:
        try:
            barrier.wait(timeout=30)
            cast_vote(distinction_id=distinction.pk, visitor_id=voter, ip_hash="h", value=value)
        except BaseException as exc:  # reported by the caller's assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): row locks are what is tested")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_voters_at_once_leave_one_row_each_and_counts_equal_to_the_rows(seeded):
    needs_postgresql()
    axis = source_axis()
    voters = [uuid.uuid4() for _ in range(20)]
    errors = run_at_once([(v, 1 if n % 4 else -1) for n, v in enumerate(voters)], axis)
    assert errors == []
    axis.refresh_from_db()
    rows = Vote.objects.filter(distinction=axis)
    assert sorted(rows.values_list("visitor_id", flat=True)) == sorted(voters)
    assert axis.upvotes == rows.filter(value=1).count() == 15
    assert axis.downvotes == rows.filter(value=-1).count() == 5
    assert axis.score == pytest.approx(wilson_lower_bound(15, 5))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_visitor_voting_from_twenty_connections_at_once_has_one_vote(seeded):
    needs_postgresql()
    axis = source_axis()
    visitor = uuid.uuid4()
    assert run_at_once([(visitor, 1)] * 20, axis) == []
    axis.refresh_from_db()
    assert Vote.objects.filter(distinction=axis).count() == 1
    assert (axis.upvotes, axis.downvotes) == (1, 0)


def test_recounting_takes_the_same_queries_for_3_and_for_60_distinctions(
    seeded, make_distinction, make_vote, django_assert_num_queries
):
    from definitions.models import Distinction as D

    made = [make_distinction() for _ in range(60)]
    for distinction in made:
        make_vote(distinction)
        make_vote(distinction, value=-1)
    D.objects.filter(pk__in=[d.pk for d in made]).update(upvotes=9, downvotes=9, score=0.5)
    for rows in (made[:3], made):
        # Lock, one grouped count, one write (SQLite: the write may come in batches).
        with django_assert_num_queries(3):
            assert D.objects.filter(pk__in=[d.pk for d in rows]).recount() == len(rows)
    recounted = D.objects.filter(pk__in=[d.pk for d in made])
    assert {(d.upvotes, d.downvotes) for d in recounted} == {(1, 1)}
