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


class VoteFormNode(template.Node):
    def __init__(self, pk: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.pk = pk
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        html = self.nodelist.render(context)
        holes = context.get("page_holes")
        if holes is None:
            return html
        pk = int(self.pk.resolve(context))
        return SafeString(holes.mark(f"vote:{pk}") + html + holes.mark("end-vote"))


@register.tag
def vote_form(parser: template.base.Parser, token: template.base.Token) -> VoteFormNode:
    """`{% vote_form distinction.pk %}<form>…</form>{% endvote_form %}`: a vote form whose
    state (not voted, yes, no) a shared page picks per visitor."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("vote_form takes one argument: the distinction's pk")
    nodelist = parser.parse(("endvote_form",))
    parser.delete_first_token()
    return VoteFormNode(parser.compile_filter(bits[1]), nodelist)
