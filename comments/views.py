"""Reader comments: thread pages, posting and replying, the author's edits, visitors' reports.

Every form works as a plain POST that redirects to the comment's permalink; with htmx the same
views answer with a partial of the same template, so the thread changes in place. A refusal (a
rate limit, an edit after its window) keeps its status and says why (smsn.refusals): beside the
control with htmx; without, the form again with its text, or the site's page with a link back.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from comments import conf
from comments.actions import (
    NotAllowed,
    Posted,
    delete_comment,
    edit_comment,
    post_comment,
    report_comment,
)
from comments.forms import CommentForm, EditCommentForm, ReportForm
from comments.models import Comment, CommentKind, Report, target_page_url, thread_url
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import ModerationStatus, can_moderate
from definitions.text import ascii_id
from smsn import ratelimit
from smsn.http import SiteRequest
from smsn.refusals import refuse
from smsn.templatetags.share import origin

AUTHOR_COOKIE = "smsn_commenter"
AUTHOR_COOKIE_SALT = "smsn.comments.author"
AUTHOR_COOKIE_AGE = 365 * 24 * 3600

Target = Comparison | Source | Distinction


# Reading ---------------------------------------------------------------------------------------


def remembered_author(request: HttpRequest) -> dict[str, str]:
    """Return the name and website the visitor used last time (never the email)."""
    raw = request.COOKIES.get(AUTHOR_COOKIE, "")
    try:
        data = signing.loads(raw, salt=AUTHOR_COOKIE_SALT, max_age=AUTHOR_COOKIE_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        "author_name": str(data.get("name", ""))[:60],
        "author_url": str(data.get("url", ""))[:300],
    }


def remember_author(response: HttpResponse, comment: Comment) -> None:
    """Keep the comment's name and website in a signed cookie to fill in the next form."""
    value = signing.dumps(
        {"name": comment.author_name, "url": comment.author_url},
        salt=AUTHOR_COOKIE_SALT,
        compress=True,
    )
    response.set_cookie(
        AUTHOR_COOKIE,
        value,
        max_age=AUTHOR_COOKIE_AGE,
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Lax",
    )


def visitor_id_of(request: HttpRequest) -> uuid.UUID | None:
    visitor = getattr(request, "visitor", None)
    return visitor.id if visitor is not None else None


def post_url(target: Target) -> str:
    if isinstance(target, Distinction):
        return reverse(
            "comments:post_on_distinction",
            kwargs={"slug": target.comparison.slug, "pk": target.pk},
        )
    if isinstance(target, Source):
        return reverse(
            "comments:post_on_source",
            kwargs={"comparison_slug": target.comparison.slug, "slug": target.slug},
        )
    return reverse("comments:post_on_comparison", kwargs={"slug": target.slug})


def feed_url(target: Target) -> str:
    if isinstance(target, Distinction):
        return reverse(
            "comments:distinction_feed",
            kwargs={"slug": target.comparison.slug, "pk": target.pk},
        )
    if isinstance(target, Source):
        return reverse(
            "comments:source_feed",
            kwargs={"comparison_slug": target.comparison.slug, "slug": target.slug},
        )
    return reverse("comments:comparison_feed", kwargs={"slug": target.slug})


def new_comment_form(
    request: HttpRequest,
    target: Target,
    data: Any = None,
    *,
    parent_id: int | None = None,
    initial: dict[str, Any] | None = None,
    autofocus: bool = False,
) -> CommentForm:
    """Return the form for a new comment (or a reply under `parent_id`), with unique field ids."""
    if data is not None:
        parent_id = ascii_id(data.get("parent")) or None
    if initial is None:
        initial = remembered_author(request)
    if parent_id:
        initial = {**initial, "parent": parent_id}
    return CommentForm(
        data,
        target=target,
        visitor_id=visitor_id_of(request),
        initial=initial,
        auto_id=f"reply{parent_id}-%s" if parent_id else "comment-%s",
        autofocus=autofocus,
    )


