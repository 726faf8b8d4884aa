"""Refusals that explain (issue 16): every refused request says what happened and what to do.

With htmx the answer is the sentence alone, which static/js/in-place.js shows beside the control
(tests/browser/test_refusals.py); without JavaScript it is the site's page with the sentence and a
link back to where the person was. Rate limits say the real time left of their window, and only
valid forms count towards them. Every page answers HEAD; a 405 has a body.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from definitions.models import Distinction, Source, Vote
from definitions.moderation import ModerationStatus
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# 17.25 seconds into a minute, 317.25 seconds into a ten-minute window.
NOW = 1_800_000_317.25


@pytest.fixture
def clock(monkeypatch):
    """Hold the rate limits' clock at NOW, so the windows' time left is known."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW))


def vote_url(distinction: Distinction) -> str:
    return reverse("definitions:vote", kwargs={"pk": distinction.pk})


def add_url(comparison) -> str:
    return reverse("definitions:add_distinction", kwargs={"slug": comparison.slug})


def comment_url(comparison) -> str:
    return reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug})


def source_axis() -> Distinction:
    return Distinction.objects.from_sources().order_by("pk")[0]


def sentence_alone(response) -> str:
    """Return the sentence of a refusal answered to htmx, checking it is only that."""
    html = response.content.decode().strip()
    match = re.fullmatch(r'<p class="refusal" role="alert" data-refusal>([^<]+)</p>', html)
    assert match, html[:300]
    return match[1]


def page_sentence(response) -> tuple[str, str, str]:
    """Return the title, sentence and back link (href) of a refusal's page."""
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert 'class="site-header"' in html
    title = re.search(r"<h1>([^<]+)</h1>", html)
    sentence = re.search(r'<p class="lead" data-refusal>([^<]+)</p>', html)
    back = re.search(r'<a class="back-link" href="([^"]+)">', html)
    assert title, html[:500]
    assert sentence, html[:500]
    assert back, html[:500]
    return title[1], sentence[1], back[1]


# The rate limits' windows -----------------------------------------------------------------------


def test_the_time_left_is_what_remains_of_the_fixed_window(clock):
    assert ratelimit.seconds_left(60) == 43
    assert ratelimit.seconds_left(600) == 283
    assert ratelimit.seconds_left(3600) == 3283


def test_the_wait_is_said_in_seconds_then_in_minutes_never_shorter_than_it_is():
    assert ratelimit.wait_in_words(1) == "1 second"
    assert ratelimit.wait_in_words(43) == "43 seconds"
    assert ratelimit.wait_in_words(89) == "89 seconds"
    assert ratelimit.wait_in_words(283) == "about 5 minutes"
    assert ratelimit.wait_in_words(3583) == "about 60 minutes"


# Votes ------------------------------------------------------------------------------------------


def test_the_31st_vote_with_htmx_gets_429_the_sentence_alone_and_the_real_wait(
    seeded, bulk_distinctions, clock
):
    made = bulk_distinctions(31)
    client = Client(REMOTE_ADDR="198.51.100.40")
    for distinction in made[:30]:
        assert client.post(vote_url(distinction), {"value": "1"}, **HTMX).status_code == 200
    response = client.post(vote_url(made[30]), {"value": "1"}, **HTMX)
    assert response.status_code == 429
    assert response["Retry-After"] == "43"
    assert sentence_alone(response) == (
        "Too many votes from your network in the last minute, so this one was not counted. "
        "Vote again in 43 seconds."
    )
    assert Vote.objects.count() == 30


def test_the_31st_vote_without_javascript_gets_the_page_with_a_link_back_to_the_vote(
    seeded, bulk_distinctions, clock
):
    made = bulk_distinctions(31)
    client = Client(REMOTE_ADDR="198.51.100.41")
    page = f"http://testserver{seeded.get_absolute_url()}?page=2"
    for distinction in made[:30]:
        client.post(vote_url(distinction), {"value": "1"}, HTTP_REFERER=page)
    response = client.post(vote_url(made[30]), {"value": "1"}, HTTP_REFERER=page)
    assert response.status_code == 429
    assert response["Retry-After"] == "43"
    title, sentence, back = page_sentence(response)
    assert title == "Too many votes"
    assert sentence.endswith("Vote again in 43 seconds.")
    assert back == f"{page}#vote-{made[30].pk}"


