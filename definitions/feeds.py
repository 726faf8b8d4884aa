"""Atom feeds: the distinctions readers draw between a comparison's terms, and its examples."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from definitions.models import Comparison, Distinction, Example

FEED_SIZE = 50


class ReaderDistinctionsFeed(Feed):
    """New published distinctions that readers drew between a comparison's two terms."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Comparison:
        return get_object_or_404(Comparison.objects.published(), slug=slug)

    def items(self, obj: Comparison) -> list[Distinction]:
        return list(
            Distinction.objects.from_readers()
            .published()
            .filter(comparison=obj)
            .select_related("comparison")
            .order_by("-created", "-id")[:FEED_SIZE]
        )

    def title(self, obj: Comparison) -> str:
        return f"Readers' distinctions: {obj.title}"

    def subtitle(self, obj: Comparison) -> str:
        return f"How readers tell {obj.term_a} and {obj.term_b} apart, newest first."

    def link(self, obj: Comparison) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: Comparison) -> str:
        return f"urn:smsn:comparison:{obj.slug}:distinctions"

    def item_title(self, item: Distinction) -> str:
        return str(item)

    def item_description(self, item: Distinction) -> str:
        comparison = item.comparison
        return format_html(
            "<p><strong>{}</strong>: {}</p>\n<p><strong>{}</strong>: {}</p>",
            comparison.term_a,
            item.text_a,
            comparison.term_b,
            item.text_b,
        )

    def item_link(self, item: Distinction) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Distinction) -> datetime:
        return item.created

    def item_updateddate(self, item: Distinction) -> datetime:
        return item.created

    def item_author_name(self, item: Distinction) -> str:
        return item.author_name


class ExamplesFeed(Feed):
    """New examples readers are asked to classify, with what the sources imply for each."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Comparison:
        return get_object_or_404(Comparison.objects.published(), slug=slug)

    def items(self, obj: Comparison) -> list[Example]:
        return list(
            Example.objects.published()
            .filter(comparison=obj)
            .select_related("comparison")
            .order_by("-created", "-id")[:FEED_SIZE]
        )

    def title(self, obj: Comparison) -> str:
        return f"Examples to classify: {obj.title}"

    def subtitle(self, obj: Comparison) -> str:
        return f"Is it {obj.term_a.lower()}, {obj.term_b.lower()}, or both? Newest first."

    def link(self, obj: Comparison) -> str:
        return reverse("definitions:examples", kwargs={"slug": obj.slug})

    def feed_guid(self, obj: Comparison) -> str:
        return f"urn:smsn:comparison:{obj.slug}:examples"

    def item_title(self, item: Example) -> str:
        return item.question

    def item_description(self, item: Example) -> str:
        return format_html("<p>{}</p>", item.question)

    def item_link(self, item: Example) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Example) -> datetime:
        return item.created

    def item_updateddate(self, item: Example) -> datetime:
        return item.created
