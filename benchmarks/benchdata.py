"""Generate a large data set for the load benchmark, fast, with bulk inserts.

Readers' distinctions, comments (a fifth of them replies) and votes are spread over a
comparison and its sources; vote counts and scores are then recomputed from the vote rows,
so the stored counts are exact. Bulk writes send no model signals, so the comparison's cached
page is given a new version at the end.

Run by bin/benchmark (benchmarks/run.py) through `generate()`.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from comments.models import Comment
from definitions.models import Comparison, Distinction, Vote, wilson_lower_bound
from definitions.moderation import ModerationStatus
from smsn import pagecache as page_cache

BATCH = 5000
WORDS = [
    "media",
    "network",
    "channel",
    "place",
    "tool",
    "activity",
    "content",
    "conversation",
    "broadcast",
    "dialogue",
    "audience",
    "relationship",
    "platform",
    "community",
    "followers",
    "friends",
    "public",
    "private",
    "share",
    "talk",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


@transaction.atomic
def generate(
    comparison_slug: str = "social-media-vs-social-networking",
    *,
    distinctions: int = 2000,
    comments: int = 20000,
    votes: int = 200000,
    seed: int = 1,
) -> str:
    """Add the data set to a comparison; return a line saying what it now holds."""
    opts = {"distinctions": distinctions, "comments": comments, "votes": votes}
    rng = random.Random(seed)
    comparison = Comparison.objects.get(slug=comparison_slug)
    sources = list(comparison.sources.all())
    now = timezone.now()

    Distinction.objects.bulk_create(
        (
            Distinction(
                comparison=comparison,
                text_a=sentence(rng, 12),
                text_b=sentence(rng, 12),
                axis_a=rng.choice(WORDS),
                axis_b=rng.choice(WORDS),
                author_name=f"Reader {i}",
                visitor_id=uuid.uuid4(),
                status=ModerationStatus.PUBLISHED,
                created=now - timedelta(minutes=i),
            )
            for i in range(opts["distinctions"])
        ),
        batch_size=BATCH,
    )
    distinction_ids = list(comparison.distinctions.values_list("id", flat=True))

    targets = [None, *sources]
    top_level = int(opts["comments"] * 0.8)
    Comment.objects.bulk_create(
        (
            Comment(
                comparison=comparison,
                source=rng.choice(targets),
                author_name=f"Commenter {i}",
                body=" ".join(sentence(rng, 15) for _ in range(3)),
                status=ModerationStatus.PUBLISHED,
                visitor_id=uuid.uuid4(),
                created=now - timedelta(seconds=opts["comments"] - i),
            )
            for i in range(top_level)
        ),
        batch_size=BATCH,
    )
    parents = list(
        Comment.objects.filter(comparison=comparison, parent__isnull=True)
        .order_by("-id")
        .values_list("id", "source_id")[:top_level]
    )
    Comment.objects.bulk_create(
        (
            Comment(
                comparison=comparison,
                source_id=source_id,
                parent_id=parent_id,
                author_name=f"Replier {i}",
                body=sentence(rng, 20),
                status=ModerationStatus.PUBLISHED,
                visitor_id=uuid.uuid4(),
                created=now,
            )
            for i, (parent_id, source_id) in enumerate(
                rng.choice(parents) for _ in range(opts["comments"] - top_level)
            )
        ),
        batch_size=BATCH,
    )

    per_visitor = 10
    visitors = max(1, opts["votes"] // per_visitor)
    vote_rows = (
        Vote(
            distinction_id=distinction_id,
            visitor_id=uuid.UUID(int=rng.getrandbits(128)),
            value=1 if rng.random() < 0.65 else -1,
        )
        for _ in range(visitors)
        for distinction_id in rng.sample(distinction_ids, min(per_visitor, len(distinction_ids)))
    )
    Vote.objects.bulk_create(vote_rows, batch_size=BATCH)

    counts = (
        Vote.objects.counted()
        .filter(distinction__comparison=comparison)
        .values("distinction_id")
        .annotate(up=Count("id", filter=Q(value=1)), down=Count("id", filter=Q(value=-1)))
    )
    rows = []
    for c in counts:
        rows.append(
            Distinction(
                id=c["distinction_id"],
                upvotes=c["up"],
                downvotes=c["down"],
                score=wilson_lower_bound(c["up"], c["down"]),
            )
        )
    Distinction.objects.bulk_update(rows, ["upvotes", "downvotes", "score"], batch_size=BATCH)
    page_cache.bump(comparison.pk)
    return (
        f"{comparison}: {Distinction.objects.filter(comparison=comparison).count()} "
        f"distinctions, {Comment.objects.filter(comparison=comparison).count()} comments, "
        f"{Vote.objects.filter(distinction__comparison=comparison).count()} votes"
    )
