"""Load the comparisons and sources shipped with the project, idempotently.

Curated data wins for the rows the project ships (texts, quotes, dimensions, the claims each
stance makes); counts, votes, moderation decisions and everything visitors created are never
touched.

A seed file's "claims" name, for each dimension and term, what sources can say ("one-way
broadcast"), and each stance names the claim it makes about each term: stances making the same
claim agree, however differently the sources word it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from definitions.models import (
    Claim,
    Comparison,
    Definition,
    Dimension,
    Distinction,
    Example,
    ExampleImplication,
    Source,
    Stance,
)

SEED_DIR = Path(__file__).resolve().parent / "seed"


@dataclass
class SeedResult:
    comparison: Comparison
    sources: list[tuple[Source, dict[str, Any]]] = field(default_factory=list)


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.json"))


def read_seed(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_comparison(data: dict[str, Any]) -> SeedResult:
    """Create or update one comparison with its dimensions, sources, definitions and stances."""
    c = data["comparison"]
    comparison, _ = Comparison.objects.update_or_create(
        slug=c["slug"], defaults={"term_a": c["term_a"], "term_b": c["term_b"], "lead": c["lead"]}
    )
    dimensions = {}
    for position, (slug, name, description) in enumerate(data["dimensions"]):
        dimensions[slug], _ = Dimension.objects.update_or_create(
            comparison=comparison,
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )
    claims: dict[tuple[str, str, str], Claim] = {}
    for slug, by_term in data.get("claims", {}).items():
        for term, listed in by_term.items():
            for position, (claim_slug, label) in enumerate(listed):
                claims[slug, term, claim_slug], _ = Claim.objects.update_or_create(
                    dimension=dimensions[slug],
                    term=term,
                    slug=claim_slug,
                    defaults={"label": label, "position": position},
                )
    result = SeedResult(comparison)
    for position, s in enumerate(data["sources"]):
        year, month, day = s["date"]
        source, _ = Source.objects.update_or_create(
            seed_key=s["seed_key"],
            defaults={
                "comparison": comparison,
                "slug": s["slug"],
                "title": s["title"],
                "site_name": s["site_name"],
                "author": s["author"],
                "published_year": year,
                "published_month": month,
                "published_day": day,
                "original_url": s["original_url"],
                "body": s["body"],
                "provenance": (
                    f"Text of the article as scraped from the web (seed file {s['seed_key']}), "
                    "shipped with smsn with its original reader comments."
                ),
                "position": position,
            },
        )
        for term, (quote, summary) in s["definitions"].items():
            start = source.body.find(quote)
            if start < 0:
                raise ValueError(f"{source.slug}: quote for term {term} is not in the body")
            Definition.objects.update_or_create(
                source=source,
                term=term,
                defaults={"quote": quote, "start": start, "summary": summary},
            )
        # A source that does not define both terms may draw no distinction between them.
        if (d := s.get("distinction")) is not None:
            Distinction.objects.update_or_create(
                source=source,
                defaults={
                    "comparison": comparison,
                    "axis_a": d["axis_a"],
                    "axis_b": d["axis_b"],
                    "text_a": d["text_a"],
                    "text_b": d["text_b"],
                    "author_name": source.site_name or source.title,
                },
            )
        for slug, says_a, says_b, claim_a, claim_b in s["stances"]:
            missing = {(slug, "a", claim_a), (slug, "b", claim_b)} - claims.keys()
            if missing:
                raise ValueError(f"{source.slug}: no such claims {sorted(missing)}")
            Stance.objects.update_or_create(
                source=source,
                dimension=dimensions[slug],
                defaults={
                    "says_a": says_a,
                    "says_b": says_b,
                    "claim_a": claims[slug, "a", claim_a],
                    "claim_b": claims[slug, "b", claim_b],
                },
            )
        result.sources.append((source, s))
    load_examples(comparison, data.get("examples", []))
    return result


def load_examples(comparison: Comparison, examples: list[dict[str, Any]]) -> None:
    """Create or update the examples the sources name, each with what each source implies.

    Every quote must be in its source's text; the answers readers gave are never touched.
    """
    sources = {source.slug: source for source in comparison.sources.all()}
    for position, e in enumerate(examples):
        example, _ = Example.objects.update_or_create(
            seed_key=f"{comparison.slug}/{e['slug']}"[:64],
            defaults={
                "comparison": comparison,
                "slug": e["slug"],
                "name": e["name"],
                "position": position,
            },
        )
        for i in e["implications"]:
            source = sources[i["source"]]
            start = source.body.find(i["quote"])
            if start < 0:
                raise ValueError(f"{e['slug']}: quote from {source.slug} is not in its body")
            ExampleImplication.objects.update_or_create(
                example=example,
                source=source,
                verdict=i["verdict"],
                defaults={"quote": i["quote"], "start": start},
            )
