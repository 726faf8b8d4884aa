"""The comparison page: sources side by side, key differences, readers' distinctions in pages."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import RequestContext, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from definitions.models import Distinction, Source, Vote, wilson_lower_bound
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db


def page_url(comparison) -> str:
    return reverse("definitions:comparison", kwargs={"slug": comparison.slug})


def reader_ids_in_order(html: str) -> list[int]:
    """Return the ids of the readers' distinctions in the order the page lists them."""
    listing = html.split('id="readers-list"', 1)[1].split("</ol>", 1)[0]
    return [
        int(pk)
        for pk in re.findall(r'<li class="distinction[^"]*" id="distinction-(\d+)"', listing)
    ]


class Cells(HTMLParser):
    """Collect each table cell's text, by table class, to check what a cell says by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self._table = ""
        self._cell: list[str] | None = None
        self._cell_class = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("class", "")
            self.tables.setdefault(self._table, [])
        elif tag == "td":
            self._cell, self._cell_class = [], attrs.get("class", "")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.tables[self._table].append((self._cell_class, " ".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and data.strip():
            self._cell.append(data.strip())


def test_home_shows_the_flagship_comparison_with_both_terms_and_its_lead(client, seeded):
    html = client.get("/").content.decode()
    assert "<h1>" in html
    assert escape(seeded.lead) in html
    assert '<span class="term term-a">Social media</span>' in html
    assert '<span class="term term-b">Social networking</span>' in html


def test_each_source_row_quotes_both_definitions_and_links_to_them_in_place(client, seeded):
    html = client.get(page_url(seeded)).content.decode()
    for source in Source.objects.prefetch_related("definitions"):
        for definition in source.definitions.all():
            assert escape(definition.quote) in html
            assert f'href="{source.get_absolute_url()}#definition-{definition.term}"' in html


def test_each_source_row_shows_title_site_date_and_its_axis_with_votes(client, seeded, make_vote):
    source = Source.objects.get(slug="verb-or-tool")
    make_vote(source.distinction, Vote.Value.UP)
    make_vote(source.distinction, Vote.Value.UP)
    make_vote(source.distinction, Vote.Value.DOWN)
    html = client.get(page_url(seeded)).content.decode()
    row = html.split('id="source-verb-or-tool"', 1)[1].split("</tr>", 1)[0]
    assert escape(source.title) in row
    assert "masterthenewnet.com · 2010<" in row
    assert ">tool</span> vs <" in row
    assert ">activity</span></span>" in row
    assert f'id="distinction-{source.distinction.pk}"' in row
    assert re.search(r'class="vote-count">2<', row)
    assert re.search(r'class="vote-count">1<', row)
    assert f'action="{reverse("definitions:vote", args=[source.distinction.pk])}"' in row


def test_a_source_without_site_or_date_shows_no_line_about_them_in_the_table(client, seeded):
    html = client.get(page_url(seeded)).content.decode()
    row = html.split('id="source-channel-or-place"', 1)[1].split("</tr>", 1)[0]
    assert "not identified" not in row
    assert "not given" not in row
    assert 'class="source-meta"' not in row
    # Its own page still says what is not known, in a sentence.
    assert 'class="source-title" href="/compare/' in row


def test_a_source_with_only_a_date_shows_the_date_alone(client, seeded):
    Source.objects.filter(slug="channel-or-place").update(published_year=2011)
    html = client.get(page_url(seeded)).content.decode()
    row = html.split('id="source-channel-or-place"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="source-meta">2011</span>' in row


def test_every_cell_names_its_term_so_stacked_phone_columns_stay_labelled(client, seeded):
    parser = Cells()
    parser.feed(client.get(page_url(seeded)).content.decode())
    for table in ("side-by-side sources-table", "side-by-side differences-table"):
        cells = parser.tables[table]
        assert cells
        for css_class, text in cells:
            term = "Social media" if "col-a" in css_class else "Social networking"
            assert text.startswith(term), (table, text[:60])


def test_key_differences_list_what_each_source_says_for_each_term(client, seeded):
    html = client.get(page_url(seeded)).content.decode()
    section = html.split('id="key-differences"', 1)[1].split("</section>", 1)[0]
    row = section.split('id="dimension-audience"', 1)[1].split("</tr>", 1)[0]
    assert "Audience scale" in row
    assert "Thousands to millions of followers" in row
    assert "Selective groups of dozens to hundreds" in row
    assert 'href="#source-content-or-relationships">Source 4<' in row


def test_readers_distinctions_are_ranked_by_wilson_lower_bound(client, seeded, make_distinction):
    few = make_distinction(upvotes=2, downvotes=0)
    many = make_distinction(upvotes=40, downvotes=5)
    none = make_distinction()
    for d in (few, many):
        d.score = wilson_lower_bound(d.upvotes, d.downvotes)
        d.save()
    # 2 of 2 is a higher share than 40 of 45, but many votes are stronger evidence.
    assert many.score > few.score > none.score
    html = client.get(page_url(seeded)).content.decode()
    assert reader_ids_in_order(html) == [many.pk, few.pk, none.pk]


def test_the_newest_comes_first_among_equally_ranked_distinctions(client, seeded, make_distinction):
    now = timezone.now()
    old = make_distinction(created=now - timedelta(days=2))
    new = make_distinction(created=now)
    middle = make_distinction(created=now - timedelta(days=1))
    html = client.get(page_url(seeded)).content.decode()
    assert reader_ids_in_order(html) == [new.pk, middle.pk, old.pk]


def test_readers_distinctions_come_twenty_a_page_with_a_link_to_more(
    client, seeded, bulk_distinctions
):
    bulk_distinctions(25)
    # "/" shows the flagship; its links lead on to the comparison's own address.
    html = client.get("/").content.decode()
    assert len(reader_ids_in_order(html)) == 20
    assert 'href="/compare/social-media-vs-social-networking/?page=2#readers" rel="next"' in html
    assert 'data-hx-get="/compare/social-media-vs-social-networking/?page=2"' in html
    assert "25 distinctions." in html


def test_the_next_page_without_javascript_continues_the_numbering(
    client, seeded, bulk_distinctions
):
    bulk_distinctions(25)
    html = client.get(page_url(seeded), {"page": 2}).content.decode()
    assert len(reader_ids_in_order(html)) == 5
    assert '<ol class="distinctions" id="readers-list" start="21">' in html
    assert 'href="/compare/social-media-vs-social-networking/?page=1#readers" rel="prev"' in html
    assert 'rel="next"' not in html
    # The rest of the page is all there.
    assert "How each source draws the line" in html


def test_more_distinctions_with_htmx_returns_only_the_next_items_and_pager(
    client, seeded, bulk_distinctions
):
    made = bulk_distinctions(45)
    response = client.get(page_url(seeded), {"page": 2}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "How each source draws the line" not in html
    ids = re.findall(r'<li class="distinction[^"]*" id="distinction-(\d+)"', html)
    assert len(ids) == 20
    assert set(map(int, ids)) <= {d.pk for d in made}
    assert 'id="readers-pager"' in html
    assert 'data-hx-swap-oob="true"' in html
    assert 'data-hx-get="/compare/social-media-vs-social-networking/?page=3"' in html
    assert "20 more distinctions loaded." in html
    assert "HX-Request" in response["Vary"]


def test_the_last_htmx_page_hides_the_more_link(client, seeded, bulk_distinctions):
    bulk_distinctions(25)
    html = client.get(
        page_url(seeded), {"page": 2}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'rel="next"' not in html
    assert re.search(r'id="readers-pager"[^>]*hidden', html)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1" * 30, "²", "①"])
def test_a_nonsense_page_number_still_shows_a_page(client, seeded, bulk_distinctions, page):
    bulk_distinctions(25)
    response = client.get(page_url(seeded), {"page": page})
    assert response.status_code == 200
    assert len(reader_ids_in_order(response.content.decode())) in (20, 5)


def test_a_page_number_with_a_nul_byte_is_refused_with_a_sentence(client, seeded):
    response = client.get(page_url(seeded), {"page": "2\x00"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_pending_distinction_is_shown_only_to_its_author(
    client, seeded, make_distinction, returning_visitor
):
    author, author_id = returning_visitor()
    pending = make_distinction(status=ModerationStatus.PENDING, visitor_id=author_id)
    html = author.get(page_url(seeded)).content.decode()
    assert reader_ids_in_order(html) == [pending.pk]
    assert "Waiting for a moderator." in html
    assert f'action="{reverse("definitions:vote", args=[pending.pk])}"' not in html
    other, _ = returning_visitor()
    assert reader_ids_in_order(other.get(page_url(seeded)).content.decode()) == []
    assert reader_ids_in_order(client.get(page_url(seeded)).content.decode()) == []


def test_removed_and_spam_distinctions_are_not_shown_even_to_their_author(
    seeded, make_distinction, returning_visitor
):
    author, author_id = returning_visitor()
    make_distinction(status=ModerationStatus.REMOVED, visitor_id=author_id)
    make_distinction(status=ModerationStatus.SPAM, visitor_id=author_id)
    assert reader_ids_in_order(author.get(page_url(seeded)).content.decode()) == []


def test_a_removed_source_axis_is_not_shown_or_votable(client, seeded):
    source = Source.objects.get(slug="verb-or-tool")
    Distinction.objects.filter(source=source).update(status=ModerationStatus.REMOVED)
    html = client.get(page_url(seeded)).content.decode()
    row = html.split('id="source-verb-or-tool"', 1)[1].split("</tr>", 1)[0]
    assert "Draws the line" not in row
    assert 'class="vote"' not in row


def test_text_a_reader_typed_as_html_is_shown_as_text(client, seeded, make_distinction):
    make_distinction(text_a="<script>alert(1)</script> is media", author_name="<b>Eve</b>")
    html = client.get(page_url(seeded)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is media" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_the_page_has_no_inline_styles_or_scripts_the_csp_would_block(
    client, seeded, make_distinction
):
    make_distinction()
    html = client.get(page_url(seeded)).content.decode()
    assert " style=" not in html
    # The only inline scripts are structured data, which browsers never run.
    assert re.search(r'<script(?![^>]*(\bsrc=|type="application/ld\+json"))', html) is None
    assert re.search(r"<[^>]+\son[a-z]+=", html) is None


def test_every_form_control_has_a_label(client, seeded, make_distinction):
    make_distinction()
    html = client.get(page_url(seeded)).content.decode()
    ids = re.findall(r'<(?:input|textarea|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    assert {"id_text_a", "id_text_b", "id_axis_a", "id_axis_b", "id_author_name"} <= set(ids)
    for control_id in ids:
        assert f'<label for="{control_id}">' in html, control_id
    # The vote buttons sit in a fieldset whose legend says what is being voted on.
    assert html.count("<legend>Convincing?") == html.count('<form class="vote"')


def comparison_queries(client, seeded, visitor_client_) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = visitor_client_.get(page_url(seeded))
    assert response.status_code == 200
    return len(queries)


def discussion_queries(response, seeded, *, cold: bool = False) -> int:
    """Return the queries the Discussion thread (the comments app's tag) costs on its own."""
    if cold:
        cache.clear()
    template = Template("{% load comments_tags %}{% comment_thread comparison %}")
    with CaptureQueriesContext(connection) as queries:
        template.render(RequestContext(response.wsgi_request, {"comparison": seeded}))
    return len(queries)


# comparison, sources with their axes, definitions, dimensions, stances, readers' count, page,
# examples, the comment count of every distinction.
PAGE_QUERIES = 9
# The page is cached per version of its comparison (smsn/pagecache.py). Tests use Django's
# database cache, so reading the cache costs queries here (in production it is Redis). A warm
# page view reads only the versions: the page itself is this process's copy of that version,
# and the comparison comes with it.
VERSION_READ = 1
# A cold cache costs the page's queries, the thread's cold queries (which start the versions and
# store the thread) and the page's own cache work on top: read versions, miss, store the page
# and the last good page (what new visitors read if the database goes down), culling.
COLD_EXTRA = 13


def cold_get(client, url):
    cache.clear()
    return client.get(url)


def test_page_queries_stay_the_same_for_10_and_for_500_distinctions_for_a_new_visitor(
    client, seeded, bulk_distinctions, django_assert_num_queries
):
    bulk_distinctions(10, votes=100)
    cache.clear()
    thread = discussion_queries(client.get(page_url(seeded)), seeded, cold=True)
    with django_assert_num_queries(PAGE_QUERIES + thread + COLD_EXTRA):
        assert cold_get(client, page_url(seeded)).status_code == 200
    with django_assert_num_queries(VERSION_READ):
        assert client.get(page_url(seeded)).status_code == 200
    bulk_distinctions(490, votes=4900, seed=4)
    assert Vote.objects.count() == 5000
    with django_assert_num_queries(PAGE_QUERIES + thread + COLD_EXTRA):
        html = cold_get(client, page_url(seeded)).content.decode()
    assert html.count('class="distinction"') == 20
    with django_assert_num_queries(VERSION_READ):
        assert client.get(page_url(seeded)).content.decode().count('class="distinction"') == 20


def test_page_queries_stay_the_same_for_10_and_for_500_distinctions_for_a_visitor_with_votes(
    seeded, bulk_distinctions, returning_visitor, django_assert_num_queries
):
    client, visitor_id = returning_visitor()
    made = bulk_distinctions(10, votes=100)
    sources = list(Distinction.objects.from_sources())
    Vote.objects.bulk_create(
        Vote(distinction=d, visitor_id=visitor_id, value=1) for d in [*made, *sources]
    )
    # Warm: the versions, then one query (a UNION) for whether the visitor has anything of their
    # own on the page (a pending distinction, comments, reports) and their votes on what it shows.
    warm = VERSION_READ + 1
    cold_get(client, page_url(seeded))
    with django_assert_num_queries(warm):
        html = client.get(page_url(seeded)).content.decode()
    assert html.count('aria-pressed="true"') == len(made) + len(sources)
    more = bulk_distinctions(490, votes=4900, seed=5)
    Vote.objects.bulk_create(Vote(distinction=d, visitor_id=visitor_id, value=-1) for d in more)
    cold_get(client, page_url(seeded))
    with django_assert_num_queries(warm):
        html = client.get(page_url(seeded)).content.decode()
    assert html.count('aria-pressed="true"') == 20 + len(sources)


def test_the_visitors_own_votes_show_as_pressed_buttons(
    seeded, make_distinction, returning_visitor
):
    client, visitor_id = returning_visitor()
    liked, disliked, untouched = make_distinction(), make_distinction(), make_distinction()
    Vote.objects.create(distinction=liked, visitor_id=visitor_id, value=1)
    Vote.objects.create(distinction=disliked, visitor_id=visitor_id, value=-1)
    Vote.objects.create(distinction=untouched, visitor_id=uuid.uuid4(), value=1)
    html = client.get(page_url(seeded)).content.decode()
    assert re.search(rf'id="vote-{liked.pk}-up" name="value" value="0" aria-pressed="true"', html)
    assert re.search(
        rf'id="vote-{disliked.pk}-down" name="value" value="0" aria-pressed="true"', html
    )
    assert re.search(
        rf'id="vote-{untouched.pk}-up" name="value" value="1" aria-pressed="false"', html
    )
    assert "Your vote: yes. Press it again to withdraw it." in html
    assert "Your vote: no. Press it again to withdraw it." in html


def test_a_source_page_credits_the_original_site_with_its_date_and_a_link(client, seeded):
    source = Source.objects.get(slug="verb-or-tool")
    html = client.get(source.get_absolute_url()).content.decode()
    assert (
        f'Originally published on <a href="{source.original_url}" rel="nofollow noopener">'
        "masterthenewnet.com</a>"
    ) in html
    assert '<time class="date" datetime="2010">2010</time>' in html
    assert "The text belongs to its author and is quoted here with attribution." in html


def test_a_source_page_without_site_or_date_says_so(client, seeded):
    source = Source.objects.get(slug="channel-or-place")
    html = client.get(source.get_absolute_url()).content.decode()
    assert "Originally published on a site we could not identify, date not given." in html


def test_a_source_page_names_the_term_each_highlight_defines_in_words(client, seeded):
    source = Source.objects.get(slug="verb-or-tool")
    html = client.get(source.get_absolute_url()).content.decode()
    assert (
        '<span class="mark-term mark-term-a">Defines Social media:</span> '
        '<mark class="definition definition-a" id="definition-a">'
    ) in html
    assert '<span class="mark-term mark-term-b">Defines Social networking:</span>' in html
    assert f'href="{seeded.get_absolute_url()}#source-verb-or-tool"' in html
