"""Search (issue 19): words found across sources, definitions, distinctions and comments.

Every test runs on SQLite (the icontains fallback) and on PostgreSQL (full-text search); the
ones about ranking and stemming are PostgreSQL's alone and say so.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from definitions.models import Comparison, Source
from definitions.moderation import ModerationStatus
from search.results import MAX_QUERY_LENGTH, PER_KIND, excerpt, fallback_words

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:search")
HTMX = {"HTTP_HX_REQUEST": "true"}


def search(client: Client | None = None, **params) -> tuple[int, str]:
    response = (client or Client()).get(SEARCH, params)
    return response.status_code, response.content.decode()


def found(client: Client | None = None, **params) -> str:
    """Return the search page for these parameters, which must be answered 200."""
    status, html = search(client, **params)
    assert status == 200, html
    return html


def group(html: str, kind: str) -> str:
    """Return the HTML of one kind's results ("" when that kind found nothing)."""
    found = re.search(
        rf'<section class="search-group" aria-labelledby="results-{kind}">(.*?)</section>',
        html,
        re.S,
    )
    return found.group(1) if found else ""


def hit_links(html: str, kind: str) -> list[str]:
    return re.findall(r'<a class="search-hit-title" href="([^"]+)"', group(html, kind))


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): its full-text search")


def other_comparison(**fields) -> Comparison:
    fields.setdefault("slug", "cats-vs-dogs")
    return Comparison.objects.create(term_a="Cats", term_b="Dogs", **fields)


# What is found, and where it leads ----------------------------------------------------------------


def test_a_word_of_a_definition_finds_it_and_links_to_the_quote_in_its_source(seeded):
    html = found(q="disseminate")
    source = Source.objects.get(slug="channel-or-place")
    assert hit_links(html, "definitions") == [f"{source.get_absolute_url()}#definition-a"]
    assert re.search(r"<mark>disseminate</mark>", group(html, "definitions"))


def test_a_word_of_a_source_title_finds_the_source_page(seeded):
    html = found(q="reason")
    source = Source.objects.get(slug="content-or-conversation")
    assert source.get_absolute_url() in hit_links(html, "sources")
    assert "<mark>reason</mark>" in group(html, "sources")


def test_a_comment_is_found_and_links_to_its_permalink(seeded, make_comment):
    comment = make_comment(body="Pelicans are the best example of a network I know.")
    html = found(q="pelicans")
    assert hit_links(html, "comments") == [reverse("comments:permalink", args=[comment.pk])]
    assert "<mark>Pelicans</mark>" in group(html, "comments")
    # The permalink leads to the comment in its thread.
    landing = Client().get(hit_links(html, "comments")[0])
    assert landing.status_code == 302
    assert landing["Location"].endswith(f"#comment-{comment.pk}")


def test_a_readers_distinction_links_to_its_anchor_on_the_page_that_lists_it(
    seeded, bulk_distinctions, make_distinction
):
    bulk_distinctions(30, votes=90)
    marmalade = make_distinction(text_a="Marmalade for breakfast", text_b="Toast for friends")
    html = found(q="marmalade")
    (link,) = hit_links(html, "distinctions")
    assert link.endswith(f"#distinction-{marmalade.pk}")
    # Unvoted and newest of 31: it ranks after the voted ones, on the second page of twenty.
    assert "?page=2#" in link
    page = Client().get(link.partition("#")[0]).content.decode()
    assert f'id="distinction-{marmalade.pk}"' in page


def test_a_sources_distinction_axis_finds_it_on_the_comparison_page(seeded):
    distinction = seeded.distinctions.filter(source__slug="channel-or-place").get()
    html = found(q=distinction.axis_a)
    links = hit_links(html, "distinctions")
    assert f"{seeded.get_absolute_url()}#distinction-{distinction.pk}" in links


