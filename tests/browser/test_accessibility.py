"""The pages pass an axe-core audit: no serious or critical violations (full results saved)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PHONE, run_axe, serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "390"])
def test_comparison_page_has_no_serious_accessibility_violations(site, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site}/")
    result = run_axe(page, f"comparison-{viewport['width'] if viewport else 1280}")
    assert serious_violations(result) == []


def test_source_page_has_no_serious_accessibility_violations(site, new_page):
    page = new_page()
    page.goto(f"{site}/")
    page.locator("table.sources-table a.source-title").first.click()
    page.locator("mark#definition-a").wait_for()
    result = run_axe(page, "source")
    assert serious_violations(result) == []
