"""Atom feeds of readers' comments, per comparison, per source and per distinction."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from comments.models import Comment, CommentQuerySet, thread_url
from comments.text import render_plain_text, safe_web_address
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import ModerationStatus

PUBLISHED = ModerationStatus.PUBLISHED

FEED_SIZE = 50


class CommentsFeed[Target: (Comparison, Source, Distinction)](Feed):
    """The newest published comments on a target, newest first; imported ones are not new."""

    feed_type = Atom1Feed

    def comments(self, obj: Target) -> CommentQuerySet:
        raise NotImplementedError

    def items(self, obj: Target) -> list[Comment]:
        return list(
            self.comments(obj)
            .published()
            .filter(is_imported=False)
            .select_related("source", "distinction")
            .order_by("-created", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: Comment) -> str:
        name = item.author_name or "Anonymous"
        verb = "replied" if item.parent_id else "commented"
        if item.distinction is not None:
            where = f"the distinction “{item.distinction}”"
        elif item.source is not None:
            where = item.source.title
        else:
            where = "the discussion"
        return f"{name} {verb} on {where}"

    def item_description(self, item: Comment) -> str:
        return render_plain_text(item.body)

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created

    def item_updateddate(self, item: Comment) -> datetime:
        return item.edited or item.created

    def item_author_name(self, item: Comment) -> str:
        return item.author_name or "Anonymous"

    def item_author_link(self, item: Comment) -> str | None:
        return safe_web_address(item.author_url) or None


class ComparisonCommentsFeed(CommentsFeed[Comparison]):
    """New comments anywhere in a comparison: its discussion, every source's and distinction's."""

    def get_object(self, request: HttpRequest, slug: str) -> Comparison:
        return get_object_or_404(Comparison.objects.published(), slug=slug)

    def comments(self, obj: Comparison) -> CommentQuerySet:
        return (
            Comment.objects.filter(comparison=obj)
            .exclude(source__is_published=False)
            .exclude(Q(distinction__isnull=False) & ~Q(distinction__status=PUBLISHED))
        )

    def title(self, obj: Comparison) -> str:
        return f"New comments on {obj.title}"

    def subtitle(self, obj: Comparison) -> str:
        return (
            f"Readers' comments on the comparison {obj.title}, on each of its sources and on "
            "each distinction."
        )

    def link(self, obj: Comparison) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: Comparison) -> str:
        return f"urn:smsn:comparison:{obj.slug}:comments"


class SourceCommentsFeed(CommentsFeed[Source]):
    """New comments on one source."""

    def get_object(self, request: HttpRequest, comparison_slug: str, slug: str) -> Source:
        return Source.objects.public(comparison_slug, slug)

    def comments(self, obj: Source) -> CommentQuerySet:
        return Comment.objects.filter(source=obj)

    def title(self, obj: Source) -> str:
        return f"New comments on {obj.title}"

    def subtitle(self, obj: Source) -> str:
        return f"Readers' comments on a source of {obj.comparison.title}."

    def link(self, obj: Source) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: Source) -> str:
        return f"urn:smsn:comparison:{obj.comparison.slug}:source:{obj.slug}:comments"


class DistinctionCommentsFeed(CommentsFeed[Distinction]):
    """New comments on one distinction."""

    def get_object(self, request: HttpRequest, slug: str, pk: int) -> Distinction:
        return get_object_or_404(
            Distinction.objects.published().select_related("comparison", "source"),
            comparison__slug=slug,
            comparison__is_published=True,
            pk=pk,
        )

    def comments(self, obj: Distinction) -> CommentQuerySet:
        return Comment.objects.filter(distinction=obj)

    def title(self, obj: Distinction) -> str:
        return f"New comments on {obj.title}"

    def subtitle(self, obj: Distinction) -> str:
        return f"Readers' comments on a distinction drawn in {obj.comparison.title}."

    def link(self, obj: Distinction) -> str:
        return thread_url(obj)

    def feed_guid(self, obj: Distinction) -> str:
        return f"urn:smsn:comparison:{obj.comparison.slug}:distinction:{obj.pk}:comments"
