"""Remove everything from one visitor: their comments, their distinctions, and their votes."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from comments.models import Comment
from comments.moderation import VisitorFootprint
from definitions.models import Distinction, Vote
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

REMOVE = reverse("admin:comments_remove_visitor")


@pytest.fixture
def troll(make_comment, make_distinction, make_vote, seeded):
    """A visitor who left two comments, a distinction and two votes, one from another browser."""
    visitor, ip = uuid.uuid4(), "a" * 64
    bystander_distinction = make_distinction()
    rows = {
        "comments": [
            make_comment(visitor_id=visitor, ip_hash=ip),
            make_comment(visitor_id=visitor, ip_hash="b" * 64, status=ModerationStatus.PENDING),
        ],
        "distinction": make_distinction(visitor_id=visitor, ip_hash=ip),
        # Same network, other cookie: found by the IP hash.
        "votes": [
            make_vote(bystander_distinction, visitor_id=visitor, ip_hash=ip),
            make_vote(bystander_distinction, visitor_id=uuid.uuid4(), ip_hash=ip),
        ],
        "target": bystander_distinction,
        "visitor": visitor,
        "ip": ip,
    }
    make_vote(bystander_distinction, Vote.Value.DOWN)  # somebody else's, must keep counting
    return rows


@pytest.fixture
def bystander_comment(make_comment):
    return make_comment(body="An innocent remark")


def confirm_url(troll) -> str:
    return f"{REMOVE}?visitor={troll['visitor']}&ip={troll['ip']}"


def test_confirmation_page_says_how_many_rows_of_each_kind_it_will_touch(
    moderator_client, troll, bystander_comment
):
    response = moderator_client.get(confirm_url(troll))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>2</strong> comments will be removed" in html
    assert "<strong>1</strong> distinction will be removed" in html
    assert "<strong>2</strong> votes will be voided, and 1 distinction recounted" in html
    # Looking is not doing.
    assert Comment.objects.filter(status=ModerationStatus.REMOVED).count() == 0
    assert Vote.objects.filter(is_void=True).count() == 0


def test_confirming_removes_comments_and_distinctions_and_voids_votes(
    moderator_client, moderator, troll, bystander_comment
):
    response = moderator_client.post(
        REMOVE,
        {"visitor": [troll["visitor"]], "ip": [troll["ip"]], "reason": "Troll", "next": ""},
    )
    assert response.status_code == 302
    for comment in troll["comments"]:
        comment.refresh_from_db()
        assert comment.status == ModerationStatus.REMOVED
        assert comment.moderated_by == moderator
        assert comment.moderation_reason == "Troll"
    troll["distinction"].refresh_from_db()
    assert troll["distinction"].status == ModerationStatus.REMOVED
    for vote in troll["votes"]:
        vote.refresh_from_db()
        assert vote.is_void
    bystander_comment.refresh_from_db()
    assert bystander_comment.status == ModerationStatus.PUBLISHED
    # 2 comments + 1 distinction + 2 votes, one log entry each.
    assert LogEntry.objects.filter(user=moderator).count() == 5


def test_voided_votes_stop_counting_on_the_distinction_at_once(moderator_client, troll):
    target = troll["target"]
    assert (target.upvotes, target.downvotes) == (2, 1)
    moderator_client.post(REMOVE, {"visitor": [troll["visitor"]], "ip": [troll["ip"]]})
    target.refresh_from_db()
    assert (target.upvotes, target.downvotes) == (0, 1)
    assert target.score == 0.0
    assert target.votes.counted().count() == 1


def test_removed_rows_are_gone_from_the_public_pages_on_the_next_request(
    moderator_client, client, troll, seeded
):
    comment = troll["comments"][0]
    distinction = troll["distinction"]
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert f'id="{distinction.anchor}"' in page
    assert comment.body in page
    moderator_client.post(REMOVE, {"visitor": [troll["visitor"]], "ip": [troll["ip"]]})
    assert not Comment.objects.visible_to(troll["visitor"]).filter(pk=comment.pk).exists()
    assert not Distinction.objects.published().filter(pk=distinction.pk).exists()
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert f'id="{distinction.anchor}"' not in page
    assert comment.body not in page


def test_the_action_on_a_vote_leads_to_the_confirmation_for_its_visitor(moderator_client, troll):
    vote = troll["votes"][1]
    response = moderator_client.post(
        reverse("admin:definitions_vote_changelist"),
        {"action": "remove_everything_from_visitor", "_selected_action": [vote.pk], "index": "0"},
    )
    assert response.status_code == 302
    confirmation = moderator_client.get(response["Location"])
    html = confirmation.content.decode()
    # Found through the shared IP hash; the comment sent from another network is not.
    assert "<strong>1</strong> comment will be removed" in html
    assert "<strong>1</strong> distinction will be removed" in html
    assert "<strong>2</strong> votes will be voided" in html


def test_the_change_page_of_a_comment_links_to_removing_everything_from_its_visitor(
    moderator_client, troll
):
    comment = troll["comments"][0]
    html = moderator_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()
    assert "Remove everything from this visitor" in html
    assert f"visitor={troll['visitor']}" in html


def test_imported_comments_carry_no_visitor_so_the_action_changes_nothing(moderator_client, seeded):
    imported = Comment.objects.filter(is_imported=True).first()
    response = moderator_client.post(
        reverse("admin:comments_comment_changelist"),
        {
            "action": "remove_everything_from_visitor",
            "_selected_action": [imported.pk],
            "index": "0",
        },
    )
    assert response.status_code == 302
    assert "remove-visitor" not in response["Location"]
    assert not Comment.objects.filter(status=ModerationStatus.REMOVED).exists()


def test_empty_identities_never_match_everything():
    footprint = VisitorFootprint.of([(None, ""), (None, "")])
    assert not footprint
    assert list(footprint.comments()) == []
    assert list(footprint.votes()) == []


@pytest.mark.parametrize(
    "query",
    ["", "?visitor=not-a-uuid", "?ip=<script>", "?ip=" + "a" * 63],
)
def test_a_confirmation_without_valid_identities_is_refused_with_a_message(
    moderator_client, troll, query
):
    response = moderator_client.get(REMOVE + query)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_a_nul_byte_in_the_address_is_refused_before_anything_is_looked_up(moderator_client, troll):
    response = moderator_client.get(REMOVE + "?visitor=%00")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_posting_without_valid_identities_changes_nothing(moderator_client, troll):
    response = moderator_client.post(REMOVE, {"visitor": ["nope"], "ip": [troll["ip"]]})
    assert response.status_code == 400
    assert not Comment.objects.filter(status=ModerationStatus.REMOVED).exists()


def test_next_address_off_the_site_is_ignored(moderator_client, troll):
    response = moderator_client.post(
        REMOVE,
        {"visitor": [troll["visitor"]], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("admin:comments_comment_changelist")


def test_staff_without_the_group_cannot_remove_a_visitors_content(staff_client, troll):
    response = staff_client.post(REMOVE, {"visitor": [troll["visitor"]], "ip": [troll["ip"]]})
    assert response.status_code == 403
    assert not Comment.objects.filter(status=ModerationStatus.REMOVED).exists()


def test_too_many_visitors_at_once_are_refused(moderator_client, troll):
    visitors = "&".join(f"visitor={uuid.uuid4()}" for _ in range(101))
    response = moderator_client.get(f"{REMOVE}?{visitors}")
    assert response.status_code == 400
    assert "At most 100 visitors" in response.content.decode()
