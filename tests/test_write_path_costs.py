"""What each write costs the database and Redis: a change that adds a round trip fails here.

Counts are exact and differ by database: on PostgreSQL a vote is one call of the function
smsn_cast_vote (one round trip), elsewhere the ORM's four statements in a savepoint. The tests
run inside a transaction, so writes that commit by themselves in production appear here without
BEGIN or COMMIT either way.
"""

from __future__ import annotations

import pytest
import redis
from django.db import connection
from django.urls import reverse

from comments.models import Comment
from definitions.models import Distinction, Source, Vote
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def on_redis(redis_shared_cache):
    """Production's cache backend: the tests' database cache would add its own queries."""


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


# A vote: PostgreSQL one statement; elsewhere SAVEPOINT, lock and read the distinction, read the
# visitor's vote, write it, move the counts, RELEASE SAVEPOINT.
def vote_queries() -> int:
    return 1 if on_postgresql() else 6


def source_axis() -> Distinction:
    return Source.objects.get(slug="channel-or-place").distinction


@pytest.fixture
def redis_commands(monkeypatch):
    """Count the commands sent to Redis (a script call is one)."""
    sent: list[str] = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def test_an_htmx_vote_costs_one_round_trip_on_postgresql(
    returning_visitor, seeded, make_distinction, django_assert_num_queries
):
    distinction = make_distinction()
    client, _ = returning_visitor()
    url = reverse("definitions:vote", args=[distinction.pk])
    with django_assert_num_queries(vote_queries()):
        response = client.post(url, {"value": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert '<span class="vote-count">1</span>' in response.content.decode()


def test_changing_a_vote_costs_the_same_as_casting_it(
    returning_visitor, seeded, make_distinction, django_assert_num_queries
):
    distinction = make_distinction()
    client, _ = returning_visitor()
    url = reverse("definitions:vote", args=[distinction.pk])
    client.post(url, {"value": "1"}, headers=HTMX)
    with django_assert_num_queries(vote_queries()):
        client.post(url, {"value": "-1"}, headers=HTMX)
    distinction.refresh_from_db()
    assert (distinction.upvotes, distinction.downvotes) == (0, 1)


# Withdrawing: the ORM deletes the vote and what points at it (one SELECT and one DELETE for
# the moderators' removal records): on PostgreSQL after the function said it did nothing.
def withdrawal_queries() -> int:
    return 9 if on_postgresql() else 8


def test_withdrawing_a_vote_costs_a_fixed_number_of_queries(
    returning_visitor, seeded, make_distinction, django_assert_num_queries
):
    distinction = make_distinction()
    client, _ = returning_visitor()
    url = reverse("definitions:vote", args=[distinction.pk])
    client.post(url, {"value": "1"}, headers=HTMX)
    with django_assert_num_queries(withdrawal_queries()):
        client.post(url, {"value": "0"}, headers=HTMX)
    distinction.refresh_from_db()
    assert (distinction.upvotes, distinction.downvotes) == (0, 0)
    assert not Vote.objects.filter(distinction=distinction).exists()


def test_withdrawing_a_vote_a_removal_once_voided_deletes_its_record_too(
    returning_visitor, seeded, make_distinction, moderator
):
    from comments.models import RemovalScope, RemovedRow, VisitorRemoval

    distinction = make_distinction()
    client, visitor_id = returning_visitor()
    url = reverse("definitions:vote", args=[distinction.pk])
    client.post(url, {"value": "1"}, headers=HTMX)
    vote = Vote.objects.get(visitor_id=visitor_id)
    removal = VisitorRemoval.objects.create(scope=RemovalScope.VISITOR, moderator=moderator)
    # The removal was undone: its record points at a vote that counts again.
    RemovedRow.objects.create(removal=removal, vote=vote)
    if on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    response = client.post(url, {"value": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert not Vote.objects.filter(pk=vote.pk).exists()
    assert not RemovedRow.objects.filter(removal=removal).exists()


def test_a_vote_without_javascript_on_a_readers_distinction_adds_only_the_rank_count(
    returning_visitor, seeded, make_distinction, django_assert_num_queries
):
    distinction = make_distinction()
    client, _ = returning_visitor()
    with django_assert_num_queries(vote_queries() + 1):
        response = client.post(reverse("definitions:vote", args=[distinction.pk]), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{seeded.get_absolute_url()}#distinction-{distinction.pk}"


def test_a_vote_without_javascript_on_a_sources_distinction_costs_the_vote_alone(
    returning_visitor, seeded, django_assert_num_queries
):
    axis = source_axis()
    client, _ = returning_visitor()
    with django_assert_num_queries(vote_queries()):
        response = client.post(reverse("definitions:vote", args=[axis.pk]), {"value": "-1"})
    assert response["Location"] == f"{seeded.get_absolute_url()}#distinction-{axis.pk}"


def test_a_vote_costs_two_redis_commands_the_rate_limit_and_one_new_page_version(
    returning_visitor, seeded, make_distinction, redis_commands
):
    distinction = make_distinction()
    client, _ = returning_visitor()
    url = reverse("definitions:vote", args=[distinction.pk])
    client.post(url, {"value": "1"}, headers=HTMX)
    redis_commands.clear()
    client.post(url, {"value": "-1"}, headers=HTMX)
    # (A write inside a transaction bumps the version once more on commit, which the test's
    # transaction never reaches; in production's autocommit the vote is committed already.)
    assert redis_commands == ["EVALSHA", "EVALSHA"]


# Posting a comment: the comparison, the submission token, the banned words, the INSERT (in a
# savepoint inside the test's transaction: two more) and the count that finds its page.
COMMENT_QUERIES = 7


def test_a_comment_without_javascript_costs_a_fixed_number_of_queries(
    client, seeded, comment_form, django_assert_num_queries
):
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    with django_assert_num_queries(COMMENT_QUERIES):
        response = client.post(url, comment_form(body="Counted, and shown."))
    assert response.status_code == 302
    assert Comment.objects.filter(body="Counted, and shown.").exists()


def test_a_comment_costs_the_same_however_long_the_thread(
    client, seeded, comment_form, make_comment, django_assert_num_queries
):
    for n in range(30):
        make_comment(body=f"Earlier comment {n}")
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    with django_assert_num_queries(COMMENT_QUERIES):
        response = client.post(url, comment_form(body="The thirty-first."))
    assert response.status_code == 302


def test_a_comments_four_rate_limit_counters_are_one_redis_command(
    client, seeded, comment_form, redis_commands
):
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    client.post(url, comment_form(body="One more comment."))
    scripts = [c for c in redis_commands if c.startswith("EVAL")]
    # The rate limit (network and visitor, per minute and per hour) and the page version.
    assert len(scripts) == 2


def test_rate_limits_on_redis_refuse_past_the_limit_and_say_how_long_to_wait(
    redis_shared_cache, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "vote": [(2, 60)]}
    assert ratelimit.allow("vote", "network-a")
    assert ratelimit.allow("vote", "network-a")
    refused = ratelimit.allow("vote", "network-a")
    assert not refused
    assert 1 <= refused.retry_after <= 60
    assert ratelimit.allow("vote", "network-b")


def test_a_refused_comment_on_redis_does_not_count_towards_the_hourly_limit(
    redis_shared_cache, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(1, 60), (2, 3600)]}
    assert ratelimit.allow("comment", "net", "visitor")
    # Over the minute's limit: refused there, so the hour's counters are not counted.
    assert not ratelimit.allow("comment", "net", "visitor")
    assert not ratelimit.allow("comment", "net", "visitor")
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(100, 60), (2, 3600)]}
    assert ratelimit.allow("comment", "net", "visitor")
    assert not ratelimit.allow("comment", "net", "visitor")


# Adding a distinction: the comparison, the banned words, get_or_create (a SELECT, then the
# INSERT in a savepoint), inside the action's transaction; then the rank count for the redirect.
DISTINCTION_QUERIES = 9


def test_a_distinction_without_javascript_costs_a_fixed_number_of_queries(
    client, seeded, distinction_form, django_assert_num_queries
):
    url = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
    with django_assert_num_queries(DISTINCTION_QUERIES):
        response = client.post(url, distinction_form())
    assert response.status_code == 302
    assert Distinction.objects.filter(axis_a="loudspeaker").exists()


def placement_post(client, **headers):
    from definitions.models import Dimension

    point = Dimension.objects.get(slug="audience")
    url = reverse("definitions:place", args=[point.pk])
    return lambda value: client.post(url, {"value": value}, **headers)


def answer_post(client, **headers):
    from definitions.models import Example

    url = reverse("definitions:answer", args=[Example.objects.get(slug="youtube").pk])
    return lambda value: client.post(url, {"value": value}, **headers)


# A placement or an answer changed with htmx: SAVEPOINT, lock and read the point (example), read
# the visitor's row, write it, move the counts, RELEASE SAVEPOINT. The answer's reply then shows
# what the sources imply (the implications, their sources and definitions) and how readers
# answered: four reads.
@pytest.mark.parametrize(
    ("post", "queries"),
    [(placement_post, 6), (answer_post, 10)],
    ids=["placement", "example answer"],
)
def test_changing_a_placement_or_an_answer_costs_a_fixed_number_of_queries(
    client, seeded, post, queries, django_assert_num_queries
):
    send = post(client, headers=HTMX)
    assert send("both").status_code == 200
    with django_assert_num_queries(queries):
        response = send("b")
    assert response.status_code == 200
