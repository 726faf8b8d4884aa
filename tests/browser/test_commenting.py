"""Journey 4: a visitor posts a comment and a reply; both are found at their permalinks."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser

COMMENT = "Reading the five side by side, the channel versus place framing holds up best."
REPLY = "Agreed, though the fourth source blurs it by calling networking a kind of media."


def expect_at_permalink(page, site: str, comment: Comment, text: str) -> None:
    """Open the comment's permalink and assert it lands on the comment, in view."""
    page.goto(site + reverse("comments:permalink", kwargs={"pk": comment.pk}))
    expect(page).to_have_url(re.compile(rf"#{comment.anchor}$"))
    target = page.locator(":target")
    expect(target).to_have_id(comment.anchor)
    expect(target).to_contain_text(text)
    expect(target).to_be_in_viewport()


def test_visitor_posts_a_comment_and_a_reply_found_at_their_permalinks(site, new_page, javascript):
    page = new_page(javascript=javascript)
    page.goto(f"{site}/")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => { window.stillTheSamePage = true; }")

    form = page.locator("#comment-form form")
    form.get_by_label("Comment").fill(COMMENT)
    form.get_by_label("Name").fill("Grace")
    form.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-status")).to_contain_text("Your comment is posted")
    comment = Comment.objects.get(body=COMMENT)
    assert (comment.author_name, comment.parent_id, comment.status) == ("Grace", None, "published")
    posted = page.locator(f"#comment-list #{comment.anchor}")
    expect(posted).to_contain_text(COMMENT)
    expect(posted).to_contain_text("Grace")

    page.locator(f"#actions-{comment.pk}").get_by_role("link", name=re.compile("^Reply")).click()
    # With JavaScript the reply form opens under the comment; without, on a page of its own.
    reply_form = page.locator(
        f"#reply-slot-{comment.pk} form" if javascript else "form.comment-form"
    )
    reply_form.get_by_label("Comment").fill(REPLY)
    # The name is remembered from the first comment.
    expect(reply_form.get_by_label("Name")).to_have_value("Grace")
    reply_form.get_by_role("button", name="Post reply").click()

    expect(page.locator(f"#replies-{comment.pk} article.comment")).to_contain_text(REPLY)
    reply = Comment.objects.get(body=REPLY)
    assert (reply.parent_id, reply.author_name, reply.status) == (comment.pk, "Grace", "published")
    expect(page.locator(f"#replies-{comment.pk} #{reply.anchor}")).to_contain_text(REPLY)
    if javascript:
        assert page.evaluate("() => window.stillTheSamePage === true")
        expect(page.locator(f"#reply-status-{comment.pk}")).to_contain_text("Your reply is posted")
    else:
        expect(page).to_have_url(re.compile(rf"#{reply.anchor}$"))

    expect_at_permalink(page, site, comment, COMMENT)
    expect_at_permalink(page, site, reply, REPLY)
