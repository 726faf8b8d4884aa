"""Atom feeds: new comments per comparison and per source, new readers' distinctions."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from definitions.models import Source
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch_atom(client, url: str) -> ET.Element:
    """Fetch a feed and check the elements RFC 4287 requires of the feed and every entry."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='alternate']") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        assert entry.find(f"{ATOM}link[@href]") is not None
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
    return feed


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def comparison_feed(comparison) -> str:
    return reverse("comments:comparison_feed", kwargs={"slug": comparison.slug})


def source_feed(source: Source) -> str:
    return reverse(
        "comments:source_feed",
        kwargs={"comparison_slug": source.comparison.slug, "slug": source.slug},
    )


def test_comparison_feed_lists_new_published_comments_newest_first(client, seeded, make_comment):
    source = Source.objects.get(slug="verb-or-tool")
    older = make_comment(body="Older", created=timezone.now() - timedelta(hours=2))
    newer = make_comment(source=source, body="Newer on a source")
    make_comment(body="Pending", status=ModerationStatus.PENDING)
    make_comment(body="Spam", status=ModerationStatus.SPAM)
    make_comment(body="Removed", status=ModerationStatus.REMOVED)
    feed = fetch_atom(client, comparison_feed(seeded))
    items = entries(feed)
    assert [e.findtext(f"{ATOM}summary") for e in items] == [
        "<p>Newer on a source</p>",
        "<p>Older</p>",
    ]
    links = [e.find(f"{ATOM}link").get("href") for e in items]
    assert links[0].endswith(newer.get_absolute_url())
    assert links[1].endswith(older.get_absolute_url())
    assert items[0].findtext(f"{ATOM}title") == f"Reader commented on {source.title}"
    assert items[1].findtext(f"{ATOM}title") == "Reader commented on the discussion"


def test_imported_original_comments_are_not_new_and_stay_out_of_feeds(client, seeded):
    source = Source.objects.get(slug="channel-or-place")
    assert entries(fetch_atom(client, comparison_feed(seeded))) == []
    assert entries(fetch_atom(client, source_feed(source))) == []


def test_source_feed_lists_only_that_sources_comments(client, seeded, make_comment):
    source = Source.objects.get(slug="one-way-or-two-way")
    make_comment(source=source, body="On the source")
    make_comment(body="On the comparison")
    make_comment(source=Source.objects.get(slug="verb-or-tool"), body="On another source")
    feed = fetch_atom(client, source_feed(source))
    assert [e.findtext(f"{ATOM}summary") for e in entries(feed)] == ["<p>On the source</p>"]
    assert source.title in feed.findtext(f"{ATOM}title")


def test_feed_entries_link_to_permalinks_that_find_the_comment(client, seeded, make_comment):
    comment = make_comment()
    feed = fetch_atom(client, comparison_feed(seeded))
    href = entries(feed)[0].find(f"{ATOM}link").get("href")
    response = client.get(href.removeprefix("http://testserver"))
    assert response["Location"] == f"{seeded.get_absolute_url()}#comment-{comment.pk}"


def test_feeds_have_distinct_ids(client, seeded):
    source = Source.objects.get(slug="one-way-or-two-way")
    ids = {
        fetch_atom(client, url).findtext(f"{ATOM}id")
        for url in (
            comparison_feed(seeded),
            source_feed(source),
            reverse("definitions:distinctions_feed", kwargs={"slug": seeded.slug}),
        )
    }
    assert len(ids) == 3


def test_feed_escapes_the_visitors_text_and_never_shows_the_email(client, seeded, make_comment):
    make_comment(
        author_name="<b>Mallory</b>",
        body="<script>alert(1)</script> see https://example.org",
        author_email="mallory@example.org",
        author_url="https://mallory.example",
    )
    response = client.get(comparison_feed(seeded))
    assert b"mallory@example.org" not in response.content
    entry = entries(ET.fromstring(response.content))[0]  # noqa: S314 - our own output
    summary = entry.findtext(f"{ATOM}summary")
    assert "<script>" not in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert 'rel="nofollow ugc noopener"' in summary
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "<b>Mallory</b>"  # text, not markup
    assert entry.findtext(f"{ATOM}author/{ATOM}uri") == "https://mallory.example"


def test_edited_comment_says_when_it_was_updated(client, seeded, make_comment):
    edited = timezone.now()
    make_comment(created=edited - timedelta(minutes=10), edited=edited)
    entry = entries(fetch_atom(client, comparison_feed(seeded)))[0]
    assert entry.findtext(f"{ATOM}updated") > entry.findtext(f"{ATOM}published")


def test_distinctions_feed_lists_readers_published_distinctions_only(
    client, seeded, make_distinction
):
    published = make_distinction(text_a="Broadcast to many", text_b="Talk among friends")
    make_distinction(text_a="Held back", status=ModerationStatus.PENDING)
    make_distinction(text_a="Removed", status=ModerationStatus.REMOVED)
    feed = fetch_atom(
        client, reverse("definitions:distinctions_feed", kwargs={"slug": seeded.slug})
    )
    items = entries(feed)
    assert len(items) == 1  # the five sources' own distinctions are not readers'
    summary = items[0].findtext(f"{ATOM}summary")
    assert "Broadcast to many" in summary
    assert "Talk among friends" in summary
    assert items[0].find(f"{ATOM}link").get("href").endswith(published.get_absolute_url())
    assert items[0].findtext(f"{ATOM}author/{ATOM}name") == "Reader"


def test_feeds_of_unknown_pages_are_not_found(client, seeded):
    assert (
        client.get(reverse("comments:comparison_feed", kwargs={"slug": "nope"})).status_code == 404
    )
    url = reverse("comments:source_feed", kwargs={"comparison_slug": seeded.slug, "slug": "nope"})
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("definitions:distinctions_feed", kwargs={"slug": "nope"})).status_code
        == 404
    )


def test_feed_is_read_in_a_fixed_number_of_queries(
    client, seeded, make_comment, django_assert_num_queries
):
    source = Source.objects.get(slug="verb-or-tool")
    for _ in range(3):
        make_comment(source=source)
    with django_assert_num_queries(2):
        client.get(comparison_feed(seeded))
    for _ in range(20):
        make_comment(source=source)
    with django_assert_num_queries(2):
        client.get(comparison_feed(seeded))
