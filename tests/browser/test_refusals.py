"""Journey: refused, and told so (issue 16). Every refusal says what happened and what to do.

With JavaScript the sentence appears next to the control that was used and the page stays as it
was (typed text included); without, the site's page says it, with a link back to where the person
was. Then what changes in place after posting, editing and deleting a comment: the count, the
notices and the focus.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from definitions.models import Distinction
from definitions.moderation import ModerationStatus
from smsn import ratelimit
from tests.browser.helpers import run_axe, serious_violations, stored_votes

pytestmark = pytest.mark.browser

# 17.25 seconds into a minute, 317.25 into ten minutes: 43 seconds and about 5 minutes left.
NOW = 1_800_000_317.25


@pytest.fixture
def clock(monkeypatch):
    """Hold the rate limits' clock still (the live server's thread reads the same module)."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW))


def source_axes() -> list[Distinction]:
    return list(
        Distinction.objects.from_sources().select_related("source").order_by("source__position")
    )


def open_home(page, site: str, javascript: bool) -> None:
    page.goto(f"{site}/")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        # A full page load would wipe this; an answer shown in place keeps it.
        page.evaluate("() => { window.stillTheSamePage = true; }")


def expect_still_the_same_page(page) -> None:
    assert page.evaluate("() => window.stillTheSamePage === true")


def test_a_vote_over_the_limit_is_refused_beside_the_vote_or_on_a_page_with_a_way_back(
    site, new_page, javascript, settings, clock
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "vote": [(1, 60)]}
    first, second = source_axes()[:2]
    page = new_page(javascript=javascript)
    open_home(page, site, javascript)
    page.locator(f"#vote-{first.pk}-up").click()
    if javascript:
        expect(page.locator("#live-notice")).to_contain_text("Your vote: convincing")

    page.locator(f"#vote-{second.pk}-up").click()
    sentence = (
        "Too many votes from your network in the last minute, so this one was not counted. "
        "Vote again in 43 seconds."
    )
    if javascript:
        refusal = page.locator(f"#vote-{second.pk} .refusal[role=alert]")
        expect(refusal).to_have_text(sentence)
        # The live region no longer holds the last success.
        expect(page.locator("#live-notice")).to_have_text("")
        expect(page.locator(f"#vote-{second.pk}-up .vote-count")).to_have_text("0")
        expect_still_the_same_page(page)
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("Too many votes")
        expect(page.locator("main")).to_contain_text(sentence)
        page.get_by_role("link", name="Back to the distinction").click()
        expect(page).to_have_url(re.compile(rf"/#vote-{second.pk}$"))
        expect(page.locator(f"#vote-{second.pk}")).to_be_in_viewport()
    assert stored_votes(second) == []


def test_a_distinction_over_the_limit_keeps_its_text_and_says_when_to_send_it(
    site, new_page, javascript, settings, clock
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(1, 600)]}
    page = new_page(javascript=javascript)
    open_home(page, site, javascript)

    def send(text_a: str) -> None:
        form = page.locator("#add-distinction form")
        form.get_by_label("What sets Social media apart").fill(text_a)
        form.get_by_label("What sets Social networking apart").fill(
            "Networking is who talks with whom and keeps coming back."
        )
        form.get_by_label("Your name, as it will be shown").fill("Ada")
        form.get_by_role("button", name="Add my distinction").click()

    send("Media is the channel: what gets published to whoever follows.")
    expect(page.locator(".notice[role=status]").first).to_contain_text("published")
    second = "Media is a loudspeaker: one voice, a crowd of listeners."
    send(second)
    where = "#add-distinction form .refusal" if javascript else "#add-distinction .error-summary"
    expect(page.locator(where)).to_contain_text(
        "Too many distinctions from your network in the last ten minutes, so yours was not "
        "added. Send it again in about 5 minutes; your text is still in the form."
    )
    expect(page.locator("#id_text_a")).to_have_value(second)
    if javascript:
        expect_still_the_same_page(page)
    assert Distinction.objects.from_readers().count() == 1


def post_a_comment(page, text: str) -> Comment:
    form = page.locator("#comment-form form")
    form.get_by_label("Comment").fill(text)
    form.get_by_label("Name").fill("Grace")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-status")).to_contain_text("Your comment is posted")
    return Comment.objects.get(body=text)


