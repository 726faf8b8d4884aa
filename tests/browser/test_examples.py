"""Journey: a visitor classifies an example, sees what the sources imply and how readers answered.

With JavaScript the result comes in place; without it, by POST and redirect. At 1280 and 390 px.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Example, ExampleAnswer
from tests.browser.helpers import PHONE, run_axe, screenshot, serious_violations

pytestmark = pytest.mark.browser


def stored_answers(example: Example) -> list[str]:
    return list(ExampleAnswer.objects.filter(example=example).values_list("value", flat=True))


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_visitor_answers_an_example_and_changes_the_answer(site, new_page, javascript, viewport):
    page = new_page(javascript=javascript, viewport=viewport)
    youtube = Example.objects.get(slug="youtube")
    page.goto(f"{site}{youtube.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Is YouTube social media, social networking, or both?"
    )
    expect(page.get_by_text("Answer first")).to_be_visible()
    expect(page.get_by_role("heading", name="What the sources imply")).to_have_count(0)
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => { window.stillTheSamePage = true; }")

    page.get_by_role("button", name="Social media", exact=True).click()
    expect(page.get_by_text("Your answer: social media.")).to_be_visible()
    pressed = page.get_by_role("button", name="Social media", exact=True)
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="What the sources imply")).to_be_visible()
    expect(page.locator(".source-verdict-item")).to_have_count(3)
    expect(page.get_by_text("Platforms like Facebook, Twitter, Instagram, YouTube")).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile(r"1 reader answered: social media 1"))
    ).to_be_visible()
    expect(page.get_by_role("table", name="Readers' answers for YouTube")).to_be_visible()
    assert stored_answers(youtube) == ["a"]

    page.get_by_role("button", name="Both", exact=True).click()
    expect(page.get_by_text("Your answer: both.")).to_be_visible()
    expect(page.get_by_role("button", name="Both", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("img", name=re.compile(r"social media 0, both 1"))).to_be_visible()
    assert stored_answers(youtube) == ["both"]
    if javascript:
        assert page.evaluate("() => window.stillTheSamePage === true")
    else:
        expect(page).to_have_url(re.compile(r"/examples/youtube/#answer$"))

    page.reload()
    expect(page.get_by_role("button", name="Both", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    # The quote in context opens the source page.
    page.get_by_role("link", name=re.compile("^In context")).first.click()
    expect(page).to_have_url(re.compile(r"/sources/[a-z-]+/"))
    width = viewport["width"] if viewport else 1280
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_visitor_answers_from_the_comparison_page_and_lands_on_the_result(site, new_page):
    page = new_page(javascript=False)
    page.goto(f"{site}/")
    block = page.locator("#examples")
    expect(block.get_by_role("heading", level=2)).to_have_text(
        "Is it social media, social networking, or both?"
    )
    with page.expect_navigation():
        block.get_by_role("button", name="Social networking").click()
    first = Example.objects.order_by("position").first()
    expect(page).to_have_url(re.compile(rf"{first.get_absolute_url()}#answer$"))
    expect(page.get_by_role("heading", name="What the sources imply")).to_be_visible()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_the_answered_example_page_has_no_serious_accessibility_violations(
    site, new_page, viewport
):
    page = new_page(viewport=viewport)
    facebook = Example.objects.get(slug="facebook")
    page.goto(f"{site}{facebook.get_absolute_url()}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("button", name="Social networking", exact=True).click()
    expect(page.get_by_role("heading", name="How readers answered")).to_be_visible()
    width = viewport["width"] if viewport else 1280
    screenshot(page, f"example-{width}")
    result = run_axe(page, f"example-{width}")
    assert serious_violations(result) == []


def test_the_examples_index_has_no_serious_accessibility_violations(site, new_page):
    page = new_page()
    page.goto(f"{site}/compare/social-media-vs-social-networking/examples/")
    expect(page.get_by_role("link", name=re.compile("^Is YouTube"))).to_be_visible()
    result = run_axe(page, "examples")
    assert serious_violations(result) == []
