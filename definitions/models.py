"""Comparisons of two terms, the sources that define them, and the distinctions people vote on."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from definitions.moderation import Moderated, ModeratedQuerySet, ModerationStatus, edit_window
from smsn.cards import card_digest


class Term(models.TextChoices):
    A = "a", "Term A"
    B = "b", "Term B"


def wilson_lower_bound(up: int, down: int, z: float = 1.96) -> float:
    """Return the lower bound of the Wilson score interval for `up` of `up + down` votes."""
    n = up + down
    if n == 0:
        return 0.0
    phat = up / n
    return (phat + z * z / (2 * n) - z * math.sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)) / (
        1 + z * z / n
    )


class ComparisonQuerySet(models.QuerySet):
    def published(self) -> ComparisonQuerySet:
        return self.filter(is_published=True)

    def listed(self) -> ComparisonQuerySet:
        """Return the published comparisons, each with what the home page's list shows.

        In one query: `source_count` (published sources), `distinction_count` (published
        readers' distinctions), `comment_count` (published readers' comments, through the
        `comments` relation the comments app adds) and `last_activity`, the newest of the
        comparison's creation, its published sources, distinctions and comments. Each count is
        its own subquery, so no join multiplies another's rows.
        """
        # The comments app's model, found through its relation: this app never imports it.
        comments: Any = self.model._meta.get_field("comments").related_model
        sources = Source.objects.published().filter(comparison=OuterRef("pk")).order_by()
        readers = (
            Distinction.objects.published()
            .from_readers()
            .filter(comparison=OuterRef("pk"))
            .order_by()
        )
        said = comments.objects.published().filter(comparison=OuterRef("pk")).order_by()

        def count(queryset: models.QuerySet) -> Subquery:
            counted = queryset.annotate(n=Func(F("pk"), function="COUNT")).values("n")
            return Subquery(counted, output_field=models.IntegerField())

        def newest(queryset: models.QuerySet) -> Coalesce:
            latest = queryset.order_by("-created").values("created")[:1]
            return Coalesce(Subquery(latest), F("created"))

        return (
            self.published()
            .annotate(
                source_count=count(sources),
                distinction_count=count(readers),
                comment_count=count(said),
            )
            .annotate(
                last_activity=Greatest(F("created"), newest(sources), newest(readers), newest(said))
            )
        )


class Comparison(models.Model):
    """Two easily-confused terms set side by side ("social media vs social networking")."""

    slug = models.SlugField(max_length=120, unique=True)
    term_a = models.CharField(max_length=80)
    term_b = models.CharField(max_length=80)
    lead = models.TextField(blank=True, help_text="One paragraph introducing the comparison.")
    is_published = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    objects = ComparisonQuerySet.as_manager()

    # What the home page's list shows of each comparison: set by ComparisonQuerySet.listed().
    source_count: int
    distinction_count: int
    comment_count: int
    last_activity: datetime

    class Meta:
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(term_a__iexact=models.F("term_b")),
                name="comparison_terms_differ",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return f"{self.term_a} vs {self.term_b}"

    def get_absolute_url(self) -> str:
        return reverse("definitions:comparison", kwargs={"slug": self.slug})

    def describe(self, source_count: int) -> str:
        """Return the one sentence that describes the comparison's page to search and sharing."""
        sources = "one source defines" if source_count == 1 else f"{source_count} sources define"
        return f"How {sources} {self.term_a} and {self.term_b}, side by side."

    @property
    def card_digest(self) -> str:
        """Return the name of this comparison's preview image as it is now (smsn.cards)."""
        return card_digest(self.term_a, self.term_b)

    @property
    def card_url(self) -> str:
        """Return the address of the preview image, which never shows another image."""
        path = reverse("definitions:comparison_card", kwargs={"slug": self.slug})
        return f"{path}?v={self.card_digest}"

    def structured_data(self, sources: list[Source], origin: str) -> dict[str, Any]:
        """Return the schema.org description (JSON-LD) of the comparison page.

        Each definition is a `DefinedTerm`. schema.org allows `citation` only on creative works,
        which a term is not, so each source's two definitions form a `DefinedTermSet` (a
        creative work) whose `citation` is the source article; each term is `inDefinedTermSet`
        it. `origin` is the site's address ("https://smsn.example"). Only published rows.
        """
        url = origin + self.get_absolute_url()
        graph: list[dict[str, Any]] = [
            {
                "@type": "WebPage",
                "@id": url,
                "url": url,
                "name": self.title,
                "description": self.describe(len(sources)),
            }
        ]
        for source in sources:
            if not source.definitions.all():
                continue  # a set of no terms: the source defines neither
            set_id = f"{url}#source-{source.slug}"
            article: dict[str, Any] = {
                "@type": "Article",
                "headline": source.title,
                "url": source.original_url or origin + source.get_absolute_url(),
            }
            if source.author:
                article["author"] = {"@type": "Person", "name": source.author}
            if source.site_name:
                article["publisher"] = {"@type": "Organization", "name": source.site_name}
            if source.published_iso:
                article["datePublished"] = source.published_iso
            graph.append(
                {
                    "@type": "DefinedTermSet",
                    "@id": set_id,
                    "name": f"{self.title}, as “{source.title}” defines them",
                    "url": origin + source.get_absolute_url(),
                    "isPartOf": {"@id": url},
                    "citation": article,
                    "hasDefinedTerm": [
                        {
                            "@type": "DefinedTerm",
                            "@id": origin + definition.get_absolute_url(),
                            "name": self.term_label(definition.term),
                            "description": definition.quote,
                            "url": origin + definition.get_absolute_url(),
                            "inDefinedTermSet": {"@id": set_id},
                        }
                        for definition in source.definitions.all()
                    ],
                }
            )
        return {"@context": "https://schema.org", "@graph": graph}

    def term_label(self, term: str) -> str:
        """Return the name of term "a" or "b"."""
        return self.term_a if term == Term.A else self.term_b

    def published_sources(self, *, preview: Source | None = None) -> list[Source]:
        """Return the published sources in order, numbered from 1, with definitions and axis.

        With `preview`, that draft is among them, where it will stand once published.
        """
        shown = Q(is_published=True)
        if preview is not None:
            shown |= Q(pk=preview.pk)
        sources = list(
            self.sources.filter(shown).select_related("distinction").prefetch_related("definitions")
        )
        for number, source in enumerate(sources, 1):
            source.number = number
        return sources

    def key_differences(self, sources: list[Source]) -> list[Dimension]:
        """Return the dimensions that these sources take a stance on, with those stances.

        Each stance's source is the very object from `sources`, so it carries its number.
        """
        by_id = {source.pk: source for source in sources}
        stances = (
            Stance.objects.filter(source__in=list(by_id))
            .select_related("claim_a", "claim_b")
            .order_by("source__position", "source_id")
        )
        dimensions = list(self.dimensions.prefetch_related(Prefetch("stances", queryset=stances)))
        for dimension in dimensions:
            for stance in dimension.stances.all():
                stance.source = by_id[stance.source_id]
        return [dimension for dimension in dimensions if dimension.stances.all()]

    def as_open_data(self, absolute: Callable[[str], str]) -> dict[str, Any]:
        """Return the whole comparison as plain data, served at /compare/<slug>.json.

        `absolute` turns a path into a full address (request.build_absolute_uri). Only published
        rows appear, and nothing about visitors (no ids, no IP hashes). The shape, version
        "smsn.comparison/1"::

            {
              "format": "smsn.comparison/1",
              "slug": str, "title": str, "lead": str,
              "url": str,                       # the comparison page
              "terms": {"a": str, "b": str},
              "notice": str,                    # whose texts these are
              "sources": [{
                "slug": str, "number": int, "title": str,
                "site_name": str, "author": str,          # "" when the source does not say
                "published": {"year": int|null, "month": int|null, "day": int|null,
                              "display": str},
                "original_url": str,                      # "" when unknown
                "url": str,                               # the article's page on this site
                "attribution": str,
                "definitions": {"a"|"b": {"quote": str, "start": int, "end": int,
                                          "summary": str,
                                          "url": str}     # the quote in place, with anchor
                                         | null},         # the source does not define it
                "distinction": int|null,                  # id in "distinctions"
              }],
              "dimensions": [{
                "slug": str, "name": str, "description": str,
                "sources_disagree": bool,   # sources make different claims about a term
                "agreement": str,           # that, in a sentence, as the page says it
                "stances": [{"source": str (slug), "says_a": str, "says_b": str,
                             "position_a": str, "position_b": str}],
                                            # position: the claim made ("" if not matched yet);
                                            # stances with the same position agree
                "readers": {                # where readers place the point (issue 18)
                  "a": int, "both": int, "b": int, "total": int,
                  "verdict": "none"|"split"|"agree"|"differ",
                                            # agree: most see a difference, as the sources do;
                                            # differ: most place it under "both"
                  "sentence": str,          # that, as the page says it
                },
              }],
              "distinctions": [{
                "id": int, "kind": "source"|"reader",
                "source": str|null (slug), "author_name": str,
                "axis_a": str, "axis_b": str, "text_a": str, "text_b": str,
                "upvotes": int, "downvotes": int,
                "score": float,             # Wilson lower bound of up/down votes, 95%
                "created": str (ISO 8601), "anchor": str,
                "url": str,                 # a reader's: its own page; a source's: its row
              }],                           # sources' first, then readers' ranked by score
              "examples": [{
                "slug": str, "name": str,
                "question": str,            # "Is YouTube social media, social networking, or both?"
                "url": str,                 # the example's page
                "answers": {"a"|"both"|"b"|"neither": int},   # readers' answers, counted
                "implications": [{"source": str (slug), "verdict": "a"|"both"|"b"|"neither",
                                  "quote": str, "start": int, "end": int,
                                  "url": str}],   # the quote in context (a text fragment)
              }],
            }

        `start` and `end` are character offsets of the quote in the article's text.
        """
        sources = self.published_sources()
        dimensions = self.key_differences(sources)
        readers = list(
            Distinction.objects.filter(comparison=self).from_readers().published().ranked()
        )

        def definition_data(d: Definition) -> dict[str, Any]:
            return {
                "quote": d.quote,
                "start": d.start,
                "end": d.end,
                "summary": d.summary,
                "url": absolute(d.get_absolute_url()),
            }

        def distinction_data(d: Distinction, source: Source | None) -> dict[str, Any]:
            return {
                "id": d.pk,
                "kind": "source" if source else "reader",
                "source": source.slug if source else None,
                "author_name": d.author_name,
                "axis_a": d.axis_a,
                "axis_b": d.axis_b,
                "text_a": d.text_a,
                "text_b": d.text_b,
                "upvotes": d.upvotes,
                "downvotes": d.downvotes,
                "score": round(d.score, 6),
                "created": d.created.isoformat(),
                "anchor": d.anchor,
                # A source's distinction is in its row of the comparison (no query for it).
                "url": absolute(
                    f"{self.get_absolute_url()}#{d.anchor}" if source else d.get_absolute_url()
                ),
            }

        return {
            "format": "smsn.comparison/1",
            "slug": self.slug,
            "title": self.title,
            "lead": self.lead,
            "url": absolute(self.get_absolute_url()),
            "terms": {"a": self.term_a, "b": self.term_b},
            "notice": (
                "Source texts belong to their authors and are quoted with attribution; "
                "readers' distinctions are by the readers named."
            ),
            "sources": [
                {
                    "slug": s.slug,
                    "number": s.number,
                    "title": s.title,
                    "site_name": s.site_name,
                    "author": s.author,
                    "published": {
                        "year": s.published_year,
                        "month": s.published_month,
                        "day": s.published_day,
                        "display": s.published_display,
                    },
                    "original_url": s.original_url,
                    "url": absolute(s.get_absolute_url()),
                    "attribution": s.attribution,
                    "definitions": {
                        term: definition_data(d) if (d := s.definition_of(term)) else None
                        for term in Term
                    },
                    "distinction": s.public_distinction.pk if s.public_distinction else None,
                }
                for s in sources
            ],
            "dimensions": [
                {
                    "slug": dim.slug,
                    "name": dim.name,
                    "description": dim.description,
                    "sources_disagree": dim.sources_disagree,
                    "agreement": dim.agreement.sentence,
                    "stances": [
                        {
                            "source": st.source.slug,
                            "says_a": st.says_a,
                            "says_b": st.says_b,
                            "position_a": st.claim_a.label if st.claim_a else "",
                            "position_b": st.claim_b.label if st.claim_b else "",
                        }
                        for st in dim.stances.all()
                    ],
                    "readers": {
                        "a": dim.placed_a,
                        "both": dim.placed_both,
                        "b": dim.placed_b,
                        "total": dim.placed_total,
                        "verdict": dim.readers.kind,
                        "sentence": dim.readers.sentence,
                    },
                }
                for dim in dimensions
            ],
            "distinctions": [
                distinction_data(s.public_distinction, s) for s in sources if s.public_distinction
            ]
            + [distinction_data(d, None) for d in readers],
            "examples": [
                {
                    "slug": e.slug,
                    "name": e.name,
                    "question": e.question,
                    "url": absolute(e.get_absolute_url()),
                    "answers": {v: e.count_of(v) for v in Verdict.values},
                    "implications": [
                        {
                            "source": i.source.slug,
                            "verdict": i.verdict,
                            "quote": i.quote,
                            "start": i.start,
                            "end": i.end,
                            "url": absolute(i.get_absolute_url()),
                        }
                        for said in e.source_verdicts(sources)
                        for i in said.implications
                    ],
                }
                for e in self.examples.published().prefetch_related("implications")
            ],
        }


