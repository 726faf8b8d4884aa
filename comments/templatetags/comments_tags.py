"""Template tags that put comment threads and counts on pages the comments app does not own."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from comments.models import Comment, thread_url
from comments.text import render_plain_text, safe_web_address
from comments.views import thread_context
from definitions.models import Comparison, Distinction, Source
from smsn import pagecache as page_cache

register = template.Library()


def _counts(context: template.Context, comparison_id: int) -> dict[int | None, int]:
    """Return the comparison's comment counts, fetched once per page render in one query."""
    key = f"comments_tags.counts:{comparison_id}"
    cache = context.render_context
    if key not in cache:
        cache[key] = Comment.objects.counts_by_source(comparison_id)
    return cache[key]


def count_label(n: int) -> str:
    if n == 0:
        return "No comments yet"
    return "1 comment" if n == 1 else f"{n:,} comments"


@register.simple_tag(takes_context=True)
def comment_thread(context: template.Context, target: Comparison | Source) -> SafeString:
    """Render the discussion thread of a comparison or source, with its form and feed links.

    Inside a page rendered to be shared (smsn/pagecache.py), its holes are that page's.
    """
    request = context["request"]
    comparison_id = target.comparison_id if isinstance(target, Source) else target.pk
    outer = context.get("page_holes")

    def render(holes: page_cache.Holes | None) -> str:
        thread = thread_context(request, target, counts=_counts(context, comparison_id))
        if holes is not None:
            thread.update(holes.context())
        return render_to_string("comments/thread.html#thread", thread, request=request)

    try:
        if not is_shared(request, comparison_id):
            return SafeString(render(outer))
        # The thread as every visitor without comments of their own sees it, once per version
        # of the comparison, with a fresh CSRF token and ticket each time.
        kind = "source" if isinstance(target, Source) else "comparison"
        key = page_cache.page_key(comparison_id, f"thread:{kind}:{target.pk}")
        parts = cache.get(key)
        if not isinstance(parts, list):
            holes = page_cache.Holes()
            parts = holes.split(render(holes))
            cache.set(key, parts, page_cache.TIMEOUT)
    except page_cache.UNAVAILABLE:
        return SafeString(render(outer))
    value = outer.mark if outer else page_cache.request_values(request, comparison_id)
    return SafeString(page_cache.fill(parts, value))


def is_shared(request: HttpRequest, comparison_id: int) -> bool:
    """Return True if this request sees the thread everybody sees."""
    if request.GET or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not page_cache.has_personal(request, comparison_id)


@register.simple_tag(takes_context=True)
def comment_count(context: template.Context, source: Source) -> SafeString:
    """Render a link to a source's comments with their number (one query for all the rows)."""
    n = _counts(context, source.comparison_id).get(source.pk, 0)
    return format_html(
        '<a class="comment-count" href="{}#discussion">{}<span class="visually-hidden"> on '
        "{}</span></a>",
        source.get_absolute_url(),
        count_label(n),
        source.title,
    )


@register.simple_tag(takes_context=True)
def distinction_comment_count(context: template.Context, distinction: Distinction) -> SafeString:
    """Render a link to a distinction's discussion with its number of comments.

    One query for every distinction on the page (per request).
    """
    # Kept on the request: each partial (a reader's distinction) renders with a render context
    # of its own, and the page holds many.
    request = context.get("request")
    cache = getattr(request, "_distinction_comment_counts", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._distinction_comment_counts = cache
    if distinction.comparison_id not in cache:
        found = Comment.objects.counts_by_distinction(distinction.comparison_id)
        cache[distinction.comparison_id] = found
    n = cache[distinction.comparison_id].get(distinction.pk, 0)
    # The page's comparison, so that no distinction loads its own to build the address.
    comparison = context.get("comparison")
    if isinstance(comparison, Comparison) and comparison.pk == distinction.comparison_id:
        distinction.comparison = comparison
    label = "Discuss" if n == 0 else f"{count_label(n)}"
    return format_html(
        '<a class="comment-count distinction-comments" href="{}">{}<span class="visually-hidden">'
        " on the distinction {}</span></a>",
        thread_url(distinction),
        label,
        distinction,
    )


@register.filter
def comment_text(text: str) -> SafeString:
    """Render a visitor's plain text as escaped paragraphs with links (never their HTML)."""
    return render_plain_text(text or "")


@register.filter
def web_address(url: str) -> str:
    """Return the address only if it is http or https."""
    return safe_web_address(url or "")


@register.filter
def comment_count_label(n: int) -> str:
    return count_label(n)
