"""Key differences: whether sources agree is counted by the claims they make, not their words."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from definitions.models import Claim, Dimension, Source, Stance
from tests.test_admin_sources import FormValues

pytestmark = pytest.mark.django_db


def row(client, comparison, dimension: str) -> str:
    """Return the text of one row of the key differences, tags and spacing removed (without the
    readers' placements, which have their own tests)."""
    html = client.get(comparison.get_absolute_url()).content.decode()
    cells = html.split(f'id="dimension-{dimension}"', 1)[1].split("</tr>", 1)[0]
    cells = re.sub(r'<div class="placement".*?</form>', "", cells, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", cells)).split())


def agreement(client, comparison, dimension: str) -> str:
    html = client.get(comparison.get_absolute_url()).content.decode()
    cells = html.split(f'id="dimension-{dimension}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(r'<span class="agreement agreement-(\w+)">(.*?)</span>\n', cells)
    assert found, cells
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())
    return f"{found.group(1)}: {text}"


def test_sources_that_word_the_same_claim_differently_agree(client, seeded):
    # Sources 1, 3 and 4 say "broadcast", source 5 says "one way": one claim.
    assert agreement(client, seeded, "direction") == (
        "agree: = All 4 sources that speak to this agree: social media is one-way broadcast; "
        "social networking is two-way exchange."
    )
    text = row(client, seeded, "direction")
    assert "Sources differ" not in text
    assert "Broadcasting to as many people as possible Source 4" in text
    assert "One way Source 5" in text


def test_sources_making_different_claims_are_said_to_differ_with_how_many_say_what(client, seeded):
    assert agreement(client, seeded, "nature") == (
        "differ: ≠ Sources differ: on social networking, 2 say it is a place where people "
        "gather and 1 says it is something people do. All 3 agree that social media is a "
        "channel or tool that carries content."
    )


def test_each_claim_heads_the_sources_making_it_the_most_made_first(client, seeded):
    text = row(client, seeded, "nature")
    networking = text.split("Social networking", 1)[1]
    assert re.search(
        r"^ A place where people gather Sites where .* Source 1 .* Source 5 .* "
        r"Something people do A verb: the interaction itself Source 2",
        networking,
    )


def test_a_point_two_sources_speak_to_says_both_agree(client, seeded):
    assert agreement(client, seeded, "purpose").startswith(
        "agree: = Both sources that speak to this agree: social media is for informing"
    )


def test_a_point_one_source_speaks_to_names_that_source(client, seeded):
    assert agreement(client, seeded, "privacy") == "single: Only Source 4 speaks to this."


def test_a_stance_not_yet_matched_to_a_claim_is_shown_but_counts_neither_way(client, seeded):
    sixth = Source.objects.create(
        comparison=seeded, slug="sixth", title="A sixth article", body="Text.", position=9
    )
    Stance.objects.create(
        source=sixth,
        dimension=Dimension.objects.get(comparison=seeded, slug="direction"),
        says_a="Talking at people",
        says_b="Talking with people",
    )
    assert agreement(client, seeded, "direction") == (
        "agree: = All 4 sources that speak to this agree: social media is one-way broadcast; "
        "social networking is two-way exchange. Source 6 is not yet compared."
    )
    assert "Not yet compared with the other sources Talking at people Source 6" in row(
        client, seeded, "direction"
    )


def test_a_claim_of_another_dimension_or_term_is_refused(seeded):
    stance = Stance.objects.get(source__slug="one-way-or-two-way", dimension__slug="direction")
    stance.claim_a = Claim.objects.get(dimension__slug="nature", term="a")
    stance.claim_b = Claim.objects.get(dimension__slug="direction", term="a")
    with pytest.raises(ValidationError) as refused:
        stance.full_clean()
    assert set(refused.value.message_dict) == {"claim_a", "claim_b"}


def test_loading_the_seed_again_keeps_one_claim_each_and_the_stances_on_them(seeded):
    before = {s.pk: (s.claim_a_id, s.claim_b_id) for s in Stance.objects.all()}
    claims = Claim.objects.count()
    call_command("loadsources", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Claim.objects.count() == claims == 19
    assert {s.pk: (s.claim_a_id, s.claim_b_id) for s in Stance.objects.all()} == before
    assert not Stance.objects.filter(claim_a=None) | Stance.objects.filter(claim_b=None)


def dimension_form(client, dimension: Dimension) -> tuple[str, dict[str, str]]:
    url = reverse("admin:definitions_dimension_change", args=[dimension.pk])
    parser = FormValues("dimension_form")
    parser.feed(client.get(url).content.decode())
    return url, parser.data


def stance_field(data: dict[str, str], stance: Stance, field: str) -> str:
    """Return the name of one stance's field in the dimension's change form."""
    (prefix,) = [
        k.removesuffix("-id") for k, v in data.items() if k.endswith("-id") and v == str(stance.pk)
    ]
    return f"{prefix}-{field}"


def test_matching_a_stance_to_another_claim_in_the_admin_changes_the_page(
    client, superuser_client, seeded
):
    assert agreement(client, seeded, "nature").startswith("differ:")  # now cached
    nature = Dimension.objects.get(comparison=seeded, slug="nature")
    verb = Stance.objects.get(dimension=nature, source__slug="verb-or-tool")
    place = Claim.objects.get(dimension=nature, term="b", slug="place")
    url, data = dimension_form(superuser_client, nature)
    data[stance_field(data, verb, "claim_b")] = str(place.pk)
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert agreement(client, seeded, "nature") == (
        "agree: = All 3 sources that speak to this agree: social media is a channel or tool "
        "that carries content; social networking is a place where people gather."
    )


def test_rewording_a_claim_in_the_admin_changes_the_page(client, superuser_client, seeded):
    assert "two-way exchange" in agreement(client, seeded, "direction")
    direction = Dimension.objects.get(comparison=seeded, slug="direction")
    url, data = dimension_form(superuser_client, direction)
    (label,) = [k for k, v in data.items() if k.endswith("-label") and v == "two-way exchange"]
    data[label] = "a conversation both ways"
    assert superuser_client.post(url, data).status_code == 302
    assert "social networking is a conversation both ways." in agreement(
        client, seeded, "direction"
    )
    assert "A conversation both ways" in row(client, seeded, "direction")


def test_the_source_admin_offers_only_claims_of_its_comparison_named_by_dimension(
    superuser_client, seeded
):
    source = Source.objects.get(slug="one-way-or-two-way")
    url = reverse("admin:definitions_source_change", args=[source.pk])
    html = superuser_client.get(url).content.decode()
    assert ">Direction of communication: one-way broadcast</option>" in html
    assert (
        ">What it is: a place where people gather</option>"
        not in html.split('name="stances-0-claim_a"', 1)[1].split("</select>", 1)[0]
    )


def test_page_queries_stay_the_same_as_stances_grow(client, seeded):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(seeded.get_absolute_url() + "?fresh=1")
        return len(queries)

    before = count()
    dimensions = list(Dimension.objects.filter(comparison=seeded))
    for n in range(3):
        source = Source.objects.create(
            comparison=seeded, slug=f"more-{n}", title=f"More {n}", body="Text.", position=10 + n
        )
        for dimension in dimensions:
            claims = {c.term: c for c in dimension.claims.all()}
            Stance.objects.create(
                source=source,
                dimension=dimension,
                says_a="a",
                says_b="b",
                claim_a=claims["a"],
                claim_b=claims["b"],
            )
    assert count() == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_labels_added_in_the_admin_into_claims_and_leaves_shipped_ones():
    before = [("definitions", "0003_moderation_permission")]
    executor = MigrationExecutor(connection)
    # Forward to the latest migrations afterwards, so later tests find every table.
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        comparison = old.get_model("definitions", "Comparison").objects.create(
            slug="blog-vs-vlog", term_a="Blog", term_b="Vlog"
        )
        dimension = old.get_model("definitions", "Dimension").objects.create(
            comparison=comparison, slug="direction", name="Direction"
        )
        OldSource = old.get_model("definitions", "Source")
        OldStance = old.get_model("definitions", "Stance")
        stances = {}
        for slug, seed_key, label_a in [
            ("added", None, "Broadcast"),
            ("also-added", None, "broadcast "),
            ("shipped", "000_x", "broadcast"),
        ]:
            source = OldSource.objects.create(
                comparison=comparison, slug=slug, title=slug, body="Text.", seed_key=seed_key
            )
            stances[slug] = OldStance.objects.create(
                source=source,
                dimension=dimension,
                says_a="a",
                says_b="b",
                position_a=label_a,
                position_b="",
            ).pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    added = Stance.objects.get(pk=stances["added"])
    assert added.claim_a is not None
    assert (added.claim_a.label, added.claim_a.term, added.claim_a.slug) == (
        "Broadcast",
        "a",
        "broadcast",
    )
    assert added.claim_b is None
    assert Stance.objects.get(pk=stances["also-added"]).claim_a == added.claim_a
    # loadsources, run by every deploy after migrate, matches shipped stances to curated claims.
    assert Stance.objects.get(pk=stances["shipped"]).claim_a is None
    assert Claim.objects.count() == 1


def test_a_claim_changed_outside_the_admin_is_on_the_page_at_once(client, seeded):
    assert "two-way exchange" in agreement(client, seeded, "direction")  # now cached
    claim = Claim.objects.get(dimension__slug="direction", term="b")
    claim.label = "a conversation both ways"
    claim.save()
    assert "social networking is a conversation both ways." in agreement(
        client, seeded, "direction"
    )
