"""Readers' distinctions on a par with comments: a page of their own, reports, the author's
edit and delete within the comments' window (issue 16, item 6)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from definitions.models import Distinction, DistinctionReport
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, distinction: Distinction) -> str:
    return reverse(f"definitions:{name}", kwargs={"pk": distinction.pk})


def add_url(comparison) -> str:
    return reverse("definitions:add_distinction", kwargs={"slug": comparison.slug})


def age(distinction: Distinction, minutes: int) -> None:
    Distinction.objects.filter(pk=distinction.pk).update(
        created=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def own(visitor_client, seeded, distinction_form) -> Distinction:
    """A distinction `visitor_client` added a moment ago."""
    visitor_client.post(add_url(seeded), distinction_form())
    return Distinction.objects.from_readers().get()


# The page of its own ----------------------------------------------------------------------------


def test_a_readers_distinction_has_its_own_page_with_its_text_votes_author_and_date(
    client, make_distinction, make_vote
):
    distinction = make_distinction(
        axis_a="Stage", axis_b="Street", text_a="One voice to many.", author_name="Grace"
    )
    make_vote(distinction)
    response = client.get(distinction.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert distinction.get_absolute_url() == f"/distinctions/{distinction.pk}/"
    assert "<h1>A reader's distinction</h1>" in html
    assert "One voice to many." in html
    assert "By Grace," in html
    assert f'<time datetime="{distinction.created:%Y-%m-%d}' in html
    assert f'action="{url("vote", distinction)}"' in html
    assert 'Yes <span class="vote-count">1</span>' in html
    assert f'href="{url("report_distinction", distinction)}"' in html


def test_the_comparison_page_links_each_readers_distinction_to_its_page(
    client, seeded, make_distinction
):
    distinction = make_distinction()
    html = client.get(seeded.get_absolute_url()).content.decode()
    item = html[html.index(f'id="{distinction.anchor}"') :].split("</li>", 1)[0]
    assert f'href="/distinctions/{distinction.pk}/"' in item


def test_the_page_links_back_to_the_distinction_in_the_list(client, seeded, make_distinction):
    distinction = make_distinction()
    html = client.get(distinction.get_absolute_url()).content.decode()
    assert f'href="{seeded.get_absolute_url()}#{distinction.anchor}"' in html


def test_a_sources_distinction_keeps_its_place_in_the_sources_table(client, seeded):
    source_distinction = Distinction.objects.from_sources().first()
    assert source_distinction.get_absolute_url() == (
        f"{seeded.get_absolute_url()}#{source_distinction.anchor}"
    )
    assert client.get(f"/distinctions/{source_distinction.pk}/").status_code == 404


@pytest.mark.parametrize(
    "status", [ModerationStatus.PENDING, ModerationStatus.REMOVED, ModerationStatus.SPAM]
)
def test_a_held_or_removed_distinction_is_not_found_by_strangers(client, make_distinction, status):
    distinction = make_distinction(status=status)
    assert client.get(distinction.get_absolute_url()).status_code == 404


def test_its_author_sees_their_pending_distinction_on_its_page(returning_visitor, make_distinction):
    client, visitor_id = returning_visitor()
    distinction = make_distinction(status=ModerationStatus.PENDING, visitor_id=visitor_id)
    html = client.get(distinction.get_absolute_url()).content.decode()
    assert "Waiting for a moderator." in html


def test_a_moderator_sees_a_removed_distinction_marked_held_and_never_cached(
    moderator_client, make_distinction
):
    distinction = make_distinction(status=ModerationStatus.REMOVED, moderation_reason="rude")
    DistinctionReport.objects.create(
        distinction=distinction, visitor_id=uuid.uuid4(), reason="insults people"
    )
    response = moderator_client.get(distinction.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Held: only moderators see this (removed: rude)" in html
    assert "insults people" in html
    assert reverse("admin:definitions_distinction_change", args=[distinction.pk]) in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# Editing and deleting one's own ---------------------------------------------------------------


def test_its_author_sees_edit_and_delete_on_the_comparison_page_and_others_do_not(
    visitor_client, seeded, own
):
    mine = visitor_client.get(seeded.get_absolute_url()).content.decode()
    assert f'href="{url("edit_distinction", own)}"' in mine
    assert f'href="{url("delete_distinction", own)}"' in mine
    theirs = Client().get(seeded.get_absolute_url()).content.decode()
    assert url("edit_distinction", own) not in theirs
    assert url("delete_distinction", own) not in theirs


def test_its_author_edits_it_without_javascript_and_it_then_says_edited(
    visitor_client, seeded, own
):
    response = visitor_client.post(
        url("edit_distinction", own),
        {
            "text_a": "A stage for one voice.",
            "text_b": "A street where all talk.",
            "axis_a": "",
            "axis_b": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == own.get_absolute_url()
    page = visitor_client.get(response["Location"]).content.decode()
    assert "Saved." in page
    html = Client().get(seeded.get_absolute_url()).content.decode()
    assert "A stage for one voice." in html
    assert "(edited)" in html
    own.refresh_from_db()
    assert (own.axis_a, own.axis_b, own.author_name) == ("", "", "Ada")


def test_an_edit_with_errors_comes_back_with_the_text_kept_and_the_error_beside_it(
    visitor_client, own
):
    response = visitor_client.post(
        url("edit_distinction", own),
        {"text_a": "Too short", "text_b": "A street where all talk.", "axis_a": "x", "axis_b": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your change was not saved yet" in html
    assert "Give a word for both terms, or leave both empty." in html
    assert "A street where all talk." in html
    own.refresh_from_db()
    assert own.text_b != "A street where all talk."


def test_an_edit_with_htmx_answers_the_distinction_in_place(visitor_client, own):
    form = visitor_client.get(url("edit_distinction", own), **HTMX).content.decode()
    assert form.lstrip().startswith(f'<li class="distinction is-editing" id="{own.anchor}"')
    assert "Edit your distinction" in form
    response = visitor_client.post(
        url("edit_distinction", own),
        {
            "text_a": "A stage for one voice.",
            "text_b": "A street where all talk.",
            "axis_a": "",
            "axis_b": "",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="{own.anchor}"' in html
    assert "A stage for one voice." in html
    assert 'role="status" tabindex="-1" autofocus>Saved.</p>' in html
    assert "<html" not in html


def test_an_edit_that_looks_like_spam_waits_for_a_moderator(visitor_client, own):
    visitor_client.post(
        url("edit_distinction", own),
        {
            "text_a": "Buy now at http://spam.example http://spam.example http://x.example",
            "text_b": "A street where all talk.",
            "axis_a": "",
            "axis_b": "",
        },
    )
    own.refresh_from_db()
    assert own.status == ModerationStatus.PENDING
    assert own.moderation_reason.startswith("edited: ")


def test_its_author_deletes_it_without_javascript_and_it_leaves_the_page(
    visitor_client, seeded, own
):
    confirm = visitor_client.get(url("delete_distinction", own)).content.decode()
    assert "Delete your distinction?" in confirm
    response = visitor_client.post(url("delete_distinction", own))
    assert response.status_code == 302
    assert response["Location"] == f"{seeded.get_absolute_url()}#readers"
    page = visitor_client.get(response["Location"]).content.decode()
    assert "Your distinction is deleted." in page
    assert f'id="{own.anchor}"' not in page
    own.refresh_from_db()
    assert own.status == ModerationStatus.REMOVED
    assert own.moderation_reason == "deleted by its author"
    assert Client().get(own.get_absolute_url()).status_code == 404


def test_a_delete_with_htmx_says_so_in_place_and_the_count_follows(visitor_client, seeded, own):
    html = visitor_client.post(
        url("delete_distinction", own),
        **HTMX,
        HTTP_HX_CURRENT_URL=f"http://testserver{seeded.get_absolute_url()}",
    ).content.decode()
    assert "Your distinction is deleted." in html
    assert 'id="readers-count" data-hx-swap-oob="true" hidden>0 distinctions.' in html


@pytest.mark.parametrize("name", ["edit_distinction", "delete_distinction"])
def test_after_the_window_a_change_is_refused_on_the_sites_page_and_nothing_changes(
    visitor_client, own, name, settings
):
    settings.SMSN_COMMENT_EDIT_MINUTES = 5
    age(own, 6)
    response = visitor_client.post(
        url(name, own),
        {"text_a": "A stage for one voice.", "text_b": "A street where all talk."},
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>This distinction cannot be changed · smsn</title>" in html
    assert "only for 5 minutes after adding it." in html
    assert f'href="{own.get_absolute_url()}"' in html
    own.refresh_from_db()
    assert own.status == ModerationStatus.PUBLISHED
    assert own.text_a.startswith("Social media is a loudspeaker")


def test_after_the_window_htmx_gets_the_refusal_sentence_alone(visitor_client, own):
    age(own, 16)
    response = visitor_client.post(url("delete_distinction", own), **HTMX)
    assert response.status_code == 403
    assert response.content.decode().startswith('<p class="refusal" role="alert" data-refusal>')


def test_within_the_window_edit_and_delete_are_still_offered_and_not_after(
    visitor_client, seeded, own
):
    age(own, 14)
    assert (
        url("edit_distinction", own)
        in visitor_client.get(seeded.get_absolute_url()).content.decode()
    )
    age(own, 16)
    html = visitor_client.get(seeded.get_absolute_url()).content.decode()
    assert url("edit_distinction", own) not in html
    assert url("delete_distinction", own) not in html


def test_somebody_else_cannot_change_a_distinction(own, returning_visitor):
    stranger, _ = returning_visitor()
    assert stranger.post(url("delete_distinction", own)).status_code == 403
    own.refresh_from_db()
    assert own.status == ModerationStatus.PUBLISHED


# Reports ----------------------------------------------------------------------------------------


def test_a_visitor_reports_a_distinction_without_javascript(client, make_distinction):
    distinction = make_distinction()
    form = client.get(url("report_distinction", distinction)).content.decode()
    assert "Report this distinction to the moderators" in form
    response = client.post(url("report_distinction", distinction), {"reason": "off-topic"})
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Thank you. A moderator will look at this distinction." in done
    [report] = distinction.reports.all()
    assert report.reason == "off-topic"


def test_a_report_with_htmx_says_thank_you_in_place_and_the_link_says_reported(
    client, seeded, make_distinction
):
    distinction = make_distinction()
    html = client.post(
        url("report_distinction", distinction), {"reason": ""}, **HTMX
    ).content.decode()
    assert "Thank you. A moderator will look at this distinction." in html
    assert "Reported" in html
    page = client.get(seeded.get_absolute_url()).content.decode()
    item = page[page.index(f'id="{distinction.anchor}"') :].split("</li>", 1)[0]
    assert '<span class="distinction-reported">Reported</span>' in item


def test_one_report_per_visitor_and_the_threshold_holds_the_distinction(
    make_distinction, returning_visitor, settings
):
    settings.SMSN_COMMENT_REPORT_THRESHOLD = 2
    distinction = make_distinction()
    first, _ = returning_visitor()
    first.post(url("report_distinction", distinction), {"reason": "spam"})
    first.post(url("report_distinction", distinction), {"reason": "spam again"})
    distinction.refresh_from_db()
    assert distinction.reports.count() == 1
    assert distinction.status == ModerationStatus.PUBLISHED
    second, _ = returning_visitor()
    second.post(url("report_distinction", distinction), {"reason": "rude"})
    distinction.refresh_from_db()
    assert distinction.status == ModerationStatus.PENDING
    assert distinction.moderation_reason == "reported by 2 visitors"
    assert Client().get(distinction.get_absolute_url()).status_code == 404


def test_reports_over_the_rate_limit_are_refused_saying_when_to_try_again(
    make_distinction, returning_visitor, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "report": [(1, 60)]}
    client, _ = returning_visitor()
    first, second = make_distinction(), make_distinction()
    client.post(url("report_distinction", first), {"reason": ""})
    response = client.post(url("report_distinction", second), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 429
    assert "You are sending reports faster than we allow, so this one was not sent." in html
    assert int(response["Retry-After"]) > 0
    assert not second.reports.exists()
    htmx = client.post(url("report_distinction", second), {"reason": ""}, **HTMX)
    assert htmx.status_code == 429
    assert "data-refusal>You are sending reports faster" in htmx.content.decode()


def test_the_author_is_not_offered_to_report_their_own_distinction(visitor_client, own):
    html = visitor_client.get(own.get_absolute_url()).content.decode()
    assert url("report_distinction", own) not in html


def test_the_moderator_sees_report_reasons_on_the_distinctions_admin_page(
    moderator_client, make_distinction
):
    distinction = make_distinction()
    DistinctionReport.objects.create(
        distinction=distinction, visitor_id=uuid.uuid4(), reason="copied from elsewhere"
    )
    html = moderator_client.get(
        reverse("admin:definitions_distinction_change", args=[distinction.pk])
    ).content.decode()
    assert "copied from elsewhere" in html


def test_the_page_shows_in_the_open_data_with_its_address(client, seeded, make_distinction):
    distinction = make_distinction()
    data = client.get(reverse("definitions:comparison_json", kwargs={"slug": seeded.slug})).json()
    [reader] = [d for d in data["distinctions"] if d["kind"] == "reader"]
    assert reader["url"] == f"http://testserver/distinctions/{distinction.pk}/"


def test_the_privacy_page_names_reports_of_distinctions(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "report a comment or a distinction" in html


def test_a_vote_without_javascript_on_the_distinctions_page_comes_back_to_it(
    client, make_distinction
):
    distinction = make_distinction()
    response = client.post(
        url("vote", distinction),
        {"value": "1"},
        HTTP_REFERER=f"http://testserver{distinction.get_absolute_url()}",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{distinction.get_absolute_url()}#{distinction.anchor}"
    html = client.get(distinction.get_absolute_url()).content.decode()
    assert "Your vote: yes." in html


def test_reports_of_distinctions_lose_who_sent_them_after_the_retention_period(make_distinction):
    from comments.management.commands.purgevisitordata import purge_visitor_data

    distinction = make_distinction()
    sender = uuid.uuid4()
    report = DistinctionReport.objects.create(
        distinction=distinction,
        visitor_id=sender,
        ip_hash="ab" * 32,
        reason="spam",
        created=timezone.now() - timedelta(days=100),
    )
    result = purge_visitor_data(before=timezone.now() - timedelta(days=90))
    report.refresh_from_db()
    assert result.reports == 1
    assert report.visitor_id != sender
    assert report.ip_hash == ""
    assert report.reason == "spam"
