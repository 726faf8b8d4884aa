"""Examples: a visitor's answer to "Is YouTube social media, social networking, or both?".

Views, the admin, the benchmark and tests all call these functions. The stored counts on each
example are kept equal to its counted answer rows, as votes keep a distinction's counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from definitions.models import Example, ExampleAnswer, Verdict


class AnswerRefused(Exception):
    """The example cannot be answered (gone, or not published)."""


@dataclass(frozen=True)
class AnswerOutcome:
    example: Example
    # The visitor's answer after the action ("a", "both", "b" or "neither").
    value: str
    # False when the answer was already this (a double submit) or a moderator voided it.
    changed: bool


@transaction.atomic
def answer_example(
    *, example_id: int, visitor_id: uuid.UUID, ip_hash: str, value: str
) -> AnswerOutcome:
    """Record a visitor's answer to an example and update the example's counts.

    The example's row is locked first, so concurrent answers run one after another and each
    adds its change to the stored counts, which therefore always equal the answer rows. The
    same answer twice changes nothing; an answer a moderator voided stays as it is.
    """
    if value not in Verdict.values:
        raise ValueError(f"An answer is one of {Verdict.values}, not {value!r}.")
    found = list(
        Example.objects.select_for_update(of=("self",))
        .select_related("comparison")
        .filter(pk=example_id)
        .published()
        .order_by()
    )
    if not found:
        raise AnswerRefused(
            "This example cannot be answered: it is not published (any more). Nothing was changed."
        )
    example = found[0]
    answers = ExampleAnswer.objects.filter(example_id=example.pk, visitor_id=visitor_id)
    existing = list(answers.values_list("pk", "value", "is_void"))
    answer_pk, before, is_void = existing[0] if existing else (None, "", False)
    if is_void or value == before:
        return AnswerOutcome(example, before, changed=False)
    if answer_pk is None:
        ExampleAnswer.objects.create(
            example=example, visitor_id=visitor_id, ip_hash=ip_hash, value=value
        )
    else:
        answers.update(value=value, ip_hash=ip_hash, updated=timezone.now())
    counts = example.add_answer_change(before, value)
    # The comparison page shows no answer counts: its cached copy stays valid.
    Example.objects.filter(pk=example.pk).update(**counts)
    return AnswerOutcome(example, value, changed=True)


def answer_of(example: Example, visitor_id: uuid.UUID | None) -> str:
    """Return the visitor's answer to the example, or "" if they have not answered."""
    if visitor_id is None:
        return ""
    found = ExampleAnswer.objects.filter(example=example, visitor_id=visitor_id)
    return found.values_list("value", flat=True).first() or ""


def recount_examples(pks: Iterable[int]) -> int:
    """Recompute the stored answer counts of these examples; return how many there were.

    Call it inside the transaction that changed the answers.
    """
    examples = list(Example.objects.filter(pk__in=list(pks)).order_by("pk"))
    for example in examples:
        example.recount()
    return len(examples)


@transaction.atomic
def set_answers_void(*, queryset: QuerySet[ExampleAnswer], is_void: bool) -> int:
    """Void answers (or count them again) and recount the examples they answer."""
    pks = list(queryset.values_list("pk", flat=True))
    answered = set(queryset.values_list("example_id", flat=True))
    changed = ExampleAnswer.objects.filter(pk__in=pks).update(is_void=is_void)
    recount_examples(answered)
    return changed
