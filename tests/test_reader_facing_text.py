"""What readers see of a source: no internal notes or scraped debris, dates and counts that read
well, and pages laid out so links and anchors work on phones and under the sticky header."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from definitions.models import Definition, Source

pytestmark = pytest.mark.django_db


def found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    match = re.search(pattern, text, flags)
    assert match, pattern
    return match


def description(html: str) -> str:
    return unescape(found(r'<meta name="description" content="([^"]*)">', html).group(1))


def test_no_source_page_shows_where_its_text_was_scraped_from(client, seeded):
    for source in Source.objects.all():
        html = client.get(source.get_absolute_url()).content.decode()
        assert source.provenance
        assert source.provenance not in unescape(html)
        assert "seed file" not in html
        assert source.seed_key not in html


def test_a_moderator_still_finds_where_a_source_came_from_in_the_admin(superuser_client, seeded):
    source = Source.objects.get(slug="verb-or-tool")
    url = reverse("admin:definitions_source_change", args=[source.pk])
    html = unescape(superuser_client.get(url).content.decode())
    assert "seed file 001_f697a7a22d3e1cbe" in html


def test_an_image_name_run_into_a_paragraph_is_not_shown_and_the_quote_keeps_its_offsets(
    client, seeded
):
    source = Source.objects.get(slug="channel-or-place")
    definition = source.definitions.get(term="b")
    # The stored text stays as scraped, and the quote is still where it says it is.
    assert "group-of-people-talkingSocial networking refers" in source.body
    assert source.body[definition.start : definition.end] == definition.quote
    html = client.get(source.get_absolute_url()).content.decode()
    assert "group-of-people-talking" not in html
    assert re.search(
        r'<p><span class="mark-term mark-term-b">Defines Social networking:</span> '
        r'<mark class="definition definition-b" id="definition-b">Social networking refers',
        html,
    )


def test_a_quote_that_starts_with_an_image_name_is_shown_without_it(seeded):
    source = Source.objects.get(slug="channel-or-place")
    quote = "group-of-people-talkingSocial networking refers to people"
    definition = Definition(source=source, term="b", quote=quote, start=source.body.find(quote))
    definition.full_clean(exclude=["source", "term"])
    assert definition.start > 0
    assert definition.display_quote == "Social networking refers to people"


@pytest.mark.parametrize(
    "paragraph",
    [
        "State-of-the-art tools, then Social media.",
        "a well-known fact: Social media is here.",
        "Follow us on e-mail.",
    ],
)
def test_ordinary_hyphenated_words_at_a_paragraph_start_are_kept(seeded, paragraph):
    source = Source(body=f"First paragraph.\n\n{paragraph}")
    shown = [" ".join(text for text, _, _ in p) for p in source.annotated_paragraphs([])]
    assert shown == ["First paragraph.", paragraph]


def test_a_source_without_a_known_site_has_a_description_without_placeholders(client, seeded):
    unknown = Source.objects.get(slug="channel-or-place")
    text = description(client.get(unknown.get_absolute_url()).content.decode())
    assert "not identified" not in text
    assert text == (
        "How “The difference between social media and social networking” defines Social media "
        "and Social networking, quoted with attribution."
    )
    known = Source.objects.get(slug="content-or-conversation")
    assert ", on douglaserice.com, defines" in description(
        client.get(known.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    ("year", "month", "day", "shown", "iso"),
    [
        (2010, 3, 15, "15 March 2010", "2010-03-15"),
        (2010, 3, None, "March 2010", "2010-03"),
        (2010, None, 15, "2010", "2010"),
        (2010, None, None, "2010", "2010"),
        (None, 3, 15, "15 March", ""),
        (None, None, 15, "", ""),
        (None, None, None, "", ""),
    ],
)
def test_a_partial_date_shows_only_what_a_reader_can_use(year, month, day, shown, iso):
    source = Source(published_year=year, published_month=month, published_day=day)
    assert source.published_display == shown
    assert source.published_iso == iso


def test_a_day_without_its_month_shows_as_the_year_everywhere(client, seeded):
    source = Source.objects.get(slug="verb-or-tool")
    assert (source.published_month, source.published_day) == (None, 15)
    page = client.get(source.get_absolute_url()).content.decode()
    assert '<time class="date" datetime="2010">2010</time>' in page
    comparison = client.get(seeded.get_absolute_url()).content.decode()
    assert "masterthenewnet.com · 2010<" in comparison
    assert "month not given" not in page + comparison


def lead(client, comparison) -> str:
    html = client.get(comparison.get_absolute_url()).content.decode()
    return unescape(found(r'<p class="lead">(.*?)</p>', html, re.S).group(1))


def test_the_lead_counts_the_published_sources(client, seeded):
    assert "Here five articles each draw that line in their own words." in lead(client, seeded)
    Source.objects.create(comparison=seeded, slug="sixth", title="Sixth", body="Text.")
    assert "Here six articles each draw" in lead(client, seeded)
    Source.objects.filter(slug__in=["sixth", "verb-or-tool", "channel-or-place"]).update(
        is_published=False
    )
    # No signal on a bulk update: a new page version comes with the next save.
    Source.objects.get(slug="content-or-conversation").save()
    assert "Here three articles each draw" in lead(client, seeded)
    assert "five" not in lead(client, seeded)


def test_the_lead_speaks_of_one_article_when_there_is_one(client, seeded):
    Source.objects.exclude(slug="verb-or-tool").update(is_published=False)
    Source.objects.get(slug="verb-or-tool").save()
    assert "Here one article draws that line in its own words" in lead(client, seeded)


def test_a_sources_vote_comes_after_its_title_in_a_block_phones_put_after_the_quotes(
    client, seeded
):
    # site.css shows .source-verdict after the two quotes on phones (the browser test measures
    # it); the page keeps the axis and the vote together in that block.
    html = client.get(seeded.get_absolute_url()).content.decode()
    row = html.split('id="source-verb-or-tool"', 1)[1].split("</tr>", 1)[0]
    verdict = row.split('<div class="source-verdict">', 1)[1].split("</th>", 1)[0]
    assert 'class="source-distinction"' in verdict
    assert '<form class="vote"' in verdict
