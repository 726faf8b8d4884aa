"""Finding words across sources, definitions, readers' distinctions and comments.

Only published content is found, by anybody: a pending (held) comment or distinction is not in
the results even for the visitor who wrote it, nor for moderators (they have the admin's queues).
So the results are the same for every visitor, and `remembered()` keeps them, rendered, in the
shared cache per version of the comparisons they come from (smsn.pagecache): any write that
changes a comparison page starts a new version, and the next search reads the database again.

PostgreSQL: full-text search with the "english" configuration. The query is read as a web
search (`websearch_to_tsquery`: words, "quoted phrases", `or`, `-excluded`; it never fails on
syntax), matched against a stored `tsvector` column per table with a GIN index
(search/migrations), ranked by `ts_rank` and shown with `ts_headline` snippets.

SQLite (development): a fallback. Every word of the query must appear, case-insensitively
(`icontains`), in one of the kind's fields; no stemming, no ranking (each kind keeps its page
order), and the snippet is the text around the first match.

Snippets are escaped text in which only our own `<mark>` elements are markup.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchVectorField,
)
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Expression, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comments.models import Comment
from definitions.models import Comparison, Definition, Distinction, Source
from definitions.views import READERS_PER_PAGE
from smsn import pagecache as page_cache

CONFIG = "english"
# Longest query accepted, in characters: longer is refused with a sentence (search.forms).
MAX_QUERY_LENGTH = 200
# Words of a query the SQLite fallback matches; the rest are ignored.
MAX_FALLBACK_WORDS = 8
# Hits of each kind on the page of all kinds, and on a page of one kind.
PER_KIND = 5
PER_PAGE = 20
CACHE_SECONDS = 10 * 60
# Matches of each kind that PostgreSQL counts: more are shown as "500+", and paged to no further.
COUNTED = 500
# Matches of each kind that PostgreSQL ranks together: the block of the kind's own order (the
# newest comments, the best-voted distinctions) that holds the page, RANKED at a time, so that
# a search reads the vectors of RANKED rows at most, however many match. A multiple of PER_PAGE
# and PER_KIND, so that no page straddles two blocks.
RANKED = 100
# Bump when what is cached (the rendered results) changes shape.
CACHE_FORMAT = 4


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str


KINDS = [
    Kind("sources", "Sources"),
    Kind("definitions", "Definitions"),
    Kind("distinctions", "Readers' and sources' distinctions"),
    Kind("comments", "Comments"),
]
KIND_SLUGS = [kind.slug for kind in KINDS]


@dataclass(frozen=True)
class Hit:
    """One thing found: what it is, where it is, and the matching text with its marks."""

    # The title and the snippet are escaped text with <mark> around the words found, the only
    # markup in them (highlight(), excerpt()); `where` is plain text.
    title: str
    url: str
    snippet: str
    where: str

    @property
    def title_html(self) -> SafeString:
        return mark_safe(self.title)  # noqa: S308 - escaped when the hit was made

    @property
    def snippet_html(self) -> SafeString:
        return mark_safe(self.snippet)  # noqa: S308 - escaped when the hit was made


@dataclass(frozen=True)
class KindResults:
    kind: Kind
    total: int
    hits: list[Hit]
    page: int
    pages: int
    # PostgreSQL counts the first COUNTED matches only: there may be more.
    capped: bool = False

    @property
    def has_more(self) -> bool:
        return self.total > len(self.hits)


@dataclass(frozen=True)
class Results:
    query: str
    # The query had nothing to search for (only very common words, or no letters or digits).
    nothing_to_search: bool
    kinds: list[KindResults]

    @property
    def total(self) -> int:
        return sum(k.total for k in self.kinds)

    @property
    def capped(self) -> bool:
        return any(k.capped for k in self.kinds)


def uses_full_text() -> bool:
    """Return True if the database is PostgreSQL, which searches with its full-text search."""
    return connection.vendor == "postgresql"


# Highlighting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Markers:
    """Where PostgreSQL's ts_headline marks a match: random strings no stored text can hold.

    Letters, digits, brackets and colons only: nothing ts_headline's option syntax or HTML
    escaping changes.
    """

    start: str
    stop: str

    @classmethod
    def new(cls) -> Markers:
        token = secrets.token_hex(8)
        return cls(f"[{token}:", f":{token}]")


def highlight(headline: str, markers: Markers) -> str:
    """Return ts_headline's output (of text escaped in SQL) with its markers made <mark>s."""
    return headline.replace(markers.start, "<mark>").replace(markers.stop, "</mark>")


