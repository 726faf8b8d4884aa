"""Visitors' markup stays text: pages holding XSS payloads run none of them in a real browser."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from definitions.models import Comparison, Distinction, Source
from tests.test_hostile_input import LINK_PAYLOADS, PAYLOADS

pytestmark = pytest.mark.browser

# Every payload calls alert(); a page that ran one would open a dialog. Some payloads name other
# sinks, so the test also watches for any script error and any element the payloads would add.
INJECTED = "script:not([nonce]), img[src='x'], svg[onload], iframe, body[onload]"


def plant_payloads() -> tuple[Comparison, Source]:
    comparison = Comparison.objects.get(slug="social-media-vs-social-networking")
    source = comparison.sources.order_by("position").first()
    assert source is not None
    for i, payload in enumerate(PAYLOADS):
        Distinction.objects.create(
            comparison=comparison,
            author_name=payload[:60],
            text_a=f"{payload} as term A",
            text_b=f"{payload} as term B",
            axis_a=payload[:40],
            axis_b="place",
            visitor_id=uuid.uuid4(),
        )
        for target in (None, source):
            Comment.objects.create(
                comparison=comparison,
                source=target,
                author_name=payload[:60],
                author_url=LINK_PAYLOADS[i % len(LINK_PAYLOADS)],
                body=f"Comment {i}: {payload}",
                visitor_id=uuid.uuid4(),
            )
    return comparison, source


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_pages_full_of_xss_payloads_run_none_of_them(site, new_page, javascript):
    comparison, source = plant_payloads()
    page = new_page(javascript=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    for url in (
        f"{site}{comparison.get_absolute_url()}",
        f"{site}{source.get_absolute_url()}",
        f"{site}{comparison.get_absolute_url()}?page=2",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        # The payloads are on the page, as text.
        expect(page.get_by_text("<script>alert(1)</script>", exact=False).first).to_be_attached()
        assert page.locator(INJECTED).count() == 0, url
        assert page.evaluate("typeof window.alert") == "function"

    assert dialogs == []
