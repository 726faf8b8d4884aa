"""Readers add their own distinctions: validation, spam holds, bots, double submits, htmx."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from definitions.forms import issue_token
from definitions.models import BannedWord, Comparison, Distinction
from definitions.moderation import ModerationStatus
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def add_url(comparison: Comparison) -> str:
    return reverse("definitions:add_distinction", kwargs={"slug": comparison.slug})


def readers() -> list[Distinction]:
    return list(Distinction.objects.from_readers())


def field_errors(html: str, field: str) -> str:
    """Return the error list rendered next to a field."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return match[1] if match else ""


def test_a_distinction_without_javascript_is_published_and_the_poster_sent_to_it(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(add_url(seeded), distinction_form())
    [added] = readers()
    assert response.status_code == 302
    assert response["Location"] == f"{seeded.get_absolute_url()}#distinction-{added.pk}"
    assert added.status == ModerationStatus.PUBLISHED
    assert (added.text_a, added.axis_a, added.axis_b, added.author_name) == (
        "Social media is a loudspeaker: one voice, many listeners.",
        "loudspeaker",
        "room",
        "Ada",
    )
    assert added.visitor_id is not None
    assert len(added.ip_hash) == 64
    html = visitor_client.get(response["Location"]).content.decode()
    assert "Thank you: your distinction is published." in html
    assert f'id="distinction-{added.pk}"' in html


def test_everybody_sees_a_published_distinction(client, visitor_client, seeded, distinction_form):
    visitor_client.post(add_url(seeded), distinction_form())
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert "Social media is a loudspeaker: one voice, many listeners." in html
    assert ">loudspeaker</span>" in html


def test_the_axis_is_optional(visitor_client, seeded, distinction_form):
    response = visitor_client.post(add_url(seeded), distinction_form(axis_a="", axis_b=""))
    assert response.status_code == 302
    assert readers()[0].axis == ""


def test_a_distinction_with_htmx_swaps_in_a_fresh_form_a_notice_and_the_new_item(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(add_url(seeded), distinction_form(), headers=HTMX)
    html = response.content.decode()
    [added] = readers()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div class="add-distinction" id="add-distinction">')
    assert "Thank you: your distinction is published." in html
    assert f'href="#distinction-{added.pk}"' in html
    # The list gets the new item out of band; the form comes back empty with a new token.
    assert '<div data-hx-swap-oob="afterbegin:#readers-list">' in html
    assert f'<li class="distinction" id="distinction-{added.pk}">' in html
    assert 'name="text_a" cols="40" rows="3" maxlength="600" minlength="10" required' in html
    assert "loudspeaker: one voice" not in html.split("<form", 1)[1]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"text_a": "Buy at http://a.example http://b.example http://c.example now please"},
            "more than 2 links",
        ),
        ({"text_b": "buy now " * 30}, "repeated text"),
        ({"text_a": "Social media is where you find cheap watches for sale."}, "banned words"),
    ],
)
def test_text_that_looks_like_spam_waits_for_a_moderator_and_the_poster_is_told(
    visitor_client, seeded, distinction_form, fields, reason
):
    BannedWord.objects.create(phrase="cheap watches")
    response = visitor_client.post(add_url(seeded), distinction_form(**fields), follow=True)
    [held] = readers()
    assert held.status == ModerationStatus.PENDING
    assert reason in held.moderation_reason
    html = response.content.decode()
    assert "your distinction is waiting for a moderator" in html
    assert "Waiting for a moderator." in html
    assert f'id="distinction-{held.pk}"' in html


def test_a_held_distinction_is_hidden_from_everybody_else(
    client, visitor_client, seeded, distinction_form
):
    visitor_client.post(
        add_url(seeded),
        distinction_form(text_a="a http://x.example b http://y.example c http://z.example"),
    )
    assert readers()[0].status == ModerationStatus.PENDING
    assert "http://x.example" not in client.get(seeded.get_absolute_url()).content.decode()


def test_a_held_distinction_with_htmx_says_it_waits_for_a_moderator(
    visitor_client, seeded, distinction_form
):
    BannedWord.objects.create(phrase="casino")
    html = visitor_client.post(
        add_url(seeded),
        distinction_form(text_b="Social networking is a casino of attention."),
        headers=HTMX,
    ).content.decode()
    assert "your distinction is waiting for a moderator" in html
    assert 'class="distinction is-pending"' in html


