"""Journey 3: a visitor adds a distinction, gets a mistake pointed out, fixes it, sees it listed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Distinction

pytestmark = pytest.mark.browser

TEXT_A = "Media is the channel: what gets published and broadcast to whoever follows."
TEXT_B = "Networking is the relationships: who talks with whom, and keeps coming back."


def test_visitor_fixes_a_too_short_distinction_and_sees_it_listed(site, new_page, javascript):
    page = new_page(javascript=javascript)
    page.goto(f"{site}/")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => { window.stillTheSamePage = true; }")
    form = page.locator("#add-distinction form")
    form.get_by_label("What sets Social media apart").fill("Too short")
    form.get_by_label("What sets Social networking apart").fill(TEXT_B)
    form.get_by_label("Your name, as it will be shown").fill("Ada")
    form.get_by_role("button", name="Add my distinction").click()

    summary = page.locator("#add-distinction .error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("What sets Social media apart")
    text_a = page.locator("#id_text_a")
    field = page.locator(".field", has=text_a)
    # The error sits in the same field as the box it is about, and the box says it is invalid.
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".errorlist")).to_contain_text("at least 10 characters")
    expect(text_a).to_have_attribute("aria-invalid", "true")
    expect(text_a).to_have_value("Too short")
    expect(page.locator("#id_text_b")).to_have_value(TEXT_B)
    expect(page.locator("#id_author_name")).to_have_value("Ada")
    assert not Distinction.objects.from_readers().exists()

    # The summary links to the box; following it puts the cursor there.
    summary.get_by_role("link").first.click()
    expect(text_a).to_be_focused()
    text_a.fill(TEXT_A)
    page.locator("#add-distinction form").get_by_role("button", name="Add my distinction").click()

    expect(page.locator(".notice[role=status]").first).to_contain_text("published")
    distinction = Distinction.objects.from_readers().get()
    assert (distinction.text_a, distinction.text_b, distinction.author_name) == (
        TEXT_A,
        TEXT_B,
        "Ada",
    )
    listed = page.locator(f"#readers-list #{distinction.anchor}")
    expect(listed).to_contain_text(TEXT_A)
    expect(listed).to_contain_text(TEXT_B)
    expect(listed).to_contain_text("By Ada")
    if javascript:
        assert page.evaluate("() => window.stillTheSamePage === true")
        expect(page.locator("#add-distinction .error-summary")).to_have_count(0)
        expect(page.locator("#id_text_a")).to_have_value("")
    else:
        expect(page).to_have_url(re.compile(rf"/#{distinction.anchor}$"))

    page.reload()
    expect(page.locator(f"#readers-list #{distinction.anchor}")).to_contain_text(TEXT_A)
    expect(page.locator("#readers-list > li")).to_have_count(1)
