"""Journey: a moderator pastes an article, reviews what the app made of it, saves it as a draft,
previews it on the comparison (which visitors do not see yet) and publishes it."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import expect

from definitions.models import Source
from tests.browser.test_moderation import moderator_account, restore_moderators_group, sign_in

pytestmark = pytest.mark.browser

SOURCES_MIGRATION = "0006_moderators_add_and_publish_sources"
TITLE = "Media versus networking, once more"
ARTICLE = f"""Title: {TITLE}
URL: https://example.org/media-networking
Posted on 2 June 2014 by Jane Doe

Social media is the set of channels where anyone publishes to anyone.

Social networking is the activity of keeping up with people you know.

2 thoughts on “{TITLE}”

Ann Lee
June 3, 2014 at 4:15 pm
Nicely put.
Reply
Bob Roe
June 4, 2014 at 9:00 am
I see it differently.
Reply
"""

__all__ = ["moderator_account"]  # the fixture, used by name


@pytest.fixture
def source_moderator(moderator_account) -> str:
    """A moderator whose group also got the permissions to add and publish sources."""
    restore_moderators_group()
    loader = MigrationLoader(connection)
    migration = import_module(f"comments.migrations.{SOURCES_MIGRATION}")
    state = loader.project_state(("comments", SOURCES_MIGRATION))
    migration.grant(state.apps, None)
    return moderator_account


def test_moderator_pastes_reviews_previews_and_publishes_a_new_source(
    site, new_page, javascript, source_moderator
):
    page = new_page(javascript=javascript)
    sign_in(page, site, source_moderator)
    page.goto(f"{site}/{django_settings.ADMIN_PATH}definitions/source/")
    page.get_by_role("link", name="Add source from text").click()

    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_role("button", name="Read the article").click()

    # The review: header lines read as metadata, one row per WordPress comment.
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_original_url")).to_have_value("https://example.org/media-networking")
    expect(page.locator("#id_author")).to_have_value("Jane Doe")
    comments = page.locator("#intake-comments .intake-comment")
    expect(comments).to_have_count(3)  # two found, and a blank row to add one
    expect(comments.nth(0).get_by_label("Author")).to_have_value("Ann Lee")
    expect(comments.nth(1).get_by_label("Author")).to_have_value("Bob Roe")
    page.get_by_role("button", name="Save the source").click()

    expect(page.locator(".messagelist")).to_contain_text("as a draft")
    expect(page.locator("#draft-status")).to_contain_text("This source is a draft")
    source = Source.objects.get(title=TITLE)
    assert not source.is_published

    visitor = new_page()
    visitor.goto(f"{site}/")
    expect(visitor.locator(f"#source-{source.slug}")).to_have_count(0)

    page.locator("#draft-status").get_by_role("link", name="Preview it on the comparison").click()
    expect(page.locator("#preview-notice")).to_contain_text("Preview, not the public page.")
    expect(page.locator(f"#source-{source.slug}")).to_contain_text("Draft (preview)")
    page.get_by_role("link", name="Back to the source in the admin").click()

    page.get_by_role("button", name="Publish this source").click()
    expect(page.locator(".messagelist")).to_contain_text("it is on the comparison page now")
    expect(page.locator("#draft-status")).to_have_count(0)

    visitor.reload()
    expect(visitor.locator(f"#source-{source.slug}")).to_contain_text(TITLE)