def test_errors_without_javascript_show_next_to_the_field_and_at_the_top_and_keep_the_text(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(
        add_url(seeded), distinction_form(text_a="too short", author_name="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert not readers()
    assert "Write at least 10 characters (you wrote 9)." in field_errors(html, "text_a")
    assert "Give a name to show with it." in field_errors(html, "author_name")
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_text_a"' in summary
    assert 'href="#id_author_name"' in summary
    assert ">\ntoo short</textarea>" in html
    assert ">\nSocial networking is a room where everybody talks back.</textarea>" in html
    assert 'aria-invalid="true"' in html
    # The whole page is there, so the visitor can read on.
    assert "How each source draws the line" in html


def test_errors_with_htmx_return_the_form_with_status_200_so_htmx_swaps_it(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(add_url(seeded), distinction_form(text_b=""), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Write what sets Social networking apart." in field_errors(html, "text_b")
    assert "loudspeaker: one voice, many listeners.</textarea>" in html
    assert not readers()


def test_texts_longer_than_600_characters_are_refused(visitor_client, seeded, distinction_form):
    response = visitor_client.post(add_url(seeded), distinction_form(text_b="x" * 601))
    assert "Keep it to 600 characters (you wrote 601)." in field_errors(
        response.content.decode(), "text_b"
    )
    assert not readers()


def test_600_characters_with_windows_line_breaks_are_accepted(
    visitor_client, seeded, distinction_form
):
    text = ("y" * 98 + "\r\n") * 6  # 600 characters once \r\n counts as one line break
    response = visitor_client.post(add_url(seeded), distinction_form(text_a=text))
    assert response.status_code == 302
    assert readers()[0].text_a == ("y" * 98 + "\n") * 5 + "y" * 98


def test_a_name_longer_than_60_characters_is_refused(visitor_client, seeded, distinction_form):
    response = visitor_client.post(add_url(seeded), distinction_form(author_name="n" * 61))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "author_name")


def test_an_axis_label_longer_than_40_characters_is_refused(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(add_url(seeded), distinction_form(axis_a="a" * 41))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "axis_a")


@pytest.mark.parametrize(
    ("axis_a", "axis_b", "missing"), [("channel", "", "axis_b"), ("", "place", "axis_a")]
)
def test_an_axis_needs_both_labels_or_neither(
    visitor_client, seeded, distinction_form, axis_a, axis_b, missing
):
    response = visitor_client.post(add_url(seeded), distinction_form(axis_a=axis_a, axis_b=axis_b))
    assert response.status_code == 400
    assert "Give a word for both terms, or leave both empty." in field_errors(
        response.content.decode(), missing
    )
    assert not readers()


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("text_a", "Social media is\x00 a channel for content", "U+0000"),
        ("text_b", "Social networking\x1b[31m is people together", "U+001B"),
        ("author_name", "Ada\nLovelace", "a line break"),
        ("axis_a", "chan\x7fnel", "U+007F"),
    ],
)
def test_nul_bytes_and_control_characters_get_a_clear_error(
    visitor_client, seeded, distinction_form, field, value, shown
):
    response = visitor_client.post(add_url(seeded), distinction_form(**{field: value}))
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), field)
    assert shown in errors
    assert "only plain text is accepted here" in errors
    assert errors.count("<li>") == 1
    assert not readers()


def test_html_in_a_distinction_is_kept_as_plain_text_and_shown_escaped(
    client, visitor_client, seeded, distinction_form
):
    visitor_client.post(
        add_url(seeded),
        distinction_form(
            text_a='<img src=x onerror="alert(1)"> is media', author_name="<i>Eve</i>"
        ),
    )
    assert readers()[0].text_a == '<img src=x onerror="alert(1)"> is media'
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert escape('<img src=x onerror="alert(1)"> is media') in html
    assert "&lt;i&gt;Eve&lt;/i&gt;" in html


def test_a_filled_in_honeypot_is_refused(visitor_client, seeded, distinction_form):
    response = visitor_client.post(
        add_url(seeded), distinction_form(homepage="http://spam.example")
    )
    assert response.status_code == 400
    assert "must stay empty" in response.content.decode()
    assert not readers()