class SourceQuerySet(models.QuerySet):
    def published(self) -> SourceQuerySet:
        return self.filter(is_published=True)

    def public(self, comparison_slug: str, slug: str) -> Source:
        """Return the published source `slug` of the published comparison `comparison_slug`
        (with its comparison), or raise Http404."""
        return get_object_or_404(
            self.published().select_related("comparison").prefetch_related("definitions"),
            comparison__slug=comparison_slug,
            comparison__is_published=True,
            slug=slug,
        )


class Source(models.Model):
    """An article that defines both terms of a comparison, shipped with attribution."""

    comparison = models.ForeignKey(Comparison, on_delete=models.PROTECT, related_name="sources")
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=300)
    site_name = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    # Partial dates stay partial: "15 2010" is day 15 of an unknown month in 2010.
    published_year = models.PositiveSmallIntegerField(null=True, blank=True)
    published_month = models.PositiveSmallIntegerField(null=True, blank=True)
    published_day = models.PositiveSmallIntegerField(null=True, blank=True)
    original_url = models.URLField(max_length=500, blank=True)
    body = models.TextField(help_text="The article's text, paragraphs separated by blank lines.")
    provenance = models.TextField(blank=True, help_text="Where this text came from.")
    seed_key = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifies a source shipped with the project, so loading it is idempotent.",
    )
    is_published = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    objects = SourceQuerySet.as_manager()

    # The source's place among the published ones, from 1: set by Comparison.published_sources().
    number: int

    class Meta:
        ordering = ["position", "id"]
        # A source added from an article's text starts as a draft (is_published False); this
        # permission lets a moderator publish it (definitions.intake.actions.publish_source).
        permissions = [("publish_source", "Can publish a draft source")]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="source_slug_per_comparison"
            ),
            models.CheckConstraint(
                condition=Q(published_month__isnull=True)
                | Q(published_month__gte=1, published_month__lte=12),
                name="source_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_day__isnull=True)
                | Q(published_day__gte=1, published_day__lte=31),
                name="source_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "definitions:source",
            kwargs={"comparison_slug": self.comparison.slug, "slug": self.slug},
        )

    @property
    def published_display(self) -> str:
        """Return the publication date with only the parts that make a date a reader can use.

        "15 March 2010", "March 2010", "2010"; a day without its month is no use to a reader,
        so "day 15 of some month in 2010" shows as "2010".
        """
        months = [
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ]  # fmt: skip
        parts = []
        if self.published_month:
            if self.published_day:
                parts.append(str(self.published_day))
            parts.append(months[self.published_month - 1])
        if self.published_year:
            parts.append(str(self.published_year))
        return " ".join(parts)

    @property
    def published_iso(self) -> str:
        """Return the date as shown, for <time datetime>: "2010-03-15", "2010-03", "2010" or ""."""
        if not self.published_year:
            return ""
        parts = [f"{self.published_year:04d}"]
        if self.published_month:
            parts.append(f"{self.published_month:02d}")
            if self.published_day:
                parts.append(f"{self.published_day:02d}")
        return "-".join(parts)

    @property
    def description(self) -> str:
        """Return the one sentence that describes the source's page to search and sharing."""
        on = f", on {self.site_name}," if self.site_name else ""
        comparison = self.comparison
        defined = {d.term for d in self.definitions.all()}
        if len(defined) == 2:
            return (
                f"How “{self.title}”{on} defines {comparison.term_a} and {comparison.term_b}, "
                "quoted with attribution."
            )
        if defined:
            (term,) = defined
            other = Term.B if term == Term.A else Term.A
            return (
                f"How “{self.title}”{on} defines {comparison.term_label(term)}, quoted with "
                f"attribution; it does not define {comparison.term_label(other)}."
            )
        return (
            f"“{self.title}”{on} on {comparison.term_a} and {comparison.term_b}, quoted with "
            "attribution; it defines neither."
        )

    @property
    def attribution(self) -> str:
        return self.site_name or "Original site not identified"

    def definition_of(self, term: str) -> Definition | None:
        """Return the source's definition of term "a" or "b" (prefetch `definitions`)."""
        return next((d for d in self.definitions.all() if d.term == term), None)

    @property
    def definition_a(self) -> Definition | None:
        return self.definition_of(Term.A)

    @property
    def definition_b(self) -> Definition | None:
        return self.definition_of(Term.B)

    @property
    def public_distinction(self) -> Distinction | None:
        """Return the source's distinction axis if it is published (select_related it)."""
        try:
            distinction = self.distinction
        except Distinction.DoesNotExist:
            return None
        return distinction if distinction.is_public else None

    def annotated_paragraphs(
        self, definitions: list[Definition] | None = None
    ) -> list[list[tuple[str, Definition | None, bool]]]:
        """Split the body into paragraphs of (text, definition, is_first_piece) segments.

        A segment carries the definition whose quote it belongs to, so the page can highlight the
        quote in place and put the anchor on its first piece. Image names that scraping ran into
        a paragraph are left out of what readers see (the body itself stays verbatim).
        """
        if definitions is None:
            definitions = list(self.definitions.all())
        cuts: list[tuple[int, int, Definition | None]] = []
        pos = 0
        for d in sorted(definitions, key=lambda d: d.start):
            if d.start < pos or self.body[d.start : d.end] != d.quote:
                continue
            if d.start > pos:
                cuts.append((pos, d.start, None))
            cuts.append((d.start, d.end, d))
            pos = d.end
        if pos < len(self.body):
            cuts.append((pos, len(self.body), None))
        hidden = run_in_image_names(self.body)
        paragraphs: list[list[tuple[str, Definition | None, bool]]] = [[]]
        for start, end, quoted in cuts:
            shown = without_ranges(self.body, hidden, start, end)
            for i, piece in enumerate(shown.split("\n\n")):
                if i:
                    paragraphs.append([])
                if piece.strip("\n"):
                    paragraphs[-1].append((piece.strip("\n"), quoted, i == 0))
        return [p for p in paragraphs if p]


