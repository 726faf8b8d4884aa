"""Placements: a visitor's answer to "which term does this point belong to?", and recounts.

Views, the admin, moderation, the benchmark and tests all call these functions, so the rules
live in one place. The stored counts on each dimension (placed_a, placed_both, placed_b) are kept
equal to its counted placement rows, as definitions.votes does for votes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from definitions.models import Dimension, Placement
from definitions.moderation import log_message
from smsn import pagecache as page_cache


class PlacementRefused(Exception):
    """The point cannot be placed (gone, or its comparison not published)."""


@dataclass(frozen=True)
class PlacementOutcome:
    dimension: Dimension
    # The visitor's placement after the action: "a", "both", "b", or "" for none.
    value: str
    # False when nothing changed: the same placement again, or one a moderator voided.
    changed: bool


@transaction.atomic
def place(
    *, dimension: Dimension | int, visitor: uuid.UUID, value: str, ip_hash: str = ""
) -> PlacementOutcome:
    """Record a visitor's placement of a point ("a", "both", "b"; "" withdraws it).

    `dimension` is the point or its id, `visitor` the visitor's id (smsn.visitors), `ip_hash`
    the hash of their network, kept for moderation as with votes.

    The dimension's row is found and locked in one query, so concurrent placements of it run
    one after another: each adds its change to the stored counts, which therefore always equal
    the placement rows (moderation recounts under the same lock). A placement a moderator
    voided stays as it is. Sending the same placement twice (a double click, a retry) changes
    nothing the second time.
    """
    if value != "" and value not in Placement.Value.values:
        raise ValueError(f"A placement is 'a', 'both', 'b' or '' (withdraw), not {value!r}.")
    locked = (
        Dimension.objects.select_for_update(of=("self",))
        .select_related("comparison")
        .filter(
            pk=dimension.pk if isinstance(dimension, Dimension) else dimension,
            comparison__is_published=True,
        )
        .order_by()
        .first()
    )
    if locked is None:
        raise PlacementRefused("This point cannot be placed: it is not on a published comparison.")
    placements = Placement.objects.filter(dimension_id=locked.pk, visitor_id=visitor).order_by()
    # One row at most: a visitor has one placement per point (a unique constraint).
    existing = list(placements.values_list("pk", "value", "is_void"))
    placement_pk, before, is_void = existing[0] if existing else (None, "", False)
    if is_void or value == before:
        locked.visitor_placement = before
        return PlacementOutcome(locked, before, changed=False)
    if value == "":
        placements.delete()
    elif placement_pk is None:
        Placement.objects.create(dimension=locked, visitor_id=visitor, ip_hash=ip_hash, value=value)
    else:
        placements.update(value=value, ip_hash=ip_hash, updated=timezone.now())
    locked.add_placement_change(before, value)
    # update(), not save(): only the counts change, and the page's version is bumped here.
    Dimension.objects.filter(pk=locked.pk).update(
        placed_a=locked.placed_a, placed_both=locked.placed_both, placed_b=locked.placed_b
    )
    page_cache.bump(locked.comparison_id)
    locked.visitor_placement = value
    return PlacementOutcome(locked, value, changed=True)


def recount_dimensions(pks: Iterable[int]) -> int:
    """Recompute the stored placement counts of these dimensions; return how many there were.

    Three queries however many rows: lock them, count in one grouped query, write. Call it
    inside the transaction that changed the placements: the locks keep a placement made
    meanwhile from being lost.
    """
    ids = list(
        Dimension.objects.filter(pk__in=list(pks))
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    counts = {
        row["dimension_id"]: row
        for row in Placement.objects.counted()
        .filter(dimension_id__in=ids)
        .values("dimension_id")
        .annotate(
            **{
                column: models.Count("id", filter=Q(value=value))
                for value, column in Placement.COLUMNS.items()
            }
        )
        .order_by()
    }
    columns = list(Placement.COLUMNS.values())
    rows = [
        Dimension(pk=pk, **{column: counts.get(pk, {}).get(column, 0) for column in columns})
        for pk in ids
    ]
    Dimension.objects.bulk_update(rows, columns)
    page_cache.bump_all()
    return len(rows)


@transaction.atomic
def set_void(*, queryset: QuerySet[Placement], is_void: bool, user: Any, reason: str = "") -> int:
    """Void placements (they stop counting) or count them again, log it, recount their points."""
    changed = list(queryset.exclude(is_void=is_void).order_by("pk"))
    Placement.objects.filter(pk__in=[p.pk for p in changed]).update(is_void=is_void)
    if changed:
        LogEntry.objects.log_actions(
            user.pk, changed, CHANGE, log_message("Voided" if is_void else "Counted again", reason)
        )
    recount_dimensions({p.dimension_id for p in changed})
    return len(changed)


@transaction.atomic
def delete_placements(*, queryset: QuerySet[Placement]) -> int:
    """Delete placements (a superuser's cleanup) and recount the points they were on."""
    placed_on = set(queryset.values_list("dimension_id", flat=True))
    deleted, _ = queryset.delete()
    recount_dimensions(placed_on)
    return deleted
