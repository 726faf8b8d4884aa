"""Journey: a visitor searches from the header, reads the marked results and follows one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser


def fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_visitor_searches_from_the_header_and_follows_a_definition_to_its_place(
    site, new_page, javascript, viewport
):
    page = new_page(javascript=javascript, viewport=viewport)
    page.goto(f"{site}/")
    box = page.get_by_role("search", name="Site")
    expect(box.get_by_role("searchbox", name="Search")).to_be_visible()
    assert fits_the_screen(page)

    box.get_by_role("searchbox", name="Search").fill("disseminate")
    with page.expect_navigation():
        box.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=disseminate&comparison=[\w-]+$"))
    definitions = page.get_by_role("region", name=re.compile(r"^Definitions"))
    expect(definitions.get_by_role("heading", level=2)).to_have_text("Definitions (1)")
    expect(definitions.locator("mark")).to_have_text("disseminate")
    expect(page.get_by_role("searchbox", name="Search for")).to_have_value("disseminate")
    assert fits_the_screen(page)
    screenshot(page, f"search-{viewport['width']}-{'js' if javascript else 'nojs'}")

    definitions.locator("a.search-hit-title").click()
    expect(page).to_have_url(re.compile(r"/sources/channel-or-place/#definition-a$"))
    target = page.locator("mark:target")
    expect(target).to_have_id("definition-a")
    expect(target).to_contain_text("disseminate")
    expect(target).to_be_in_viewport()


def test_results_appear_as_the_visitor_types_without_leaving_the_page(site, new_page):
    page = new_page()
    page.goto(f"{site}/search/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.sameDocument = true; }")
    expect(page.locator("#search-results")).to_contain_text("Type a word or a phrase")

    page.get_by_role("searchbox", name="Search for").press_sequentially("conversation", delay=30)

    sources = page.get_by_role("region", name=re.compile(r"^Sources"))
    # On PostgreSQL words are matched by their stem: "Conversely" is a hit for "conversation".
    expect(sources.locator("mark").first).to_have_text(re.compile("^convers", re.I))
    expect(page).to_have_url(re.compile(r"/search/\?q=conversation"))
    assert page.evaluate("() => window.sameDocument") is True
    # Typing on changes the results, still in place.
    page.get_by_role("searchbox", name="Search for").fill("xylophone")
    expect(page.locator("#search-results")).to_contain_text("Nothing found for “xylophone”")
    assert page.evaluate("() => window.sameDocument") is True


def test_a_search_too_long_says_why_next_to_the_field_without_javascript(site, new_page):
    page = new_page(javascript=False)
    page.goto(f"{site}/search/?q={'x' * 201}")
    expect(page.locator(".error-summary")).to_contain_text("Search for at most 200 characters")
    expect(page.locator(".field.has-error .errorlist")).to_contain_text("at most 200 characters")