# An image's file name that scraping glued to the start of the paragraph after it:
# "group-of-people-talkingSocial networking refers to …": three or more lowercase words joined
# by hyphens or underscores, or a file name with an image extension, right before a capital.
_RUN_IN_IMAGE_NAME = re.compile(
    r"(?:\A|(?<=\n\n))"
    r"([a-z0-9]+(?:[-_][a-z0-9]+){2,}|[\w-]+\.(?:jpe?g|png|gif|webp|svg))"
    r"(?=[A-Z])"
)


def run_in_image_names(text: str) -> list[tuple[int, int]]:
    """Return where image names run into the start of a paragraph of `text`, as (start, end).

    Readers do not see them; the stored text stays verbatim, so quotes keep their offsets.
    """
    return [m.span(1) for m in _RUN_IN_IMAGE_NAME.finditer(text)]


def without_ranges(text: str, ranges: list[tuple[int, int]], start: int, end: int) -> str:
    """Return text[start:end] without the parts inside `ranges` (sorted, not overlapping)."""
    kept, pos = [], start
    for cut_start, cut_end in ranges:
        if cut_end <= pos or cut_start >= end:
            continue
        kept.append(text[pos:cut_start])
        pos = min(cut_end, end)
    kept.append(text[pos:end])
    return "".join(kept)


