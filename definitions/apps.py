from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_save


def remember_comparison(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Note which comparison a row belonged to when loaded, to see when it moves."""
    instance._loaded_comparison_id = instance.__dict__.get("comparison_id")


def comparison_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Start a new version of the cached page of the comparison this row belongs to (and of
    the one it came from, when it moved)."""
    from smsn import pagecache as cache

    if sender.__name__ == "Comparison":
        cache.bump(instance.pk)
        return
    for comparison_id in {instance.comparison_id, getattr(instance, "_loaded_comparison_id", None)}:
        if comparison_id is not None:
            cache.bump(comparison_id)
    instance._loaded_comparison_id = instance.comparison_id


def anything_changed(sender: Any, **kwargs: Any) -> None:
    """Start a new version of every cached comparison page (rare admin edits)."""
    from smsn import pagecache as cache

    cache.bump_all()


def has_own_distinctions(request: Any, comparison_id: int) -> list[Any]:
    """Return the queries finding what the readers' list shows this visitor alone: their own
    distinctions (waiting for a moderator, theirs to edit or delete, never offered to them to
    report) and their reports."""
    from definitions.models import Distinction, DistinctionReport
    from definitions.moderation import ModerationStatus

    visitor_id = request.visitor.id
    if visitor_id is None:
        return []
    return [
        Distinction.objects.filter(
            comparison_id=comparison_id,
            visitor_id=visitor_id,
            status__in=[ModerationStatus.PENDING, ModerationStatus.PUBLISHED],
        ),
        DistinctionReport.objects.filter(
            visitor_id=visitor_id, distinction__comparison_id=comparison_id
        ),
    ]


class DefinitionsConfig(AppConfig):
    name = "definitions"
    verbose_name = "Comparisons and definitions"

    def ready(self) -> None:
        # The comparison page is cached per version (smsn/pagecache.py): every change to
        # what it shows starts a new version. Votes change it through the distinction's counts.
        from definitions import models
        from definitions.forms import issue_token
        from smsn import pagecache as cache

        model: type[Model]
        for model in (models.Comparison, models.Source, models.Distinction):
            post_save.connect(comparison_changed, sender=model, dispatch_uid=f"bump-{model}")
            post_delete.connect(comparison_changed, sender=model, dispatch_uid=f"bump-d-{model}")
        for model in (models.Source, models.Distinction):
            post_init.connect(remember_comparison, sender=model, dispatch_uid=f"loaded-{model}")
        # Examples: the block lists them; readers' answers are not on the comparison page, so
        # answering never starts a new version.
        for model in (
            models.Definition,
            models.Dimension,
            models.Claim,
            models.Stance,
            models.Example,
            models.ExampleImplication,
        ):
            post_save.connect(anything_changed, sender=model, dispatch_uid=f"bump-{model}")
            post_delete.connect(anything_changed, sender=model, dispatch_uid=f"bump-d-{model}")
        cache.register_fresh_value("token", issue_token)
        cache.register_personal(has_own_distinctions)