def prepare(
    comments: list[Comment],
    visitor_id: uuid.UUID | None,
    reported: set[int] | None = None,
    shown: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Mark what this visitor may do with each comment, for the templates (no queries).

    `shown` are held comments a moderator asked to see: in full, marked as held.
    """
    now = timezone.now()
    for c in comments:
        own = bool(visitor_id and c.visitor_id == visitor_id)
        published = c.status == ModerationStatus.PUBLISHED
        c.is_held = c.pk in shown and not c.is_visible_to(visitor_id)
        c.is_placeholder = not c.is_visible_to(visitor_id) and not c.is_held
        c.can_change = c.can_be_changed_by(visitor_id, now)
        c.can_reply = published and not c.parent_id
        c.is_reported = reported is not None and c.pk in reported
        c.can_report = published and not own and not c.is_reported
        if not hasattr(c, "visible_replies"):
            c.visible_replies = []


def thread_context(
    request: HttpRequest,
    target: Target,
    *,
    page_number: Any = 1,
    form: CommentForm | None = None,
    counts: dict[int | None, int] | None = None,
    shown: set[int] | frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Return what the thread partial needs, fetched in a fixed number of queries.

    `shown` are held comments a moderator asked to see in their places (held_comment).
    """
    visitor_id = visitor_id_of(request)
    roots = Comment.objects.on(target).thread_roots(visitor_id, shown)
    page: Page = Paginator(roots, conf.per_page()).get_page(page_number)
    comments = list(page.object_list)
    everyone = [*comments, *(r for c in comments for r in c.visible_replies)]
    reported: set[int] = set()
    if visitor_id and everyone:
        reported = set(
            Report.objects.filter(
                visitor_id=visitor_id, comment__in=[c.pk for c in everyone]
            ).values_list("comment_id", flat=True)
        )
    prepare(everyone, visitor_id, reported, shown)
    is_source = isinstance(target, Source)
    is_distinction = isinstance(target, Distinction)
    if isinstance(target, Distinction):
        total = comment_total(target)
    else:
        if counts is None:
            counts = Comment.objects.counts_by_source(
                target.comparison_id if isinstance(target, Source) else target.pk
            )
        total = counts.get(target.pk if is_source else None, 0)
    thread_address = thread_url(target)
    site = origin(request)
    part_of = site + target.get_absolute_url()
    postings = [c.structured_data(site, part_of) for c in comments if c.is_public]
    first_page = target_page_url(target)
    return {
        "target": target,
        "target_is_source": is_source,
        "target_is_distinction": is_distinction,
        "target_url": first_page,
        "page": page,
        "comments": comments,
        "comment_total": total,
        "page_url": first_page if page.number == 1 else f"{thread_address}?page={page.number}",
        "thread_url": thread_address,
        "feed_url": feed_url(target),
        "distinctions_feed_url": reverse(
            "definitions:distinctions_feed", kwargs={"slug": target.slug}
        )
        if isinstance(target, Comparison)
        else None,
        "form": form or new_comment_form(request, target),
        "form_action": post_url(target),
        "slot_id": "comment-form",
        "notice": posted_notice(request, target),
        "edit_minutes": int(conf.edit_window().total_seconds() // 60),
        # What search engines read of the published comments on this page of the thread.
        "structured_data": {"@context": "https://schema.org", "@graph": postings}
        if postings
        else None,
    }


def posted_notice(request: HttpRequest, target: Target) -> str:
    """Return the notice for a comment this visitor just posted (no-JavaScript redirect)."""
    pk = ascii_id(request.GET.get("posted"))
    visitor_id = visitor_id_of(request)
    if pk is None or not visitor_id:
        return ""
    comment = Comment.objects.on(target).filter(pk=pk, visitor_id=visitor_id).first()
    return notice_for(comment) if comment else ""


def notice_for(comment: Comment) -> str:
    kind = "reply" if comment.parent_id else "comment"
    if comment.status == ModerationStatus.PUBLISHED:
        minutes = int(conf.edit_window().total_seconds() // 60)
        return (
            f"Your {kind} is posted. You can edit or delete it for {minutes} minutes after posting."
        )
    return (
        f"Thank you. Your {kind} awaits moderation: it will appear for everyone once a "
        "moderator approves it. Until then only you can see it."
    )


def _comparison(slug: str) -> Comparison:
    return get_object_or_404(Comparison.objects.published(), slug=slug)


def _source(comparison_slug: str, slug: str) -> Source:
    return Source.objects.public(comparison_slug, slug)


def _thread_page(request: SiteRequest, target: Target) -> HttpResponse:
    context = thread_context(request, target, page_number=request.GET.get("page", 1))
    comparison = target if isinstance(target, Comparison) else target.comparison
    context["card_url"] = comparison.card_url
    template = "comments/thread.html"
    if request.htmx:
        template += "#page-items"
    return render(request, template, context)


@require_safe
def thread(request: SiteRequest, slug: str) -> HttpResponse:
    """Show one page of a comparison's discussion (the comparison page shows the first)."""
    return _thread_page(request, _comparison(slug))


def _distinction(slug: str, pk: int) -> Distinction:
    """Return a published distinction of a published comparison, or raise Http404."""
    return get_object_or_404(
        Distinction.objects.published().select_related("comparison", "source"),
        comparison__slug=slug,
        comparison__is_published=True,
        pk=pk,
    )


@require_safe
def distinction_thread(request: SiteRequest, slug: str, pk: int) -> HttpResponse:
    """Show the discussion of one distinction (a source's axis or a reader's), on its own page."""
    return _thread_page(request, _distinction(slug, pk))


@require_safe
def source_thread(request: SiteRequest, comparison_slug: str, slug: str) -> HttpResponse:
    """Show one page of the comments on a source (the source page shows the first)."""
    return _thread_page(request, _source(comparison_slug, slug))


def _comment_for(request: SiteRequest, pk: int) -> Comment:
    """Return a comment on a published page that this visitor may read, or raise 404."""
    comment = get_object_or_404(
        Comment.objects.select_related(
            "comparison", "source__comparison", "distinction__comparison", "parent"
        ),
        pk=pk,
        comparison__is_published=True,
    )
    if comment.source is not None and not comment.source.is_published:
        raise Http404
    if comment.distinction is not None and not comment.distinction.is_public:
        raise Http404
    if not comment.is_visible_to(visitor_id_of(request)):
        raise Http404
    return comment


@require_safe
def permalink(request: SiteRequest, pk: int) -> HttpResponse:
    """Send the visitor to the page of the thread that shows the comment.

    A moderator asking for a comment nobody else may read (held, removed, spam, or on a page
    not published) sees it on a page of its own, marked as held.
    """
    try:
        comment = _comment_for(request, pk)
    except Http404:
        if not can_moderate(request.user):
            raise
        return held_comment(request, pk)
    if request.htmx:
        return _comment_partial(request, comment)
    return redirect(comment.location_for(visitor_id_of(request)))


def held_comment(request: SiteRequest, pk: int) -> HttpResponse:
    """Show a moderator a comment the public does not see, marked as held.

    A reader's comment on a published page is shown in its place in its thread, on the page of
    the thread that would show it (with the comment it answers if that is held too). A pingback,
    or a comment on a page not published, has no thread to be in: it is shown with the comment
    it answers and its replies, every one the public does not see marked as held.
    """
    comment = get_object_or_404(
        Comment.objects.select_related(
            "comparison", "source__comparison", "distinction__comparison", "parent", "moderated_by"
        ),
        pk=pk,
    )
    admin_url = reverse("admin:comments_comment_change", args=[comment.pk])
    target = comment.target
    in_a_thread = (
        comment.kind == CommentKind.COMMENT
        and comment.comparison.is_published
        and (comment.source is None or comment.source.is_published)
        and (comment.distinction is None or comment.distinction.is_public)
    )
    if in_a_thread:
        shown = {comment.pk, *([comment.parent_id] if comment.parent_id else [])}
        page_number = comment.page_number_for(visitor_id_of(request), shown)
        context = {
            **thread_context(request, target, page_number=page_number, shown=shown),
            "held_comment": comment,
            "admin_url": admin_url,
        }
        response = render(request, "comments/thread.html", context)
    else:
        replies = comment.replies.select_related("moderated_by").order_by("created", "id")
        response = render(
            request,
            "comments/held.html",
            {
                "comment": comment,
                "parent": comment.parent,
                "replies": list(replies),
                "target": target,
                "admin_url": admin_url,
            },
        )
    # Only moderators see this page: no cache anywhere may keep it.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _comment_partial(
    request: SiteRequest, comment: Comment, action_notice: str = "", *, changed: bool = False
) -> HttpResponse:
    """Answer htmx with the comment in place; focus moves to its notice, or to the comment.

    After an edit or a delete (`changed`) the thread's count follows, and the notice of a
    comment posted earlier ("you can edit or delete it…") goes: it no longer says what is true.
    """
    visitor_id = visitor_id_of(request)
    reported = set()
    if visitor_id and Report.objects.filter(comment=comment, visitor_id=visitor_id).exists():
        reported = {comment.pk}
    prepare([comment], visitor_id, reported)
    context: dict[str, Any] = {"c": comment, "action_notice": action_notice, "refocus": True}
    if not changed:
        return render(request, "comments/thread.html#comment-article", context)
    parent = comment.parent
    context["comment_total"] = comment_total(comment.target)
    if parent is not None and parent.status == ModerationStatus.PUBLISHED:
        context["status_id"] = f"reply-status-{parent.pk}"
    return render(request, "comments/thread.html#changed", context)


def comment_total(target: Target) -> int:
    """Return the number of published comments and replies on a comparison, source, distinction."""
    if isinstance(target, Distinction):
        return Comment.objects.published().filter(distinction=target).count()
    if isinstance(target, Source):
        return Comment.objects.counts_by_source(target.comparison_id).get(target.pk, 0)
    return Comment.objects.counts_by_source(target.pk).get(None, 0)


# Posting ---------------------------------------------------------------------------------------


def require_utf8(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a form whose text is not valid UTF-8 with a 400, before anything reads it."""

    @functools.wraps(view)
    def wrapped(request: SiteRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            try:
                body = request.body
            except RawPostDataException:  # multipart: parsed already, nothing raw to check
                body = b""
            try:
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return HttpResponseBadRequest(
                    "This form's text is not valid UTF-8, so it was not saved.",
                    content_type="text/plain; charset=utf-8",
                )
        return view(request, *args, **kwargs)

    return wrapped


def too_fast(
    request: SiteRequest, target: Target, form: CommentForm, allowance: ratelimit.Allowance
) -> HttpResponse:
    """Refuse a valid comment or reply over the rate limit, saying when to send it again.

    htmx leaves the form as it is and shows the sentence beside it; without JavaScript the form
    comes back with the sentence in its summary and the visitor's text in it.
    """
    kind = "reply" if form.parent_comment else "comment"
    message = (
        f"You are posting faster than we allow, so your {kind} was not posted. Send it again "
        f"in {allowance.wait}; your text is still in the form."
    )
    if request.htmx:
        return refuse(request, 429, message, title="Too fast", retry_after=allowance.retry_after)
    form.add_error(None, message)
    response = _form_errors(request, target, form, status=429)
    response["Retry-After"] = str(allowance.retry_after)
    return response


@ratelimit.refunded_on_outage()
def _post(request: SiteRequest, target: Target) -> HttpResponse:
    form = new_comment_form(request, target, request.POST)
    if not form.is_valid():
        return _form_errors(request, target, form)
    visitor = request.visitor
    existing = Comment.objects.filter(submission_token=form.token).first()
    if existing is not None:
        if existing.visitor_id and existing.visitor_id == visitor.id:
            return _posted(request, target, Posted(existing, created=False))
        # Somebody else's form (a copied page): treat it as used and hand out a fresh one.
        form.renew_ticket()
        form.add_error(None, "This form was already used. Your text is kept: send it again.")
        return _form_errors(request, target, form)
    # The id first, so a new visitor's first comment counts towards their own limit too.
    visitor.ensure_id()
    allowance = ratelimit.allow("comment", request.visitor.ip_hash, request.visitor.id)
    if not allowance:
        return too_fast(request, target, form, allowance)
    data = form.cleaned_data
    posted = post_comment(
        target=target,
        visitor_id=visitor.ensure_id(),
        ip_hash=visitor.ip_hash,
        author_name=data["author_name"],
        author_url=data["author_url"],
        author_email=data["author_email"],
        body=data["body"],
        parent=form.parent_comment,
        submission_token=form.token,
        honeypot_filled=form.is_honeypot_filled,
        token_checked=True,
    )
    return _posted(request, target, posted)


def _with_posted(location: str, pk: int) -> str:
    address, _, anchor = location.partition("#")
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}posted={pk}#{anchor}"


def _posted(request: SiteRequest, target: Target, posted: Posted) -> HttpResponse:
    comment = posted.comment
    visitor_id = visitor_id_of(request)
    if not request.htmx:
        response: HttpResponse = redirect(
            _with_posted(comment.location_for(visitor_id), comment.pk)
        )
    elif not comment.parent_id and comment.page_number_for(visitor_id) > 1:
        # Earlier pages may be loaded or not: show the comment on the page it belongs to.
        response = HttpResponseClientRedirect(
            _with_posted(comment.location_for(visitor_id), comment.pk)
        )
    else:
        prepare([comment], visitor_id, set())
        parent = comment.parent
        context = {
            "c": comment,
            "parent": parent,
            "notice": notice_for(comment),
            # A repeated submission shows the notice again but must not add the comment twice.
            "show_comment": posted.created and comment.is_visible_to(visitor_id),
            "status_id": f"reply-status-{parent.pk}" if parent else "comment-status",
            "list_id": f"replies-{parent.pk}" if parent else "comment-list",
            "comment_total": comment_total(target),
            "page_url": target_page_url(target),
            "form": new_comment_form(
                request,
                target,
                initial={"author_name": comment.author_name, "author_url": comment.author_url},
            ),
            "form_action": post_url(target),
            "slot_id": "comment-form",
        }
        response = render(request, "comments/thread.html#posted", context)
    if comment.status != ModerationStatus.SPAM:
        remember_author(response, comment)
    return response


def _form_errors(
    request: SiteRequest, target: Target, form: CommentForm, *, status: int = 400
) -> HttpResponse:
    """Show the form again with its errors and the visitor's text; never lose a comment."""
    parent_id = ascii_id(form.data.get("parent")) or None
    form_context = {
        "form": form,
        "form_action": post_url(target),
        "slot_id": f"reply-slot-{parent_id}" if parent_id else "comment-form",
        "parent_id": parent_id,
        "parent": form.parent_comment,
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors replaces the form.
        template = (
            "comments/reply.html#reply-form" if parent_id else "comments/thread.html#comment-form"
        )
        return render(request, template, form_context)
    if form.parent_comment is not None:
        prepare([form.parent_comment], visitor_id_of(request))
        return render(
            request,
            "comments/reply.html",
            {**form_context, "parent": form.parent_comment, "target": target},
            status=status,
        )
    context = thread_context(request, target, form=form)
    return render(request, "comments/thread.html", context, status=status)


@require_POST
@require_utf8
def post_on_comparison(request: SiteRequest, slug: str) -> HttpResponse:
    """Post a comment or reply in a comparison's discussion."""
    return _post(request, _comparison(slug))


@require_POST
@require_utf8
def post_on_distinction(request: SiteRequest, slug: str, pk: int) -> HttpResponse:
    """Post a comment or reply in a distinction's discussion."""
    return _post(request, _distinction(slug, pk))


@require_POST
@require_utf8
def post_on_source(request: SiteRequest, comparison_slug: str, slug: str) -> HttpResponse:
    """Post a comment or reply on a source."""
    return _post(request, _source(comparison_slug, slug))


@require_safe
def reply(request: SiteRequest, pk: int) -> HttpResponse:
    """Show the form for a reply under a top-level comment (htmx: in place, under it)."""
    parent = _comment_for(request, pk)
    if parent.parent is not None:
        # Replies are one level deep: answering a reply continues its parent's conversation.
        parent = parent.parent
    if parent.status != ModerationStatus.PUBLISHED:
        raise Http404
    if request.htmx and request.GET.get("cancel"):
        return HttpResponse("")
    target = parent.target
    prepare([parent], visitor_id_of(request))
    context = {
        "parent": parent,
        "target": target,
        "form": new_comment_form(request, target, parent_id=parent.pk, autofocus=True),
        "form_action": post_url(target),
        "slot_id": f"reply-slot-{parent.pk}",
        "parent_id": parent.pk,
    }
    template = "comments/reply.html"
    if request.htmx:
        template += "#reply-form"
    return render(request, template, context)


# The author's changes --------------------------------------------------------------------------

NOT_YOURS = (
    "Nothing was changed: only the person who wrote a comment can change it, and only for "
    "{minutes} minutes after posting it."
)


def _not_allowed(request: SiteRequest, comment: Comment) -> HttpResponse:
    """Refuse a change to a comment that is not the visitor's, or no longer theirs to change."""
    minutes = int(conf.edit_window().total_seconds() // 60)
    return refuse(
        request,
        403,
        NOT_YOURS.format(minutes=minutes),
        title="This comment cannot be changed",
        back_url=comment.location_for(visitor_id_of(request)),
        back_label="Back to the comment",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@require_utf8
def edit(request: SiteRequest, pk: int) -> HttpResponse:
    """Let the author change their comment's text for a short while after posting."""
    comment = _comment_for(request, pk)
    visitor_id = visitor_id_of(request)
    if not comment.can_be_changed_by(visitor_id):
        return _not_allowed(request, comment)
    form = EditCommentForm(
        request.POST if request.method == "POST" else None,
        initial={"body": comment.body},
        auto_id=f"edit{comment.pk}-%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            comment = edit_comment(
                comment=comment, visitor_id=visitor_id, body=form.cleaned_data["body"]
            )
        except NotAllowed:
            return _not_allowed(request, comment)
        if request.htmx:
            notice = (
                "Saved."
                if comment.status == ModerationStatus.PUBLISHED
                else "Saved. Your comment now awaits moderation."
            )
            return _comment_partial(request, comment, notice, changed=True)
        return redirect(comment.location_for(visitor_id))
    prepare([comment], visitor_id)
    template = "comments/edit.html"
    if request.htmx:
        template += "#edit-form"
    status = 400 if form.is_bound and not request.htmx else 200
    context = {
        "c": comment,
        "form": form,
        "edit_minutes": int(conf.edit_window().total_seconds() // 60),
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@require_utf8
def delete(request: SiteRequest, pk: int) -> HttpResponse:
    """Let the author remove their comment for a short while after posting."""
    comment = _comment_for(request, pk)
    visitor_id = visitor_id_of(request)
    if not comment.can_be_changed_by(visitor_id):
        return _not_allowed(request, comment)
    if request.method == "POST":
        try:
            comment = delete_comment(comment=comment, visitor_id=visitor_id)
        except NotAllowed:
            return _not_allowed(request, comment)
        if request.htmx:
            return _comment_partial(request, comment, "Your comment is deleted.", changed=True)
        # A deleted reply leaves its conversation in place: go back to the top of it.
        return redirect((comment.parent or comment).location_for(visitor_id))
    prepare([comment], visitor_id)
    template = "comments/delete.html"
    if request.htmx:
        template += "#delete-form"
    return render(request, template, {"c": comment})


# Reports ---------------------------------------------------------------------------------------

REPORTED = "Thank you. A moderator will look at this comment. Nobody else sees who reported it."


@require_http_methods(["GET", "HEAD", "POST"])
@require_utf8
@ratelimit.refunded_on_outage()
def report(request: SiteRequest, pk: int) -> HttpResponse:
    """Let any visitor report a comment to the moderators, once."""
    comment = _comment_for(request, pk)
    if comment.status != ModerationStatus.PUBLISHED:
        raise Http404
    visitor_id = visitor_id_of(request)
    already = bool(
        visitor_id and Report.objects.filter(comment=comment, visitor_id=visitor_id).exists()
    )
    form = ReportForm(request.POST if request.method == "POST" else None, auto_id=f"report{pk}-%s")
    allowance = ratelimit.Allowance(True)
    if request.method == "POST" and not already and form.is_valid():
        allowance = ratelimit.allow("report", request.visitor.ip_hash, request.visitor.id)
        if allowance:
            report_comment(
                comment=comment,
                visitor_id=request.visitor.ensure_id(),
                ip_hash=request.visitor.ip_hash,
                reason=form.cleaned_data["reason"],
            )
            # Whether this report counted or the address had reported already, the answer is
            # the same, so it never tells anybody who else reported.
            if request.htmx:
                comment.refresh_from_db()
                prepare([comment], visitor_id_of(request), {comment.pk})
                return render(
                    request,
                    "comments/thread.html#comment-article",
                    {"c": comment, "action_notice": REPORTED},
                )
            return redirect(reverse("comments:report", kwargs={"pk": pk}) + "?sent=1")
        message = (
            "You are sending reports faster than we allow, so this one was not sent. Try "
            f"again in {allowance.wait}."
        )
        if request.htmx:
            return refuse(
                request, 429, message, title="Too fast", retry_after=allowance.retry_after
            )
        form.add_error(None, message)
    prepare([comment], visitor_id)
    context = {
        "c": comment,
        "form": form,
        "done": already or request.GET.get("sent") == "1",
        "reported_notice": REPORTED,
    }
    template = "comments/report.html"
    if request.htmx:
        template += "#report-form"
    status = 400 if form.is_bound and form.errors and not request.htmx else 200
    if not allowance:
        status = 429
    response = render(request, template, context, status=status)
    if not allowance:
        response["Retry-After"] = str(allowance.retry_after)
    return response