class Definition(models.Model):
    """A source's definition of one term: an exact quote from its body, at a known place."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="definitions")
    term = models.CharField(max_length=1, choices=Term.choices)
    quote = models.TextField()
    start = models.PositiveIntegerField(help_text="Character offset of the quote in the body.")
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["source", "term"]
        constraints = [
            models.UniqueConstraint(fields=["source", "term"], name="one_definition_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_term_display()}"

    @property
    def end(self) -> int:
        return self.start + len(self.quote)

    @property
    def anchor(self) -> str:
        return f"definition-{self.term}"

    @property
    def display_quote(self) -> str:
        """Return the quote as readers see it: without an image name run into its start."""
        return without_ranges(self.quote, run_in_image_names(self.quote), 0, len(self.quote))

    def get_absolute_url(self) -> str:
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    def clean(self) -> None:
        body = self.source.body if self.source_id else ""
        if not self.quote:
            return
        if body[self.start : self.start + len(self.quote)] == self.quote:
            return
        found = body.find(self.quote)
        if found == -1:
            raise ValidationError(
                {"quote": "This quote is not in the source's text. Copy it exactly from the body."}
            )
        self.start = found


class Dimension(models.Model):
    """An aspect along which sources contrast the two terms (purpose, audience scale, privacy)."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="dimensions")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Readers' placements of this point, kept in step with the placement rows by
    # definitions.placements.place, so pages never count.
    placed_a = models.PositiveIntegerField(default=0)
    placed_both = models.PositiveIntegerField(default=0)
    placed_b = models.PositiveIntegerField(default=0)

    # The current visitor's placement ("a", "both", "b", or "" for none), set by
    # attach_visitor_placements().
    visitor_placement = ""
    # What their placement sent without JavaScript did, shown in the row (definitions.views).
    placement_notice = ""

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="dimension_slug_per_comparison"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def anchor(self) -> str:
        return f"dimension-{self.slug}"

    def get_absolute_url(self) -> str:
        return f"{self.comparison.get_absolute_url()}#{self.anchor}"

    @property
    def placed_total(self) -> int:
        return self.placed_a + self.placed_both + self.placed_b

    def placed(self, value: str) -> int:
        """Return how many readers placed this point with term "a", "b", or "both"."""
        return {
            Placement.Value.A: self.placed_a,
            Placement.Value.BOTH: self.placed_both,
            Placement.Value.B: self.placed_b,
        }[Placement.Value(value)]

    def add_placement_change(self, before: str, after: str) -> None:
        """Move one visitor's placement from `before` to `after` ("" for none) in the counts."""
        for value, column in Placement.COLUMNS.items():
            change = (after == value) - (before == value)
            setattr(self, column, getattr(self, column) + change)

    def placement_label(self, value: str) -> str:
        """Return what a placement means on this comparison: a term's name, or "both"."""
        if value == Placement.Value.BOTH:
            return "both / no difference"
        return self.comparison.term_label(value)

    @property
    def visitor_placement_label(self) -> str:
        return self.placement_label(self.visitor_placement) if self.visitor_placement else ""

    @property
    def placement_shares(self) -> list[PlacementShare]:
        """Return each placement's count and share of the bar, term A first, term B last."""
        total = self.placed_total
        shares, x = [], 0.0
        for value in Placement.Value:
            count = self.placed(value)
            width = 100 * count / total if total else 0.0
            shares.append(
                PlacementShare(
                    value=value,
                    label=self.placement_label(value),
                    count=count,
                    percent=round(width),
                    x=round(x, 2),
                    width=round(width, 2),
                )
            )
            x += width
        return shares

    @property
    def readers(self) -> ReadersVerdict:
        """Say how readers placed this point, and whether that matches the sources."""
        return ReadersVerdict.of(self)

    def views_on(self, term: str) -> list[View]:
        """Group the prefetched stances by the claim they make about term "a" or "b".

        The claim most sources make comes first; stances nobody has matched to a claim yet
        come last, as one view without a claim.
        """
        views: dict[int | None, View] = {}
        for stance in self.stances.all():
            claim = stance.claim_of(term)
            view = views.setdefault(claim.pk if claim else None, View(claim=claim))
            view.sayings.append((stance.says_of(term), stance.source))
        return sorted(
            views.values(),
            key=lambda v: (v.claim is None, -len(v.sayings), v.claim.position if v.claim else 0),
        )

    @property
    def views_a(self) -> list[View]:
        return self.views_on(Term.A)

    @property
    def views_b(self) -> list[View]:
        return self.views_on(Term.B)

    @property
    def source_count(self) -> int:
        return len({stance.source_id for stance in self.stances.all()})

    @property
    def agreement(self) -> Agreement:
        """Say, in words, whether the sources that speak to this dimension claim the same."""
        return Agreement.of(self)

    @property
    def sources_disagree(self) -> bool:
        """Return True if the sources make different claims about either term here."""
        return self.agreement.kind == Agreement.DIFFER


def _in_sentence(term: str) -> str:
    """Return a term as written inside a sentence: "Social media" -> "social media", "SEO" kept."""
    return term[:1].lower() + term[1:] if term[1:2].islower() else term


