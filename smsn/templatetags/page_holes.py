"""Template tags that declare the holes of a page shared by every visitor (smsn/pagecache.py).

Rendered for one request they write the value itself; rendered to be shared (the context holds
`page_holes`) they write the hole's marker, filled anew for every page view.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def fresh(context: template.Context, name: str, value: Any) -> str:
    """Write a one-time form value: `value` here, a new one per page view when shared."""
    holes = context.get("page_holes")
    if holes is not None:
        return SafeString(holes.mark(f"fresh:{name}"))
    return str(value)


class RegionNode(template.Node):
    """A part of the page that comes in several states, one picked per visitor when shared."""

    def __init__(
        self, kind: str, pk: template.base.FilterExpression, nodelist: template.NodeList
    ) -> None:
        self.kind = kind
        self.pk = pk
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        html = self.nodelist.render(context)
        holes = context.get("page_holes")
        if holes is None:
            return html
        pk = int(self.pk.resolve(context))
        return SafeString(holes.mark(f"{self.kind}:{pk}") + html + holes.mark(f"end-{self.kind}"))


def _region(
    parser: template.base.Parser, token: template.base.Token, kind: str, end: str, what: str
) -> RegionNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the {what}'s pk")
    nodelist = parser.parse((end,))
    parser.delete_first_token()
    return RegionNode(kind, parser.compile_filter(bits[1]), nodelist)


@register.tag
def vote_form(parser: template.base.Parser, token: template.base.Token) -> RegionNode:
    """`{% vote_form distinction.pk %}<form>…</form>{% endvote_form %}`: a vote form whose
    state (not voted, yes, no) a shared page picks per visitor."""
    return _region(parser, token, "vote", "endvote_form", "distinction")


@register.tag
def placement_form(parser: template.base.Parser, token: template.base.Token) -> RegionNode:
    """`{% placement_form dimension.pk %}…{% endplacement_form %}`: a point's placement block
    whose state (not placed, or placed with A, both or B) a shared page picks per visitor."""
    return _region(parser, token, "place", "endplacement_form", "dimension")
