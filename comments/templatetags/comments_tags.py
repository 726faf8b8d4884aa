"""Template tags that put comment threads and counts on pages the comments app does not own."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_thread(context, target) -> str:
    """Render the discussion thread for a comparison or source (built by the comments issue)."""
    return ""