def test_held_removed_and_spam_writing_is_found_by_nobody_not_even_its_writer(
    seeded, make_comment, make_distinction, returning_visitor, moderator_client
):
    client, visitor_id = returning_visitor()
    make_comment(body="Held pelicans", status=ModerationStatus.PENDING, visitor_id=visitor_id)
    make_comment(body="Removed pelicans", status=ModerationStatus.REMOVED)
    make_comment(body="Spam pelicans", status=ModerationStatus.SPAM)
    make_distinction(text_a="Pelicans held", status=ModerationStatus.PENDING)
    make_comment(body="Published pelicans")
    for who in (Client(), client, moderator_client):
        html = found(who, q="pelicans")
        assert len(hit_links(html, "comments")) == 1
        assert "Published" in group(html, "comments")
        assert group(html, "distinctions") == ""


def test_pingbacks_and_unpublished_sources_and_comparisons_are_not_found(seeded, make_comment):
    from comments.models import CommentKind

    make_comment(body="Pingback from pelicans.example", kind=CommentKind.PINGBACK)
    hidden = Source.objects.get(slug="channel-or-place")
    hidden.is_published = False
    hidden.save()
    hidden_comparison = other_comparison(is_published=False)
    Comment.objects.create(comparison=hidden_comparison, body="Secret pelicans")
    html = found(q="pelicans")
    assert "results-comments" not in html
    html = found(q="disseminate")
    assert hit_links(html, "definitions") == []


def test_a_search_from_a_comparison_finds_only_in_that_comparison(seeded, make_comment):
    make_comment(body="Pelicans in social media")
    cats = other_comparison()
    theirs = Comment.objects.create(comparison=cats, body="Pelicans chase cats")
    html = found(q="pelicans", comparison=seeded.slug)
    assert len(hit_links(html, "comments")) == 1
    assert "chase cats" not in html
    assert "Search every comparison instead" in html
    html = found(q="pelicans")
    assert reverse("comments:permalink", args=[theirs.pk]) in hit_links(html, "comments")
    assert len(hit_links(html, "comments")) == 2


def test_the_header_search_box_searches_the_comparison_of_the_page_it_is_on(seeded):
    for page in (seeded.get_absolute_url(), Source.objects.first().get_absolute_url()):
        html = Client().get(page).content.decode()
        box = re.search(r'<form class="site-search".*?</form>', html, re.S).group()
        assert f'action="{SEARCH}"' in box
        assert f'name="comparison" value="{seeded.slug}"' in box
    html = Client().get(reverse("privacy")).content.decode()
    box = re.search(r'<form class="site-search".*?</form>', html, re.S).group()
    assert 'name="comparison"' not in box


def test_each_kind_shows_a_few_hits_and_links_to_all_of_them_page_by_page(seeded, make_comment):
    for n in range(45):
        make_comment(body=f"Pelicans comment number {n}")
    html = found(q="pelicans")
    assert len(hit_links(html, "comments")) == PER_KIND
    assert "(45)" in group(html, "comments")
    more = re.search(r'<p class="search-more"><a href="([^"]+)">All 45 comments</a>', html)
    assert more
    first = Client().get(more.group(1).replace("&amp;", "&")).content.decode()
    assert len(hit_links(first, "comments")) == 20
    assert "page 1 of 3" in first
    assert group(first, "sources") == ""
    third = found(q="pelicans", kind="comments", page="3")
    assert len(hit_links(third, "comments")) == 5
    assert 'rel="prev"' in third
    assert 'rel="next"' not in third
    # Pages past the end, and pages that are no number, show a page that exists.
    for page in ("99", "x", "-1", "1e9"):
        html = found(q="pelicans", kind="comments", page=page)
        assert len(hit_links(html, "comments")) in (5, 20)


