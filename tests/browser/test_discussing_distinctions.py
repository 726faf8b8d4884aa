"""Journey: from a distinction on the comparison page to its own discussion, and a comment there.

With and without JavaScript, at 1280 and 390 px; the discussion page passes axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.helpers import PHONE, first_source_distinction, run_axe, serious_violations

pytestmark = pytest.mark.browser

COMMENT = "A coffee shop needs a radio too: the two lines are not so far apart."


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_visitor_opens_a_distinctions_discussion_and_comments(site, new_page, javascript, viewport):
    page = new_page(javascript=javascript, viewport=viewport)
    distinction = first_source_distinction()
    page.goto(f"{site}/")
    link = page.locator(f"#source-{distinction.source.slug} a.distinction-comments")
    expect(link).to_have_text(re.compile(r"^Discuss"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discuss this distinction")
    expect(page.locator(".discussed-distinction")).to_contain_text(distinction.text_a)
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")

    form = page.locator("#comment-form form")
    form.get_by_label("Comment").fill(COMMENT)
    form.get_by_label("Name").fill("Lin")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-status")).to_contain_text("Your comment is posted")
    comment = Comment.objects.get(body=COMMENT)
    assert comment.distinction_id == distinction.pk
    expect(page.locator(f"#comment-list #{comment.anchor}")).to_contain_text(COMMENT)
    width = viewport["width"] if viewport else 1280
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width

    page.goto(f"{site}/")
    count = page.locator(f"#source-{distinction.source.slug} a.distinction-comments")
    expect(count).to_have_text(re.compile(r"^1 comment"))


def test_a_distinctions_discussion_has_no_serious_accessibility_violations(site, new_page):
    page = new_page()
    distinction = first_source_distinction()
    page.goto(f"{site}/")
    page.locator(f"#source-{distinction.source.slug} a.distinction-comments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discuss this distinction")
    result = run_axe(page, "distinction-discussion")
    assert serious_violations(result) == []
