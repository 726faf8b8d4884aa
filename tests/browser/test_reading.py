"""Journey 1: a visitor reads the comparison and follows a definition to its place in the source."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, screenshot

pytestmark = pytest.mark.browser


def test_visitor_follows_a_definition_to_its_highlighted_place_and_comes_back(site, page):
    page.goto(f"{site}/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Social media")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social networking")
    rows = page.locator("table.sources-table tbody tr")
    expect(rows).to_have_count(5)
    for i in range(5):
        expect(rows.nth(i).locator("td.definition-cell")).to_have_count(2)
        expect(rows.nth(i).locator("td.definition-cell blockquote")).to_have_count(2)

    third = rows.nth(2)
    source_title = third.locator("a.source-title").inner_text()
    quote = third.locator("td.col-b blockquote").inner_text().strip()
    third.locator("td.col-b").get_by_role("link", name=re.compile("^In context")).click()

    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/#definition-b$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(source_title)
    target = page.locator("mark:target")
    expect(target).to_have_count(1)
    expect(target).to_have_id("definition-b")
    expect(target).to_be_in_viewport()
    # The highlighted passage is the quote shown on the comparison page.
    assert quote.startswith(target.inner_text().strip()[:40])

    page.go_back()
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("table.sources-table tbody tr")).to_have_count(5)


def test_comparison_and_source_pages_are_photographed_for_people_to_look_at(site, new_page):
    desktop = new_page()
    desktop.goto(f"{site}/")
    assert screenshot(desktop, "comparison-1280").stat().st_size > 10_000

    phone = new_page(viewport=PHONE)
    phone.goto(f"{site}/")
    assert screenshot(phone, "comparison-390").stat().st_size > 10_000

    desktop.locator("table.sources-table a.source-title").first.click()
    expect(desktop.locator("mark#definition-a")).to_be_visible()
    assert screenshot(desktop, "source-1280").stat().st_size > 10_000

    phone.goto(desktop.url)
    expect(phone.locator("mark#definition-a")).to_be_visible()
    assert screenshot(phone, "source-390").stat().st_size > 10_000


def test_htmx_runs_under_the_content_security_policy_without_violations(site, new_page):
    page = new_page()
    response = page.goto(f"{site}/")
    assert "script-src" in response.headers["content-security-policy"]
    # htmx loaded from our own origin and initialised: it processes the page and exposes itself.
    page.wait_for_function("() => window.htmx !== undefined && document.body !== null")
    assert page.evaluate("() => typeof htmx.version") == "string"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.log.csp_violations == []
    assert page.log.errors == []
