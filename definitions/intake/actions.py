"""Save a source added from an article's text: the one write the admin and the command share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from definitions.models import (
    Comparison,
    Definition,
    Dimension,
    Distinction,
    Source,
    Stance,
    Term,
)
from definitions.signals import source_imported


class DuplicateSourceError(Exception):
    """The comparison already has a source with exactly this text."""

    def __init__(self, source: Source) -> None:
        super().__init__(f"This article is already a source: {source.title}")
        self.source = source


@dataclass(frozen=True)
class StanceInput:
    dimension: Dimension
    says_a: str
    says_b: str


def unique_source_slug(comparison: Comparison, title: str) -> str:
    """Return a slug from the title that no other source of the comparison uses."""
    base = slugify(title)[:100].strip("-") or "source"
    taken = set(comparison.sources.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def add_source_from_article(
    *,
    comparison: Comparison,
    title: str,
    body: str,
    date: tuple[int | None, int | None, int | None] = (None, None, None),
    site_name: str = "",
    original_url: str = "",
    author: str = "",
    quote_a: str,
    quote_b: str,
    summary_a: str = "",
    summary_b: str = "",
    axis_a: str = "",
    axis_b: str = "",
    text_a: str,
    text_b: str,
    stances: Sequence[StanceInput] = (),
    comments: Sequence[tuple[str, str, str] | tuple[str, str, str, datetime | None]] = (),
    provenance: str = "",
    publish: bool = False,
) -> Source:
    """Create a source with its definitions, its distinction and its stances.

    The source is a draft (not on any public page) unless `publish`: a moderator previews it on
    the comparison and publishes it with `publish_source`.

    Quotes must be exact substrings of the body; their offsets are computed here. An empty quote
    means the source does not define that term: it gets no definition of it, and the pages say
    so. The distinction is saved only with both texts (`text_a`, `text_b`). The reader comments,
    (author, body, status, created or None), are handed to whoever stores comments through the
    `source_imported` signal, in the same transaction. Raise DuplicateSourceError if the
    comparison already has this exact text.
    """
    existing = comparison.sources.filter(body=body).first()
    if existing is not None:
        raise DuplicateSourceError(existing)
    quotes = {Term.A: (quote_a, summary_a), Term.B: (quote_b, summary_b)}
    starts = {term: body.find(quote) for term, (quote, _) in quotes.items() if quote}
    if -1 in starts.values():
        raise ValueError("Each definition must be an exact quote from the body.")
    year, month, day = date
    position = comparison.sources.aggregate(last=Max("position"))["last"]
    source = Source.objects.create(
        comparison=comparison,
        slug=unique_source_slug(comparison, title),
        title=title,
        site_name=site_name,
        author=author,
        published_year=year,
        published_month=month,
        published_day=day,
        original_url=original_url,
        body=body,
        provenance=provenance,
        position=0 if position is None else position + 1,
        is_published=publish,
    )
    for term, (quote, summary) in quotes.items():
        if quote:
            Definition.objects.create(
                source=source, term=term, quote=quote, start=starts[term], summary=summary
            )
    if text_a.strip() and text_b.strip():
        Distinction.objects.create(
            comparison=comparison,
            source=source,
            axis_a=axis_a[:60],
            axis_b=axis_b[:60],
            text_a=text_a,
            text_b=text_b,
            author_name=(site_name or title)[:60],
        )
    Stance.objects.bulk_create(
        Stance(source=source, dimension=s.dimension, says_a=s.says_a[:300], says_b=s.says_b[:300])
        for s in stances
    )
    source_imported.send(sender=Source, source=source, comments=list(comments))
    return source


@transaction.atomic
def publish_sources(*, sources: Iterable[Source]) -> list[Source]:
    """Publish these draft sources; return those that were drafts until now.

    Each is saved on its own (not a queryset update) so that its comparison's cached page starts
    a new version (definitions.apps) and the source shows at once.
    """
    published = []
    for source in Source.objects.select_for_update().filter(
        pk__in=[s.pk for s in sources], is_published=False
    ):
        source.is_published = True
        source.save(update_fields=["is_published"])
        published.append(source)
    return published
