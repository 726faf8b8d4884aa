"""Placements in the back office, the removal of a visitor's content, the open data and privacy."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comments.models import VisitorRemoval
from comments.moderation import VisitorFootprint, remove_visitor_content, undo_removal
from definitions.models import Dimension, Placement
from definitions.placements import place

pytestmark = pytest.mark.django_db

REMOVE = reverse("admin:comments_remove_visitor")
PLACEMENTS = reverse("admin:definitions_placement_changelist")


def point(slug: str = "audience") -> Dimension:
    return Dimension.objects.get(slug=slug)


def counts(dimension: Dimension) -> tuple[int, int, int]:
    dimension.refresh_from_db()
    return (dimension.placed_a, dimension.placed_both, dimension.placed_b)


@pytest.fixture
def placer(seeded):
    """A visitor who placed two points, a neighbour on the same network, and a bystander."""
    visitor, ip = uuid.uuid4(), "a" * 64
    place(dimension=point(), visitor=visitor, value="a", ip_hash=ip)
    place(dimension=point("privacy"), visitor=visitor, value="both", ip_hash=ip)
    place(dimension=point(), visitor=uuid.uuid4(), value="a", ip_hash=ip)  # same network
    place(dimension=point(), visitor=uuid.uuid4(), value="b", ip_hash="c" * 64)  # bystander
    return {"visitor": visitor, "ip": ip}


# "Remove everything from this visitor" voids their placements too, and its undo restores them.


def test_the_removal_confirmation_says_how_many_placements_each_choice_voids(
    moderator_client, placer
):
    html = moderator_client.get(f"{REMOVE}?visitor={placer['visitor']}&ip={placer['ip']}")
    html = html.content.decode()
    visitor = html[html.index('id="scope-visitor"') :].split('class="form-row', 1)[0]
    network = html[html.index('id="scope-network"') :].split('class="form-row', 1)[0]
    assert "<strong>2</strong> placements will be voided, and 2 points recounted" in visitor
    assert "<strong>3</strong> placements will be voided, and 2 points recounted" in network


def test_removing_a_visitor_voids_their_placements_and_recounts_the_points(
    moderator_client, moderator, placer
):
    assert counts(point()) == (2, 0, 1)
    response = moderator_client.post(
        REMOVE,
        {"visitor": [placer["visitor"]], "ip": [placer["ip"]], "scope": "visitor", "reason": "x"},
        follow=True,
    )
    # With answers to examples (issue 18) the message names them too, between placements and the
    # recount.
    assert (
        "voided 0 votes, 2 placements and 0 example answers, and recounted 0 distinctions and "
        "2 points"
    ) in response.content.decode()
    assert counts(point()) == (1, 0, 1)
    assert counts(point("privacy")) == (0, 0, 0)
    assert Placement.objects.filter(is_void=True).count() == 2
    removal = VisitorRemoval.objects.get()
    assert removal.placements == 2
    assert LogEntry.objects.filter(change_message__startswith="Voided with everything").count() == 2


def test_a_removed_visitors_placement_stops_counting_on_the_public_page(client, moderator, placer):
    remove_visitor_content(footprint=VisitorFootprint.of([(placer["visitor"], "")]), user=moderator)
    html = client.get(point().comparison.get_absolute_url()).content.decode()
    block = html.split(f'id="placement-{point().pk}"', 1)[1].split("</form>", 1)[0]
    assert "(2 readers;" in block
    assert "1 Social media" in block


def test_undoing_the_removal_counts_the_placements_again(moderator_client, moderator, placer):
    footprint = VisitorFootprint.of([(placer["visitor"], "")])
    removal = remove_visitor_content(footprint=footprint, user=moderator).record
    undo = reverse("admin:comments_visitorremoval_undo", args=[removal.pk])
    page = moderator_client.get(undo).content.decode()
    assert "<strong>2</strong> placements counted again, and 2 points recounted" in page
    response = moderator_client.post(undo, {"reason": "Wrong person"}, follow=True)
    assert (
        "2 placements and 0 example answers counted again and 0 distinctions and 2 points recounted"
    ) in response.content.decode()
    assert counts(point()) == (2, 0, 1)
    assert counts(point("privacy")) == (0, 1, 0)
    assert not Placement.objects.filter(is_void=True).exists()


def test_undo_leaves_a_placement_a_moderator_restored_since_alone(moderator, placer):
    footprint = VisitorFootprint.of([(placer["visitor"], "")])
    removal = remove_visitor_content(footprint=footprint, user=moderator).record
    Placement.objects.filter(dimension=point("privacy")).update(is_void=False)
    put_back = undo_removal(removal=removal, user=moderator)
    assert (put_back.placements, put_back.recounted_points) == (1, 1)


# The placement admin: a list, void and restore, and the visitor removal.


def test_moderators_see_the_placements_with_their_visitor_and_network(moderator_client, placer):
    response = moderator_client.get(PLACEMENTS)
    assert response.status_code == 200
    html = response.content.decode()
    assert str(placer["visitor"])[:8] in html
    assert "aaaaaaaa" in html
    assert "Void selected placements" in html
    assert "Restore selected placements" in html
    assert "Remove everything from the visitors of these placements" in html


def test_voiding_placements_in_bulk_stops_them_counting_and_restoring_counts_them_again(
    moderator_client, moderator, placer
):
    audience = point()
    ids = [
        str(pk)
        for pk in Placement.objects.filter(dimension=audience, value="a").values_list(
            "pk", flat=True
        )
    ]
    response = moderator_client.post(
        PLACEMENTS,
        {"action": "void", "_selected_action": ids, "reason": "Stuffing"},
        follow=True,
    )
    assert "Voided 2 placements." in response.content.decode()
    assert counts(audience) == (0, 0, 1)
    assert (
        LogEntry.objects.filter(user=moderator, change_message="Voided. Reason: Stuffing").count()
        == 2
    )
    response = moderator_client.post(
        PLACEMENTS, {"action": "restore", "_selected_action": ids}, follow=True
    )
    assert "Restored 2 placements." in response.content.decode()
    assert counts(audience) == (2, 0, 1)


def test_staff_without_the_moderation_permission_cannot_void_placements(staff_client, placer):
    ids = [str(pk) for pk in Placement.objects.values_list("pk", flat=True)]
    staff_client.post(PLACEMENTS, {"action": "void", "_selected_action": ids})
    assert not Placement.objects.filter(is_void=True).exists()


def test_remove_everything_from_the_visitor_of_a_placement_leads_to_the_confirmation(
    moderator_client, placer
):
    mine = Placement.objects.filter(visitor_id=placer["visitor"]).first()
    response = moderator_client.post(
        PLACEMENTS,
        {"action": "remove_everything_from_visitor", "_selected_action": [mine.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(REMOVE)
    assert str(placer["visitor"]) in response["Location"]


def test_the_point_admin_shows_the_placement_counts_with_a_link_to_the_rows(
    superuser_client, placer
):
    html = superuser_client.get(reverse("admin:definitions_dimension_changelist")).content.decode()
    assert f"?dimension__id__exact={point().pk}" in html
    assert "3 counted (2 A, 0 both, 1 B)" in html


def test_a_superuser_deleting_placements_recounts_their_points(superuser_client, placer):
    ids = [str(pk) for pk in Placement.objects.filter(value="a").values_list("pk", flat=True)]
    superuser_client.post(
        PLACEMENTS, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert counts(point()) == (0, 0, 1)


# The open data and the privacy promise.


def test_the_open_data_gives_each_points_placement_counts_and_nothing_about_placers(client, placer):
    raw = client.get(
        reverse("definitions:comparison_json", kwargs={"slug": point().comparison.slug})
    ).content.decode()
    audience = next(d for d in json.loads(raw)["dimensions"] if d["slug"] == "audience")
    assert audience["readers"] == {
        "a": 2,
        "both": 0,
        "b": 1,
        "total": 3,
        "verdict": "agree",
        "sentence": "Most readers (67% of 3 readers) say it belongs to social media.",
    }
    assert str(placer["visitor"]) not in raw
    assert placer["ip"] not in raw


def test_the_privacy_page_lists_placements_among_what_is_kept(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "<strong>Where you placed each point of a comparison</strong>" in html
    assert "Your votes, placements, answers and reports still count after that" in html


def test_purge_unlinks_old_placements_but_keeps_them_counted(placer, settings):
    old = Placement.objects.filter(visitor_id=placer["visitor"])
    Placement.objects.filter(pk__in=old).update(updated=timezone.now() - timedelta(days=400))
    call_command("purgevisitordata", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Placement.objects.filter(visitor_id=placer["visitor"]).exists()
    assert Placement.objects.filter(ip_hash="").count() == 2
    assert counts(point()) == (2, 0, 1)