def test_editing_after_the_window_says_why_beside_the_comment(site, new_page, javascript):
    page = new_page(javascript=javascript)
    open_home(page, site, javascript)
    comment = post_a_comment(page, "Written in haste, to be fixed later.")
    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - timedelta(minutes=16))

    page.locator(f"#actions-{comment.pk}").get_by_role("link", name="Edit").click()
    sentence = (
        "Nothing was changed: only the person who wrote a comment can change it, and only for "
        "15 minutes after posting it."
    )
    if javascript:
        expect(page.locator(f"#actions-{comment.pk} .refusal[role=alert]")).to_have_text(sentence)
        expect(page.locator(f"#{comment.anchor}")).to_contain_text("Written in haste")
        expect_still_the_same_page(page)
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("This comment cannot be changed")
        expect(page.locator("main")).to_contain_text(sentence)
        page.get_by_role("link", name="Back to the comment").click()
        expect(page).to_have_url(re.compile(rf"#{comment.anchor}$"))
        expect(page.locator(f"#{comment.anchor}")).to_be_in_viewport()


def test_a_vote_on_a_distinction_removed_meanwhile_says_it_is_gone(site, new_page, javascript):
    axis = source_axes()[0]
    page = new_page(javascript=javascript)
    open_home(page, site, javascript)
    Distinction.objects.filter(pk=axis.pk).update(status=ModerationStatus.REMOVED)
    page.locator(f"#vote-{axis.pk}-down").click()
    if javascript:
        refusal = page.locator(f"#vote-{axis.pk} .refusal")
        expect(refusal).to_contain_text("This distinction cannot be voted on")
        expect(refusal).to_contain_text("reload the page")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("Distinction not found")
        expect(
            page.get_by_role("link", name="Back to the readers' distinctions")
        ).to_have_attribute("href", re.compile(r"/#readers$"))
    assert stored_votes(axis) == []


def test_a_vote_during_a_database_outage_says_nothing_was_saved(
    site, new_page, javascript, monkeypatch
):
    axis = source_axes()[0]
    page = new_page(javascript=javascript)
    open_home(page, site, javascript)

    def down(*args, **kwargs):
        raise OperationalError("connection to server failed: refused")

    with monkeypatch.context() as outage:
        outage.setattr(CursorWrapper, "execute", down)
        page.locator(f"#vote-{axis.pk}-up").click()
        if javascript:
            expect(page.locator(f"#vote-{axis.pk} .refusal")).to_have_text(
                "Something the site depends on is not answering just now, so nothing was saved. "
                "Try again in about 30 seconds."
            )
        else:
            expect(page.get_by_role("heading", level=1)).to_have_text("Back in a moment")
            expect(page.get_by_role("link", name="Go back to the page you were on")).to_be_visible()
    assert stored_votes(axis) == []


def test_a_form_whose_csrf_check_fails_says_to_reload(site, new_page):
    axis = source_axes()[0]
    page = new_page()
    open_home(page, site, True)
    page.context.clear_cookies()
    page.locator(f"#vote-{axis.pk}-up").click()
    expect(page.locator(f"#vote-{axis.pk} .refusal")).to_contain_text(
        "open too long to send from, so nothing was saved"
    )
    expect_still_the_same_page(page)


def test_in_debug_mode_a_refusal_is_shown_in_place_not_instead_of_the_page(
    site, new_page, settings
):
    settings.DEBUG = True
    axis = source_axes()[0]
    page = new_page()
    open_home(page, site, True)
    # django-htmx's debug script is on the page, as in the README's default setup.
    expect(page.locator("script[src*='django-htmx.js']")).to_have_count(1)
    Distinction.objects.filter(pk=axis.pk).update(status=ModerationStatus.REMOVED)
    page.locator(f"#vote-{axis.pk}-up").click()
    expect(page.locator(f"#vote-{axis.pk} .refusal")).to_contain_text("cannot be voted on")
    expect(page.locator("h1")).to_contain_text("Social media")
    expect_still_the_same_page(page)


