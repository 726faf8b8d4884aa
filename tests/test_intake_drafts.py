"""A source added from an article's text is a draft: nobody sees it until a moderator who may
publish sources has previewed it on the comparison and published it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments.models import Comment
from definitions.intake.actions import add_source_from_article
from definitions.models import Source
from smsn import pagecache as page_cache

pytestmark = pytest.mark.django_db

TITLE = "Weather and climate for social media people"
COMMENT = "An imported comment only the draft carries."


@pytest.fixture
def draft(seeded) -> Source:
    body = (
        "Social media is the set of channels where anyone publishes to anyone.\n\n"
        "Social networking is the activity of keeping up with people you know."
    )
    return add_source_from_article(
        comparison=seeded,
        title=TITLE,
        body=body,
        quote_a="Social media is the set of channels where anyone publishes to anyone.",
        quote_b="Social networking is the activity of keeping up with people you know.",
        axis_a="channels",
        axis_b="activity",
        text_a="Channels.",
        text_b="Activity.",
        comments=[("Dana", COMMENT, "published")],
    )


def row(source: Source) -> str:
    return f'id="source-{source.slug}"'


def preview_url(source: Source) -> str:
    return reverse("admin:definitions_source_preview", args=[source.pk])


def publish_url(source: Source) -> str:
    return reverse("admin:definitions_source_publish", args=[source.pk])


def test_a_draft_is_on_no_public_page_feed_or_open_data(client, seeded, draft):
    assert not draft.is_published

    page = client.get(seeded.get_absolute_url()).content.decode()
    data = client.get(reverse("definitions:comparison_json", args=[seeded.slug])).content.decode()
    feed = client.get(reverse("comments:comparison_feed", args=[seeded.slug])).content.decode()

    assert row(draft) not in page
    assert escape(TITLE) not in page
    assert COMMENT not in page
    assert TITLE not in data
    assert COMMENT not in feed
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_preview_shows_the_draft_on_the_comparison_marked_as_a_preview(
    superuser_client, seeded, draft
):
    response = superuser_client.get(preview_url(draft))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview, not the public page." in html
    assert row(draft) in html
    assert "Draft (preview)" in html
    assert "Source 6" in html  # after the five published sources, where it will stand
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_preview_never_reaches_the_shared_page_cache(client, superuser_client, seeded, draft):
    superuser_client.get(preview_url(draft))

    stranger = client.get(seeded.get_absolute_url()).content.decode()

    assert row(draft) not in stranger
    assert "Preview, not the public page." not in stranger


def test_visitors_cannot_open_a_preview(client, staff_client, draft):
    assert reverse("admin:login") in client.get(preview_url(draft))["Location"]
    assert staff_client.get(preview_url(draft)).status_code == 403


def test_publishing_shows_the_source_to_everyone_and_starts_a_new_page_version(
    client, superuser_client, seeded, draft
):
    client.get(seeded.get_absolute_url())  # a stranger's view fills the shared cache
    version = page_cache.version(seeded.pk)

    response = superuser_client.post(publish_url(draft))

    assert response.status_code == 302
    assert page_cache.version(seeded.pk) != version
    assert row(draft) in client.get(seeded.get_absolute_url()).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert COMMENT in client.get(draft.get_absolute_url()).content.decode()
    message = superuser_client.get(response["Location"]).content.decode()
    assert "it is on the comparison page now" in message


def test_the_draft_page_in_the_admin_says_it_is_a_draft_with_preview_and_publish(
    superuser_client, draft
):
    html = superuser_client.get(
        reverse("admin:definitions_source_change", args=[draft.pk])
    ).content.decode()

    assert "This source is a draft" in html
    assert preview_url(draft) in html
    assert f'<a href="{preview_url(draft)}" class="viewsitelink">' in html  # not a 404
    assert f'action="{publish_url(draft)}"' in html
    assert "Publish this source" in html


def test_publishing_is_a_post(superuser_client, draft):
    assert superuser_client.get(publish_url(draft)).status_code == 405
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_publish_action_publishes_the_selected_drafts(client, superuser_client, seeded, draft):
    response = superuser_client.post(
        reverse("admin:definitions_source_changelist"),
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "Published 1 source: they are on the public pages now." in response.content.decode()
    assert row(draft) in client.get(seeded.get_absolute_url()).content.decode()


def test_a_moderator_may_add_sources_and_publish_drafts(moderator, moderator_client, draft):
    assert moderator.has_perm("definitions.add_source")
    assert moderator.has_perm("definitions.publish_source")
    assert not moderator.has_perm("definitions.change_source")
    assert moderator.has_perm("definitions.view_source")

    assert moderator_client.get(reverse("admin:definitions_source_intake")).status_code == 200
    assert moderator_client.get(preview_url(draft)).status_code == 200
    assert moderator_client.post(publish_url(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published


def test_staff_who_may_not_publish_see_the_draft_but_cannot_publish_it(draft):
    user = User.objects.create_user("editor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_source", "change_source", "add_source"])
    )
    editor = Client()
    editor.force_login(user)

    page = editor.get(reverse("admin:definitions_source_change", args=[draft.pk]))
    posted = editor.post(publish_url(draft))
    changelist = editor.get(reverse("admin:definitions_source_changelist")).content.decode()

    html = page.content.decode()
    assert "This source is a draft" in html
    assert "Publish this source" not in html
    assert 'name="is_published"' not in html  # publishing is not a field they can tick
    assert posted.status_code == 403
    assert "publish_drafts" not in changelist
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_moderators_group_gets_the_new_permissions_from_a_migration():
    group = Group.objects.get(name="Moderators")

    codenames = set(group.permissions.values_list("codename", flat=True))

    assert {"add_source", "publish_source"} <= codenames


def test_comments_of_a_draft_stay_hidden_until_it_is_published(client, superuser_client, draft):
    assert Comment.objects.filter(source=draft, body=COMMENT).exists()
    thread = reverse(
        "comments:source_thread",
        kwargs={"comparison_slug": draft.comparison.slug, "slug": draft.slug},
    )

    assert client.get(thread).status_code == 404
