"""Journey 5: a moderator signs into the admin, holds one comment and publishes another; removes
everything one visitor wrote and undoes it; looks at a held comment on the site."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import expect

from comments.models import Comment
from definitions.moderation import ModerationStatus
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.browser

MODERATORS_MIGRATION = "0002_moderators_group"
ONE_PERMISSION_MIGRATION = "0003_comment_kind_one_moderation"
LOG_MIGRATION = "0005_moderators_read_removals_and_log"
PASSWORD = "a-long-moderator-passphrase-41"
SHOWN = "Networking needs people who answer each other; media only needs an audience."
HELD = "Check out my page for cheap followers and more social media growth tips today."


def restore_moderators_group() -> None:
    """Run the data migration that makes the "Moderators" group again.

    Browser tests run on a live server, so each one ends by emptying every table, this group
    included; the group's permissions must come from the real migration, not from a copy here.
    """
    loader = MigrationLoader(connection)
    migration = import_module(f"comments.migrations.{MODERATORS_MIGRATION}")
    state = loader.project_state(("comments", MODERATORS_MIGRATION))
    migration.create_moderators_group(state.apps, None)
    # Then the one moderation permission takes the place of the comments app's own.
    migration = import_module(f"comments.migrations.{ONE_PERMISSION_MIGRATION}")
    state = loader.project_state(("comments", ONE_PERMISSION_MIGRATION))
    migration.one_permission(state.apps, None)
    # Then the moderation log and the record of removals.
    migration = import_module(f"comments.migrations.{LOG_MIGRATION}")
    state = loader.project_state(("comments", LOG_MIGRATION))
    migration.grant(state.apps, None)


@pytest.fixture
def moderator_account(site, monkeypatch, settings) -> str:
    """Create a moderator exactly as the README says, and return the user name."""
    # A fast hash: the production one is slow on purpose, and hashing is not what this tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    restore_moderators_group()
    monkeypatch.setenv("SMSN_MODERATOR_PASSWORD", PASSWORD)
    call_command("createmoderator", "moira", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return "moira"


def sign_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/{django_settings.ADMIN_PATH}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


def run_bulk_action(page, comment: Comment, action_label: str) -> None:
    """Tick one comment in the change list and run a bulk action on it."""
    page.locator(f'input[name="_selected_action"][value="{comment.pk}"]').check()
    page.locator('select[name="action"]').select_option(label=action_label)
    page.get_by_role("button", name="Run").click()


def test_moderator_holds_one_comment_and_publishes_another(
    site, new_page, javascript, moderator_account, make_comment
):
    shown_later = make_comment(body=SHOWN, author_name="Ann", status="pending")
    held_later = make_comment(body=HELD, author_name="Bob", status="published")

    visitor = new_page()
    visitor.goto(f"{site}/")
    expect(visitor.locator(f"#{held_later.anchor}")).to_contain_text(HELD)
    expect(visitor.locator("#comment-list")).not_to_contain_text(SHOWN)

    page = new_page(javascript=javascript)
    sign_in(page, site, moderator_account)

    page.goto(f"{site}/{django_settings.ADMIN_PATH}comments/comment/")
    run_bulk_action(page, held_later, "Hold selected comments as pending")
    expect(page.locator(".messagelist")).to_contain_text("Held as pending 1 comment")
    run_bulk_action(page, shown_later, "Publish selected comments")
    expect(page.locator(".messagelist")).to_contain_text("Published 1 comment")

    held_later.refresh_from_db()
    shown_later.refresh_from_db()
    assert (held_later.status, held_later.moderated_by.username) == ("pending", "moira")
    assert (shown_later.status, shown_later.moderated_by.username) == ("published", "moira")

    visitor.reload()
    expect(visitor.locator(f"#{shown_later.anchor}")).to_contain_text(SHOWN)
    expect(visitor.locator("#comment-list")).not_to_contain_text(HELD)


def test_moderator_removes_one_visitors_words_but_not_their_neighbours_then_undoes_it(
    site, new_page, javascript, moderator_account, make_comment
):
    network = "ab" * 32
    troll = make_comment(body="Buy followers now, cheap!", ip_hash=network)
    colleague = make_comment(body="Same office, different person.", ip_hash=network)

    page = new_page(javascript=javascript)
    sign_in(page, site, moderator_account)
    page.goto(f"{site}/{django_settings.ADMIN_PATH}comments/comment/{troll.pk}/change/")
    page.get_by_role("link", name="Remove everything from this visitor").click()
    expect(page.get_by_label("This visitor only")).to_be_checked()
    expect(page.locator("#scope-visitor")).to_contain_text("1 comment will be removed")
    expect(page.locator("#scope-network")).to_contain_text("2 comments will be removed")
    expect(page.locator("#scope-network")).to_contain_text(colleague.body)
    screenshot(page, f"admin-remove-visitor-{'js' if javascript else 'nojs'}")
    page.get_by_role("button", name="Yes, remove").click()
    expect(page.locator(".messagelist")).to_contain_text("Removed 1 comment and 0 distinctions")

    visitor = new_page()
    visitor.goto(f"{site}/")
    expect(visitor.locator("#comment-list")).not_to_contain_text(troll.body)
    expect(visitor.locator(f"#{colleague.anchor}")).to_contain_text(colleague.body)

    page.get_by_role("link", name="Undo this removal").click()
    expect(page.locator("#undo-counts")).to_contain_text("1 comment back to its status")
    page.get_by_role("button", name="Yes, undo this removal").click()
    expect(page.locator(".messagelist")).to_contain_text("put back 1 comment")
    troll.refresh_from_db()
    assert troll.status == ModerationStatus.PUBLISHED
    visitor.reload()
    expect(visitor.locator(f"#{troll.anchor}")).to_contain_text(troll.body)


def test_moderator_views_a_pending_comment_on_the_site_marked_as_held(
    site, new_page, moderator_account, make_comment
):
    held = make_comment(body=HELD, status=ModerationStatus.PENDING)
    page = new_page()
    sign_in(page, site, moderator_account)
    page.goto(f"{site}/{django_settings.ADMIN_PATH}comments/comment/{held.pk}/change/")
    page.get_by_role("link", name="View on site").click()
    expect(page.locator("#held-notice")).to_contain_text("Held: only moderators see this")
    expect(page.locator(f"#{held.anchor}")).to_contain_text(HELD)
    expect(page.locator(f"#{held.anchor}")).to_contain_text("Pending moderation")
    # In its place in the thread, whose page it is on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments")
    expect(page.locator(f"#comment-list #{held.anchor}")).to_be_visible()
    screenshot(page, "held-comment")

    visitor = new_page()
    response = visitor.goto(f"{site}{held.get_absolute_url()}")
    assert response.status == 404


def test_comment_queue_fits_its_box_at_1280_pixels(
    site, new_page, moderator_account, make_comment, seeded
):
    for source in seeded.sources.all():
        make_comment(source=source, body="A long comment that goes on " * 12, author_name="A")
    page = new_page()
    sign_in(page, site, moderator_account)
    page.goto(f"{site}/{django_settings.ADMIN_PATH}comments/comment/")
    widths = page.evaluate(
        """() => {
            const box = document.querySelector("#changelist .results");
            return [box.scrollWidth, box.clientWidth, document.documentElement.scrollWidth,
                    window.innerWidth];
        }"""
    )
    screenshot(page, "admin-comment-queue")
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[3], widths