def test_htmx_gets_the_results_alone_for_search_as_you_type(seeded):
    response = Client().get(SEARCH, {"q": "disseminate"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "results-definitions" in html
    assert "HX-Request" in response["Vary"]


def test_the_search_form_works_without_javascript_and_is_enhanced_by_htmx(seeded):
    html = found(q="disseminate")
    form = re.search(r'<form class="search-form" method="get" action="([^"]+)"', html)
    assert form
    assert form.group(1) == SEARCH
    field = re.search(r'<input type="search" name="q"[^>]*>', html).group()
    assert 'value="disseminate"' in field
    assert f'data-hx-get="{SEARCH}"' in field
    assert f'maxlength="{MAX_QUERY_LENGTH}"' in field


# Clear sentences instead of results ---------------------------------------------------------------


def test_an_empty_search_asks_for_words(seeded):
    html = found(q="   ")
    assert "Type a word or a phrase" in html


def test_a_query_too_long_is_refused_with_a_sentence_next_to_the_field_and_kept(seeded):
    long = "pelicans " * 40
    status, html = search(q=long)
    assert status == 400
    assert f"Search for at most {MAX_QUERY_LENGTH} characters" in html
    assert 'class="field has-error"' in html
    assert "pelicans pelicans" in re.search(r'<input type="search" name="q"[^>]*>', html).group()
    response = Client().get(SEARCH, {"q": long}, **HTMX)
    assert response.status_code == 200
    assert f"Search for at most {MAX_QUERY_LENGTH} characters" in response.content.decode()


def test_an_unknown_comparison_is_refused_with_a_sentence(seeded):
    status, html = search(q="media", comparison="no-such-thing")
    assert status == 400
    assert "There is no such comparison to search in" in html


def test_a_search_that_finds_nothing_says_so(seeded):
    html = found(q="xylophone")
    assert "Nothing found for “xylophone”" in html


# Safe highlighting --------------------------------------------------------------------------------


def test_markup_in_found_text_is_shown_as_text_with_only_our_marks(seeded, make_comment):
    make_comment(body='Pelicans <script>alert(1)</script> & <b onclick="x()">more</b>')
    html = found(q="pelicans")
    comments = group(html, "comments")
    assert "<script>alert(1)" not in comments
    # Every character as typed, none dropped for looking like a tag.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b onclick=" in comments
    assert "<mark>Pelicans</mark>" in comments
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', comments, re.S).group(1)
    assert set(re.findall(r"<(\w+)", snippet)) == {"mark"}


def test_a_query_holding_markup_is_shown_as_text(seeded):
    html = found(q='<img src=x onerror="alert(1)">')
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_fallback_excerpt_escapes_and_marks_every_match():
    text = "x " * 200 + "a <b>Pelican</b> & another pelican " + "y " * 200
    snippet = excerpt(text, fallback_words("pelican"))
    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert "&lt;b&gt;<mark>Pelican</mark>&lt;/b&gt; &amp; another <mark>pelican</mark>" in snippet
    assert "<b>" not in snippet


# Queries ------------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_rows(seeded, make_comment, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            found(q="pelicans")
        return len(queries)

    make_comment(body="Pelicans once")
    count()  # this worker reads the published comparisons once in a while, not every search
    few = count()
    for n in range(30):
        make_comment(body=f"Pelicans again {n}", parent=Comment.objects.first())
    assert count() == few


def test_a_second_search_comes_from_the_cache_until_something_changes(seeded, make_comment):
    make_comment(body="Pelicans once")
    search(q="pelicans")
    with CaptureQueriesContext(connection) as queries:
        found(q="pelicans")
    searched = [q["sql"] for q in queries if "comments_comment" in q["sql"]]
    assert searched == []
    make_comment(body="Pelicans twice")
    html = found(q="pelicans")
    assert len(hit_links(html, "comments")) == 2


def test_a_cached_search_page_carries_each_visitors_own_csrf_token_and_nonce(seeded, make_comment):
    make_comment(body="Pelicans once")
    pages = [found(Client(), q="pelicans") for _ in range(2)]
    with CaptureQueriesContext(connection) as queries:
        third = found(Client(), q="pelicans")
    assert [q["sql"] for q in queries if "comments_comment" in q["sql"]] == []
    tokens = [re.search(r'X-CSRFToken": "([^"]+)"', page).group(1) for page in [*pages, third]]
    nonces = [re.search(r'nonce="([^"]+)"', page).group(1) for page in [*pages, third]]
    assert len(set(tokens)) == 3
    assert len(set(nonces)) == 3
    assert "\ue000" not in third
    assert len(hit_links(third, "comments")) == 1


# PostgreSQL: ranking, stemming, its query language ------------------------------------------------


@pytest.mark.postgres
def test_postgresql_ranks_the_best_match_first_whatever_its_age(seeded, make_comment):
    needs_postgresql()
    from datetime import timedelta

    from django.utils import timezone

    best = make_comment(
        body="Pelicans, pelicans and pelicans: pelicans everywhere.",
        created=timezone.now() - timedelta(days=30),
    )
    make_comment(body="A long comment about networks that mentions a pelican only once, late.")
    html = found(q="pelicans")
    links = hit_links(html, "comments")
    assert links[0] == reverse("comments:permalink", args=[best.pk])
    assert len(links) == 2


@pytest.mark.postgres
def test_postgresql_finds_other_forms_of_a_word_and_marks_them(seeded):
    needs_postgresql()
    html = found(q="networks")
    assert "<mark>networking</mark>" in group(html, "definitions").lower()


@pytest.mark.postgres
def test_postgresql_reads_phrases_and_exclusions_as_a_web_search(seeded, make_comment):
    needs_postgresql()
    make_comment(body="Pelicans fly over the bay.")
    make_comment(body="The bay has pelicans that never fly.")
    html = found(q='"pelicans fly"')
    assert len(hit_links(html, "comments")) == 1
    html = found(q="pelicans -never")
    assert len(hit_links(html, "comments")) == 1
    assert "over the bay" in group(html, "comments")


@pytest.mark.postgres
def test_postgresql_ranks_the_newest_matches_together_and_says_there_are_more(
    seeded, make_comment, monkeypatch
):
    needs_postgresql()
    from datetime import timedelta

    from django.utils import timezone

    from search import results

    monkeypatch.setattr(results, "COUNTED", 3)
    monkeypatch.setattr(results, "RANKED", 2)
    monkeypatch.setattr(results, "PER_KIND", 2)
    now = timezone.now()
    oldest = make_comment(body="Pelicans " * 9, created=now - timedelta(days=9))
    for n in range(5):
        make_comment(body=f"Pelicans {n}", created=now - timedelta(days=n))
    html = found(q="pelicans")
    assert "(3+)" in group(html, "comments")
    assert "The best of the newest 3 comments" in html
    assert reverse("comments:permalink", args=[oldest.pk]) not in hit_links(html, "comments")


@pytest.mark.postgres
def test_postgresql_says_when_a_query_has_only_stop_words(seeded):
    needs_postgresql()
    html = found(q="the and of")
    assert "only words too common to search for" in html


@pytest.mark.postgres
def test_postgresql_highlights_with_marks_no_stored_text_can_forge(seeded, make_comment):
    needs_postgresql()
    make_comment(body="Pelicans [0123456789abcdef: and :0123456789abcdef] <mark>x</mark>")
    html = found(q="pelicans")
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', group(html, "comments"), re.S)
    assert snippet.group(1).count("<mark>") == 1
    assert "&lt;mark&gt;x&lt;/mark&gt;" in snippet.group(1)


# Hostile queries (more in test_hostile_input.py) --------------------------------------------------

HOSTILE = [
    "& | ! :* <->",
    "pelicans:*",
    "!!!",
    "a <-> b",
    '"unbalanced',
    "'single",
    '"""',
    "(((",
    "\\",
    "-",
    "or",
    "שלום עולם",
    "\u202epelicans",
    "مرحبا",
    "😀",
    "\ud800",
    "%",
    "_",
    "x" * MAX_QUERY_LENGTH,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_results_or_a_sentence(seeded, make_comment, query):
    make_comment(body="Pelicans & friends | not ! here")
    raw = query.encode("utf-8", "surrogatepass")
    from urllib.parse import quote_plus

    for extra in ({}, HTMX):
        response = Client().get(f"{SEARCH}?q={quote_plus(raw)}", **extra)
        assert response.status_code == 200, query
        html = response.content.decode()
        assert any(
            sentence in html
            for sentence in ("result", "Nothing found", "too common", "Type a word")
        ), html[-2000:]


def test_a_nul_in_the_query_is_refused_with_a_sentence(seeded):
    response = Client().get(f"{SEARCH}?q=pel%00icans")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_comment_a_moderator_removes_leaves_the_cached_results_at_once(
    seeded, make_comment, moderator
):
    from definitions.moderation import moderate

    comment = make_comment(body="Pelicans to be removed")
    assert len(hit_links(found(q="pelicans"), "comments")) == 1
    moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=ModerationStatus.REMOVED,
        user=moderator,
    )
    assert "results-comments" not in found(q="pelicans")