def test_the_honeypot_is_labelled_for_people_who_meet_it(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert '<div class="hp">' in html
    assert '<label for="id_homepage">Leave this field empty</label>' in html
    assert re.search(r'<input type="text" name="homepage"[^>]*tabindex="-1"', html)


def test_a_form_sent_quicker_than_a_person_could_fill_it_is_refused(
    visitor_client, seeded, distinction_form
):
    response = visitor_client.post(add_url(seeded), distinction_form(token=issue_token(seeded)))
    assert response.status_code == 400
    assert "quicker than we expect from a person" in response.content.decode()
    assert not readers()


def test_the_minimum_fill_time_is_a_setting(visitor_client, seeded, distinction_form, settings):
    settings.SMSN_DISTINCTION_MIN_SECONDS = 0
    response = visitor_client.post(add_url(seeded), distinction_form(token=issue_token(seeded)))
    assert response.status_code == 302


def test_a_form_refused_for_speed_keeps_its_token_so_sending_it_again_later_works(
    visitor_client, seeded, distinction_form
):
    token = issue_token(seeded)
    html = visitor_client.post(add_url(seeded), distinction_form(token=token)).content.decode()
    assert f'name="token" value="{token}"' in html


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "\x00",
        "x" * 5000,
        # a genuine token for another comparison
        "OTHER",
        # a genuine token from three days ago
        "OLD",
    ],
)
def test_a_missing_forged_or_stale_token_is_refused_and_the_form_renewed(
    visitor_client, seeded, distinction_form, token
):
    if token == "OTHER":
        other = Comparison.objects.create(slug="blog-vs-vlog", term_a="Blog", term_b="Vlog")
        token = issue_token(other, issued_at=time.time() - 60)
    elif token == "OLD":
        token = issue_token(seeded, issued_at=time.time() - 3 * 24 * 3600)
    response = visitor_client.post(add_url(seeded), distinction_form(token=token))
    html = response.content.decode()
    assert response.status_code == 400
    assert "This form is out of date" in html
    assert not readers()
    # The form comes back with a new, genuine token and what was typed.
    renewed = re.search(r'name="token" value="([^"]+)"', html)[1]
    assert renewed != token
    assert visitor_client.post(add_url(seeded), distinction_form(token=renewed)).status_code in (
        302,
        400,  # too quick: the renewed token was issued just now
    )


def test_sending_the_same_form_twice_creates_one_distinction(
    visitor_client, seeded, distinction_form
):
    data = distinction_form()
    first = visitor_client.post(add_url(seeded), data)
    second = visitor_client.post(add_url(seeded), data)
    [added] = readers()
    assert (
        first["Location"]
        == second["Location"]
        == f"{seeded.get_absolute_url()}#distinction-{added.pk}"
    )
    html = visitor_client.get(second["Location"]).content.decode()
    assert "We had already received this distinction; it was not added twice." in html


def test_sending_the_same_form_twice_with_htmx_does_not_add_the_item_twice(
    visitor_client, seeded, distinction_form
):
    data = distinction_form()
    visitor_client.post(add_url(seeded), data, headers=HTMX)
    html = visitor_client.post(add_url(seeded), data, headers=HTMX).content.decode()
    assert len(readers()) == 1
    assert "not added twice" in html
    assert "data-hx-swap-oob" not in html


def test_two_forms_from_two_page_views_make_two_distinctions(
    visitor_client, seeded, distinction_form
):
    visitor_client.post(add_url(seeded), distinction_form())
    visitor_client.post(add_url(seeded), distinction_form())
    assert len(readers()) == 2


def test_a_body_that_is_not_utf8_gets_an_answer_not_a_crash(
    visitor_client, seeded, distinction_form
):
    data = distinction_form()
    body = (
        "&".join(f"{k}={v}" for k, v in data.items() if k != "text_a").encode()
        + b"&text_a=\xff\xfe\xc3"
    )
    response = visitor_client.post(
        add_url(seeded), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400)


def test_a_huge_body_is_refused_with_a_4xx(visitor_client, seeded, distinction_form):
    response = visitor_client.post(add_url(seeded), distinction_form(text_a="z" * 400_000))
    assert response.status_code in (400, 413)
    assert not readers()


def test_adding_needs_a_post(client, seeded):
    assert client.get(add_url(seeded)).status_code == 405


def test_adding_to_an_unknown_comparison_is_not_found(visitor_client, seeded, distinction_form):
    url = reverse("definitions:add_distinction", kwargs={"slug": "nothing-here"})
    assert visitor_client.post(url, distinction_form()).status_code == 404


def test_many_distinctions_from_one_network_get_429_and_nothing_saved(
    seeded, distinction_form, settings, monkeypatch
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(2, 600)]}
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    client = Client(REMOTE_ADDR="192.0.2.50")
    assert client.post(add_url(seeded), distinction_form()).status_code == 302
    assert client.post(add_url(seeded), distinction_form()).status_code == 302
    response = client.post(add_url(seeded), distinction_form())
    assert response.status_code == 429
    assert "so yours was not added" in response.content.decode()
    assert len(readers()) == 2


def test_the_form_has_a_label_for_every_field_and_the_axis_in_a_fieldset(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    form = html.split('id="add-distinction"', 1)[1].split("</form>", 1)[0]
    for field, label in [
        ("text_a", "What sets Social media apart"),
        ("text_b", "What sets Social networking apart"),
        ("axis_a", "A word or two for Social media"),
        ("axis_b", "A word or two for Social networking"),
        ("author_name", "Your name, as it will be shown"),
    ]:
        assert f'<label for="id_{field}">{label}</label>' in form
    assert "<legend>The line you draw, in a word or two for each (optional)</legend>" in form
    assert 'aria-describedby="id_text_a_helptext"' in form
