"""Remove everything from one visitor: their comments, their distinctions, and their votes.

By default only the visitor id counts; everyone on the same network is an explicit wider choice.
Every removal is recorded and can be undone.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from comments.models import Comment, RemovalScope, VisitorRemoval
from comments.moderation import VisitorFootprint, remove_visitor_content, undo_removal
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


def choice(html: str, scope: str) -> str:
    """Return the part of the confirmation page about one choice of scope."""
    return html[html.index(f'id="scope-{scope}"') :].split('class="form-row', 1)[0]


def test_confirmation_page_says_how_many_rows_each_choice_will_touch(
    moderator_client, troll, bystander_comment
):
    response = moderator_client.get(confirm_url(troll))
    assert response.status_code == 200
    html = response.content.decode()
    visitor = choice(html, "visitor")
    assert "<strong>2</strong> comments will be removed" in visitor
    assert "<strong>1</strong> distinction will be removed" in visitor
    assert "<strong>1</strong> vote will be voided, and 1 distinction recounted" in visitor
    # The network reaches the other cookie's vote too.
    network = choice(html, "network")
    assert "<strong>2</strong> comments will be removed" in network
    assert "<strong>2</strong> votes will be voided, and 1 distinction recounted" in network
    # The narrow choice is the one ticked.
    assert 'name="scope" value="visitor" checked' in html
    assert 'name="scope" value="network" checked' not in html
    # Looking is not doing.
    assert Comment.objects.filter(status=ModerationStatus.REMOVED).count() == 0
    assert Vote.objects.filter(is_void=True).count() == 0


def test_confirming_the_network_removes_comments_and_distinctions_and_voids_votes(
    moderator_client, moderator, troll, bystander_comment
):
    response = moderator_client.post(
        REMOVE,
        {
            "visitor": [troll["visitor"]],
            "ip": [troll["ip"]],
            "scope": "network",
            "reason": "Troll",
            "next": "",
        },
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
    removal = VisitorRemoval.objects.get()
    assert (removal.scope, removal.moderator, removal.reason) == ("network", moderator, "Troll")
    assert (removal.comments, removal.distinctions, removal.votes) == (2, 1, 2)


def test_voided_votes_stop_counting_on_the_distinction_at_once(moderator_client, troll):
    target = troll["target"]
    assert (target.upvotes, target.downvotes) == (2, 1)
    moderator_client.post(
        REMOVE, {"visitor": [troll["visitor"]], "ip": [troll["ip"]], "scope": "network"}
    )
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
    # Its own visitor id left nothing but this vote.
    visitor = choice(html, "visitor")
    assert "<strong>0</strong> comments will be removed" in visitor
    assert "<strong>1</strong> vote will be voided" in visitor
    # Found through the shared IP hash; the comment sent from another network is not.
    network = choice(html, "network")
    assert "<strong>1</strong> comment will be removed" in network
    assert "<strong>1</strong> distinction will be removed" in network
    assert "<strong>2</strong> votes will be voided" in network


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


# Scope (issue 16): the visitor id by default, the network only when asked for.


@pytest.fixture
def neighbours(make_comment, make_distinction, make_vote, seeded):
    """Two visitors on one network (one office), each with a comment, a distinction, a vote."""
    network = "c" * 64
    target = make_distinction()
    people = {}
    for name in ("troll", "colleague"):
        visitor = uuid.uuid4()
        people[name] = {
            "visitor": visitor,
            "comment": make_comment(visitor_id=visitor, ip_hash=network, body=f"{name} says"),
            "distinction": make_distinction(visitor_id=visitor, ip_hash=network),
            "vote": make_vote(target, visitor_id=visitor, ip_hash=network),
        }
    return {"network": network, "target": target, **people}


def statuses(person: dict) -> tuple[str, str, bool]:
    for row in ("comment", "distinction", "vote"):
        person[row].refresh_from_db()
    return person["comment"].status, person["distinction"].status, person["vote"].is_void


def test_removal_by_default_touches_only_the_chosen_visitor_not_their_network(
    moderator_client, neighbours
):
    troll, colleague = neighbours["troll"], neighbours["colleague"]
    response = moderator_client.post(
        REMOVE, {"visitor": [troll["visitor"]], "ip": [neighbours["network"]]}
    )
    assert response.status_code == 302
    assert statuses(troll) == ("removed", "removed", True)
    assert statuses(colleague) == ("published", "published", False)
    neighbours["target"].refresh_from_db()
    assert neighbours["target"].upvotes == 1
    assert VisitorRemoval.objects.get().scope == RemovalScope.VISITOR


def test_the_wider_choice_removes_everyone_on_the_network(moderator_client, neighbours):
    troll, colleague = neighbours["troll"], neighbours["colleague"]
    moderator_client.post(
        REMOVE,
        {"visitor": [troll["visitor"]], "ip": [neighbours["network"]], "scope": "network"},
    )
    assert statuses(troll) == ("removed", "removed", True)
    assert statuses(colleague) == ("removed", "removed", True)
    neighbours["target"].refresh_from_db()
    assert neighbours["target"].upvotes == 0


def test_confirmation_shows_the_network_choice_with_its_own_counts_and_whose_rows_it_adds(
    moderator_client, neighbours
):
    troll = neighbours["troll"]
    html = moderator_client.get(
        f"{REMOVE}?visitor={troll['visitor']}&ip={neighbours['network']}"
    ).content.decode()
    visitor, network = choice(html, "visitor"), choice(html, "network")
    assert "<strong>1</strong> comment will be removed" in visitor
    assert "<strong>1</strong> vote will be voided" in visitor
    assert "colleague says" not in visitor
    assert "<strong>2</strong> comments will be removed" in network
    assert "<strong>2</strong> distinctions will be removed" in network
    assert "<strong>2</strong> votes will be voided" in network
    assert "colleague says" in network


def test_without_an_ip_hash_there_is_no_wider_choice(moderator_client, neighbours):
    html = moderator_client.get(
        f"{REMOVE}?visitor={neighbours['troll']['visitor']}"
    ).content.decode()
    assert 'id="scope-visitor"' in html
    assert 'id="scope-network"' not in html


def test_a_removal_that_finds_nothing_records_nothing_and_says_so(moderator_client, neighbours):
    response = moderator_client.post(REMOVE, {"ip": [neighbours["network"]]})
    assert response.status_code == 302
    assert not VisitorRemoval.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Nothing changed" in messages[0]
    assert statuses(neighbours["colleague"]) == ("published", "published", False)


# Undo (issue 16): everything a removal did can be put back.


def test_the_success_message_offers_to_undo_the_removal(moderator_client, neighbours):
    response = moderator_client.post(
        REMOVE, {"visitor": [neighbours["troll"]["visitor"]]}, follow=True
    )
    removal = VisitorRemoval.objects.get()
    undo = reverse("admin:comments_visitorremoval_undo", args=[removal.pk])
    assert f'<a href="{undo}">Undo this removal</a>' in response.content.decode()


def test_undo_restores_statuses_decisions_and_vote_counts(
    moderator_client, moderator, make_comment, make_distinction, make_vote, seeded
):
    visitor, network = uuid.uuid4(), "d" * 64
    target = make_distinction()
    published = make_comment(visitor_id=visitor, ip_hash=network)
    held = make_comment(visitor_id=visitor, ip_hash=network, status=ModerationStatus.PENDING)
    distinction = make_distinction(visitor_id=visitor, ip_hash=network)
    vote = make_vote(target, visitor_id=visitor, ip_hash=network)
    make_vote(target, visitor_id=uuid.uuid4(), ip_hash=network)
    # An earlier decision on the held comment, which the undo must bring back as it was.
    Comment.objects.filter(pk=held.pk).update(
        moderated_by=moderator, moderation_reason="Link check"
    )
    held.refresh_from_db()
    before = (held.moderated_at, held.moderation_reason)
    moderator_client.post(REMOVE, {"visitor": [visitor], "ip": [network], "scope": "network"})
    target.refresh_from_db()
    assert (target.upvotes, target.downvotes) == (0, 0)

    removal = VisitorRemoval.objects.get()
    undo = reverse("admin:comments_visitorremoval_undo", args=[removal.pk])
    page = moderator_client.get(undo).content.decode()
    assert "<strong>2</strong> comments back to their status before the removal" in page
    assert "<strong>2</strong> votes counted again, and 1 distinction recounted" in page
    response = moderator_client.post(undo, {"reason": "Wrong person"})
    assert response.status_code == 302

    for row in (published, held, distinction, vote):
        row.refresh_from_db()
    assert published.status == ModerationStatus.PUBLISHED
    assert published.moderated_by is None
    assert held.status == ModerationStatus.PENDING
    assert (held.moderated_by, held.moderated_at, held.moderation_reason) == (moderator, *before)
    assert distinction.status == ModerationStatus.PUBLISHED
    assert not vote.is_void
    target.refresh_from_db()
    assert (target.upvotes, target.downvotes) == (2, 0)
    assert Vote.objects.filter(is_void=True).count() == 0
    removal.refresh_from_db()
    assert removal.is_undone
    assert removal.undone_by == moderator
    assert (
        LogEntry.objects.filter(
            change_message=f"Put back by undoing removal {removal.pk}. Reason: Wrong person"
        ).count()
        == 3
    )


def test_undo_leaves_rows_a_moderator_decided_on_since_as_decided(moderator, neighbours):
    troll = neighbours["troll"]
    footprint = VisitorFootprint.of([(troll["visitor"], "")])
    removal = remove_visitor_content(footprint=footprint, user=moderator).record
    Comment.objects.filter(pk=troll["comment"].pk).update(status=ModerationStatus.SPAM)
    put_back = undo_removal(removal=removal, user=moderator)
    assert (put_back.comments, put_back.distinctions, put_back.votes) == (0, 1, 1)
    assert statuses(troll) == ("spam", "published", False)


def test_a_removal_is_undone_once(moderator_client, moderator, neighbours):
    footprint = VisitorFootprint.of([(neighbours["troll"]["visitor"], "")])
    removal = remove_visitor_content(footprint=footprint, user=moderator).record
    undo = reverse("admin:comments_visitorremoval_undo", args=[removal.pk])
    moderator_client.post(undo)
    # Removed again by hand after the undo: a second undo must not bring it back.
    Comment.objects.filter(pk=neighbours["troll"]["comment"].pk).update(
        status=ModerationStatus.REMOVED
    )
    response = moderator_client.post(undo)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "undone already" in messages[-1]
    assert statuses(neighbours["troll"])[0] == "removed"
    assert "This removal was undone by moira" in moderator_client.get(undo).content.decode()


def test_the_removals_list_shows_each_removal_with_its_undo(moderator_client, neighbours):
    moderator_client.post(REMOVE, {"visitor": [neighbours["troll"]["visitor"]], "reason": "Spam"})
    removal = VisitorRemoval.objects.get()
    html = moderator_client.get(
        reverse("admin:comments_visitorremoval_changelist")
    ).content.decode()
    assert "This visitor only" in html
    assert "Spam" in html
    assert reverse("admin:comments_visitorremoval_undo", args=[removal.pk]) in html


def test_staff_without_the_group_cannot_undo_a_removal(staff_client, moderator, neighbours):
    footprint = VisitorFootprint.of([(neighbours["troll"]["visitor"], "")])
    removal = remove_visitor_content(footprint=footprint, user=moderator).record
    undo = reverse("admin:comments_visitorremoval_undo", args=[removal.pk])
    assert staff_client.post(undo).status_code == 403
    assert statuses(neighbours["troll"]) == ("removed", "removed", True)