def test_a_vote_on_a_distinction_a_moderator_just_removed_says_so_in_place(seeded, visitor_client):
    axis = source_axis()
    reader = Distinction.objects.create(
        comparison=seeded, text_a="One way", text_b="Both ways", author_name="Ada"
    )
    Distinction.objects.filter(pk=reader.pk).update(status=ModerationStatus.REMOVED)
    response = visitor_client.post(vote_url(reader), {"value": "1"}, **HTMX)
    assert response.status_code == 404
    assert sentence_alone(response).startswith("This distinction cannot be voted on")
    assert "reload the page" in sentence_alone(response)
    page = f"http://testserver{seeded.get_absolute_url()}"
    response = visitor_client.post(vote_url(reader), {"value": "1"}, HTTP_REFERER=page)
    title, sentence, back = page_sentence(response)
    assert (title, back) == ("Distinction not found", f"{page}#readers")
    assert "It may have been removed by a moderator" in sentence
    assert not Vote.objects.filter(distinction__in=[axis, reader]).exists()


def test_a_back_link_never_leads_to_another_site_or_to_the_address_that_refused(
    seeded, visitor_client, clock, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "vote": [(0, 60)]}
    axis = source_axis()
    for referer in ["https://evil.example/", f"http://testserver{vote_url(axis)}", ""]:
        response = visitor_client.post(vote_url(axis), {"value": "1"}, HTTP_REFERER=referer)
        assert page_sentence(response)[2] == f"/#vote-{axis.pk}"


# Distinctions -----------------------------------------------------------------------------------


def test_distinction_forms_with_errors_or_sent_too_fast_do_not_use_up_the_limit(
    seeded, distinction_form, settings, clock
):
    from definitions.forms import issue_token

    settings.SMSN_DISTINCTION_MIN_SECONDS = 3
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(2, 600)]}
    client = Client(REMOTE_ADDR="192.0.2.60")
    too_fast = distinction_form(token=issue_token(seeded))
    for data in [distinction_form(text_a="")] * 3 + [too_fast] * 3:
        assert client.post(add_url(seeded), data).status_code == 400
    assert client.post(add_url(seeded), distinction_form()).status_code == 302
    assert client.post(add_url(seeded), distinction_form()).status_code == 302
    assert client.post(add_url(seeded), distinction_form()).status_code == 429


def test_a_refused_distinction_without_javascript_comes_back_in_its_form_with_the_wait(
    seeded, distinction_form, settings, clock
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(1, 600)]}
    client = Client(REMOTE_ADDR="192.0.2.61")
    client.post(add_url(seeded), distinction_form())
    response = client.post(add_url(seeded), distinction_form(text_a="Kept as typed, every word"))
    assert response.status_code == 429
    assert response["Retry-After"] == "283"
    html = response.content.decode()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "so yours was not added. Send it again in about 5 minutes" in summary
    assert ">\nKept as typed, every word</textarea>" in html
    assert Distinction.objects.from_readers().count() == 1


def test_a_refused_distinction_with_htmx_gets_the_sentence_and_leaves_the_form(
    seeded, distinction_form, settings, clock
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(1, 600)]}
    client = Client(REMOTE_ADDR="192.0.2.62")
    client.post(add_url(seeded), distinction_form(), **HTMX)
    response = client.post(add_url(seeded), distinction_form(), **HTMX)
    assert response.status_code == 429
    assert response["Retry-After"] == "283"
    assert sentence_alone(response).startswith(
        "Too many distinctions from your network in the last ten minutes, so yours was not "
        "added. Send it again in about 5 minutes"
    )


# Comments ---------------------------------------------------------------------------------------


def test_comment_forms_with_errors_do_not_use_up_the_limit(seeded, comment_form, settings):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(2, 60)]}
    client = Client(REMOTE_ADDR="192.0.2.63")
    for _ in range(3):
        assert client.post(comment_url(seeded), comment_form(body="")).status_code == 400
    assert client.post(comment_url(seeded), comment_form(body="First")).status_code == 302
    assert client.post(comment_url(seeded), comment_form(body="Second")).status_code == 302


