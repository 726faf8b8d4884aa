"""What readers may write: characters every page can show, names that can be seen, links counted.

One check (definitions/text.py) serves every public form: comments, replies, edits, reports and
distinctions, their names, labels and website links.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from comments.forms import CommentForm, EditCommentForm, ReportForm
from comments.models import Comment, Report
from definitions.forms import DistinctionForm
from definitions.models import Distinction
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

NONCHARACTERS = ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]
# Names made of nothing anybody can see.
INVISIBLE_NAMES = [
    "\u200b\u200b",  # zero-width spaces
    "\u200c\u200d\u2060",  # zero-width non-joiner, joiner, word joiner
    "\ufeff\u180e",  # byte-order mark, Mongolian vowel separator
    "\u202e\u202c",  # right-to-left override and pop
    "\u2066\u2069",  # isolate and pop
    "\u200e\u200f\u061c",  # direction marks
    "\u0301\u0302\u0303",  # combining marks alone
    "\u3164\u3164",  # Hangul filler
    "\u2800",  # blank Braille pattern
    "\u00a0\u200b\u3000\u200b",  # no-break and ideographic spaces around zero-width ones
]
DIRECTION_CONTROLS = ["\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"]


def visitor() -> Client:
    return Client(REMOTE_ADDR=f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


def comment_url(comparison) -> str:
    return reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug})


def distinction_url(comparison) -> str:
    return reverse("definitions:add_distinction", kwargs={"slug": comparison.slug})


def posted():
    return Comment.objects.filter(is_imported=False)


def readers():
    return Distinction.objects.from_readers()


def errors_next_to(html: str, field_id: str) -> str:
    """Return the error list rendered next to the field with this id."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert match, f"no errors next to {field_id}"
    return match[1]


# Characters no page shows --------------------------------------------------------------------


