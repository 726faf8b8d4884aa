"""The whole comparison as documented JSON at /compare/<slug>.json."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from definitions.models import Source, Stance
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db


def json_url(slug: str = "social-media-vs-social-networking") -> str:
    return reverse("definitions:comparison_json", kwargs={"slug": slug})


def fetch(client) -> dict:
    response = client.get(json_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_the_json_address_sits_next_to_the_comparison_page(seeded):
    assert json_url() == "/compare/social-media-vs-social-networking.json"


def test_the_json_names_the_comparison_and_its_two_terms(client, seeded):
    data = fetch(client)
    assert data["format"] == "smsn.comparison/1"
    assert data["slug"] == seeded.slug
    assert data["terms"] == {"a": "Social media", "b": "Social networking"}
    assert data["lead"] == seeded.lead
    assert data["url"] == "http://testserver/compare/social-media-vs-social-networking/"


def test_every_source_comes_with_attribution_and_both_definitions_in_place(client, seeded):
    data = fetch(client)
    assert [s["slug"] for s in data["sources"]] == list(
        Source.objects.values_list("slug", flat=True)
    )
    for entry in data["sources"]:
        source = Source.objects.get(slug=entry["slug"])
        assert entry["title"] == source.title
        assert entry["attribution"] == source.attribution
        assert entry["site_name"] == source.site_name
        assert entry["published"]["display"] == source.published_display
        assert entry["url"] == f"http://testserver{source.get_absolute_url()}"
        assert set(entry["definitions"]) == {"a", "b"}
        for term, definition in entry["definitions"].items():
            assert source.body[definition["start"] : definition["end"]] == definition["quote"]
            assert definition["url"].endswith(f"{source.get_absolute_url()}#definition-{term}")


def test_a_partial_date_stays_partial(client, seeded):
    entry = next(s for s in fetch(client)["sources"] if s["slug"] == "verb-or-tool")
    assert entry["published"] == {
        "year": 2010,
        "month": None,
        "day": 15,
        "display": "2010",
    }


def test_distinctions_come_with_their_axis_texts_votes_and_score(
    client, seeded, make_distinction, make_vote
):
    reader = make_distinction(axis_a="noun", axis_b="verb", author_name="Ada")
    make_vote(reader, 1)
    make_vote(reader, 1)
    make_vote(reader, -1)
    reader.refresh_from_db()
    data = fetch(client)
    by_id = {d["id"]: d for d in data["distinctions"]}
    entry = by_id[reader.pk]
    assert entry["kind"] == "reader"
    assert entry["source"] is None
    assert (entry["axis_a"], entry["axis_b"], entry["author_name"]) == ("noun", "verb", "Ada")
    assert (entry["text_a"], entry["text_b"]) == (reader.text_a, reader.text_b)
    assert (entry["upvotes"], entry["downvotes"]) == (2, 1)
    assert entry["score"] == pytest.approx(reader.score)
    assert entry["anchor"] == f"distinction-{reader.pk}"
    for source_entry in data["sources"]:
        axis = by_id[source_entry["distinction"]]
        assert axis["kind"] == "source"
        assert axis["source"] == source_entry["slug"]
        assert axis["axis_a"]
        assert axis["axis_b"]


def test_readers_distinctions_are_listed_in_ranked_order(client, seeded, make_distinction):
    low = make_distinction(score=0.1)
    high = make_distinction(score=0.6)
    readers = [d["id"] for d in fetch(client)["distinctions"] if d["kind"] == "reader"]
    assert readers == [high.pk, low.pk]


def test_only_published_distinctions_are_in_the_open_data(client, seeded, make_distinction):
    shown = make_distinction()
    for status in (ModerationStatus.PENDING, ModerationStatus.REMOVED, ModerationStatus.SPAM):
        make_distinction(status=status)
    ids = {d["id"] for d in fetch(client)["distinctions"] if d["kind"] == "reader"}
    assert ids == {shown.pk}


def test_nothing_about_visitors_is_in_the_open_data(client, seeded, make_distinction):
    visitor = uuid.uuid4()
    make_distinction(visitor_id=visitor, ip_hash="f" * 64)
    raw = client.get(json_url()).content.decode()
    assert str(visitor) not in raw
    assert "f" * 64 not in raw
    assert "visitor" not in raw
    assert "ip_hash" not in raw


def test_dimensions_come_with_every_sources_stance(client, seeded):
    data = fetch(client)
    assert sum(len(d["stances"]) for d in data["dimensions"]) == Stance.objects.count()
    nature = next(d for d in data["dimensions"] if d["slug"] == "nature")
    assert nature["sources_disagree"] is True
    first = nature["stances"][0]
    assert first == {
        "source": "channel-or-place",
        "says_a": "A medium: a channel that transmits information",
        "says_b": "Sites where people with shared characteristics gather",
        "position_a": "a channel or tool that carries content",
        "position_b": "a place where people gather",
    }
    assert nature["agreement"].startswith("Sources differ: on social networking, 2 say")
    # "broadcast" and "one way" are the same claim: the sources agree.
    direction = next(d for d in data["dimensions"] if d["slug"] == "direction")
    assert direction["sources_disagree"] is False
    assert {s["position_a"] for s in direction["stances"]} == {"one-way broadcast"}


def test_text_is_utf8_not_escaped(client, seeded):
    raw = client.get(json_url()).content.decode("utf-8")
    assert "It\u2019s called \u201csocial\u201d media for a reason" in raw


def test_other_sites_may_fetch_the_open_data(client, seeded):
    assert client.get(json_url())["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_or_unpublished_comparison_has_no_json(client, seeded):
    assert client.get(json_url("no-such-thing")).status_code == 404
    seeded.is_published = False
    seeded.save()
    assert client.get(json_url()).status_code == 404


def test_json_queries_stay_the_same_as_distinctions_grow(
    client, seeded, bulk_distinctions, django_assert_num_queries
):
    # comparison, sources with axes, definitions, dimensions, stances, readers' distinctions,
    # examples with their implications
    bulk_distinctions(10, votes=50)
    with django_assert_num_queries(8):
        client.get(json_url())
    bulk_distinctions(490, votes=2000, seed=9)
    with django_assert_num_queries(8):
        data = fetch(client)
    assert len([d for d in data["distinctions"] if d["kind"] == "reader"]) == 500


def test_the_readme_documents_the_open_data(seeded):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    assert "/compare/<slug>.json" in section
    for key in (
        "terms",
        "sources",
        "definitions",
        "dimensions",
        "stances",
        "distinctions",
        "examples",
        "implications",
    ):
        assert f"`{key}`" in section


def test_the_page_links_to_its_open_data(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert f'href="{json_url()}"' in html
