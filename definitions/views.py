"""Pages for comparisons and their sources, votes, readers' distinctions and the open data.

Every form works as a plain POST with post/redirect/get; htmx requests get a partial of the same
template (`template_name + "#partial"`). htmx does not swap 4xx answers by default, so an htmx
form with errors is answered 200 with the form partial, while a plain POST with errors gets the
whole page again with status 400. A refusal (rate limit, a distinction gone) keeps its status and
says why (smsn.refusals): in place with htmx, on the site's page with a link back without.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from definitions import distinctions, placements, votes
from definitions import examples as example_answers
from definitions.forms import (
    AnswerForm,
    DistinctionForm,
    DistinctionReportForm,
    DistinctionTextForm,
    PlacementForm,
    VoteForm,
)
from definitions.models import (
    Comparison,
    Dimension,
    Distinction,
    DistinctionReport,
    Example,
    ExampleAnswer,
    Placement,
    Source,
    Vote,
    attach_visitor_placements,
    attach_visitor_votes,
    mark_for_visitor,
    verdict_phrase,
)
from definitions.moderation import ModerationStatus, can_moderate, edit_minutes
from smsn import cards, ratelimit
from smsn import pagecache as page_cache
from smsn.http import SiteRequest
from smsn.refusals import back_to, came_from, refuse
from smsn.templatetags.share import origin

logger = logging.getLogger(__name__)

TEMPLATE = "definitions/comparison.html"
READERS_PER_PAGE = 20


def readers_page(
    request: SiteRequest, comparison: Comparison, visitor_id: uuid.UUID | None = None
) -> Page[Distinction]:
    """Return the requested page of readers' distinctions, evaluated, for this visitor."""
    listed = Distinction.objects.listed_for(comparison, visitor_id)
    page = Paginator(listed, READERS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    mark_for_visitor(page.object_list, visitor_id)
    return page


def comparison_context(
    request: SiteRequest,
    comparison: Comparison,
    form: DistinctionForm | None = None,
    *,
    as_anyone: bool = False,
    preview: Source | None = None,
) -> dict[str, Any]:
    """Return everything the comparison page shows, in a fixed number of queries.

    With `as_anyone`, return what every visitor without anything of their own sees. With
    `preview`, that draft source is shown as if published (the admin's preview, never cached).
    """
    visitor_id = None if as_anyone else request.visitor.id
    sources = comparison.published_sources(preview=preview)
    page = readers_page(request, comparison, visitor_id)
    attach_visitor_votes([s.public_distinction for s in sources] + list(page), visitor_id)
    dimensions = comparison.key_differences(sources)
    attach_visitor_placements(dimensions, visitor_id)
    # A placement sent without JavaScript leaves its notice for its own row, not the top.
    notices = [] if as_anyone else list(messages.get_messages(request))
    for dimension in dimensions:
        # The last one: a visitor may press twice before a page shows the first notice.
        dimension.placement_notice = next(
            (str(m) for m in reversed(notices) if m.extra_tags == placement_tag(dimension)), ""
        )
    page_path = comparison.get_absolute_url()
    if page.number > 1:
        page_path += f"?page={page.number}"
    return {
        "comparison": comparison,
        "canonical_path": page_path,
        "description": comparison.describe(len(sources)),
        "structured_data": comparison.structured_data(sources, origin(request)),
        "sources": sources,
        "dimensions": dimensions,
        "page": page,
        "form": form or DistinctionForm(comparison=comparison),
        "notices": [m for m in notices if not m.extra_tags.startswith("placement:")],
        "examples": list(comparison.examples.published()),
    }


def placement_tag(dimension: Dimension) -> str:
    """Return the tag of the notice of a placement sent without JavaScript."""
    return f"placement:{dimension.pk}"


@require_safe
def home(request: SiteRequest) -> HttpResponse:
    """Show the one published comparison, or the list of them when there are several.

    With one, the home page is that comparison (its canonical address is its own); with
    several, a list saying so. While the database cannot be reached, new visitors get the
    last good page of the flagship comparison (as before there were several).
    """
    try:
        slugs = list(Comparison.objects.published().values_list("slug", flat=True)[:2])
    except (OperationalError, InterfaceError):
        return comparison(request, settings.SMSN_FLAGSHIP_COMPARISON)
    if len(slugs) == 1:
        return comparison(request, slugs[0])
    comparisons = list(Comparison.objects.listed())
    return render(request, "definitions/home.html", {"comparisons": comparisons})


@require_safe
def comparison(request: SiteRequest, slug: str) -> HttpResponse:
    """Show two terms side by side: sources, key differences, readers' distinctions."""
    response: HttpResponse | None
    if request.htmx and "page" in request.GET:
        comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
        page = readers_page(request, comparison, request.visitor.id)
        attach_visitor_votes(page.object_list, request.visitor.id)
        context = {"comparison": comparison, "page": page, "more_loaded": True}
        response = render(request, TEMPLATE + "#readers-more", context)
    else:
        response = None
        if is_shareable(request):
            try:
                response = shared_response(request, slug)
            except page_cache.UNAVAILABLE:
                response = None
            except (OperationalError, InterfaceError):
                response = last_good_response(request, slug)
        if response is None:
            comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
            response = render(request, TEMPLATE, comparison_context(request, comparison))
    patch_vary_headers(response, ["HX-Request"])
    return response


def is_shareable(request: SiteRequest) -> bool:
    """Return True if this request may get the page every visitor sees (plus its own votes)."""
    if request.GET or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return "messages" not in request.COOKIES


def last_good_response(request: SiteRequest, slug: str) -> HttpResponse:
    """Answer a new visitor with the last good shared page while the database is down.

    Re-raise the database's error (the outage middleware answers 503) for anyone else: a
    visitor with the cookie would see their votes missing.
    """
    page = None if request.visitor.id else page_cache.last_good_page(slug)
    if page is None:
        raise
    logger.warning("Database unavailable: serving the last good page of %s", slug)
    response = HttpResponse(page.render(request))
    response["Cache-Control"] = "no-store"
    return response


def shared_response(request: SiteRequest, slug: str) -> HttpResponse | None:
    """Answer with the page every visitor sees, with this visitor's votes pressed.

    Return None if the visitor has something of their own on the page (they get it rendered
    for them) or there is no such comparison (the caller answers 404).
    """
    # Somebody without the visitor cookie has never voted, posted or reported here, so no change
    # of theirs can be missing: they may get this worker's copy for up to a second unchecked.
    max_age = 0 if request.visitor.id else settings.SMSN_SHARED_PAGE_MAX_AGE
    found = page_cache.find_shared_page(slug, max_age=max_age)
    page = found.page
    if page is not None and request.visitor.id:
        # The usual returning visitor: whether the page is theirs, their votes and their
        # placements, one query.
        own = page_cache.own_states_unless_personal(
            request,
            page.comparison_id,
            Vote.objects.by_visitor_on(request.visitor.id, page.votes),
            Placement.objects.by_visitor_on(request.visitor.id, page.placements).with_states(),
        )
        if own is None:
            return None
        return HttpResponse(page.render(request, own.votes, own.placements))
    if page is not None:
        if page_cache.has_personal(request, page.comparison_id):
            return None
        return HttpResponse(page.render(request))
    comparison = Comparison.objects.published().filter(slug=slug).first()
    if comparison is None or page_cache.has_personal(request, comparison.pk):
        return None
    if found.comparison_id == comparison.pk and found.version is not None:
        page = render_shared_page(request, comparison, found.version)
    else:
        version = page_cache.version(comparison.pk)
        page = page_cache.cached_page(comparison.pk, version) or render_shared_page(
            request, comparison, version
        )
    own_votes: dict[int, int] = {}
    own_placements: dict[int, int] = {}
    if request.visitor.id:
        own_votes = Vote.objects.values_by_distinction(request.visitor.id, page.votes)
        own_placements = {
            pk: Placement.STATES[value]
            for pk, value in Placement.objects.values_by_dimension(
                request.visitor.id, page.placements
            ).items()
        }
    return HttpResponse(page.render(request, own_votes, own_placements))


def render_shared_page(
    request: SiteRequest, comparison: Comparison, version: str
) -> page_cache.SharedPage:
    """Render and store the shared page of this version of a comparison.

    `version` must have been read before anything on the page, so a change that lands while
    the page renders starts a newer version and this one is never served after it.
    """
    holes = page_cache.Holes()
    context = comparison_context(request, comparison, as_anyone=True)
    html = render(request, TEMPLATE, {**context, **holes.context()}).content.decode()
    vote_states: dict[int, dict[int, str]] = {}
    for distinction in [s.public_distinction for s in context["sources"]] + list(context["page"]):
        if distinction is None:
            continue
        vote_states[distinction.pk] = {}
        for value in (1, -1):
            distinction.visitor_vote = value
            vote_states[distinction.pk][value] = render_to_string(
                TEMPLATE + "#vote-widget",
                {"comparison": comparison, "distinction": distinction, **holes.context()},
            )
    placement_states: dict[int, dict[int, str]] = {}
    for dimension in context["dimensions"]:
        placement_states[dimension.pk] = {}
        for placed, state in Placement.STATES.items():
            dimension.visitor_placement = placed
            placement_states[dimension.pk][state] = render_to_string(
                TEMPLATE + "#placement",
                {"comparison": comparison, "dimension": dimension, **holes.context()},
            )
    page = page_cache.SharedPage.from_rendering(
        comparison_id=comparison.pk,
        slug=comparison.slug,
        version=version,
        holes=holes,
        html=html,
        vote_states=vote_states,
        placement_states=placement_states,
    )
    page_cache.store_shared_page(page)
    return page


def vote_notice(distinction: Distinction, value: int) -> str:
    counts = f"{distinction.upvotes} convincing, {distinction.downvotes} not convincing."
    if value == 1:
        return f"Your vote: convincing. Now {counts}"
    if value == -1:
        return f"Your vote: not convincing. Now {counts}"
    return f"Your vote is withdrawn. Now {counts}"


def vote_refused(
    request: SiteRequest, pk: int, status: int, title: str, message: str, **options: Any
) -> HttpResponse:
    """Refuse a vote, linking back to its form on the page the visitor came from."""
    options.setdefault("back_url", back_to(request, reverse("definitions:home"), f"vote-{pk}"))
    options.setdefault("back_label", "Back to the distinction")
    return refuse(request, status, message, title=title, **options)


@require_POST
@ratelimit.refunded_on_outage()
def vote(request: SiteRequest, pk: int) -> HttpResponse:
    """Vote a distinction up or down, or withdraw the vote."""
    allowance = ratelimit.allow("vote", request.visitor.ip_hash)
    if not allowance:
        return vote_refused(
            request,
            pk,
            429,
            "Too many votes",
            "Too many votes from your network in the last minute, so this one was not "
            f"counted. Vote again in {allowance.wait}.",
            retry_after=allowance.retry_after,
        )
    form = VoteForm(request.POST)
    if not form.is_valid():
        return vote_refused(
            request,
            pk,
            400,
            "Vote not understood",
            "A vote is 1 (convincing), -1 (not convincing) or 0 (withdraw). Nothing was changed.",
        )
    try:
        outcome = votes.cast_vote(
            distinction_id=pk,
            visitor_id=request.visitor.ensure_id(),
            ip_hash=request.visitor.ip_hash,
            value=form.cleaned_data["value"],
        )
    except votes.VoteRefused as refused:
        return vote_refused(
            request,
            pk,
            404,
            "Distinction not found",
            f"{refused} It may have been removed by a moderator; reload the page to see the "
            "distinctions as they are now.",
            back_url=back_to(request, reverse("definitions:home"), "readers"),
            back_label="Back to the readers' distinctions",
        )
    distinction = outcome.distinction
    if request.htmx:
        context = {
            "comparison": distinction.comparison,
            "distinction": distinction,
            "vote_notice": vote_notice(distinction, outcome.value),
        }
        return render(request, TEMPLATE + "#vote-widget", context)
    own_page = reverse("definitions:distinction", kwargs={"pk": pk})
    if urlsplit(came_from(request)).path == own_page:
        # Voted on the distinction's own page: back to it.
        return redirect(f"{own_page}#{distinction.anchor}")
    return redirect(distinction.listing_url(request.visitor.id, READERS_PER_PAGE))


def placement_notice(dimension: Dimension, outcome: placements.PlacementOutcome) -> str:
    """Say what the visitor's press did, and the counts now."""
    counts = ", ".join(f"{share.count} {share.label}" for share in dimension.placement_shares)
    if not outcome.changed and outcome.value:
        said = f"Your placement stays: {dimension.placement_label(outcome.value)}."
    elif outcome.value:
        said = f"Your placement: {dimension.placement_label(outcome.value)}."
    elif outcome.changed:
        said = "Your placement is withdrawn."
    else:
        said = "You had not placed this point; nothing was changed."
    return f"{dimension.name}: {said} Readers now: {counts}."


def placement_refused(
    request: SiteRequest, pk: int, status: int, title: str, message: str, **options: Any
) -> HttpResponse:
    """Refuse a placement, linking back to its point on the page the visitor was on."""
    slug = Dimension.objects.filter(pk=pk).values_list("slug", flat=True).first()
    anchor = f"dimension-{slug}" if slug else "key-differences"
    options.setdefault("back_url", back_to(request, reverse("definitions:home"), anchor))
    options.setdefault("back_label", "Back to the point" if slug else "Back to the key differences")
    return refuse(request, status, message, title=title, **options)


@require_POST
@ratelimit.refunded_on_outage()
def place(request: SiteRequest, pk: int) -> HttpResponse:
    """Place a point of difference with term A, with both, or with term B; or withdraw that."""
    allowance = ratelimit.allow("placement", request.visitor.ip_hash)
    if not allowance:
        return placement_refused(
            request,
            pk,
            429,
            "Too many placements",
            "Too many placements from your network in the last minute, so this one was not "
            f"counted. Place it again in {allowance.wait}.",
            retry_after=allowance.retry_after,
        )
    form = PlacementForm(request.POST)
    if not form.is_valid():
        return placement_refused(
            request,
            pk,
            400,
            "Placement not understood",
            "A placement is a, both, b or withdraw. Nothing was changed.",
        )
    try:
        outcome = placements.place(
            dimension=pk,
            visitor=request.visitor.ensure_id(),
            value=form.cleaned_data["value"],
            ip_hash=request.visitor.ip_hash,
        )
    except placements.PlacementRefused as refused:
        return placement_refused(
            request,
            pk,
            404,
            "Point not found",
            f"{refused} Nothing was changed; reload the page to see the points as they are now.",
        )
    dimension = outcome.dimension
    notice = placement_notice(dimension, outcome)
    if request.htmx:
        context = {
            "comparison": dimension.comparison,
            "dimension": dimension,
            "live_notice": notice,
        }
        return render(request, TEMPLATE + "#placement", context)
    messages.success(request, notice, extra_tags=placement_tag(dimension))
    return redirect(dimension.get_absolute_url())


def submission_notice(submission: distinctions.Submission) -> str:
    if not submission.created:
        return "We had already received this distinction; it was not added twice."
    if submission.is_published:
        return "Thank you: your distinction is published."
    return (
        "Thank you: your distinction is waiting for a moderator. Until it is approved, only "
        "you can see it."
    )


@require_POST
@ratelimit.refunded_on_outage()
def add_distinction(request: SiteRequest, slug: str) -> HttpResponse:
    """Add a reader's distinction to a comparison.

    Only a valid form counts towards the rate limit: a form sent back with errors, or too soon
    after the page loaded, does not use up the visitor's allowance.
    """
    comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
    form = DistinctionForm(request.POST, comparison=comparison)
    if not form.is_valid():
        if request.htmx:
            context = {"comparison": comparison, "form": form}
            return render(request, TEMPLATE + "#distinction-form", context)
        context = comparison_context(request, comparison, form)
        return render(request, TEMPLATE, context, status=400)
    allowance = ratelimit.allow("distinction", request.visitor.ip_hash)
    if not allowance:
        return too_many_distinctions(request, comparison, form, allowance)
    data = form.cleaned_data
    submission = distinctions.add_distinction(
        comparison=comparison,
        text_a=data["text_a"],
        text_b=data["text_b"],
        axis_a=data["axis_a"],
        axis_b=data["axis_b"],
        author_name=data["author_name"],
        visitor_id=request.visitor.ensure_id(),
        ip_hash=request.visitor.ip_hash,
        submission_token=data["submission_token"],
    )
    notice = submission_notice(submission)
    if request.htmx:
        mark_for_visitor([submission.distinction], request.visitor.id)
        context = {
            "comparison": comparison,
            "form": DistinctionForm(comparison=comparison),
            "submission": submission,
            "notice": notice,
            # The list's count follows the new distinction.
            "readers_total": Distinction.objects.listed_for(comparison, request.visitor.id)
            .order_by()
            .count(),
        }
        return render(request, TEMPLATE + "#distinction-form", context)
    messages.success(request, notice)
    return redirect(submission.distinction.listing_url(request.visitor.id, READERS_PER_PAGE))


def too_many_distinctions(
    request: SiteRequest,
    comparison: Comparison,
    form: DistinctionForm,
    allowance: ratelimit.Allowance,
) -> HttpResponse:
    """Refuse a valid distinction over the rate limit, saying when to send it again.

    Without JavaScript the page comes back with the sentence at the top of the form and the
    visitor's text in it; htmx leaves the form as it is and shows the sentence beside it.
    """
    message = (
        "Too many distinctions from your network in the last ten minutes, so yours was not "
        f"added. Send it again in {allowance.wait}; your text is still in the form."
    )
    if request.htmx:
        return refuse(
            request, 429, message, title="Too many distinctions", retry_after=allowance.retry_after
        )
    form.add_error(None, message)
    response = render(request, TEMPLATE, comparison_context(request, comparison, form), status=429)
    response["Retry-After"] = str(allowance.retry_after)
    return response


@require_safe
def comparison_card(request: SiteRequest, slug: str) -> HttpResponse:
    """Answer with the comparison's preview image: its two terms, for links shared elsewhere."""
    comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
    return cards.card_response(
        request,
        comparison.card_digest,
        lambda: cards.comparison_card(comparison.term_a, comparison.term_b),
    )


@require_safe
def comparison_json(request: SiteRequest, slug: str) -> JsonResponse:
    """Return the whole comparison as open data (shape: Comparison.as_open_data)."""
    comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
    response = JsonResponse(
        comparison.as_open_data(request.build_absolute_uri),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    # Open data: any site may fetch it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


SOURCE_TEMPLATE = "definitions/source.html"


@require_safe
def source(request: SiteRequest, comparison_slug: str, slug: str) -> HttpResponse:
    """Show a source article with its definitions highlighted in place.

    Served like the comparison page: the page every visitor without anything of their own on it
    sees is rendered once per version of its comparison and shared (smsn/pagecache.py).
    """
    response = None
    if is_shareable(request):
        try:
            response = shared_source_response(request, comparison_slug, slug)
        except page_cache.UNAVAILABLE:
            response = None
    if response is None:
        source = Source.objects.public(comparison_slug, slug)
        response = render(request, SOURCE_TEMPLATE, {"source": source})
    return response


def shared_source_response(
    request: SiteRequest, comparison_slug: str, slug: str
) -> HttpResponse | None:
    """Answer with the source page every visitor sees, or None if the visitor has something of
    their own on it (a comment of theirs in its thread: they get it rendered for them)."""
    address = f"{comparison_slug}/{slug}"
    max_age = 0 if request.visitor.id else settings.SMSN_SHARED_PAGE_MAX_AGE
    page = page_cache.find_shared_page(address, max_age=max_age).page
    if page is None:
        # Raises Http404 for a source nobody may read, before anything is cached.
        source = Source.objects.public(comparison_slug, slug)
        if page_cache.has_personal(request, source.comparison_id):
            return None
        version = page_cache.version(source.comparison_id)
        name = page_cache.source_page(source.pk)
        page = page_cache.cached_page(source.comparison_id, version, name)
        if page is None:
            page = render_shared_source_page(request, comparison_slug, slug, version)
            if page is None:
                return None
        return HttpResponse(page.render(request))
    if page_cache.has_personal(request, page.comparison_id):
        return None
    return HttpResponse(page.render(request))


def render_shared_source_page(
    request: SiteRequest, comparison_slug: str, slug: str, version: str
) -> page_cache.SharedPage | None:
    """Render and store the shared page of this version of a source (None if it just went).

    The source is read again after `version` was: a change that lands meanwhile starts a newer
    version, so this page is never served after it.
    """
    source = (
        Source.objects.published()
        .filter(comparison__slug=comparison_slug, comparison__is_published=True, slug=slug)
        .select_related("comparison")
        .prefetch_related("definitions")
        .first()
    )
    if source is None:
        return None
    holes = page_cache.Holes()
    context = {"source": source, **holes.context()}
    html = render(request, SOURCE_TEMPLATE, context).content.decode()
    page = page_cache.SharedPage.from_rendering(
        comparison_id=source.comparison_id,
        slug=f"{comparison_slug}/{slug}",
        version=version,
        holes=holes,
        html=html,
        vote_states={},
        name=page_cache.source_page(source.pk),
    )
    page_cache.store_shared_page(page)
    return page


# A reader's distinction on its own page: its author's edit and delete, visitors' reports --------

DISTINCTION_TEMPLATE = "definitions/distinction.html"
ITEM = TEMPLATE + "#reader-item"
ACTIONS = TEMPLATE + "#distinction-actions"
NOT_YOURS = (
    "Nothing was changed: only the person who added a distinction can change it, and only for "
    "{minutes} minutes after adding it."
)
REPORTED = "Thank you. A moderator will look at this distinction. Nobody else sees who reported it."
DELETED = "Your distinction is deleted."


def _reader_distinction(request: SiteRequest, pk: int) -> Distinction:
    """Return a reader's distinction on a published comparison that this visitor may read (the
    rule of definitions.moderation.visible_q), or raise 404."""
    distinction = get_object_or_404(
        Distinction.objects.from_readers().select_related("comparison"),
        pk=pk,
        comparison__is_published=True,
    )
    if not distinction.is_visible_to(request.visitor.id):
        raise Http404
    return distinction


def on_own_page(request: SiteRequest, distinction: Distinction) -> bool:
    """Return True unless htmx asks from another page (the comparison's list of distinctions)."""
    if not request.htmx:
        return True
    current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return current.startswith(distinction.get_absolute_url())


def _distinction_context(
    request: SiteRequest, distinction: Distinction, mode: str = "show", **extra: Any
) -> dict[str, Any]:
    """Return what the distinction's page and its partials need, for this visitor."""
    visitor_id = request.visitor.id
    attach_visitor_votes([distinction], visitor_id)
    mark_for_visitor([distinction], visitor_id)
    return {
        "comparison": distinction.comparison,
        "distinction": distinction,
        "mode": mode,
        # On its own page the distinction's heading is an h2 under the page's h1.
        "standalone": on_own_page(request, distinction),
        "listing_url": distinction.listing_url(visitor_id, READERS_PER_PAGE),
        "edit_minutes": edit_minutes(),
        **extra,
    }


def _distinction_page(
    request: SiteRequest,
    distinction: Distinction,
    mode: str,
    *,
    status: int = 200,
    part: str = "",
    **extra: Any,
) -> HttpResponse:
    """Answer with the distinction's page (no JavaScript) or, to htmx, the part that changes:
    the whole distinction when it is shown or edited, else its row of actions (a delete to
    confirm, a report to send)."""
    context = _distinction_context(request, distinction, mode, **extra)
    if request.htmx:
        part = part or ("item" if mode in ("show", "edit") else "actions")
        return render(request, ITEM if part == "item" else ACTIONS, context)
    return render(request, DISTINCTION_TEMPLATE, context, status=status)


@require_safe
def distinction(request: SiteRequest, pk: int) -> HttpResponse:
    """Show a reader's distinction on its own page, with its votes, author and date.

    A moderator asking for one nobody else may read (held, removed, spam, or on a comparison
    not published) sees it marked as held.
    """
    try:
        found = _reader_distinction(request, pk)
    except Http404:
        if not can_moderate(request.user):
            raise
        return held_distinction(request, pk)
    return _distinction_page(request, found, "show", refocus=bool(request.htmx))


def held_distinction(request: SiteRequest, pk: int) -> HttpResponse:
    """Show a moderator a reader's distinction the public does not see, marked as held."""
    found = get_object_or_404(
        Distinction.objects.from_readers().select_related("comparison", "moderated_by"), pk=pk
    )
    context = _distinction_context(
        request,
        found,
        held=True,
        reports=list(found.reports.all()),
        admin_url=reverse("admin:definitions_distinction_change", args=[found.pk]),
    )
    response = render(request, DISTINCTION_TEMPLATE, context)
    # Only moderators see this page: no cache anywhere may keep it.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _not_yours(request: SiteRequest, found: Distinction) -> HttpResponse:
    """Refuse a change to a distinction that is not the visitor's, or no longer theirs to change."""
    return refuse(
        request,
        403,
        NOT_YOURS.format(minutes=edit_minutes()),
        title="This distinction cannot be changed",
        back_url=found.get_absolute_url(),
        back_label="Back to the distinction",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def edit_distinction(request: SiteRequest, pk: int) -> HttpResponse:
    """Let the author change their distinction for as long as comments can be edited."""
    found = _reader_distinction(request, pk)
    visitor_id = request.visitor.id
    if not found.can_be_changed_by(visitor_id):
        return _not_yours(request, found)
    form = DistinctionTextForm(
        request.POST if request.method == "POST" else None,
        comparison=found.comparison,
        initial={name: getattr(found, name) for name in ("text_a", "text_b", "axis_a", "axis_b")},
        auto_id=f"edit{found.pk}-%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            found = distinctions.edit_distinction(
                distinction=found, visitor_id=visitor_id, **form.cleaned_data
            )
        except distinctions.NotAllowed:
            return _not_yours(request, found)
        notice = (
            "Saved."
            if found.status == ModerationStatus.PUBLISHED
            else "Saved. Your distinction now waits for a moderator; until then only you see it."
        )
        if request.htmx:
            return _distinction_page(request, found, "show", action_notice=notice)
        messages.success(request, notice)
        return redirect(found.get_absolute_url())
    status = 400 if form.is_bound else 200
    return _distinction_page(request, found, "edit", form=form, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def delete_distinction(request: SiteRequest, pk: int) -> HttpResponse:
    """Let the author take their distinction down for as long as comments can be deleted."""
    found = _reader_distinction(request, pk)
    visitor_id = request.visitor.id
    if not found.can_be_changed_by(visitor_id):
        return _not_yours(request, found)
    if request.method == "POST":
        listing = found.listing_url(visitor_id, READERS_PER_PAGE)
        try:
            found = distinctions.delete_distinction(distinction=found, visitor_id=visitor_id)
        except distinctions.NotAllowed:
            return _not_yours(request, found)
        if request.htmx:
            context = _distinction_context(request, found, "deleted")
            if not context["standalone"]:
                # The list's count follows the delete.
                context["readers_total"] = (
                    Distinction.objects.listed_for(found.comparison, visitor_id).order_by().count()
                )
            return render(request, ITEM, context)
        messages.success(request, DELETED)
        return redirect(f"{listing.partition('#')[0]}#readers")
    return _distinction_page(request, found, "delete")


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit.refunded_on_outage()
def report_distinction(request: SiteRequest, pk: int) -> HttpResponse:
    """Let any visitor report a reader's distinction to the moderators, once."""
    found = _reader_distinction(request, pk)
    if not found.can_be_reported:
        raise Http404
    visitor_id = request.visitor.id
    already = bool(
        visitor_id
        and DistinctionReport.objects.filter(distinction=found, visitor_id=visitor_id).exists()
    )
    form = DistinctionReportForm(
        request.POST if request.method == "POST" else None, auto_id=f"report{pk}-%s"
    )
    if request.method == "POST" and not already and form.is_valid():
        allowance = ratelimit.allow("report", request.visitor.ip_hash, request.visitor.id)
        if allowance:
            distinctions.report_distinction(
                distinction=found,
                visitor_id=request.visitor.ensure_id(),
                ip_hash=request.visitor.ip_hash,
                reason=form.cleaned_data["reason"],
            )
            # Whether this report counted or the address had reported already, the answer is
            # the same, so it never tells anybody who else reported.
            if request.htmx:
                found.refresh_from_db()
                return _distinction_page(
                    request, found, "show", part="actions", action_notice=REPORTED
                )
            return redirect(reverse("definitions:report_distinction", args=[pk]) + "?sent=1")
        message = (
            "You are sending reports faster than we allow, so this one was not sent. Try "
            f"again in {allowance.wait}."
        )
        if request.htmx:
            return refuse(
                request, 429, message, title="Too fast", retry_after=allowance.retry_after
            )
        form.add_error(None, message)
        response = _distinction_page(request, found, "report", form=form, status=429)
        response["Retry-After"] = str(allowance.retry_after)
        return response
    done = already or request.GET.get("sent") == "1"
    status = 400 if form.is_bound and form.errors else 200
    return _distinction_page(
        request, found, "report", form=form, done=done, reported_notice=REPORTED, status=status
    )


# Examples readers classify -------------------------------------------------------------------

EXAMPLE_TEMPLATE = "definitions/example.html"


def example_context(example: Example, visitor_id: uuid.UUID | None) -> dict[str, Any]:
    """Return what an example's page shows this visitor: the sources' verdicts once answered."""
    comparison = example.comparison
    answer = example_answers.answer_of(example, visitor_id)
    context: dict[str, Any] = {
        "comparison": comparison,
        "example": example,
        "answer": answer,
        "choices": example.tally(),
    }
    if answer:
        sources = comparison.published_sources()
        context["source_verdicts"] = example.source_verdicts(sources)
        context["tally"] = context["choices"]
    return context


@require_safe
def examples(request: SiteRequest, slug: str) -> HttpResponse:
    """List the examples of a comparison, each a question readers answer."""
    comparison = get_object_or_404(Comparison.objects.published(), slug=slug)
    listed = list(comparison.examples.published())
    answered = {}
    if request.visitor.id:
        answered = dict(
            ExampleAnswer.objects.filter(
                visitor_id=request.visitor.id, example__in=listed
            ).values_list("example_id", "value")
        )
    for example in listed:
        example.comparison = comparison
        example.visitor_answer = answered.get(example.pk, "")
    context = {"comparison": comparison, "examples": listed}
    return render(request, "definitions/examples.html", context)


@require_safe
def example(request: SiteRequest, comparison_slug: str, slug: str) -> HttpResponse:
    """Ask which term an example belongs to; once answered, show the sources' and readers'."""
    found = Example.objects.public(comparison_slug, slug)
    prefetch_related_objects([found], "implications")
    return render(request, EXAMPLE_TEMPLATE, example_context(found, request.visitor.id))


def answer_refused(
    request: SiteRequest, pk: int, status: int, title: str, message: str, **options: Any
) -> HttpResponse:
    """Refuse an answer, linking back to the question on the page the visitor came from."""
    options.setdefault("back_url", back_to(request, reverse("definitions:home"), "answer"))
    options.setdefault("back_label", "Back to the question")
    return refuse(request, status, message, title=title, **options)


@require_POST
@ratelimit.refunded_on_outage()
def answer(request: SiteRequest, pk: int) -> HttpResponse:
    """Answer which term an example belongs to, or change the answer."""
    allowance = ratelimit.allow("answer", request.visitor.ip_hash)
    if not allowance:
        return answer_refused(
            request,
            pk,
            429,
            "Too many answers",
            "Too many answers from your network in the last minute, so this one was not "
            f"counted. Answer again in {allowance.wait}.",
            retry_after=allowance.retry_after,
        )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return answer_refused(
            request,
            pk,
            400,
            "Answer not understood",
            "An answer is one of the four buttons: the first term, both, the second term or "
            "neither. Nothing was changed.",
        )
    try:
        outcome = example_answers.answer_example(
            example_id=pk,
            visitor_id=request.visitor.ensure_id(),
            ip_hash=request.visitor.ip_hash,
            value=form.cleaned_data["value"],
        )
    except example_answers.AnswerRefused as refused:
        return answer_refused(
            request,
            pk,
            404,
            "Example not found",
            f"{refused} It may have been withdrawn by a moderator.",
            back_url=reverse("definitions:home"),
            back_label="Back to the comparison",
        )
    if request.htmx:
        answered = outcome.example
        prefetch_related_objects([answered], "implications")
        context = example_context(answered, request.visitor.id)
        context["answer_notice"] = answer_notice(context["comparison"], outcome)
        return render(request, EXAMPLE_TEMPLATE + "#answer-section", context)
    messages.success(request, answer_notice(outcome.example.comparison, outcome))
    return redirect(f"{outcome.example.get_absolute_url()}#answer")


def answer_notice(comparison: Comparison, outcome: example_answers.AnswerOutcome) -> str:
    said = verdict_phrase(comparison, outcome.value)
    if not outcome.changed:
        return f"Your answer stays: {said}. Nothing was counted twice."
    return f"Your answer: {said}. See below what the sources imply and how readers answered."
