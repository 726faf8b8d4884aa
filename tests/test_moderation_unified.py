"""One moderation mechanism: one status, one visibility rule, one permission, one admin each."""

from __future__ import annotations

import uuid
from importlib import import_module

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments.models import Comment, CommentKind
from definitions.models import Distinction, Vote
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db


def test_one_visibility_rule_decides_in_queries_and_on_rows(make_comment, make_distinction):
    author, stranger = uuid.uuid4(), uuid.uuid4()
    rows = []
    for status in ModerationStatus.values:
        rows.append(make_comment(status=status, visitor_id=author))
        rows.append(make_comment(status=status, visitor_id=author, kind=CommentKind.PINGBACK))
        rows.append(make_distinction(status=status, visitor_id=author))
    for visitor in (author, stranger, None):
        for model in (Comment, Distinction):
            listed = set(model.objects.visible_to(visitor).values_list("pk", flat=True))
            for row in (r for r in rows if isinstance(r, model)):
                assert (row.pk in listed) == row.is_visible_to(visitor), (row, visitor)
    # Published for everyone, pending for its author only; pingbacks for nobody.
    mine = Comment.objects.filter(visitor_id=author)
    assert mine.visible_to(stranger).count() == 1
    assert mine.visible_to(author).count() == 2


def test_distinction_and_vote_admins_are_registered_once_by_the_definitions_app():
    for model in (Distinction, Vote):
        assert type(admin.site._registry[model]).__module__ == "definitions.admin"
    assert type(admin.site._registry[Comment]).__module__ == "comments.admin"


def test_moderators_hold_the_one_moderation_permission():
    group = Group.objects.get(name="Moderators")
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert "definitions.can_moderate" in codes
    assert "comments.can_moderate" not in codes


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_pingbacks_a_kind_and_moves_the_permission():
    before = [("comments", "0002_moderators_group"), ("definitions", "0003_moderation_permission")]
    executor = MigrationExecutor(connection)
    # Forward to the latest migrations afterwards, so later tests find every table.
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        comparison = old.get_model("definitions", "Comparison").objects.create(
            slug="blog-vs-vlog", term_a="Blog", term_b="Vlog"
        )
        OldComment = old.get_model("comments", "Comment")
        pingback = OldComment.objects.create(
            comparison_id=comparison.pk, body="[…] linked", status="pingback"
        )
        spam = OldComment.objects.create(comparison_id=comparison.pk, body="Buy now", status="spam")
        # The group as 0002 left it (earlier tests may have emptied every table since).
        import_module("comments.migrations.0002_moderators_group").create_moderators_group(
            old, None
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    assert Comment.objects.get(pk=pingback.pk).kind == CommentKind.PINGBACK
    assert Comment.objects.get(pk=pingback.pk).status == ModerationStatus.PUBLISHED
    assert Comment.objects.get(pk=spam.pk).kind == CommentKind.COMMENT
    assert Comment.objects.get(pk=spam.pk).status == ModerationStatus.SPAM
    assert not Comment.objects.filter(pk=pingback.pk).visible_to(None).exists()
    codes = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Moderators").permissions.all()
    }
    assert "definitions.can_moderate" in codes
    assert "comments.can_moderate" not in codes