def test_refusals_in_place_and_on_their_page_have_no_serious_accessibility_violations(
    site, new_page, settings, clock
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "vote": [(0, 60)]}
    axis = source_axes()[0]
    page = new_page()
    open_home(page, site, True)
    page.locator(f"#vote-{axis.pk}-up").click()
    expect(page.locator(f"#vote-{axis.pk} .refusal")).to_be_visible()
    assert serious_violations(run_axe(page, "refusal-in-place")) == []
    plain = new_page(javascript=False)
    plain.goto(f"{site}/")
    plain.locator(f"#vote-{axis.pk}-up").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Too many votes")
    # axe runs in the page: a second page with JavaScript on, opened on the same refusal.
    audited = new_page()
    audited.route("**/htmx*.js", lambda route: route.abort())
    audited.goto(f"{site}/")
    with audited.expect_navigation():
        audited.locator(f"#vote-{axis.pk}-up").click()
    expect(audited.get_by_role("heading", level=1)).to_have_text("Too many votes")
    assert serious_violations(run_axe(audited, "refusal-page")) == []


def test_an_address_that_does_not_take_the_method_shows_the_sites_page(site, new_page):
    axis = source_axes()[0]
    page = new_page(javascript=False)
    response = page.goto(f"{site}/distinctions/{axis.pk}/vote/")
    assert response.status == 405
    expect(page.get_by_role("heading", level=1)).to_have_text("Not at this address")
    expect(page.locator("main")).to_contain_text(
        "This address does not accept GET requests; it accepts POST."
    )


# After posting, editing and deleting a comment with JavaScript ----------------------------------


def focused(page) -> str:
    """Return the focused element as tag.class#id (the body when focus was dropped)."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName.toLowerCase()}.${e.className}#${e.id}`; }"
    )


def test_posting_editing_and_deleting_keep_the_count_the_notices_and_the_focus_right(
    site, new_page
):
    page = new_page()
    open_home(page, site, True)
    expect(page.locator("#comment-total")).to_have_text("No comments yet")
    expect(page.locator("#no-comments")).to_be_visible()

    comment = post_a_comment(page, "The channel and the place: that is the line.")
    expect(page.locator("#comment-total")).to_have_text("1 comment")
    expect(page.locator("#no-comments")).to_be_hidden()
    expect(page.locator("#comment-status .notice")).to_be_focused()

    article = page.locator(f"#{comment.anchor}")
    article.get_by_role("link", name="Edit").click()
    edit_box = page.locator(f"#{comment.anchor} textarea")
    expect(edit_box).to_be_focused()
    edit_box.fill("The channel and the place: that is the whole line.")
    page.locator(f"#{comment.anchor}").get_by_role("button", name="Save").click()
    saved = page.locator(f"#{comment.anchor} .notice")
    expect(saved).to_have_text("Saved.")
    expect(saved).to_be_focused()
    # "You can edit or delete it…" belonged to the comment as it was posted.
    expect(page.locator("#comment-status")).to_have_text("")

    page.locator(f"#actions-{comment.pk}").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("link", name="Keep it")).to_be_visible()
    page.locator(f"#actions-{comment.pk}").get_by_role("button", name="Delete").click()
    gone = page.locator(f"#{comment.anchor} .notice")
    expect(gone).to_have_text("Your comment is deleted.")
    expect(gone).to_be_focused()
    expect(page.locator("#comment-total")).to_have_text("No comments yet")
    assert not focused(page).startswith("body")
    expect_still_the_same_page(page)


def test_a_comment_box_the_visitor_enlarged_keeps_its_size_when_errors_come_back(site, new_page):
    page = new_page()
    open_home(page, site, True)
    box = page.locator("#comment-form textarea")
    # What dragging the box's corner does: an inline size, set through its style object.
    box.evaluate("(b) => { b.style.height = '320px'; }")
    box.fill("x")
    page.locator("#comment-form form").get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .error-summary")).to_be_visible()
    expect(page.locator("#comment-form textarea")).to_have_value("x")
    assert page.locator("#comment-form textarea").evaluate("(b) => b.style.height") == "320px"
    # The fixture fails the test on any CSP violation, such as a style attribute htmx settled.