def escaped_in_sql(text: Any) -> Replace:
    """Return the text escaped as django.utils.html.escape does, for ts_headline to work on.

    ts_headline drops whatever its parser takes for an HTML tag ("<b>", "<script>") from its
    output: escaped first, the text keeps every character the reader typed, and the headline
    is HTML whose only elements are the marks it adds.
    """
    # The entities of django.utils.html.escape, & first.
    entities = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))
    for character, entity in entities:
        text = Replace(text, Value(character), Value(entity))
    return text


WORD = re.compile(r"\w+")


def fallback_words(query: str) -> list[str]:
    """Return the words the SQLite fallback looks for: runs of letters and digits, lowercased."""
    words: list[str] = []
    for word in WORD.findall(query.casefold()):
        if word not in words:
            words.append(word)
    return words[:MAX_FALLBACK_WORDS]


def excerpt(text: str, words: Iterable[str], *, around: int = 90) -> str:
    """Return the text around the first of `words`, escaped, every occurrence in <mark>.

    The SQLite fallback's snippet; the whole text when it is short or nothing matches.
    """
    words = [w for w in words if w]
    if not words:
        return str(escape(text[: 2 * around]))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - around)
    end = min(len(text), (first.end() if first else 0) + 2 * around)
    # Cut at spaces, so no word is shown in part.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else end) else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end]
    pieces: list[str] = []
    pos = 0
    for match in pattern.finditer(piece):
        pieces.append(str(escape(piece[pos : match.start()])))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        pos = match.end()
    pieces.append(str(escape(piece[pos:])))
    return ("… " if start > 0 else "") + "".join(pieces) + (" …" if end < len(text) else "")


# What each kind searches ------------------------------------------------------------------------