@pytest.fixture
def own_comment(client, seeded, comment_form) -> Comment:
    client.post(comment_url(seeded), comment_form(body="Written a while ago"))
    comment = Comment.objects.get(body="Written a while ago")
    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - timedelta(minutes=16))
    return comment


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_edit_or_delete_after_the_window_with_htmx_says_why_in_place(client, own_comment, action):
    url = reverse(f"comments:{action}", kwargs={"pk": own_comment.pk})
    for response in (client.get(url, **HTMX), client.post(url, {"body": "Late"}, **HTMX)):
        assert response.status_code == 403
        assert sentence_alone(response) == (
            "Nothing was changed: only the person who wrote a comment can change it, and only "
            "for 15 minutes after posting it."
        )
    own_comment.refresh_from_db()
    assert (own_comment.body, own_comment.status) == ("Written a while ago", "published")


def test_edit_after_the_window_without_javascript_links_back_to_the_comment(
    client, seeded, own_comment
):
    response = client.post(reverse("comments:edit", kwargs={"pk": own_comment.pk}), {"body": "x"})
    title, sentence, back = page_sentence(response)
    assert response.status_code == 403
    assert title == "This comment cannot be changed"
    assert sentence.startswith("Nothing was changed")
    assert back == f"{seeded.get_absolute_url()}#comment-{own_comment.pk}"


def test_a_comment_gone_since_the_page_loaded_is_explained_to_htmx(client, own_comment):
    Comment.objects.filter(pk=own_comment.pk).update(status=ModerationStatus.REMOVED)
    response = client.get(reverse("comments:report", kwargs={"pk": own_comment.pk}), **HTMX)
    assert response.status_code == 404
    assert sentence_alone(response).startswith("This is no longer here")


def test_reporting_too_often_says_when_to_try_again(seeded, make_comment, settings, clock):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "report": [(1, 60)]}
    first, second = make_comment(), make_comment()
    client = Client(REMOTE_ADDR="192.0.2.64")
    client.post(reverse("comments:report", kwargs={"pk": first.pk}), {"reason": "spam"})
    url = reverse("comments:report", kwargs={"pk": second.pk})
    response = client.post(url, {"reason": "Kept reason"})
    assert response.status_code == 429
    assert response["Retry-After"] == "43"
    html = response.content.decode()
    assert "so this one was not sent. Try again in 43 seconds." in html
    assert 'value="Kept reason"' in html
    response = client.post(url, {"reason": "spam"}, **HTMX)
    assert sentence_alone(response).endswith("Try again in 43 seconds.")


# Outages and expired forms ----------------------------------------------------------------------


