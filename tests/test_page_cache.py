"""The comparison page is cached for everyone; every change a visitor or moderator makes shows."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from comments.models import Comment
from definitions.models import Distinction, Vote
from definitions.moderation import ModerationStatus, moderate
from smsn import pagecache as page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["database cache", "redis cache"])
def shared_cache(request):
    """Run every test here on the tests' database cache and on production's Redis backend."""
    if request.param == "redis cache":
        request.getfixturevalue("redis_shared_cache")


def page(client, seeded) -> str:
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def vote_counts(html: str, distinction: Distinction) -> tuple[str, str]:
    form = re.search(rf'<form class="vote" id="vote-{distinction.pk}".*?</form>', html, re.S)
    assert form is not None
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
    comment = make_comment(body="Held for a moderator", status=ModerationStatus.PENDING)
    assert "Held for a moderator" not in page(client, seeded)
    moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=ModerationStatus.PUBLISHED,
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


def normalised(html: str) -> str:
    """Return the page with per-request values blanked and whitespace runs made one space."""
    html = re.sub(r'(name="(?:csrfmiddlewaretoken|token|ticket)" value=")[^"]*"', r'\1"', html)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'("X-CSRFToken": ")[^"]*"', r'\1"', html)
    return re.sub(r"\s+", " ", html)


def test_the_cached_page_reads_exactly_like_the_page_rendered_for_one_visitor(
    client, seeded, make_distinction, make_comment, returning_visitor
):
    liked, disliked = make_distinction(text_a="Liked one"), make_distinction(text_a="Disliked")
    make_comment(body="A comment <b>with markup</b> & an ampersand")
    voter, visitor_id = returning_visitor()
    Vote.objects.create(distinction=liked, visitor_id=visitor_id, value=1)
    Vote.objects.create(distinction=disliked, visitor_id=visitor_id, value=-1)
    for visitor in (client, voter):
        page(visitor, seeded)
        cached = page(visitor, seeded)
        # A query string the page ignores makes the view render the page for this request.
        rendered = visitor.get(seeded.get_absolute_url() + "?from=feed").content.decode()
        assert normalised(cached) == normalised(rendered)
        # The cache leaves out indentation only: a fifth of the page's bytes.
        assert len(cached) < len(rendered)


def test_another_worker_serves_the_page_from_the_shared_cache_without_rendering_it(
    client, seeded, make_distinction, django_assert_max_num_queries
):
    make_distinction(text_a="Seen by every worker")
    first = page(client, seeded)
    # A second worker process: it has no copy of its own, only the shared cache.
    page_cache.forget_local_copies()
    with django_assert_max_num_queries(6):
        second = page(type(client)(), seeded)
    assert "Seen by every worker" in second
    assert normalised(first) == normalised(second)
    assert first != second  # its own CSRF token, nonce and form tokens


def test_a_change_made_through_another_worker_shows_although_this_worker_has_a_copy(
    client, seeded, make_distinction
):
    distinction = make_distinction(text_a="Counted here")
    page(client, seeded)
    # Another worker records a vote: only the shared version tells this worker its copy is old.
    Distinction.objects.filter(pk=distinction.pk).update(upvotes=7)
    page_cache.bump(seeded.pk)
    assert vote_counts(page(client, seeded), distinction) == ("7", "0")


def test_a_new_visitor_may_get_a_copy_up_to_a_second_old_but_anyone_who_acted_never(
    client, seeded, make_distinction, returning_visitor, settings
):
    settings.SMSN_SHARED_PAGE_MAX_AGE = 0.5
    distinction = make_distinction()
    assert vote_counts(page(client, seeded), distinction) == ("0", "0")
    # A vote recorded by another worker, a moment after this worker confirmed its copy.
    Distinction.objects.filter(pk=distinction.pk).update(upvotes=1)
    page_cache.bump(seeded.pk)
    # A visitor with the cookie may have acted: their page is always checked, so it is current.
    returning, _ = returning_visitor()
    assert vote_counts(page(returning, seeded), distinction) == ("1", "0")
    # Somebody with no cookie at all (they never acted) gets the current page once the half
    # second is over, whatever this worker had.
    time.sleep(0.6)
    assert vote_counts(page(type(client)(), seeded), distinction) == ("1", "0")


def hostile_texts(distinction_pk: int) -> list[str]:
    """Return readers' texts shaped like the cache's own holes (any marker a reader could guess)."""
    return [
        "I agree \ue000zz\ue000 with this",
        "\ue000csrf\ue000 and \ue000nonce\ue000",
        "\ue000fresh:token\ue000 \ue000fresh:ticket\ue000",
        f"\ue000vote:{distinction_pk}\ue000 \ue000end-vote\ue000",
        "\ue000" + "0" * 32 + ":csrf\ue000",
    ]


def test_readers_text_shaped_like_the_caches_holes_is_shown_as_typed_to_everyone(
    client, seeded, make_distinction, make_comment, returning_visitor
):
    target = make_distinction(text_a="A plain distinction")
    texts = hostile_texts(target.pk)
    for text in texts:
        make_comment(body=text, author_name=f"{text} (name)")
        make_distinction(text_a=text, axis_a=text[:40], axis_b="x")
    source = seeded.sources.first()
    make_comment(comparison=seeded, source=source, body=texts[0])
    returning, _ = returning_visitor()
    for visitor in (client, type(client)(), returning):
        for url in (seeded.get_absolute_url(), source.get_absolute_url()):
            for _ in range(2):  # rendered and stored, then served from the cache
                response = visitor.get(url)
                assert response.status_code == 200, url
                html = response.content.decode()
                rendered = visitor.get(url + "?from=feed").content.decode()
                assert normalised(html) == normalised(rendered)
                assert texts[0] in html
        html = page(visitor, seeded)
        for text in texts:
            assert html.count(text) >= 2  # the comment and the distinction, as typed
        # Only the real vote forms: none grew out of a reader's text.
        assert html.count('<form class="vote"') == Distinction.objects.published().count()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        nonce = re.search(r'nonce="([^"]+)"', html).group(1)
        for text in texts:
            assert token not in text
            assert nonce not in text
        # The nonce stands only in the scripts' nonce attributes, nowhere in readers' text.
        assert html.count(nonce) == html.count(f'nonce="{nonce}"') == html.count("<script")


def test_every_page_view_gets_a_distinction_form_token_of_its_own(client, seeded):
    pattern = r'name="token" value="([^"]+)"'
    first = re.search(pattern, page(client, seeded)).group(1)
    second = re.search(pattern, page(type(client)(), seeded)).group(1)
    assert first != second


def test_two_releases_on_one_shared_cache_never_serve_each_others_pages(client, seeded, settings):
    from django.core.cache import cache

    settings.SMSN_RELEASE = "release-a"
    page(client, seeded)
    # Mark release a's stored page, as if its HTML named a's hashed static files.
    key = page_cache._page_key(seeded.pk, page_cache.version(seeded.pk))
    data = cache.get(key)
    data["parts"][0] = data["parts"][0].replace(b"<title>", b"<title>Release A ")
    cache.set(key, data)
    page_cache.forget_local_copies()
    assert "Release A" in page(client, seeded)
    settings.SMSN_RELEASE = "release-b"
    page_cache.forget_local_copies()
    assert "Release A" not in page(type(client)(), seeded)
    settings.SMSN_RELEASE = "release-a"
    page_cache.forget_local_copies()
    assert "Release A" in page(type(client)(), seeded)


def test_new_visitors_read_the_last_good_page_while_the_database_is_down(
    client, seeded, make_distinction, returning_visitor, monkeypatch, settings
):
    from django.db import OperationalError, connection

    def down(*args, **kwargs):
        raise OperationalError("connection to server failed")

    make_distinction(text_a="Before the outage")
    page(client, seeded)
    returning, _ = returning_visitor()
    make_distinction(text_a="Written just before the outage")  # a new version, never rendered
    monkeypatch.setattr(connection, "cursor", down)
    workers = ["this one"]
    if "Redis" in settings.CACHES["default"]["BACKEND"]:
        # (The tests' database cache goes down with the database: only Redis outlives it.)
        workers.append("a fresh one")
    for worker in workers:
        if worker == "a fresh one":
            page_cache.forget_local_copies()
        response = type(client)().get(seeded.get_absolute_url())
        assert response.status_code == 200, worker
        html = response.content.decode()
        assert "Before the outage" in html
        assert "Written just before" not in html
        assert response["Cache-Control"] == "no-store"
        assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', html)
    # Someone with the cookie would miss their own votes: they are told to come back.
    assert returning.get(seeded.get_absolute_url()).status_code == 503


def test_a_distinction_or_source_moved_to_another_comparison_leaves_the_first_ones_page(
    client, seeded, make_distinction
):
    from definitions.models import Comparison

    other = Comparison.objects.create(slug="blog-vs-vlog", term_a="Blog", term_b="Vlog")
    distinction = make_distinction(text_a="Filed under the wrong comparison")
    source = seeded.sources.published().first()
    assert "Filed under the wrong comparison" in page(client, seeded)
    assert source.title in page(client, seeded)
    # A moderator moves both (the admin saves the rows it loaded).
    for row in (Distinction.objects.get(pk=distinction.pk), type(source).objects.get(pk=source.pk)):
        row.comparison = other
        row.save()
    html = page(client, seeded)
    assert "Filed under the wrong comparison" not in html
    assert f">{source.title}<" not in html


def test_bulk_inserted_data_shows_on_the_next_page_view(client, seeded):
    from benchmarks.benchdata import generate

    before = page(client, seeded)
    assert "Reader 0" not in before
    generate(seeded.slug, distinctions=3, comments=5, votes=10)
    page_cache.forget_local_copies()  # a fresh worker, as after the benchmark's restart
    assert "Reader 0" in page(client, seeded)