class StoredVector(Expression):
    """The search_vector column of the query's own table (PostgreSQL only; search/migrations).

    The models do not declare the column (SQLite has none), so no field names it: the alias
    is the query's base table, read when the SQL is made, so it stays right in a subquery.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        alias = compiler.query.get_initial_alias()
        return f'{compiler.quote_name(alias)}."search_vector"', ()


def _headline(field: Any, query: SearchQuery, markers: Markers, *, whole: bool = False) -> Any:
    """Return the snippet of a field: the words around the best match (whole: all its words)."""
    options: dict[str, Any] = {"start_sel": markers.start, "stop_sel": markers.stop}
    if whole:
        options["highlight_all"] = True
    else:
        options.update(max_words=35, min_words=15)
    text = F(field) if isinstance(field, str) else field
    return SearchHeadline(escaped_in_sql(text), query, config=CONFIG, **options)


# The snippet of a row's field: escaped HTML with <mark> around the words found.
Snippet = Callable[[Any, str], str]


@dataclass(frozen=True)
class Searcher:
    """How one kind is searched and shown."""

    kind: Kind
    # The published rows of this kind in published comparisons (optionally one), filtered
    # without joins, so that matching many rows costs no lookup in other tables per row.
    rows: Callable[[Comparison | None], QuerySet]
    # What showing a row needs: related rows and annotations, for the page's rows only.
    shown: Callable[[QuerySet], QuerySet]
    # Fields the SQLite fallback looks in.
    fields: list[str]
    # The kind's own order: the fallback's, and PostgreSQL's order before ranking (RANKED).
    order: list[str]
    # PostgreSQL: {name: snippet expression} annotations.
    headlines: Callable[[SearchQuery, Markers], dict[str, Any]]
    # Turn a row into a Hit, given the function that makes the snippet of one of its fields.
    hit: Callable[[Any, Snippet], Hit]


def _comparisons(comparison: Comparison | None) -> QuerySet:
    rows = Comparison.objects.published()
    return (rows.filter(pk=comparison.pk) if comparison else rows).values("pk")


def _published_sources(comparison: Comparison | None) -> QuerySet:
    return Source.objects.published().filter(comparison__in=_comparisons(comparison)).values("pk")


def _sources(comparison: Comparison | None) -> QuerySet:
    return Source.objects.published().filter(comparison__in=_comparisons(comparison))


def _definitions(comparison: Comparison | None) -> QuerySet:
    return Definition.objects.filter(source__in=_published_sources(comparison))


def _distinctions(comparison: Comparison | None) -> QuerySet:
    return (
        Distinction.objects.published()
        .filter(comparison__in=_comparisons(comparison))
        .filter(Q(source__isnull=True) | Q(source__in=_published_sources(comparison)))
    )


def _comments(comparison: Comparison | None) -> QuerySet:
    return (
        Comment.objects.published()
        .filter(comparison__in=_comparisons(comparison))
        .filter(Q(source__isnull=True) | Q(source__in=_published_sources(comparison)))
    )


def _distinctions_shown(rows: QuerySet) -> QuerySet:
    # A reader's distinction is on the page of the ranked list it falls on: count the published
    # readers' distinctions ranked before it, in the same query (DistinctionQuerySet.ranked_before).
    before = (
        Distinction.objects.filter(comparison=OuterRef("comparison"))
        .from_readers()
        .published()
        # Redundant with the next filter, but a range the ranking index (comparison, status,
        # score) reads instead of every distinction of the comparison.
        .filter(score__gte=OuterRef("score"))
        .filter(
            Q(score__gt=OuterRef("score"))
            | Q(score=OuterRef("score"), created__gt=OuterRef("created"))
            | Q(score=OuterRef("score"), created=OuterRef("created"), pk__gt=OuterRef("pk"))
        )
        .order_by()
        .values("comparison")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.select_related("comparison", "source").annotate(
        readers_before=Coalesce(Subquery(before), 0)
    )


def _source_hit(row: Source, snippet: Snippet) -> Hit:
    return Hit(
        title=snippet(row, "title"),
        url=row.get_absolute_url(),
        snippet=snippet(row, "body"),
        where=f"Source on {row.comparison.title}",
    )


def _definition_hit(row: Definition, snippet: Snippet) -> Hit:
    comparison = row.source.comparison
    term = comparison.term_label(row.term)
    summary = f" ({row.summary})" if row.summary else ""
    return Hit(
        title=f"{escape(row.source.title)}: {escape(term)}",
        url=row.get_absolute_url(),
        snippet=snippet(row, "quote"),
        where=f"Definition of {term}{summary}, in context in the source",
    )


def _distinction_hit(row: Distinction, snippet: Snippet) -> Hit:
    comparison = row.comparison
    url = comparison.get_absolute_url()
    if row.source is None:
        before: int = row.readers_before  # type: ignore[attr-defined]  # _distinctions()
        page = before // READERS_PER_PAGE + 1
        if page > 1:
            url += f"?page={page}"
        where = f"Reader's distinction by {row.author_name}, on {comparison.title}"
    else:
        where = f"Distinction drawn by the source “{row.source.title}”"
    axis = snippet(row, "axis") if row.axis else ""
    text = (
        f"{escape(comparison.term_a)}: {snippet(row, 'text_a')} · "
        f"{escape(comparison.term_b)}: {snippet(row, 'text_b')}"
    )
    return Hit(
        title=axis or f"{escape(comparison.term_a)} vs {escape(comparison.term_b)}",
        url=f"{url}#{row.anchor}",
        snippet=text,
        where=where,
    )


def _comment_hit(row: Comment, snippet: Snippet) -> Hit:
    target = row.source.title if row.source is not None else row.comparison.title
    return Hit(
        title=f"{escape(row.author_name or 'Anonymous')} on {escape(target)}",
        url=row.get_absolute_url(),
        snippet=snippet(row, "body"),
        where=f"{'Reply' if row.parent_id else 'Comment'}, {row.created:%-d %B %Y}",
    )


SEARCHERS = {
    "sources": Searcher(
        KINDS[0],
        _sources,
        lambda rows: rows.select_related("comparison"),
        ["title", "body"],
        ["comparison__position", "position", "id"],
        lambda q, m: {
            "title_snippet": _headline("title", q, m, whole=True),
            "body_snippet": _headline("body", q, m),
        },
        _source_hit,
    ),
    "definitions": Searcher(
        KINDS[1],
        _definitions,
        lambda rows: rows.select_related("source__comparison"),
        ["quote", "summary"],
        ["source__comparison__position", "source__position", "source_id", "term"],
        lambda q, m: {"quote_snippet": _headline("quote", q, m)},
        _definition_hit,
    ),
    "distinctions": Searcher(
        KINDS[2],
        _distinctions,
        _distinctions_shown,
        ["text_a", "text_b", "axis_a", "axis_b"],
        ["-score", "-created", "-id"],
        lambda q, m: {
            "axis_snippet": _headline(
                Concat(F("axis_a"), Value(" vs "), F("axis_b")), q, m, whole=True
            ),
            "text_a_snippet": _headline("text_a", q, m),
            "text_b_snippet": _headline("text_b", q, m),
        },
        _distinction_hit,
    ),
    "comments": Searcher(
        KINDS[3],
        _comments,
        lambda rows: rows.select_related("comparison", "source"),
        ["body"],
        ["-created", "-id"],
        lambda q, m: {"body_snippet": _headline("body", q, m)},
        _comment_hit,
    ),
}


# Finding ----------------------------------------------------------------------------------------


def _page_of(
    searcher: Searcher,
    rows: QuerySet,
    per_page: int,
    page: str | int | None,
    snippet: Snippet,
) -> KindResults:
    paginator = Paginator(rows, per_page)
    shown = paginator.get_page(page)
    hits = [searcher.hit(row, snippet) for row in shown.object_list]
    return KindResults(searcher.kind, paginator.count, hits, shown.number, paginator.num_pages)


def _ids_sql(
    searcher: Searcher,
    comparison: Comparison | None,
    query: str,
    search: SearchQuery,
    per_page: int,
    page: int,
    *,
    counted: int,
    ranked: int,
) -> tuple[str, list[Any], str, list[Any]]:
    """Return the SQL counting a kind's matches (up to COUNTED + 1) and the SQL of its page's ids.

    The page's ids: the block of RANKED matches in the kind's own order that holds the page
    (LIMIT on the GIN match, ordered by stored columns), ranked, and the page's part of it.
    """
    matches = searcher.rows(comparison).annotate(found=StoredVector()).filter(found=search)
    count_sql, count_params = matches.order_by().values("pk")[: counted + 1].query.sql_with_params()
    first = (page - 1) * per_page
    block = first // ranked * ranked
    keys = {f"o{i}": F(field.lstrip("-")) for i, field in enumerate(searcher.order)}
    candidates = matches.order_by(*searcher.order).values(row=F("pk"), vector=F("found"), **keys)[
        block : block + ranked
    ]
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    # Ties in rank keep the kind's own order.
    order = ", ".join(
        f"c.o{i} {'DESC' if field.startswith('-') else 'ASC'}"
        for i, field in enumerate(searcher.order)
    )
    # Every piece of this SQL is Django's compiled SQL or an integer; the values are parameters.
    page_sql = (
        f"SELECT c.row FROM ({candidates_sql}) c"  # noqa: S608
        f" ORDER BY ts_rank(c.vector, websearch_to_tsquery(%s::regconfig, %s)) DESC, {order}"
        f" LIMIT {int(per_page)} OFFSET {int(first - block)}"
    )
    return count_sql, list(count_params), page_sql, [*candidates_params, CONFIG, query]


# Stands for the query in a statement made once and kept (_statement): random, so no query is it.
QUERY_SLOT = f"query-{secrets.token_hex(16)}"


@functools.lru_cache(maxsize=1024)
def _statement(
    kinds: tuple[str, ...],
    comparison_id: int | None,
    per_page: int,
    page: int,
    counted: int,
    ranked: int,
) -> tuple[str, tuple[Any, ...]]:
    """Return the statement of _matches() and its parameters, QUERY_SLOT standing for the query.

    Made once per shape and kept: compiling its eight querysets costs more CPU than running it.
    """
    search = SearchQuery(QUERY_SLOT, search_type="websearch", config=CONFIG)
    comparison = None if comparison_id is None else Comparison(pk=comparison_id)
    # websearch_to_tsquery drops stop words and punctuation: is anything left to search for?
    nothing_sql = "querytree(websearch_to_tsquery(%s::regconfig, %s)) IN ('', 'T')"
    parts = [f"SELECT -1, NULL::integer, ({nothing_sql})::integer"]
    params: list[Any] = [CONFIG, QUERY_SLOT]
    for index, slug in enumerate(kinds):
        count_sql, count_params, page_sql, page_params = _ids_sql(
            SEARCHERS[slug],
            comparison,
            QUERY_SLOT,
            search,
            per_page,
            page,
            counted=counted,
            ranked=ranked,
        )
        # Django's compiled SQL and integers only, as in _ids_sql().
        parts.append(f"SELECT {index}, NULL::integer, count(*)::integer FROM ({count_sql}) n")  # noqa: S608
        parts.append(f"SELECT {index}, p.row, NULL::integer FROM ({page_sql}) p")  # noqa: S608
        params += [*count_params, *page_params]
    return " UNION ALL ".join(f"({part})" for part in parts), tuple(params)


def _matches(
    query: str, comparison: Comparison | None, kinds: list[str], per_page: int, page: int
) -> tuple[bool, dict[str, int], dict[str, list[int]]]:
    """Return, in one statement, whether the query has words to search, and each kind's count
    (up to COUNTED + 1) and page of ids, best first.
    """
    sql, slotted = _statement(
        tuple(kinds), comparison.pk if comparison else None, per_page, page, COUNTED, RANKED
    )
    params = [query if param == QUERY_SLOT else param for param in slotted]
    counts: dict[str, int] = dict.fromkeys(kinds, 0)
    ids: dict[str, list[int]] = {slug: [] for slug in kinds}
    nothing = False
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for index, pk, number in cursor.fetchall():
            if index < 0:
                nothing = bool(number)
            elif pk is None:
                counts[kinds[index]] = number
            else:
                ids[kinds[index]].append(pk)
    return nothing, counts, ids


def _page_number(page: Any) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _full_text(
    query: str, comparison: Comparison | None, kinds: list[str], per_page: int, page: Any
) -> Results:
    search = SearchQuery(query, search_type="websearch", config=CONFIG)
    number = _page_number(page)
    nothing, counts, ids = _matches(query, comparison, kinds, per_page, number)
    # websearch_to_tsquery drops stop words and punctuation; nothing left finds nothing.
    if nothing:
        return Results(query, True, [])
    last = {slug: max(1, math.ceil(min(counts[slug], COUNTED) / per_page)) for slug in kinds}
    if len(kinds) == 1 and number > last[kinds[0]]:
        # A page past the end (an old link, a typed address): the last page, as Paginator does.
        number = last[kinds[0]]
        _, counts, ids = _matches(query, comparison, kinds, per_page, number)
    markers = Markers.new()

    def snippet(row: Any, field: str) -> str:
        return highlight(getattr(row, f"{field}_snippet"), markers)

    found = []
    for slug in kinds:
        searcher = SEARCHERS[slug]
        hits: list[Hit] = []
        if ids[slug]:
            model = searcher.rows(None).model
            # Only the page's rows are read whole and given snippets (ts_headline).
            rows = searcher.shown(model._default_manager.filter(pk__in=ids[slug])).annotate(
                **searcher.headlines(search, markers)
            )
            by_pk = {row.pk: row for row in rows}
            hits = [searcher.hit(by_pk[pk], snippet) for pk in ids[slug] if pk in by_pk]
        total = min(counts[slug], COUNTED)
        found.append(
            KindResults(
                searcher.kind,
                total,
                hits,
                number,
                last[slug],
                capped=counts[slug] > COUNTED,
            )
        )
    return Results(query, False, found)


def _fallback(
    query: str, comparison: Comparison | None, kinds: list[str], per_page: int, page: Any
) -> Results:
    words = fallback_words(query)
    if not words:
        return Results(query, True, [])
    whole = {"title", "axis"}

    def snippet(row: Any, field: str) -> str:
        return excerpt(getattr(row, field), words, around=300 if field in whole else 90)

    found = []
    for slug in kinds:
        searcher = SEARCHERS[slug]
        rows = searcher.shown(searcher.rows(comparison))
        for word in words:
            any_field = Q()
            for field in searcher.fields:
                any_field |= Q(**{f"{field}__icontains": word})
            rows = rows.filter(any_field)
        found.append(_page_of(searcher, rows.order_by(*searcher.order), per_page, page, snippet))
    return Results(query, False, found)


# Each worker's copy of the published comparisons' ids, and when it was read (time.monotonic).
_published: tuple[float, list[int]] = (-math.inf, [])
PUBLISHED_IDS_SECONDS = 10


def _published_ids() -> list[int]:
    """Return the published comparisons' ids, read at most every PUBLISHED_IDS_SECONDS.

    A comparison unpublished meanwhile is still searched in a new version of its page (which
    leaves it out); one newly published joins the results within that many seconds.
    """
    global _published
    read_at, ids = _published
    if time.monotonic() - read_at > PUBLISHED_IDS_SECONDS:
        ids = list(Comparison.objects.published().order_by("pk").values_list("pk", flat=True))
        _published = (time.monotonic(), ids)
    return ids


def _versions(comparison: Comparison | None) -> str:
    """Return the versions of the cached pages the results may come from (smsn.pagecache)."""
    ids = [comparison.pk] if comparison is not None else _published_ids()
    return ",".join(page_cache.version(pk) for pk in ids)


def find(
    query: str, *, comparison: Comparison | None = None, kind: str | None = None, page: Any = 1
) -> Results:
    """Return what `query` finds, published only, grouped by kind.

    Without `kind`, the first PER_KIND hits of every kind; with it, page `page` (PER_PAGE hits)
    of that kind alone.
    """
    kinds = [kind] if kind else KIND_SLUGS
    per_page = PER_PAGE if kind else PER_KIND
    page = page if kind else 1
    run = _full_text if uses_full_text() else _fallback
    return run(query, comparison, kinds, per_page, page)


def remembered[T: (str, list[str])](
    make: Callable[[], T],
    query: str,
    *,
    comparison: Comparison | None = None,
    kind: str | None = None,
    page: Any = 1,
    variant: str = "results",
) -> T:
    """Return `make()` (the results of a search, rendered), from the shared cache if it is there.

    Kept until a write changes a comparison searched (smsn.pagecache versions): the results are
    the same for every visitor. Without the cache (Redis down), made each time. `variant` names
    what is made of the search: its results, or the whole page around them (search.views).
    """
    try:
        versions = _versions(comparison)
    except page_cache.UNAVAILABLE:
        return make()
    page = str(page if kind else 1)
    request = repr((variant, query, comparison.pk if comparison else None, kind, page))
    digest = hashlib.sha256(request.encode("utf-8", "surrogatepass")).hexdigest()
    key = f"search:{page_cache.release()}:{CACHE_FORMAT}:{connection.vendor}:{versions}:{digest}"
    try:
        cached = cache.get(key)
    except page_cache.UNAVAILABLE:
        cached = None
    if isinstance(cached, (str, list)):
        return cached  # type: ignore[return-value]  # what make() made for this variant
    made = make()
    with contextlib.suppress(*page_cache.UNAVAILABLE):
        cache.set(key, made, CACHE_SECONDS)
    return made


def forget_local_copies() -> None:
    """Forget this worker's copy of the published comparisons' ids (tests start anew)."""
    global _published
    _published = (-math.inf, [])
