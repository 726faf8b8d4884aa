"""Journey 7: on a desktop and on a phone, what a link or a vote sends you to is in plain view,
links are big enough to hit, and a phone shows a source's quotes before asking for a vote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Source
from tests.browser.helpers import DESKTOP, PHONE

pytestmark = pytest.mark.browser

WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])

# Links that stand alone, not in a sentence: each must be a target of at least 24 x 24 CSS px
# (WCAG 2.2, 2.5.8 Target Size (Minimum)).
STANDALONE_LINKS = (
    ".said-by, .quote-link, .page-links a, .source-definitions a, .kicker a, .map-point"
)


def expect_in_plain_view(page, selector: str) -> None:
    """Assert the element is in the viewport with nothing (such as a sticky header) over it."""
    target = page.locator(selector)
    expect(target).to_be_in_viewport()
    covered = page.evaluate(
        """(selector) => {
            const target = document.querySelector(selector);
            const box = target.getBoundingClientRect();
            const header = document.querySelector("thead th");
            const points = [[box.left + 4, box.top + 2], [box.left + box.width / 2, box.top + 2]];
            return {
                top: box.top,
                header: header ? header.getBoundingClientRect().bottom : null,
                over: points.map(([x, y]) => {
                    const found = document.elementFromPoint(x, y);
                    return found && !target.contains(found) ? found.outerHTML.slice(0, 80) : null;
                }).filter(Boolean),
            };
        }""",
        selector,
    )
    assert covered["top"] >= 0, covered
    assert covered["over"] == [], covered


@WIDTHS
def test_a_source_n_link_lands_on_its_row_below_the_sticky_header(site, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site}/")
    # Scroll into the key differences, so the sources table's header is stuck to the top.
    page.locator("#dimension-direction").scroll_into_view_if_needed()
    link = page.locator("#dimension-direction a.said-by", has_text=re.compile(r"^Source 4\b"))
    link.first.click()
    expect(page).to_have_url(re.compile(r"#source-content-or-relationships$"))
    expect_in_plain_view(page, "#source-content-or-relationships")
    expect_in_plain_view(page, "#source-content-or-relationships .source-number")


@WIDTHS
def test_a_vote_without_javascript_comes_back_to_the_distinction_in_plain_view(
    site, new_page, viewport
):
    page = new_page(javascript=False, viewport=viewport)
    distinction = Source.objects.get(slug="one-way-or-two-way").distinction
    page.goto(f"{site}/")
    page.locator(f"#vote-{distinction.pk}-up").click()
    expect(page).to_have_url(re.compile(rf"#distinction-{distinction.pk}$"))
    expect(page.locator(f"#vote-{distinction.pk}-up")).to_have_attribute("aria-pressed", "true")
    expect_in_plain_view(page, f"#distinction-{distinction.pk}")


@WIDTHS
def test_standalone_links_are_at_least_24_px_each_way(site, new_page, viewport):
    page = new_page(viewport=viewport)
    source = Source.objects.get(slug="verb-or-tool")
    for path in ("/", source.get_absolute_url()):
        page.goto(f"{site}{path}")
        boxes = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].map((a) => {
                const box = a.getBoundingClientRect();
                return [a.textContent.trim().slice(0, 30), box.width, box.height];
            })""",
            STANDALONE_LINKS,
        )
        assert len(boxes) >= (40 if path == "/" else 4)
        small = [box for box in boxes if box[1] < 24 or box[2] < 24]
        assert small == [], (path, small)


def test_on_a_phone_each_sources_quotes_come_before_its_vote(site, new_page):
    page = new_page(viewport=PHONE)
    page.goto(f"{site}/")
    rows = page.locator("table.sources-table tbody tr")
    expect(rows).to_have_count(5)
    for i in range(5):
        row = rows.nth(i)
        title = row.locator("a.source-title").bounding_box()
        quote_a = row.locator("td.col-a blockquote").bounding_box()
        quote_b = row.locator("td.col-b blockquote").bounding_box()
        axis = row.locator(".source-distinction").bounding_box()
        vote = row.locator("form.vote").bounding_box()
        assert title["y"] < quote_a["y"] < quote_b["y"] < axis["y"] < vote["y"], i


def test_on_a_desktop_the_vote_stays_beside_the_quotes_in_the_source_column(site, new_page):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{site}/")
    row = page.locator("table.sources-table tbody tr").first
    vote = row.locator("form.vote").bounding_box()
    quote = row.locator("td.col-a blockquote").bounding_box()
    assert vote["x"] + vote["width"] <= quote["x"]