def _join(parts: list[str]) -> str:
    """Join phrases as a list in a sentence: "a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _all(count: int) -> str:
    return "both" if count == 2 else f"all {count}"


@dataclass
class Agreement:
    """Whether the sources that speak to a dimension make the same claims, in a sentence.

    Agreement is computed from the claims a curator matched each stance to (Claim), never from
    the words of the stances: "broadcast" and "one way" are one claim. A stance not yet matched
    to a claim is listed but neither agrees nor differs.
    """

    AGREE = "agree"
    DIFFER = "differ"
    SINGLE = "single"
    UNCOMPARED = "uncompared"

    kind: str
    headline: str
    detail: str = ""

    @property
    def sentence(self) -> str:
        return f"{self.headline} {self.detail}".strip()

    @classmethod
    def of(cls, dimension: Dimension) -> Agreement:
        comparison = dimension.comparison
        stances = list(dimension.stances.all())
        unmatched = sorted(
            {s.source.number for s in stances if s.claim_a_id is None and s.claim_b_id is None}
        )
        agreed: list[str] = []  # "social media is one-way broadcast"
        agreed_counts: set[int] = set()
        differing: list[str] = []  # "on social networking, 2 say it is …"
        for term in (Term.A, Term.B):
            name = _in_sentence(comparison.term_label(term))
            claimed = [
                (v.claim.label, len(v.sayings))
                for v in dimension.views_on(term)
                if v.claim is not None
            ]
            if len(claimed) == 1:
                ((label, count),) = claimed
                agreed.append(f"{name} is {label}")
                agreed_counts.add(count)
            elif claimed:
                said = [
                    f"{count} {'says' if count == 1 else 'say'} it is {label}"
                    for label, count in claimed
                ]
                differing.append(f"on {name}, {_join(said)}")
        not_yet = ""
        if unmatched:
            numbers = _join([f"Source {n}" for n in unmatched])
            not_yet = f" {numbers} {'is' if len(unmatched) == 1 else 'are'} not yet compared."
        compared = len({s.source_id for s in stances if s.claim_a_id or s.claim_b_id})
        if differing:
            detail = f"{_join(differing)}."
            if agreed and len(agreed_counts) == 1 and (count := agreed_counts.pop()) > 1:
                detail += f" {_all(count).capitalize()} agree that {_join(agreed)}."
            elif agreed:
                detail += f" On the rest they agree: {_join(agreed)}."
            return cls(cls.DIFFER, "Sources differ:", detail + not_yet)
        if compared > 1:
            if len(agreed_counts) == 1:
                headline = f"{_all(compared).capitalize()} sources that speak to this agree:"
            else:
                headline = "The sources that speak to this agree:"
            return cls(cls.AGREE, headline, f"{'; '.join(agreed)}.{not_yet}")
        if compared == 1:
            (number,) = {s.source.number for s in stances if s.claim_a_id or s.claim_b_id}
            return cls(cls.SINGLE, f"Only Source {number} speaks to this.", not_yet.strip())
        return cls(cls.UNCOMPARED, "Not yet compared.", "")


@dataclass
class View:
    """One claim about one term on a dimension, with what each source making it says."""

    claim: Claim | None
    sayings: list[tuple[str, Source]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.claim.label if self.claim else ""

    @property
    def sources(self) -> list[Source]:
        return [source for _, source in self.sayings]


class Claim(models.Model):
    """What sources say of one term on one dimension, shared by every stance that says it.

    Sources word the same claim differently ("broadcast", "one way"): a curator matches each
    stance to a claim, and the page counts agreement by claim.
    """

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="claims")
    term = models.CharField(max_length=1, choices=Term.choices)
    slug = models.SlugField(max_length=80)
    label = models.CharField(
        "claim",
        max_length=80,
        help_text="Completes “<term> is …”, e.g. “one-way broadcast”.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension__position", "term", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "term", "slug"], name="claim_slug_per_dimension_term"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Stance(models.Model):
    """What one source says about one dimension, for each term, and the claim it makes."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="stances")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="stances")
    says_a = models.CharField(max_length=300)
    says_b = models.CharField(max_length=300)
    # Which claim this stance makes about each term: stances making the same claim agree.
    claim_a = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stances_on_a",
        verbose_name="claim about term A",
    )
    claim_b = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stances_on_b",
        verbose_name="claim about term B",
    )
    # Superseded by the claims (issue 16); the release before it still reads these columns.
    # Drop them in a later release.
    position_a = models.CharField(max_length=60, blank=True, editable=False)
    position_b = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        ordering = ["dimension__position", "source__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dimension"], name="one_stance_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} on {self.dimension}"

    def claim_of(self, term: str) -> Claim | None:
        return self.claim_a if term == Term.A else self.claim_b

    def says_of(self, term: str) -> str:
        return self.says_a if term == Term.A else self.says_b

    def clean(self) -> None:
        errors = {}
        for term, claim in ((Term.A, self.claim_a), (Term.B, self.claim_b)):
            if claim is not None and (
                claim.dimension_id != self.dimension_id or claim.term != term
            ):
                errors[f"claim_{term}"] = (
                    f"Choose a claim about {Term(term).label} on this stance's dimension."
                )
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class PlacementShare:
    """One placement's part of a point's readers' bar: its count, and where it sits (0-100)."""

    value: str
    label: str
    count: int
    percent: int
    x: float
    width: float


@dataclass
class ReadersVerdict:
    """Where readers place a point of difference, set against what the sources say of it.

    The sources "tell the terms apart" on a point when they say something about it; readers
    agree with them when most readers who placed it put it with one term, and say no when most
    put it under "both / no difference". With no placements yet there is nothing to compare.
    """

    NONE = "none"  # nobody has placed the point yet
    SPLIT = "split"  # no placement has a majority
    AGREE = "agree"  # most readers see a difference, as the sources do
    DIFFER = "differ"  # most readers see no difference

    kind: str
    total: int
    # The value most readers chose ("a", "both", "b"), "" when none has a majority.
    majority: str
    sentence: str
    # What the majority chose, as the page names it ("social media", "both / no difference").
    majority_label: str = ""

    @classmethod
    def of(cls, dimension: Dimension) -> ReadersVerdict:
        comparison = dimension.comparison
        total = dimension.placed_total
        if total == 0:
            return cls(cls.NONE, 0, "", "No reader has placed this point yet.")
        counts = {value: dimension.placed(value) for value in Placement.Value}
        majority, most = max(counts.items(), key=lambda item: item[1])
        readers = f"{total} reader{'s' if total != 1 else ''}"
        if most * 2 <= total:
            return cls(cls.SPLIT, total, "", f"{readers} are split: no placement has a majority.")
        share = round(100 * most / total)
        label = dimension.placement_label(majority)
        if majority == Placement.Value.BOTH:
            return cls(
                cls.DIFFER,
                total,
                majority,
                f"Most readers ({share}% of {readers}) see no difference on this point.",
                label,
            )
        term = _in_sentence(comparison.term_label(majority))
        return cls(
            cls.AGREE,
            total,
            majority,
            f"Most readers ({share}% of {readers}) say it belongs to {term}.",
            _in_sentence(label),
        )