@pytest.mark.parametrize("bad", NONCHARACTERS + CONTROLS)
@pytest.mark.parametrize("field", ["body", "author_name", "author_url"])
def test_a_comment_with_a_control_character_or_noncharacter_is_refused_next_to_the_field(
    seeded, comment_form, field, bad
):
    value = {
        "body": f"I agree{bad} with this",
        "author_name": f"Ad{bad}a",
        "author_url": f"https://example.org/{bad}/",
    }[field]
    response = visitor().post(comment_url(seeded), comment_form(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 400
    errors = errors_next_to(html, f"comment-{field}")
    assert f"U+{ord(bad):04X}" in errors
    assert "only plain text is accepted here" in errors
    assert not posted().exists()


@pytest.mark.parametrize("bad", NONCHARACTERS)
def test_a_comment_with_a_noncharacter_keeps_the_rest_of_the_text_in_the_form(
    seeded, comment_form, bad
):
    response = visitor().post(comment_url(seeded), comment_form(body=f"Keep this text{bad}"))
    assert response.status_code == 400
    assert "Keep this text" in response.content.decode()


@pytest.mark.parametrize("bad", [*NONCHARACTERS, "\x00", "\x85"])
@pytest.mark.parametrize("field", ["text_a", "text_b", "axis_a", "author_name"])
def test_a_distinction_with_a_control_character_or_noncharacter_is_refused_next_to_the_field(
    seeded, distinction_form, field, bad
):
    value = f"Something{bad} long enough" if field.startswith("text") else f"o{bad}k"
    response = visitor().post(distinction_url(seeded), distinction_form(**{field: value}))
    assert response.status_code == 400
    errors = errors_next_to(response.content.decode(), f"id_{field}")
    assert f"U+{ord(bad):04X}" in errors
    assert not readers().exists()


@pytest.mark.parametrize("bad", ["\ufdd0", "\U0010ffff", "\x00"])
def test_an_edit_and_a_report_with_a_noncharacter_are_refused_with_a_sentence(
    seeded, make_comment, returning_visitor, bad
):
    client, visitor_id = returning_visitor()
    comment = make_comment(visitor_id=visitor_id, created=timezone.now(), body="As posted.")
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": f"New{bad}"})
    assert response.status_code == 400
    assert f"U+{ord(bad):04X}" in errors_next_to(
        response.content.decode(), f"edit{comment.pk}-body"
    )
    comment.refresh_from_db()
    assert comment.body == "As posted."
    response = visitor().post(
        reverse("comments:report", args=[comment.pk]), {"reason": f"Bad{bad}reason"}
    )
    assert response.status_code == 400
    errors = errors_next_to(response.content.decode(), f"report{comment.pk}-reason")
    assert "only plain text is accepted here" in errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("surrogate", [chr(0xD800), chr(0xDFFF)])
def test_every_form_refuses_a_lone_surrogate_that_reaches_it(seeded, surrogate):
    # Over HTTP a lone surrogate is broken UTF-8 and refused before any form (test_request_limits);
    # the forms refuse it too, whatever hands it to them.
    text = f"Broken {surrogate} text here"
    forms = [
        CommentForm({"body": text, "author_name": "Ada"}, target=seeded),
        CommentForm({"body": "Fine text", "author_name": f"Ada{surrogate}"}, target=seeded),
        EditCommentForm({"body": text}),
        ReportForm({"reason": text}),
        DistinctionForm({"text_a": text, "text_b": text, "author_name": "Ada"}, comparison=seeded),
    ]
    for form in forms:
        assert not form.is_valid()
        messages = " ".join(str(e) for errors in form.errors.values() for e in errors)
        assert "lone surrogates" in messages, form.errors


@pytest.mark.parametrize(
    "text",
    [
        "I agree \ue000zz\ue000 with this",
        "Apple logo \uf8ff and a private glyph \U000f0000 \U0010fffd",
        "Tab\tand a line\nbreak",
        "Arabic \u0645\u0631\u062d\u0628\u0627 \u202bembedded\u202c text",
    ],
)
def test_private_use_characters_tabs_and_bidi_in_a_body_are_kept_as_typed(
    client, seeded, comment_form, text
):
    response = visitor().post(comment_url(seeded), comment_form(body=text))
    assert response.status_code == 302
    assert posted().get().body == text


# Names that can be seen --------------------------------------------------------------------


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_comment_name_with_nothing_visible_is_refused(seeded, comment_form, name):
    response = visitor().post(comment_url(seeded), comment_form(author_name=name))
    assert response.status_code == 400
    errors = errors_next_to(response.content.decode(), "comment-author_name")
    assert any(
        sentence in errors
        for sentence in (
            "Your name needs at least one visible letter, number or sign.",
            "Remove the text-direction controls",
            "Enter a name to show with your comment",
        )
    ), errors
    assert not posted().exists()


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_distinction_name_with_nothing_visible_is_refused(seeded, distinction_form, name):
    response = visitor().post(distinction_url(seeded), distinction_form(author_name=name))
    assert response.status_code == 400
    errors = errors_next_to(response.content.decode(), "id_author_name")
    assert "visible" in errors or "text-direction controls" in errors or "Give a name" in errors
    assert not readers().exists()


def test_a_name_of_zero_width_spaces_gets_the_sentence_about_visible_letters(
    seeded, comment_form, distinction_form
):
    response = visitor().post(comment_url(seeded), comment_form(author_name="\u200b\u200b\u200b"))
    assert "Your name needs at least one visible letter, number or sign." in errors_next_to(
        response.content.decode(), "comment-author_name"
    )
    response = visitor().post(distinction_url(seeded), distinction_form(author_name="\u200b"))
    assert "Your name needs at least one visible letter, number or sign." in errors_next_to(
        response.content.decode(), "id_author_name"
    )


@pytest.mark.parametrize("control", DIRECTION_CONTROLS)
def test_a_name_with_a_text_direction_control_is_refused_and_kept_in_the_form(
    seeded, comment_form, distinction_form, control
):
    name = f"Eve{control}evE"
    response = visitor().post(comment_url(seeded), comment_form(author_name=name))
    assert response.status_code == 400
    errors = errors_next_to(response.content.decode(), "comment-author_name")
    assert f"Remove the text-direction controls (U+{ord(control):04X})" in errors
    assert escape(name) in response.content.decode()
    response = visitor().post(distinction_url(seeded), distinction_form(author_name=name))
    assert response.status_code == 400
    assert "text-direction controls" in errors_next_to(response.content.decode(), "id_author_name")
    response = visitor().post(
        distinction_url(seeded), distinction_form(axis_a=f"chan{control}nel", axis_b="place")
    )
    assert response.status_code == 400
    assert "text-direction controls" in errors_next_to(response.content.decode(), "id_axis_a")
    assert not posted().exists()
    assert not readers().exists()


def test_a_website_with_a_text_direction_control_is_refused(seeded, comment_form):
    response = visitor().post(
        comment_url(seeded), comment_form(author_url="https://example.org/\u202egpj.exe")
    )
    assert response.status_code == 400
    assert "text-direction controls" in errors_next_to(
        response.content.decode(), "comment-author_url"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Ada",
        "Zoë",
        "\u0645\u0631\u064a\u0645\u200f",
        "李雷",
        "👩‍💻",
        "¯\\_(ツ)_/¯",
        "e\u0301",
        "R2",
    ],
)
def test_names_people_really_use_are_accepted_as_typed(
    seeded, comment_form, distinction_form, name
):
    assert visitor().post(comment_url(seeded), comment_form(author_name=name)).status_code == 302
    assert posted().get().author_name == name
    assert (
        visitor().post(distinction_url(seeded), distinction_form(author_name=name)).status_code
        == 302
    )
    assert readers().get().author_name == name


# Links counted as the page shows them ---------------------------------------------------------


def test_a_comment_with_three_bare_domains_waits_for_a_moderator(seeded, comment_form):
    response = visitor().post(
        comment_url(seeded), comment_form(body="Try x1.com, x2.com and x3.com today")
    )
    assert response.status_code == 302
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    assert "links" in comment.moderation_reason


def test_a_comment_with_567_bare_domains_waits_for_a_moderator(seeded, comment_form):
    body = " ".join(f"x{n}.com" for n in range(567))
    response = visitor().post(comment_url(seeded), comment_form(body=body))
    assert response.status_code == 302
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    html = Client().get(seeded.get_absolute_url()).content.decode()
    assert "x566.com" not in html


def test_two_bare_domains_and_words_with_dots_are_published(seeded, comment_form):
    body = "Compare x1.com with x2.org, e.g. the docs of node.js, i.e. not many. Mr. Smith agrees."
    visitor().post(comment_url(seeded), comment_form(body=body))
    assert posted().get().status == ModerationStatus.PUBLISHED


def test_email_addresses_count_as_links_as_the_page_shows_them(seeded, comment_form):
    body = "Write to a@example.com, b@example.org or c@example.net"
    visitor().post(comment_url(seeded), comment_form(body=body))
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    html = Client().get(seeded.get_absolute_url()).content.decode()
    assert "mailto:a@example.com" not in html


def test_an_edit_that_adds_bare_domains_waits_for_a_moderator(
    seeded, make_comment, returning_visitor
):
    client, visitor_id = returning_visitor()
    comment = make_comment(visitor_id=visitor_id, created=timezone.now(), body="As posted.")
    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "a.com b.com c.com"})
    comment.refresh_from_db()
    assert comment.status == ModerationStatus.PENDING


def test_a_distinction_with_three_bare_domains_waits_for_a_moderator(seeded, distinction_form):
    response = visitor().post(
        distinction_url(seeded),
        distinction_form(text_a="Buy at x1.com and x2.com now", text_b="Or at x3.com, cheaper"),
    )
    assert response.status_code == 302
    assert readers().get().status == ModerationStatus.PENDING
