"""The pages pass an axe-core audit: no serious or critical violations (full results saved)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, run_axe, serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_comparison_page_has_no_serious_accessibility_violations(site, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site}/")
    result = run_axe(page, f"comparison-{viewport['width'] if viewport else 1280}")
    assert serious_violations(result) == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_comparison_page_with_placements_has_no_serious_accessibility_violations(
    site, new_page, viewport, javascript
):
    """The agreement map and a placed point, in place (htmx) or after a plain POST."""
    import uuid

    from definitions.models import Dimension
    from definitions.placements import place

    for value in ("a", "both", "b", "a"):
        place(dimension=Dimension.objects.get(slug="privacy"), visitor=uuid.uuid4(), value=value)
    audience = Dimension.objects.get(slug="audience")
    page = new_page(viewport=viewport)
    if not javascript:
        # Without htmx the form posts the old way; JavaScript itself stays on for axe.
        page.route("**/htmx*.js", lambda route: route.abort())
    page.goto(f"{site}/")
    button = page.locator(f"#place-{audience.pk}-b")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        button.click()
    else:
        with page.expect_navigation():
            button.click()
        expect(page.locator(f"#placement-{audience.pk} .placement-notice")).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "true")
    width = viewport["width"] if viewport else 1280
    result = run_axe(page, f"comparison-placed-{'js' if javascript else 'nojs'}-{width}")
    assert serious_violations(result) == []


def test_source_page_has_no_serious_accessibility_violations(site, new_page):
    page = new_page()
    page.goto(f"{site}/")
    page.locator("table.sources-table a.source-title").first.click()
    page.locator("mark#definition-a").wait_for()
    result = run_axe(page, "source")
    assert serious_violations(result) == []


def test_forms_showing_their_errors_have_no_serious_accessibility_violations(site, new_page):
    page = new_page()
    page.goto(f"{site}/")
    page.wait_for_function("() => window.htmx !== undefined")
    comment_form = page.locator("#comment-form form")
    comment_form.get_by_label("Comment").fill("x")
    comment_form.get_by_label("Website (optional)").fill("not an address")
    comment_form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .error-summary")).to_be_visible()
    expect(page.locator("#comment-form .field.has-error")).to_have_count(3)

    distinction_form = page.locator("#add-distinction form")
    distinction_form.get_by_role("button", name="Add my distinction").click()
    expect(page.locator("#add-distinction .error-summary")).to_be_visible()

    result = run_axe(page, "forms-with-errors")
    assert serious_violations(result) == []


def test_comment_form_with_errors_after_a_plain_post_has_no_serious_violations(site, new_page):
    page = new_page()
    # Without htmx the form posts the old way and the whole page comes back with the errors;
    # JavaScript itself stays on, because axe runs in the page.
    page.route("**/htmx*.js", lambda route: route.abort())
    page.goto(f"{site}/")
    with page.expect_navigation():
        page.locator("#comment-form form").get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .error-summary")).to_be_visible()
    result = run_axe(page, "comment-form-errors-full-page")
    assert serious_violations(result) == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_search_results_have_no_serious_accessibility_violations(site, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site}/search/?q=social+networking")
    expect(page.locator(".search-hit mark").first).to_be_visible()
    result = run_axe(page, f"search-{viewport['width'] if viewport else 1280}")
    assert serious_violations(result) == []