class DistinctionQuerySet(ModeratedQuerySet):
    def from_sources(self) -> DistinctionQuerySet:
        return self.filter(source__isnull=False)

    def from_readers(self) -> DistinctionQuerySet:
        return self.filter(source__isnull=True)

    def recount(self) -> int:
        """Recompute the stored counts and scores of these distinctions from their vote rows.

        Three queries however many rows: lock them, count every one's votes in one grouped
        query, write. Call it inside the transaction that changed the votes: the locks keep a
        vote cast meanwhile from being lost. Return how many distinctions there were.
        """
        pks = list(self.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not pks:
            return 0
        counts = {
            row["distinction_id"]: (row["up"], row["down"])
            for row in Vote.objects.counted()
            .filter(distinction_id__in=pks)
            .values("distinction_id")
            .annotate(
                up=models.Count("id", filter=Q(value=Vote.Value.UP)),
                down=models.Count("id", filter=Q(value=Vote.Value.DOWN)),
            )
            .order_by()
        }
        rows = []
        for pk in pks:
            up, down = counts.get(pk, (0, 0))
            rows.append(
                Distinction(pk=pk, upvotes=up, downvotes=down, score=wilson_lower_bound(up, down))
            )
        Distinction.objects.bulk_update(rows, ["upvotes", "downvotes", "score"])
        return len(rows)

    def ranked(self) -> DistinctionQuerySet:
        """Order by the Wilson lower bound of the votes, newest first among ties."""
        return self.order_by("-score", "-created", "-id")

    def listed_for(
        self, comparison: Comparison, visitor_id: uuid.UUID | None
    ) -> DistinctionQuerySet:
        """Return the readers' distinctions a visitor sees under a comparison, ranked."""
        return self.filter(comparison=comparison).from_readers().visible_to(visitor_id).ranked()

    def ranked_before(self, distinction: Distinction) -> DistinctionQuerySet:
        """Return the rows that `.ranked()` puts before `distinction`."""
        score, created = distinction.score, distinction.created
        return self.filter(
            Q(score__gt=score)
            | Q(score=score, created__gt=created)
            | Q(score=score, created=created, pk__gt=distinction.pk)
        )


class Distinction(Moderated):
    """The axis drawn between the two terms, by a source or by a reader; votable."""

    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="distinctions"
    )
    source = models.OneToOneField(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="distinction"
    )
    axis_a = models.CharField("axis label for term A", max_length=60, blank=True)
    axis_b = models.CharField("axis label for term B", max_length=60, blank=True)
    text_a = models.TextField("what sets term A apart")
    text_b = models.TextField("what sets term B apart")
    author_name = models.CharField(max_length=60, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    # When its author last changed it (definitions.distinctions.edit_distinction).
    edited = models.DateTimeField(null=True, blank=True)
    # Kept in step with the vote rows by definitions.votes.cast_vote, so pages never count.
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    # The signed form token a reader's distinction was sent with: sending the same form twice
    # (a double click, a retry after a timeout) finds this row instead of creating another.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = DistinctionQuerySet.as_manager()

    # The current visitor's vote (1, -1 or 0 for none), set by attach_visitor_votes().
    visitor_vote = 0
    # What the current visitor may do with it, set by mark_for_visitor() (nothing by default:
    # the page every visitor shares).
    is_own = False
    can_change = False
    is_reported = False

    class Meta:
        ordering = ["-score", "-created", "-id"]
        indexes = [
            models.Index(
                fields=["comparison", "status", "-score", "-created"], name="distinction_ranking"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__isnull=False) | ~Q(author_name=""),
                name="reader_distinction_has_author",
            ),
        ]
        # The one moderation permission (definitions.moderation.PERMISSION): comments,
        # distinctions and votes alike.
        permissions = [("can_moderate", "Can moderate comments, distinctions and votes")]

    def __str__(self) -> str:
        if self.axis_a and self.axis_b:
            return f"{self.axis_a} vs {self.axis_b}"
        return self.text_a[:60]

    @property
    def axis(self) -> str:
        return f"{self.axis_a} vs {self.axis_b}" if self.axis_a and self.axis_b else ""

    @property
    def title(self) -> str:
        """Name the distinction for a page title: its axis (or start) and who drew it."""
        who = self.source.title if self.source_id and self.source else self.author_name
        return f"“{self}”, a distinction by {who}"

    @property
    def net_votes(self) -> int:
        return self.upvotes - self.downvotes

    @property
    def anchor(self) -> str:
        return f"distinction-{self.pk}"

    def get_absolute_url(self) -> str:
        """Return a reader's distinction's own page; a source's is in its comparison's table."""
        if self.is_from_source:
            return f"{self.comparison.get_absolute_url()}#{self.anchor}"
        return reverse("definitions:distinction", kwargs={"pk": self.pk})

    @property
    def is_from_source(self) -> bool:
        return self.source_id is not None

    @property
    def can_be_reported(self) -> bool:
        """Return True if visitors may report it: a published reader's distinction."""
        return not self.is_from_source and self.status == ModerationStatus.PUBLISHED

    def can_be_changed_by(self, visitor_id: uuid.UUID | None, now: datetime | None = None) -> bool:
        """Return True if this visitor wrote the distinction and may still edit or delete it
        (the comments' window, definitions.moderation.edit_window)."""
        return bool(
            visitor_id
            and not self.is_from_source
            and self.visitor_id == visitor_id
            and self.status in (ModerationStatus.PUBLISHED, ModerationStatus.PENDING)
            and (now or timezone.now()) - self.created <= edit_window()
        )

    def mark_for_visitor(
        self,
        visitor_id: uuid.UUID | None,
        reported: Iterable[int] = (),
        now: datetime | None = None,
    ) -> None:
        """Say what this visitor may do with it, for the templates (no queries)."""
        self.is_own = bool(visitor_id and self.visitor_id == visitor_id)
        self.can_change = self.can_be_changed_by(visitor_id, now)
        self.is_reported = self.pk in reported

    def listing_url(self, visitor_id: uuid.UUID | None, per_page: int) -> str:
        """Return the address of the comparison page that lists this distinction, at its anchor.

        A reader's distinction may sit on a later page of the ranked list; a source's is in the
        sources table on every page.
        """
        url = self.comparison.get_absolute_url()
        if not self.is_from_source:
            listed = Distinction.objects.listed_for(self.comparison, visitor_id)
            page = listed.ranked_before(self).count() // per_page + 1
            if page > 1:
                url += f"?page={page}"
        return f"{url}#{self.anchor}"

    def add_vote_change(self, before: int, after: int) -> None:
        """Move one visitor's vote from `before` to `after` (1, -1 or 0) in the stored counts."""
        self.upvotes += (after == Vote.Value.UP) - (before == Vote.Value.UP)
        self.downvotes += (after == Vote.Value.DOWN) - (before == Vote.Value.DOWN)
        self.score = wilson_lower_bound(self.upvotes, self.downvotes)

    def recount(self) -> None:
        """Recompute and store the counts and score from the vote rows (DistinctionQuerySet)."""
        type(self).objects.filter(pk=self.pk).recount()
        self.refresh_from_db(fields=["upvotes", "downvotes", "score"])


def mark_for_visitor(distinctions: Iterable[Distinction], visitor_id: uuid.UUID | None) -> None:
    """Say what this visitor may do with each distinction (edit, delete, report), one query."""
    found = list(distinctions)
    reported: set[int] = set()
    if visitor_id and found:
        reported = set(
            DistinctionReport.objects.filter(
                visitor_id=visitor_id, distinction__in=[d.pk for d in found]
            ).values_list("distinction_id", flat=True)
        )
    now = timezone.now()
    for distinction in found:
        distinction.mark_for_visitor(visitor_id, reported, now)


