"""Journey 2: a visitor votes a distinction up, changes it to down, withdraws it; it all sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from definitions.models import Distinction, Vote

pytestmark = pytest.mark.browser


def first_source_distinction() -> Distinction:
    return (
        Distinction.objects.from_sources()
        .select_related("source")
        .order_by("source__position", "source__id")
        .first()
    )


def expect_vote_state(page, distinction: Distinction, *, up: int, down: int, mine: int) -> None:
    """Assert what the vote widget shows: both counts and which button is pressed."""
    widget = page.locator(f"#vote-{distinction.pk}")
    up_button = widget.locator(f"#vote-{distinction.pk}-up")
    down_button = widget.locator(f"#vote-{distinction.pk}-down")
    expect(up_button.locator(".vote-count")).to_have_text(str(up))
    expect(down_button.locator(".vote-count")).to_have_text(str(down))
    expect(up_button).to_have_attribute("aria-pressed", "true" if mine == 1 else "false")
    expect(down_button).to_have_attribute("aria-pressed", "true" if mine == -1 else "false")


def stored_votes(distinction: Distinction) -> list[int]:
    return list(Vote.objects.filter(distinction=distinction).values_list("value", flat=True))


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
