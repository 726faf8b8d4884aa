"""Journey 2: a visitor votes a distinction up, changes it to down, withdraws it; it all sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_vote_state, first_source_distinction, stored_votes

pytestmark = pytest.mark.browser


def test_visitor_votes_changes_and_withdraws_without_the_page_reloading(site, new_page):
    page = new_page()
    distinction = first_source_distinction()
    page.goto(f"{site}/")
    page.wait_for_function("() => window.htmx !== undefined")
    # A full page load would wipe this; an in-place swap keeps it.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    up = page.locator(f"#vote-{distinction.pk}-up")
    down = page.locator(f"#vote-{distinction.pk}-down")
    expect_vote_state(page, distinction, up=0, down=0, mine=0)

    up.click()
    expect_vote_state(page, distinction, up=1, down=0, mine=1)
    assert page.evaluate("() => window.stillTheSamePage === true")
    expect(page.locator("#live-notice")).to_contain_text("Your vote: convincing")
    assert stored_votes(distinction) == [1]

    down.click()
    expect_vote_state(page, distinction, up=0, down=1, mine=-1)
    assert stored_votes(distinction) == [-1]

    down.click()
    expect_vote_state(page, distinction, up=0, down=0, mine=0)
    expect(page.locator("#live-notice")).to_contain_text("withdrawn")
    assert stored_votes(distinction) == []

    assert page.evaluate("() => window.stillTheSamePage === true")
    assert navigations == []
    assert page.log.errors == []

    down.click()
    expect_vote_state(page, distinction, up=0, down=1, mine=-1)
    page.reload()
    expect_vote_state(page, distinction, up=0, down=1, mine=-1)
    assert page.evaluate("() => window.stillTheSamePage") is None


def test_visitor_without_javascript_votes_by_posting_and_comes_back_to_the_new_state(
    site, new_page
):
    page = new_page(javascript=False)
    distinction = first_source_distinction()
    page.goto(f"{site}/")
    up = page.locator(f"#vote-{distinction.pk}-up")
    down = page.locator(f"#vote-{distinction.pk}-down")

    with page.expect_navigation():
        up.click()
    expect(page).to_have_url(re.compile(rf"/#{distinction.anchor}$"))
    expect_vote_state(page, distinction, up=1, down=0, mine=1)
    assert stored_votes(distinction) == [1]

    with page.expect_navigation():
        down.click()
    expect_vote_state(page, distinction, up=0, down=1, mine=-1)
    assert stored_votes(distinction) == [-1]

    with page.expect_navigation():
        down.click()
    expect_vote_state(page, distinction, up=0, down=0, mine=0)
    assert stored_votes(distinction) == []

    with page.expect_navigation():
        up.click()
    page.reload()
    expect_vote_state(page, distinction, up=1, down=0, mine=1)


def test_another_visitor_sees_the_count_but_not_the_first_visitors_choice(site, new_page):
    distinction = first_source_distinction()
    first = new_page()
    first.goto(f"{site}/")
    first.wait_for_function("() => window.htmx !== undefined")
    first.locator(f"#vote-{distinction.pk}-up").click()
    expect_vote_state(first, distinction, up=1, down=0, mine=1)

    second = new_page()
    second.goto(f"{site}/")
    expect_vote_state(second, distinction, up=1, down=0, mine=0)