class DistinctionReport(models.Model):
    """A visitor's report that a reader's distinction breaks the rules; who reported is never
    shown. The same threshold as comments' reports holds it for a moderator."""

    distinction = models.ForeignKey(Distinction, on_delete=models.CASCADE, related_name="reports")
    visitor_id = models.UUIDField()
    ip_hash = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["distinction", "visitor_id"], name="one_distinction_report_per_visitor"
            ),
        ]

    def __str__(self) -> str:
        return f"Report on distinction {self.distinction_id}"


class VoteQuerySet(models.QuerySet):
    def counted(self) -> VoteQuerySet:
        """Return votes that count: not voided by a moderator."""
        return self.filter(is_void=False)

    def values_by_distinction(
        self, visitor_id: uuid.UUID | None, distinction_ids: Iterable[int]
    ) -> dict[int, int]:
        """Return {distinction id: vote value} for one visitor's votes, in one query."""
        ids = list(distinction_ids)
        if visitor_id is None or not ids:
            return {}
        return dict(self.by_visitor_on(visitor_id, ids).values_list("distinction_id", "value"))

    def by_visitor_on(self, visitor_id: uuid.UUID, distinction_ids: Iterable[int]) -> VoteQuerySet:
        """Return one visitor's votes on these distinctions."""
        return self.filter(visitor_id=visitor_id, distinction_id__in=list(distinction_ids))


class Vote(models.Model):
    """One visitor's up or down vote on one distinction."""

    class Value(models.IntegerChoices):
        UP = 1, "Convincing"
        DOWN = -1, "Not convincing"

    distinction = models.ForeignKey(Distinction, on_delete=models.CASCADE, related_name="votes")
    visitor_id = models.UUIDField()
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    value = models.SmallIntegerField(choices=Value.choices)
    is_void = models.BooleanField(default=False, help_text="Voided by a moderator; not counted.")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["distinction", "visitor_id"], name="one_vote_per_visitor"
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_up_or_down"),
        ]
        indexes = [models.Index(fields=["visitor_id", "distinction"], name="vote_by_visitor")]

    def __str__(self) -> str:
        return f"{self.get_value_display()} on {self.distinction_id}"


def attach_visitor_votes(
    distinctions: Iterable[Distinction | None], visitor_id: uuid.UUID | None
) -> None:
    """Set `visitor_vote` on each distinction to the visitor's vote on it, with one query."""
    found = [d for d in distinctions if d is not None]
    values = Vote.objects.values_by_distinction(visitor_id, (d.pk for d in found))
    for distinction in found:
        distinction.visitor_vote = values.get(distinction.pk, 0)


class PlacementQuerySet(models.QuerySet):
    def counted(self) -> PlacementQuerySet:
        """Return placements that count: not voided by a moderator."""
        return self.filter(is_void=False)

    def by_visitor_on(
        self, visitor_id: uuid.UUID, dimension_ids: Iterable[int]
    ) -> PlacementQuerySet:
        """Return one visitor's placements of these dimensions."""
        return self.filter(visitor_id=visitor_id, dimension_id__in=list(dimension_ids))

    def values_by_dimension(
        self, visitor_id: uuid.UUID | None, dimension_ids: Iterable[int]
    ) -> dict[int, str]:
        """Return {dimension id: placement value} for one visitor's placements, in one query."""
        ids = list(dimension_ids)
        if visitor_id is None or not ids:
            return {}
        return dict(self.by_visitor_on(visitor_id, ids).values_list("dimension_id", "value"))

    def with_states(self) -> PlacementQuerySet:
        """Annotate each placement's value as a number, `state` (Placement.STATES)."""
        return self.annotate(
            state=models.Case(
                *(models.When(value=v, then=models.Value(n)) for v, n in Placement.STATES.items()),
                output_field=models.SmallIntegerField(),
            )
        )


