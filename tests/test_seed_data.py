"""The five shipped sources load idempotently, with exact quotes and their original comments."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command

from comments.models import Comment, CommentKind
from definitions.models import Definition, Distinction, Source, Stance, Vote
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db


def load() -> None:
    call_command("loadsources", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_five_sources_with_both_definitions_are_loaded(seeded):
    assert Source.objects.filter(comparison=seeded).count() == 5
    assert Definition.objects.filter(source__comparison=seeded).count() == 10
    for source in Source.objects.all():
        assert sorted(source.definitions.values_list("term", flat=True)) == ["a", "b"]


def test_every_quote_is_in_its_article_at_its_stored_place(seeded):
    for d in Definition.objects.select_related("source"):
        assert d.source.body[d.start : d.end] == d.quote, d


def test_quotes_start_at_the_real_sentence_not_the_scraped_caption(seeded):
    d = Definition.objects.get(source__slug="channel-or-place", term="b")
    assert d.quote.startswith("Social networking refers to people")
    assert "group-of-people-talking" in d.source.body


def test_nine_original_comments_are_imported_with_their_statuses(seeded):
    imported = Comment.objects.filter(is_imported=True)
    assert imported.count() == 9
    assert imported.filter(status=ModerationStatus.SPAM).count() == 1
    assert imported.filter(kind=CommentKind.PINGBACK).count() == 1
    assert imported.filter(status=ModerationStatus.PUBLISHED, kind=CommentKind.COMMENT).count() == 7
    pingback = imported.get(kind=CommentKind.PINGBACK)
    assert pingback.body.startswith("[...] This post was mentioned on Twitter")
    spam = imported.get(status=ModerationStatus.SPAM)
    assert "impressed with your web site" in spam.body


def test_comment_authors_are_named_only_where_the_text_names_them(seeded):
    names = set(Comment.objects.filter(is_imported=True).values_list("author_name", flat=True))
    assert names == {"", "Josh", "Peter", "Sire", "tajmo"}
    josh = Comment.objects.get(author_name="Josh")
    assert not josh.body.startswith("Josh says")


def test_each_source_draws_one_distinction_and_speaks_to_dimensions(seeded):
    axes = set(Distinction.objects.from_sources().values_list("axis_a", "axis_b"))
    assert axes == {
        ("channel", "place"),
        ("tool", "activity"),
        ("content", "conversation"),
        ("public content", "personal relationships"),
        ("one-way", "two-way"),
    }
    assert Stance.objects.filter(source__comparison=seeded).count() >= 15


def test_partial_dates_stay_partial_and_show_only_what_a_reader_can_use(seeded):
    partial = Source.objects.get(slug="verb-or-tool")
    assert (partial.published_year, partial.published_month, partial.published_day) == (
        2010,
        None,
        15,
    )
    # A day without its month is no use to a reader: the year alone is shown.
    assert partial.published_display == "2010"
    full = Source.objects.get(slug="one-way-or-two-way")
    assert full.published_display == "24 November 2012"
    assert Source.objects.get(slug="channel-or-place").published_display == ""


def test_loading_twice_duplicates_nothing(seeded):
    counts = (Source.objects.count(), Definition.objects.count(), Comment.objects.count())
    load()
    assert (Source.objects.count(), Definition.objects.count(), Comment.objects.count()) == counts


def test_reloading_keeps_visitors_votes_comments_and_moderation_decisions(seeded):
    distinction = Distinction.objects.get(axis_a="channel")
    Vote.objects.create(distinction=distinction, visitor_id=uuid.uuid4(), value=1)
    Distinction.objects.filter(pk=distinction.pk).update(upvotes=1)
    visitor_comment = Comment.objects.create(
        comparison=seeded, author_name="Ann", body="My own view", visitor_id=uuid.uuid4()
    )
    imported = Comment.objects.filter(is_imported=True, status=ModerationStatus.PUBLISHED).first()
    Comment.objects.filter(pk=imported.pk).update(status=ModerationStatus.REMOVED)

    load()

    distinction.refresh_from_db()
    assert distinction.upvotes == 1
    assert Vote.objects.filter(distinction=distinction).count() == 1
    assert Comment.objects.get(pk=visitor_comment.pk).body == "My own view"
    assert Comment.objects.get(pk=imported.pk).status == ModerationStatus.REMOVED


def test_attribution_names_the_original_site_or_says_it_is_unknown(seeded):
    known = Source.objects.get(slug="content-or-conversation")
    assert known.attribution == "douglaserice.com"
    assert known.original_url.startswith("https://douglaserice.com/")
    assert Source.objects.get(slug="channel-or-place").attribution == (
        "Original site not identified"
    )
