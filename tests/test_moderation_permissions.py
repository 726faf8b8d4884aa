"""Who may moderate: the Moderators group, createmoderator, and what stays out of reach."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from definitions.models import Source

pytestmark = pytest.mark.django_db

MODERATOR_PERMISSIONS = {
    # The moderation log and the record of removals, both read-only (issue 16).
    "admin.view_logentry",
    "comments.view_visitorremoval",
    "comments.view_comment",
    "comments.change_comment",
    "comments.view_report",
    "definitions.can_moderate",
    "definitions.view_distinction",
    "definitions.change_distinction",
    "definitions.view_vote",
    # Readers' placements, voided and restored with the moderation permission (issue 18).
    "definitions.view_placement",
    "definitions.view_source",
    "definitions.view_definition",
    "definitions.view_dimension",
    "definitions.view_stance",
    "definitions.view_comparison",
    "definitions.view_bannedword",
    "definitions.add_bannedword",
    "definitions.change_bannedword",
    "definitions.delete_bannedword",
    # Adding sources from text, as drafts, and publishing drafts (issue 17).
    "definitions.add_source",
    "definitions.publish_source",
    # Examples readers classify (issue 18): moderators add and edit them, and read the answers.
    "definitions.add_example",
    "definitions.change_example",
    "definitions.view_example",
    "definitions.add_exampleimplication",
    "definitions.change_exampleimplication",
    "definitions.delete_exampleimplication",
    "definitions.view_exampleimplication",
    "definitions.view_exampleanswer",
}


def test_moderators_group_has_exactly_the_permissions_moderation_needs():
    group = Group.objects.get(name="Moderators")
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert granted == MODERATOR_PERMISSIONS


def test_createmoderator_makes_a_staff_account_in_the_group_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMSN_MODERATOR_PASSWORD", "correct horse battery staple")
    out = io.StringIO()
    call_command("createmoderator", "mira", "--email", "mira@example.org", stdout=out)
    user = User.objects.get(username="mira")
    assert user.is_staff
    assert not user.is_superuser
    assert user.email == "mira@example.org"
    assert user.check_password("correct horse battery staple")
    assert user.has_perm("definitions.can_moderate")
    assert user.get_all_permissions() == MODERATOR_PERMISSIONS
    assert "mira" in out.getvalue()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _answer_prompts(monkeypatch, *answers: str) -> list[str]:
    prompts: list[str] = []
    replies = iter(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(replies)

    monkeypatch.delenv("SMSN_MODERATOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    return prompts


def test_createmoderator_asks_for_the_password_twice_in_a_terminal(monkeypatch):
    prompts = _answer_prompts(monkeypatch, "a long passphrase 42", "a long passphrase 42")
    call_command("createmoderator", "mira", stdout=io.StringIO())
    assert len(prompts) == 2
    assert User.objects.get(username="mira").check_password("a long passphrase 42")


def test_createmoderator_refuses_two_different_passwords(monkeypatch):
    _answer_prompts(monkeypatch, "a long passphrase 42", "a long passphrase 43")
    with pytest.raises(CommandError, match="differ"):
        call_command("createmoderator", "mira", stdout=io.StringIO())
    assert not User.objects.filter(username="mira").exists()


def test_createmoderator_refuses_a_password_the_validators_reject(monkeypatch):
    monkeypatch.setenv("SMSN_MODERATOR_PASSWORD", "password")
    with pytest.raises(CommandError, match="too common"):
        call_command("createmoderator", "mira", stdout=io.StringIO())
    assert not User.objects.filter(username="mira").exists()


def test_createmoderator_refuses_a_username_that_is_taken(monkeypatch):
    User.objects.create_user("mira")
    monkeypatch.setenv("SMSN_MODERATOR_PASSWORD", "correct horse battery staple")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createmoderator", "mira", stdout=io.StringIO())
    assert not User.objects.get(username="mira").is_staff


def test_createmoderator_without_terminal_or_environment_says_how_to_give_a_password(
    monkeypatch,
):
    monkeypatch.delenv("SMSN_MODERATOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="SMSN_MODERATOR_PASSWORD"):
        call_command("createmoderator", "mira", stdout=io.StringIO())


def test_moderator_can_open_every_moderation_page(moderator_client, seeded):
    source = Source.objects.first()
    for name in [
        "admin:index",
        "admin:comments_comment_changelist",
        "admin:comments_report_changelist",
        "admin:definitions_distinction_changelist",
        "admin:definitions_vote_changelist",
        "admin:definitions_source_changelist",
        "admin:definitions_bannedword_changelist",
        "admin:definitions_bannedword_add",
        "admin:admin_logentry_changelist",
        "admin:comments_visitorremoval_changelist",
    ]:
        assert moderator_client.get(reverse(name)).status_code == 200, name
    assert (
        moderator_client.get(
            reverse("admin:definitions_source_change", args=[source.pk])
        ).status_code
        == 200
    )


def test_moderator_is_refused_deleting_a_source(moderator_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_delete", args=[source.pk])
    assert moderator_client.get(url).status_code == 403
    assert moderator_client.post(url, {"post": "yes"}).status_code == 403
    response = moderator_client.post(
        reverse("admin:definitions_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )
    assert Source.objects.filter(pk=source.pk).exists()
    assert response.status_code in {200, 302}


def test_moderator_sees_a_source_read_only_and_cannot_change_it(moderator_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_change", args=[source.pk])
    html = moderator_client.get(url).content.decode()
    assert 'name="_save"' not in html
    response = moderator_client.post(url, {"title": "Vandalised"})
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.title != "Vandalised"


@pytest.mark.parametrize(
    "name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_moderator_is_refused_user_and_group_administration(moderator_client, name):
    assert moderator_client.get(reverse(name)).status_code == 403


def test_moderator_cannot_change_their_own_permissions(moderator_client, moderator):
    url = reverse("admin:auth_user_change", args=[moderator.pk])
    response = moderator_client.post(url, {"username": moderator.username, "is_superuser": "on"})
    assert response.status_code == 403
    moderator.refresh_from_db()
    assert not moderator.is_superuser


def test_nobody_adds_votes_in_the_admin(moderator_client, superuser_client):
    url = reverse("admin:definitions_vote_add")
    assert moderator_client.get(url).status_code == 403
    assert superuser_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "admin:comments_comment_changelist",
        "admin:definitions_distinction_changelist",
        "admin:definitions_vote_changelist",
        "admin:comments_remove_visitor",
    ],
)
def test_staff_without_the_group_is_refused_the_moderation_pages(staff_client, name):
    assert staff_client.get(reverse(name)).status_code == 403


def test_superuser_keeps_everything_including_deleting_a_source(superuser_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_delete", args=[source.pk])
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.get(reverse("admin:auth_user_changelist")).status_code == 200