class Placement(models.Model):
    """One visitor's answer to "which term does this point belong to?" on one dimension."""

    class Value(models.TextChoices):
        A = "a", "Term A"
        BOTH = "both", "Both / no difference"
        B = "b", "Term B"

    # The dimension's counter column of each value.
    COLUMNS: dict[str, str] = {Value.A: "placed_a", Value.BOTH: "placed_both", Value.B: "placed_b"}
    # Each value as a number, where a query must mix placements with other rows (the page cache).
    STATES: dict[str, int] = {Value.A: 1, Value.BOTH: 2, Value.B: 3}

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="placements")
    visitor_id = models.UUIDField()
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    value = models.CharField(max_length=4, choices=Value.choices)
    is_void = models.BooleanField(default=False, help_text="Voided by a moderator; not counted.")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "visitor_id"], name="one_placement_per_visitor"
            ),
            models.CheckConstraint(
                condition=Q(value__in=["a", "both", "b"]), name="placement_value_known"
            ),
        ]
        indexes = [
            models.Index(fields=["visitor_id", "dimension"], name="placement_by_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()} on {self.dimension_id}"


def attach_visitor_placements(
    dimensions: Iterable[Dimension], visitor_id: uuid.UUID | None
) -> None:
    """Set `visitor_placement` on each dimension to the visitor's placement of it, in one query."""
    found = list(dimensions)
    values = Placement.objects.values_by_dimension(visitor_id, (d.pk for d in found))
    for dimension in found:
        dimension.visitor_placement = values.get(dimension.pk, "")


class BannedWord(models.Model):
    """A word or phrase that sends a comment or distinction to the moderation queue."""

    phrase = models.CharField(max_length=100, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase

    def save(self, *args, **kwargs) -> None:
        self.phrase = self.phrase.strip().lower()
        super().save(*args, **kwargs)


class Verdict(models.TextChoices):
    """Which term an example belongs to: what a reader answers, or what a source implies."""

    A = "a", "Term A"
    BOTH = "both", "Both"
    B = "b", "Term B"
    NEITHER = "neither", "Neither"


def verdict_phrase(comparison: Comparison, verdict: str) -> str:
    """Return a verdict in the comparison's words: "social media", "both", "neither"."""
    if verdict == Verdict.A:
        return _in_sentence(comparison.term_a)
    if verdict == Verdict.B:
        return _in_sentence(comparison.term_b)
    return "both" if verdict == Verdict.BOTH else "neither"


class ExampleQuerySet(models.QuerySet):
    def published(self) -> ExampleQuerySet:
        return self.filter(is_published=True, comparison__is_published=True)

    def public(self, comparison_slug: str, slug: str) -> Example:
        """Return the published example `slug` of the published comparison, or raise Http404."""
        return get_object_or_404(
            self.published().select_related("comparison"),
            comparison__slug=comparison_slug,
            slug=slug,
        )


class Example(models.Model):
    """Something the sources name (YouTube, a blog): readers say which term it belongs to.

    The answer counts are kept in step with the answer rows by definitions.examples.answer, so
    pages never count.
    """

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="examples")
    name = models.CharField(max_length=80, help_text="As a reader would write it: “YouTube”.")
    slug = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=True)
    seed_key = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifies an example shipped with the project, so loading it is idempotent.",
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    answers_a = models.PositiveIntegerField(default=0, editable=False)
    answers_both = models.PositiveIntegerField(default=0, editable=False)
    answers_b = models.PositiveIntegerField(default=0, editable=False)
    answers_neither = models.PositiveIntegerField(default=0, editable=False)

    objects = ExampleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="example_slug_per_comparison"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "definitions:example",
            kwargs={"comparison_slug": self.comparison.slug, "slug": self.slug},
        )

    @property
    def question(self) -> str:
        c = self.comparison
        return f"Is {self.name} {_in_sentence(c.term_a)}, {_in_sentence(c.term_b)}, or both?"

    def count_of(self, verdict: str) -> int:
        return getattr(self, f"answers_{verdict}")

    @property
    def answer_total(self) -> int:
        return sum(self.count_of(v) for v in Verdict.values)

    def tally(self) -> list[Tally]:
        """Return the readers' answers, one row per verdict in the form's order, with shares."""
        total = self.answer_total
        rows, offset = [], 0.0
        for verdict in Verdict.values:
            count = self.count_of(verdict)
            width = 100 * count / total if total else 0.0
            rows.append(
                Tally(
                    verdict=verdict,
                    label=verdict_phrase(self.comparison, verdict),
                    count=count,
                    percent=round(width),
                    offset=f"{offset:.2f}",
                    percent_exact=f"{width:.2f}",
                )
            )
            offset += width
        return rows

    def add_answer_change(self, before: str, after: str) -> dict[str, int]:
        """Move one visitor's answer from `before` to `after` ("" for none); return the counts."""
        for verdict in Verdict.values:
            field_name = f"answers_{verdict}"
            change = (after == verdict) - (before == verdict)
            setattr(self, field_name, getattr(self, field_name) + change)
        return {f"answers_{v}": self.count_of(v) for v in Verdict.values}

    def recount(self) -> None:
        """Recompute and store the answer counts from the counted answer rows."""
        Example.objects.filter(pk=self.pk).select_for_update().first()
        counts = dict(
            self.answers.filter(is_void=False)
            .values_list("value")
            .annotate(n=models.Count("id"))
            .order_by()
        )
        for verdict in Verdict.values:
            setattr(self, f"answers_{verdict}", counts.get(verdict, 0))
        Example.objects.filter(pk=self.pk).update(
            **{f"answers_{v}": self.count_of(v) for v in Verdict.values}
        )

    def source_verdicts(self, sources: list[Source]) -> list[SourceVerdict]:
        """Return what each published source implies for this example, in the sources' order.

        Prefetch `implications`. A source that says nothing about the example is left out.
        """
        by_source: dict[int, list[ExampleImplication]] = {}
        for implication in self.implications.all():
            by_source.setdefault(implication.source_id, []).append(implication)
        found = []
        for source in sources:
            implications = sorted(by_source.get(source.pk, []), key=lambda i: i.start)
            if implications:
                for implication in implications:
                    implication.source = source
                found.append(SourceVerdict(source, implications, self.comparison))
        return found


@dataclass
class Tally:
    """One answer's count among an example's answers, and its place in the bar (SVG units)."""

    verdict: str
    label: str
    count: int
    percent: int
    offset: str = "0"
    percent_exact: str = "0"


@dataclass
class SourceVerdict:
    """What one source implies for an example, with the quotes that ground it."""

    source: Source
    implications: list[ExampleImplication]
    comparison: Comparison

    @property
    def verdict(self) -> str:
        said = {i.verdict for i in self.implications}
        a = bool(said & {Verdict.A, Verdict.BOTH})
        b = bool(said & {Verdict.B, Verdict.BOTH})
        if a and b:
            return Verdict.BOTH
        if a:
            return Verdict.A
        return Verdict.B if b else Verdict.NEITHER

    @property
    def label(self) -> str:
        return verdict_phrase(self.comparison, self.verdict)


class ExampleImplication(models.Model):
    """What a source's text implies for an example, grounded by an exact quote from its body."""

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="implications")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="implications")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    quote = models.TextField(help_text="Copied exactly from the source's text.")
    start = models.PositiveIntegerField(
        default=0, help_text="Character offset of the quote in the body (found if left wrong)."
    )

    class Meta:
        ordering = ["example", "source__position", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["example", "source", "verdict"], name="one_implication_per_verdict"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} on {self.example}: {self.get_verdict_display()}"

    @property
    def end(self) -> int:
        return self.start + len(self.quote)

    def get_absolute_url(self) -> str:
        """Return the quote in context: the source page, scrolled to and marking the quote."""
        return f"{self.source.get_absolute_url()}#{text_fragment(self.quote)}"

    def clean(self) -> None:
        if (
            self.source_id
            and self.example_id
            and self.source.comparison_id != (self.example.comparison_id)
        ):
            raise ValidationError({"source": "Choose a source of this example's comparison."})
        body = self.source.body if self.source_id else ""
        if not self.quote:
            return
        if body[self.start : self.start + len(self.quote)] == self.quote:
            return
        found = body.find(self.quote)
        if found == -1:
            raise ValidationError(
                {"quote": "This quote is not in the source's text. Copy it exactly from the body."}
            )
        self.start = found


def text_fragment(quote: str) -> str:
    """Return a URL text fragment (":~:text=…") that makes browsers scroll to and mark `quote`.

    A quote across paragraphs is matched from its first words to its last.
    """
    from urllib.parse import quote as percent

    def encoded(text: str) -> str:
        return percent(text, safe="").replace("-", "%2D")

    words = quote.split()
    if len(words) <= 8 and "\n" not in quote:
        return f":~:text={encoded(' '.join(words))}"
    # The start and the end must not overlap: the end is looked for after the start.
    n = min(4, len(words) // 2)
    return f":~:text={encoded(' '.join(words[:n]))},{encoded(' '.join(words[-n:]))}"


class ExampleAnswerQuerySet(models.QuerySet):
    def counted(self) -> ExampleAnswerQuerySet:
        return self.filter(is_void=False)


class ExampleAnswer(models.Model):
    """One visitor's answer to an example's question; one per visitor, changeable."""

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="answers")
    visitor_id = models.UUIDField()
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    value = models.CharField(max_length=8, choices=Verdict.choices)
    is_void = models.BooleanField(default=False, help_text="Voided by a moderator; not counted.")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ExampleAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["example", "visitor_id"], name="one_answer_per_visitor"
            ),
            models.CheckConstraint(
                condition=Q(value__in=["a", "both", "b", "neither"]), name="answer_value_known"
            ),
        ]
        indexes = [models.Index(fields=["visitor_id", "example"], name="answer_by_visitor")]

    def __str__(self) -> str:
        return f"{self.get_value_display()} on {self.example_id}"
