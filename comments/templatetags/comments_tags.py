"""Template tags that put comment threads and counts on pages the comments app does not own."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from comments.models import Comment
from comments.text import render_plain_text, safe_web_address
from comments.views import thread_context
from definitions.models import Comparison, Source

register = template.Library()


def _counts(context: template.Context, comparison_id: int) -> dict[int | None, int]:
    """Return the comparison's comment counts, fetched once per page render in one query."""
    key = ("comments_tags.counts", comparison_id)
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
    """Render the discussion thread of a comparison or source, with its form and feed links."""
    request = context["request"]
    comparison_id = target.comparison_id if isinstance(target, Source) else target.pk
    return render_to_string(
        "comments/thread.html#thread",
        thread_context(request, target, counts=_counts(context, comparison_id)),
        request=request,
    )


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
