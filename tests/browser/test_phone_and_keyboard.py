"""Journey 6: on a 390 px phone the comparison page fits, and the keyboard alone reaches it all."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE,
    expect_vote_state,
    first_source_distinction,
    stored_votes,
)

pytestmark = pytest.mark.browser

# Everything a person can operate; the honeypot (tabindex -1, hidden from people) is excluded.
CONTROLS = (
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    '[tabindex]:not([tabindex="-1"])'
)


def tag_controls(page) -> int:
    """Number every visible, operable control on the page (data-kb) and return how many."""
    return page.evaluate(
        """(selector) => {
            const usable = (el) => {
                if (el.closest('[hidden], [inert], [aria-hidden="true"]')) return false;
                if (el.tabIndex < 0 || el.disabled) return false;
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
            };
            const els = [...document.querySelectorAll(selector)].filter(usable);
            els.forEach((el, i) => { el.dataset.kb = String(i); });
            return els.length;
        }""",
        CONTROLS,
    )


def focused_control(page) -> dict:
    """Describe the element that has the keyboard focus."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                kb: el.dataset ? el.dataset.kb ?? null : null,
                html: el.outerHTML.slice(0, 120),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none",
                inView: box.bottom > 0 && box.top < innerHeight && box.right > 0
                    && box.left < innerWidth,
            };
        }"""
    )


def test_comparison_page_fits_a_390px_phone_without_sideways_scrolling(site, new_page, javascript):
    page = new_page(javascript=javascript, viewport=PHONE)
    page.goto(f"{site}/")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[1] == 390
    assert widths[0] <= widths[1]
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
            .filter((el) => !el.closest(".visually-hidden, .skip-link"))
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert overflowing == []


def test_every_control_on_the_phone_page_is_reached_by_tab_with_visible_focus(
    site, new_page, javascript
):
    page = new_page(javascript=javascript, viewport=PHONE)
    page.goto(f"{site}/")
    count = tag_controls(page)
    assert count >= 12  # the skip link, five sources, ten "In context" links at least

    reached: set[str] = set()
    without_focus_style: list[str] = []
    for _ in range(count + 10):
        page.keyboard.press("Tab")
        focused = focused_control(page)
        if focused["kb"] is None:
            continue
        reached.add(focused["kb"])
        if not (focused["outline"] or focused["shadow"]) or not focused["inView"]:
            without_focus_style.append(focused["html"])

    unreached = page.evaluate(
        "(reached) => [...document.querySelectorAll('[data-kb]')]"
        ".filter((el) => !reached.includes(el.dataset.kb)).map((el) => el.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    assert unreached == []
    assert without_focus_style == []


def tab_to(page, element_id: str, *, limit: int = 80, backwards: bool = False) -> int:
    """Press Tab until the element with `element_id` has the focus; return how many presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} never got the focus in {limit} presses of {key}")


def test_visitor_votes_with_the_keyboard_alone_on_a_phone(site, new_page, javascript):
    page = new_page(javascript=javascript, viewport=PHONE)
    distinction = first_source_distinction()
    up_id, down_id = f"vote-{distinction.pk}-up", f"vote-{distinction.pk}-down"
    page.goto(f"{site}/")

    tab_to(page, up_id)
    page.keyboard.press("Enter")
    expect_vote_state(page, distinction, up=1, down=0, mine=1)
    if javascript:
        # The widget was swapped in place; the focus stays on the button that was pressed.
        expect(page.locator(f"#{up_id}")).to_be_focused()
        page.keyboard.press("Tab")
    else:
        # After the round trip the page opens at the distinction: the next Tab reaches its vote.
        tab_to(page, down_id, limit=3)
    expect(page.locator(f"#{down_id}")).to_be_focused()

    page.keyboard.press("Space")
    expect_vote_state(page, distinction, up=0, down=1, mine=-1)
    if not javascript:
        tab_to(page, down_id, limit=3)
    page.keyboard.press("Space")
    expect_vote_state(page, distinction, up=0, down=0, mine=0)
    assert stored_votes(distinction) == []
