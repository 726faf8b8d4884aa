"""Journey: a reader reads the agreement map, places a point, changes it, withdraws it.

At 1280 and 390 px, with JavaScript (in place, htmx) and without it (post, redirect to the row).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Dimension, Placement
from tests.browser.helpers import DESKTOP, PHONE, element_screenshot
from tests.browser.test_targets_and_order import expect_in_plain_view

pytestmark = pytest.mark.browser

WIDTHS = {"1280": DESKTOP, "390": PHONE}


def stored(dimension: Dimension) -> list[str]:
    return list(Placement.objects.filter(dimension=dimension).values_list("value", flat=True))


def expect_placement(page, dimension: Dimension, *, readers: int, mine: str) -> None:
    """Assert what the point's block shows: the number of readers and the pressed button."""
    block = page.locator(f"#placement-{dimension.pk}")
    expect(block.locator(".placement-total")).to_contain_text(
        f"({readers} reader{'' if readers == 1 else 's'};"
    )
    for value in ("a", "both", "b"):
        expect(block.locator(f"#place-{dimension.pk}-{value}")).to_have_attribute(
            "aria-pressed", "true" if value == mine else "false"
        )


def no_sideways_scrolling(page) -> None:
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_places_a_point_in_place_and_the_map_and_bar_follow(site, new_page, width):
    page = new_page(viewport=WIDTHS[width])
    audience = Dimension.objects.get(slug="audience")
    page.goto(f"{site}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    map_row = page.locator(".map-row", has=page.locator('a[href="#dimension-audience"]'))
    expect(map_row).to_contain_text("No readers yet")
    expect_placement(page, audience, readers=0, mine="")
    no_sideways_scrolling(page)

    block = page.locator(f"#placement-{audience.pk}")
    block.get_by_role("button", name="Social networking").click()
    expect_placement(page, audience, readers=1, mine="b")
    expect(page.locator("#live-notice")).to_contain_text(
        "Audience scale: Your placement: Social networking."
    )
    expect(block).to_contain_text("Your placement: Social networking. Press it again")
    expect(block.locator("svg[role=img]")).to_have_attribute(
        "aria-label", re.compile("0 Social media, 0 both / no difference, 1 Social networking")
    )
    assert stored(audience) == ["b"]
    element_screenshot(page.locator("#dimension-audience"), f"placement-row-{width}")

    block.get_by_role("button", name="Both / no difference").click()
    expect_placement(page, audience, readers=1, mine="both")
    assert stored(audience) == ["both"]
    block.get_by_role("button", name="Both / no difference").click()
    expect_placement(page, audience, readers=0, mine="")
    expect(page.locator("#live-notice")).to_contain_text("Your placement is withdrawn.")
    assert stored(audience) == []
    assert page.evaluate("() => window.stillTheSamePage === true")

    # The shared page keeps the reader's own placement theirs after a reload.
    block.get_by_role("button", name="Social media").click()
    expect_placement(page, audience, readers=1, mine="a")
    page.reload()
    expect_placement(page, audience, readers=1, mine="a")
    expect(map_row).to_contain_text("Readers see a difference: mostly social media (1)")
    map_section = page.locator("#agreement-map")
    map_section.scroll_into_view_if_needed()
    element_screenshot(map_section, f"agreement-map-{width}")
    # The table of the numbers behind the bars, opened, fits the page too.
    map_section.locator("#placement-numbers summary").click()
    numbers = map_section.get_by_role("table")
    expect(numbers.get_by_role("row", name=re.compile("^Audience scale"))).to_contain_text(
        "1 (100%)"
    )
    element_screenshot(map_section, f"agreement-map-numbers-{width}")
    no_sideways_scrolling(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_without_javascript_places_by_posting_and_lands_on_the_row(site, new_page, width):
    page = new_page(javascript=False, viewport=WIDTHS[width])
    privacy = Dimension.objects.get(slug="privacy")
    page.goto(f"{site}/")
    block = page.locator(f"#placement-{privacy.pk}")

    with page.expect_navigation():
        block.get_by_role("button", name="Social media").click()
    expect(page).to_have_url(re.compile(r"/#dimension-privacy$"))
    expect_placement(page, privacy, readers=1, mine="a")
    expect(block.locator(".placement-notice")).to_have_text(
        "Privacy: Your placement: Social media. Readers now: 1 Social media, "
        "0 both / no difference, 0 Social networking."
    )
    # The row is in plain view, not under the sticky table header.
    expect_in_plain_view(page, "#dimension-privacy")
    assert stored(privacy) == ["a"]

    with page.expect_navigation():
        block.get_by_role("button", name="Social media").click()
    expect_placement(page, privacy, readers=0, mine="")
    expect(block.locator(".placement-notice")).to_contain_text("Your placement is withdrawn.")
    assert stored(privacy) == []
    no_sideways_scrolling(page)


def test_placing_with_the_keyboard_alone(site, new_page):
    page = new_page()
    focus = Dimension.objects.get(slug="focus")
    page.goto(f"{site}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator(f"#place-{focus.pk}-both").focus()
    page.keyboard.press("Enter")
    expect_placement(page, focus, readers=1, mine="both")
    page.locator(f"#place-{focus.pk}-both").focus()
    page.keyboard.press("Space")
    expect_placement(page, focus, readers=0, mine="")


def test_a_refused_placement_is_said_beside_the_buttons_and_changes_nothing(
    site, new_page, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "placement": [(1, 60)]}
    page = new_page()
    purpose = Dimension.objects.get(slug="purpose")
    page.goto(f"{site}/")
    page.wait_for_function("() => window.htmx !== undefined")
    block = page.locator(f"#placement-{purpose.pk}")
    block.get_by_role("button", name="Social media").click()
    expect_placement(page, purpose, readers=1, mine="a")
    block.get_by_role("button", name="Social networking").click()
    expect(block.locator(".refusal")).to_contain_text("Too many placements from your network")
    expect_placement(page, purpose, readers=1, mine="a")
    assert stored(purpose) == ["a"]
