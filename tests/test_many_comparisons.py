"""Many comparisons (issue 19): the home page lists them, each keeps its own address, an editor
adds one in the admin with its sources through the intake, and nothing of one shows on another."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from comments.models import Comment
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import ModerationStatus
from tests.test_intake_admin import INTAKE, REVIEW, review_form

WEATHER_ARTICLE = """\
Weather or Climate? A Short Guide

By Ana Ruiz

People mix up the two words all the time, and the difference matters when you read the news.

Weather is the state of the atmosphere at one place and time: today's rain, tomorrow's frost.

Climate is the pattern of weather in a region over thirty years or more, its averages and extremes.

So a cold week says little about the climate, and a warm decade says a great deal.
"""


def second_comparison(**fields) -> Comparison:
    values = {
        "slug": "weather-vs-climate",
        "term_a": "weather",
        "term_b": "climate",
        "lead": "Two words for the sky.",
        "position": 1,
    }
    return Comparison.objects.create(**{**values, **fields})


def test_with_one_comparison_the_home_page_is_that_comparison_at_its_own_canonical_address(
    client, seeded
):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1><span class="term term-a">Social media</span>' in html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)[1]
    assert canonical == f"http://testserver{seeded.get_absolute_url()}"
    assert client.get(seeded.get_absolute_url()).status_code == 200


def test_with_several_comparisons_the_home_page_lists_each_with_its_figures(
    client, seeded, make_comment, make_distinction
):
    weather = second_comparison()
    make_distinction()
    make_comment()
    make_comment(status=ModerationStatus.PENDING)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "There are two here: choose one" in html
    items = re.findall(r'<li class="comparison-item">(.*?)</li>', html, re.S)
    assert len(items) == 2
    first, second = items
    assert f'href="{seeded.get_absolute_url()}"' in first
    sources = Source.objects.filter(comparison=seeded, is_published=True).count()
    readers = Distinction.objects.filter(comparison=seeded, source__isnull=True).count()
    comments = Comment.objects.published().filter(comparison=seeded).count()
    assert f"{sources} sources" in first
    assert (
        f"{readers} readers' distinctions" in first
        if readers != 1
        else "1 reader's distinction" in first
    )
    assert f"{comments} comment" in first
    assert f'href="{weather.get_absolute_url()}"' in second
    assert "0 sources · 0 readers' distinctions · 0 comments" in " ".join(second.split())
    assert "Two words for the sky." in second


def test_the_list_counts_only_published_rows_and_shows_the_latest_activity(
    client, seeded, make_comment
):
    second_comparison()
    before = Comparison.objects.listed().get(pk=seeded.pk)
    make_comment(status=ModerationStatus.PENDING)
    pending = Comparison.objects.listed().get(pk=seeded.pk)
    comment = make_comment()
    after = Comparison.objects.listed().get(pk=seeded.pk)

    assert pending.comment_count == before.comment_count
    assert after.comment_count == before.comment_count + 1
    assert after.last_activity == comment.created


def test_an_unpublished_comparison_is_neither_listed_nor_shown(client, seeded):
    hidden = second_comparison(is_published=False)

    assert client.get(hidden.get_absolute_url()).status_code == 404
    # One published comparison left: the home page is that comparison again.
    html = client.get("/").content.decode()
    assert "comparison-item" not in html
    assert "weather" not in html


def test_with_no_comparison_the_home_page_says_why_it_is_empty(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert "There is no comparison to read yet" in response.content.decode()


def test_the_list_takes_the_same_queries_however_many_comparisons(client, seeded):
    second_comparison()
    with CaptureQueriesContext(connection) as two:
        assert client.get("/").status_code == 200
    for n in range(5):
        second_comparison(slug=f"c-{n}", term_a=f"a{n}", term_b=f"b{n}")
    with CaptureQueriesContext(connection) as seven:
        html = client.get("/").content.decode()

    assert html.count('class="comparison-item"') == 7
    assert len(seven) == len(two)


@pytest.fixture
def editor_client(moderator, client):
    """A moderator who is also in the Editors group (definitions/migrations/0005)."""
    moderator.groups.add(Group.objects.get(name="Editors"))
    client.force_login(moderator)
    return client


def test_a_moderator_not_in_editors_cannot_add_a_comparison(moderator_client, seeded):
    response = moderator_client.get(reverse("admin:definitions_comparison_add"))

    assert response.status_code == 403


def test_an_editor_adds_a_comparison_and_its_source_and_nothing_of_the_first_leaks_into_it(
    editor_client, client, seeded, make_comment, make_distinction
):
    # The first comparison's pages are cached before the second exists.
    make_distinction(text_a="Only about social media", author_name="First Reader")
    make_comment(body="A comment on the first comparison only")
    assert client.get(seeded.get_absolute_url()).status_code == 200

    added = editor_client.post(
        reverse("admin:definitions_comparison_add"),
        {
            "slug": "weather-vs-climate",
            "term_a": "weather",
            "term_b": "climate",
            "lead": "Two words for the sky.",
            "is_published": "on",
            "position": "1",
            "created_0": "2026-01-01",
            "created_1": "00:00:00",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    weather = Comparison.objects.get(slug="weather-vs-climate")

    review = editor_client.post(
        reverse(INTAKE),
        {"comparison": weather.pk, "text": WEATHER_ARTICLE, "original_url": "", "site_name": ""},
    )
    assert review.status_code == 200
    data = review_form(review)
    assert data["definition_a"][0].startswith("Weather is the state of the atmosphere")
    assert data["definition_b"][0].startswith("Climate is the pattern of weather")
    saved = editor_client.post(reverse(REVIEW), data)
    assert saved.status_code == 302
    source = Source.objects.get(comparison=weather)
    assert not source.is_published  # a draft until the editor publishes it
    published = editor_client.post(reverse("admin:definitions_source_publish", args=[source.pk]))
    assert published.status_code == 302

    page = client.get(weather.get_absolute_url()).content.decode()
    assert "Weather is the state of the atmosphere" in page
    assert escape(source.title) in page
    json_data = client.get(reverse("definitions:comparison_json", args=[weather.slug])).json()
    assert [s["slug"] for s in json_data["sources"]] == [source.slug]
    assert json_data["distinctions"][0]["source"] == source.slug
    feeds = [
        client.get(reverse("definitions:distinctions_feed", args=[weather.slug])),
        client.get(reverse("comments:comparison_feed", args=[weather.slug])),
    ]
    home = client.get("/").content.decode()
    assert f'href="{weather.get_absolute_url()}"' in home
    assert "1 source ·" in home
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{source.get_absolute_url()}" in sitemap

    first_texts = ["Only about social media", "First Reader", "A comment on the first comparison"]
    first_texts += [s.title for s in seeded.published_sources()]
    for text in first_texts:
        assert escape(text) not in page, text
        assert text not in str(json_data), text
        for feed in feeds:
            assert feed.status_code == 200
            assert escape(text) not in feed.content.decode(), text
    # Served again from the shared cache: still its own page, and the first one still the first.
    again = client.get(weather.get_absolute_url()).content.decode()
    assert again.count('<tr id="source-') == 1
    assert "Only about social media" not in again
    first_page = client.get(seeded.get_absolute_url()).content.decode()
    assert "Only about social media" in first_page
    assert "Weather is the state" not in first_page
    assert "weather" not in client.get(seeded.card_url).headers.get("ETag", "")
    assert client.get(weather.card_url)["ETag"] != client.get(seeded.card_url)["ETag"]
