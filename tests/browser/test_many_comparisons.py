"""Journey: with several comparisons, a visitor chooses one from the home page's list, at desktop
and phone widths, with and without JavaScript; the list passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Comparison
from tests.browser.helpers import PHONE, run_axe, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def two_comparisons(site) -> str:
    Comparison.objects.create(
        slug="weather-vs-climate",
        term_a="weather",
        term_b="climate",
        lead="Two words for the sky, often mixed up in the news.",
        position=1,
    )
    return site


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_visitor_chooses_a_comparison_from_the_list(
    two_comparisons, new_page, javascript, viewport
):
    page = new_page(javascript=javascript, viewport=viewport)
    page.goto(f"{two_comparisons}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Two terms, many sources")
    expect(page.get_by_text("There are two here")).to_be_visible()
    items = page.locator("li.comparison-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("5 sources")
    expect(items.nth(1)).to_contain_text("0 sources")
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    items.nth(1).get_by_role("link", name=re.compile("weather vs climate")).click()
    expect(page).to_have_url(f"{two_comparisons}/compare/weather-vs-climate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("weather vs climate")

    page.go_back()
    items.nth(0).get_by_role("link", name=re.compile("Social media vs Social networking")).click()
    expect(page).to_have_url(f"{two_comparisons}/compare/social-media-vs-social-networking/")
    expect(page.locator("table.sources-table tbody tr")).to_have_count(5)


def test_a_shared_link_has_its_preview_image_and_canonical_address(site, new_page):
    page = new_page(javascript=False)
    page.goto(f"{site}/")

    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == f"{site}/compare/social-media-vs-social-networking/"
    image = page.locator('meta[property="og:image"]').get_attribute("content")
    # Fetched as a chat app's crawler would (opening it in a tab shows Chromium's image viewer,
    # whose inline styles the site's CSP refuses).
    response = page.request.get(image)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_the_list_of_comparisons_has_no_serious_accessibility_violations(
    two_comparisons, new_page, viewport
):
    page = new_page(viewport=viewport)
    page.goto(f"{two_comparisons}/")
    expect(page.locator("li.comparison-item")).to_have_count(2)
    result = run_axe(page, f"comparisons-{viewport['width'] if viewport else 1280}")
    assert serious_violations(result) == []