def test_a_write_during_an_outage_tells_htmx_and_links_back_without(
    seeded, visitor_client, monkeypatch
):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    axis_pk = 1
    response = visitor_client.post(
        reverse("definitions:vote", kwargs={"pk": axis_pk}), {"value": "1"}, **HTMX
    )
    assert response.status_code == 503
    assert sentence_alone(response) == (
        "Something the site depends on is not answering just now, so nothing was saved. "
        "Try again in about 30 seconds."
    )
    page = f"http://testserver{seeded.get_absolute_url()}"
    response = visitor_client.post(
        reverse("definitions:vote", kwargs={"pk": axis_pk}), {"value": "1"}, HTTP_REFERER=page
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Back in a moment" in html
    assert f'<a class="back-link" href="{page}">Go back to the page you were on</a>' in html


def test_a_failed_csrf_check_tells_htmx_what_to_do(seeded):
    client = Client(enforce_csrf_checks=True)
    response = client.post(vote_url(source_axis()), {"value": "1"}, **HTMX)
    assert response.status_code == 403
    assert "reload the page and send it again" in sentence_alone(response)
    response = client.post(vote_url(source_axis()), {"value": "1"})
    assert page_sentence(response)[0] == "Form expired"


# Item 2: 405 with a body, HEAD on every page -----------------------------------------------------


def get_pages(seeded, make_comment) -> dict[str, str]:
    """Return an address of every public page that answers GET, by URL name."""
    source = Source.objects.filter(comparison=seeded)[0]
    on_source = {"comparison_slug": seeded.slug, "slug": source.slug}
    comment = make_comment()
    own = {"pk": comment.pk}
    drawn = {
        "pk": Distinction.objects.create(
            comparison=seeded, author_name="Reader", text_a="A stage", text_b="A street"
        ).pk
    }
    on_axis = {"slug": seeded.slug, "pk": source.distinction.pk}
    example = seeded.examples.first()
    return {
        "definitions:distinction": reverse("definitions:distinction", kwargs=drawn),
        "definitions:report_distinction": reverse("definitions:report_distinction", kwargs=drawn),
        "definitions:edit_distinction": reverse("definitions:edit_distinction", kwargs=drawn),
        "definitions:delete_distinction": reverse("definitions:delete_distinction", kwargs=drawn),
        "definitions:examples": reverse("definitions:examples", kwargs={"slug": seeded.slug}),
        "definitions:example": example.get_absolute_url(),
        "definitions:examples_feed": reverse(
            "definitions:examples_feed", kwargs={"slug": seeded.slug}
        ),
        "comments:distinction_thread": reverse("comments:distinction_thread", kwargs=on_axis),
        "comments:distinction_feed": reverse("comments:distinction_feed", kwargs=on_axis),
        "definitions:home": reverse("definitions:home"),
        "definitions:comparison": seeded.get_absolute_url(),
        "definitions:comparison_json": reverse(
            "definitions:comparison_json", kwargs={"slug": seeded.slug}
        ),
        "definitions:source": source.get_absolute_url(),
        "definitions:distinctions_feed": reverse(
            "definitions:distinctions_feed", kwargs={"slug": seeded.slug}
        ),
        "comments:thread": reverse("comments:thread", kwargs={"slug": seeded.slug}),
        "comments:source_thread": reverse("comments:source_thread", kwargs=on_source),
        "comments:comparison_feed": reverse(
            "comments:comparison_feed", kwargs={"slug": seeded.slug}
        ),
        "comments:source_feed": reverse("comments:source_feed", kwargs=on_source),
        "comments:permalink": reverse("comments:permalink", kwargs=own),
        "comments:reply": reverse("comments:reply", kwargs=own),
        "comments:report": reverse("comments:report", kwargs=own),
        "comments:edit": reverse("comments:edit", kwargs=own),
        "comments:delete": reverse("comments:delete", kwargs=own),
        "privacy": reverse("privacy"),
        "liveness": reverse("liveness"),
        "readiness": reverse("readiness"),
        "search:search": f"{reverse('search:search')}?q=media",
        "definitions:sitemap": reverse("definitions:sitemap"),
        "robots_txt": reverse("robots_txt"),
        "definitions:comparison_card": reverse(
            "definitions:comparison_card", kwargs={"slug": seeded.slug}
        ),
        "site_card": reverse("site_card"),
    }


POST_ONLY = {
    "comments:post_on_comparison",
    "comments:post_on_source",
    "definitions:add_distinction",
    "definitions:vote",
    "definitions:place",
    "definitions:answer",
    "comments:post_on_distinction",
}


def test_every_page_that_answers_get_answers_head_the_same(seeded, make_comment):
    from tests.test_hostile_input import COVERED

    pages = get_pages(seeded, make_comment)
    assert set(pages) == COVERED - POST_ONLY
    for name, url in pages.items():
        get, head = Client().get(url), Client().head(url)
        assert head.status_code == get.status_code != 405, name
        assert head.content == b"", name


def test_a_405_has_the_sites_page_with_its_length_counted(client, seeded):
    response = client.get(vote_url(source_axis()))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    title, sentence, _ = page_sentence(response)
    assert title == "Not at this address"
    assert sentence == "This address does not accept GET requests; it accepts POST."
    assert int(response["Content-Length"]) == len(response.content)


@pytest.mark.django_db(transaction=True)
def test_a_405_from_a_real_server_arrives_with_its_body(live_server):
    from django.core.management import call_command

    call_command("loadsources", stdout=open("/dev/null", "w"))  # noqa: SIM115
    url = live_server.url + reverse("definitions:vote", kwargs={"pk": source_axis().pk})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 405
    body = refused.value.read().decode()
    assert "This address does not accept GET requests; it accepts POST." in body
    assert "</html>" in body
