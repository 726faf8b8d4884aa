"""Posting comments and replies: the form, its validation, hostile input and the spam defences."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments.forms import new_ticket
from comments.models import Comment
from comments.views import AUTHOR_COOKIE
from definitions.models import BannedWord, Source
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_url(comparison) -> str:
    return reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug})


def source_post_url(source: Source) -> str:
    return reverse(
        "comments:post_on_source",
        kwargs={"comparison_slug": source.comparison.slug, "slug": source.slug},
    )


def posted():
    """Return the comments visitors posted (the seed data brings imported ones)."""
    return Comment.objects.filter(is_imported=False)


def new_visitor(ip: str | None = None) -> Client:
    return Client(REMOTE_ADDR=ip or f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


# The ordinary flow ------------------------------------------------------------------------------


def test_comment_without_javascript_redirects_to_its_permalink_where_it_is_shown(
    client, seeded, comment_form
):
    response = client.post(post_url(seeded), comment_form(body="Channels versus gatherings."))
    comment = posted().get()
    assert response.status_code == 302
    assert response["Location"].startswith(seeded.get_absolute_url())
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(response["Location"]).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Channels versus gatherings." in page
    assert "Your comment is posted." in page


def test_posted_notice_is_only_for_the_visitor_who_posted(client, seeded, comment_form):
    location = client.post(post_url(seeded), comment_form())["Location"]
    stranger = new_visitor().get(location).content.decode()
    assert "Your comment is posted." not in stranger


def test_posted_notice_sits_in_a_polite_live_region(client, seeded, comment_form):
    location = client.post(post_url(seeded), comment_form())["Location"]
    page = client.get(location).content.decode()
    region = page.split('id="comment-status"', 1)[1].split("</div>", 1)[0]
    assert 'role="status"' in region
    assert 'aria-live="polite"' in region
    assert "Your comment is posted." in region


def test_comment_is_stored_with_the_visitors_id_and_ip_hash_never_the_address(
    client, seeded, comment_form
):
    client.post(post_url(seeded), comment_form(), REMOTE_ADDR="203.0.113.9")
    comment = posted().get()
    assert comment.visitor_id is not None
    assert len(comment.ip_hash) == 64
    assert "203.0.113.9" not in comment.ip_hash
    assert comment.comparison == seeded
    assert comment.source is None
    assert comment.status == ModerationStatus.PUBLISHED


def test_comment_on_a_source_belongs_to_the_source_and_its_comparison(client, seeded, comment_form):
    source = Source.objects.get(slug="verb-or-tool")
    response = client.post(source_post_url(source), comment_form(body="About this article."))
    comment = posted().get(body="About this article.")
    assert comment.source == source
    assert comment.comparison == seeded
    assert response["Location"].startswith(source.get_absolute_url())
    assert "About this article." in client.get(source.get_absolute_url()).content.decode()
    assert "About this article." not in client.get(seeded.get_absolute_url()).content.decode()


def test_htmx_post_answers_with_the_new_comment_and_a_fresh_empty_form(
    client, seeded, comment_form
):
    data = comment_form(body="Posted in place.", author_url="https://ada.example")
    response = client.post(post_url(seeded), data, **HTMX)
    html = response.content.decode()
    comment = posted().get()
    assert response.status_code == 200
    assert "<html" not in html
    # The comment is appended to the thread out of band ...
    assert 'hx-swap-oob="beforeend:#comment-list"' in html
    assert f'id="comment-{comment.pk}"' in html
    # ... and the form comes back empty, with a new ticket and the name remembered.
    form = html.split("<form", 1)[1].split("</form>", 1)[0]
    assert "Posted in place." not in form.split('hx-swap-oob="beforeend')[0]
    assert (
        '<textarea name="body" cols="40" rows="6" maxlength="5000" minlength="2" required' in form
    )
    assert 'id="comment-body">\n</textarea>' in form
    assert data["ticket"] not in form
    assert 'value="Ada"' in form
    assert 'id="comment-status" data-hx-swap-oob="innerHTML"' in html
    assert "Your comment is posted." in html


def test_get_on_the_posting_address_is_not_allowed(client, seeded):
    assert client.get(post_url(seeded)).status_code == 405


def test_unknown_comparison_cannot_receive_comments(client, seeded, comment_form):
    url = reverse("comments:post_on_comparison", kwargs={"slug": "no-such-comparison"})
    assert client.post(url, comment_form()).status_code == 404
    assert not posted().exists()


def test_unpublished_source_cannot_receive_comments(client, seeded, comment_form):
    source = Source.objects.get(slug="verb-or-tool")
    source.is_published = False
    source.save()
    assert client.post(source_post_url(source), comment_form()).status_code == 404


# Validation: errors next to the field, a summary, the text kept --------------------------------


def test_errors_show_next_to_each_field_and_in_a_summary_with_the_text_kept(
    client, seeded, comment_form
):
    data = comment_form(author_name="", body="x", author_url="javascript:alert(1)")
    data["body"] = "x"
    response = client.post(post_url(seeded), {**data, "author_email": "kept@example.org"})
    html = response.content.decode()
    assert response.status_code == 400
    assert not posted().exists()
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#comment-author_name"' in html
    assert 'href="#comment-body"' in html
    assert 'id="comment-author_name_error"' in html
    assert 'id="comment-body_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Enter a web address starting with http:// or https://." in html
    assert ">\nx</textarea>" in html
    assert 'value="kept@example.org"' in html


def test_htmx_errors_replace_the_form_and_keep_the_text(client, seeded, comment_form):
    response = client.post(post_url(seeded), comment_form(author_name="", body="Kept text"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx only swaps successful answers
    assert "<html" not in html
    assert "error-summary" in html
    assert ">\nKept text</textarea>" in html
    assert not posted().exists()


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("author_name", "n" * 60, True),
        ("author_name", "n" * 61, False),
        ("author_name", "   ", False),
        ("body", "ok", True),
        ("body", "k", False),
        ("body", "  \n\n  ", False),
        ("body", "b" * 5000, True),
        ("body", "b" * 5001, False),
    ],
)
def test_name_and_body_lengths_are_enforced(client, seeded, comment_form, field, value, ok):
    response = client.post(post_url(seeded), comment_form(**{field: value}))
    assert posted().exists() is ok
    assert response.status_code == (302 if ok else 400)


def test_body_with_windows_line_breaks_counts_each_break_once(client, seeded, comment_form):
    body = ("a" * 99 + "\r\n") * 50  # 5,000 characters once each break counts as one
    response = client.post(post_url(seeded), comment_form(body=body.strip() + "!"))
    assert response.status_code == 302
    assert len(posted().get().body) == 5000
    assert "\r" not in posted().get().body


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "  javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://files.example.org/",
        "java\tscript:alert(1)",
        "https://",
    ],
)
def test_website_must_be_an_http_or_https_address(client, seeded, comment_form, url):
    response = client.post(post_url(seeded), comment_form(author_url=url))
    assert response.status_code == 400
    assert not posted().exists()


def test_website_without_a_scheme_becomes_https_and_links_the_name(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(author_url="ada.example/blog"))
    comment = posted().get()
    assert comment.author_url == "https://ada.example/blog"
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert '<a href="https://ada.example/blog" rel="nofollow ugc noopener">Ada</a>' in page


@pytest.mark.parametrize("field", ["author_name", "body"])
@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x85"])
def test_nul_bytes_and_control_characters_are_refused_with_a_field_error(
    client, seeded, comment_form, field, bad
):
    value = f"Hello{bad}there"
    response = client.post(post_url(seeded), comment_form(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "invisible control characters" in html
    assert f'id="comment-{field}_error"' in html
    assert not posted().exists()


def test_tabs_and_line_breaks_in_the_body_are_kept(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(body="One\tTwo\nThree"))
    assert posted().get().body == "One\tTwo\nThree"


@pytest.mark.parametrize(
    "raw",
    [
        b"author_name=Ada&body=caf\xe9+au+lait",  # Latin-1, not UTF-8
        b"author_name=Ada&body=%FF%FE%FD",  # percent-encoded, still not UTF-8
        b"author_name=\xc3\x28&body=Hello+there",  # a broken two-byte sequence
        b"author_name=Ada&body=%ED%A0%80surrogate",  # an encoded surrogate half
    ],
)
def test_invalid_utf8_is_refused_with_a_plain_400_and_nothing_stored(client, seeded, raw):
    ticket = urlencode({"ticket": new_ticket(issued_at=time.time() - 60)}).encode()
    response = client.post(
        post_url(seeded), raw + b"&" + ticket, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"not valid UTF-8" in response.content
    assert not posted().exists()


def test_valid_utf8_from_a_raw_form_body_is_accepted(client, seeded):
    ticket = urlencode({"ticket": new_ticket(issued_at=time.time() - 60)}).encode()
    body = "author_name=Zoë&body=Ça marche — très bien 🙂&".encode() + ticket
    response = client.post(post_url(seeded), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert posted().get().body == "Ça marche — très bien 🙂"


# Plain text only -------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    "<b onmouseover=alert(1)>bold</b>",
    '"><script>alert(1)</script>',
    "<iframe src=//evil.example></iframe>",
    "<scr<script>ipt>alert(1)</script>",
    "<div style=\"background:url('javascript:alert(1)')\">",
    "</textarea><script>alert(1)</script>",
    "<<img src=x onerror=alert(1)//",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_in_the_name_and_body_is_stored_as_text_and_shown_escaped(
    client, seeded, comment_form, payload
):
    body = f"Look: {payload}"
    client.post(post_url(seeded), comment_form(author_name=payload[:60], body=body))
    comment = posted().get()
    assert comment.author_name == payload[:60]
    assert comment.body == body
    html = new_visitor().get(seeded.get_absolute_url()).content.decode()
    thread = html.split('id="comments"', 1)[1]
    assert payload not in thread
    assert escape(payload[:60]) in thread
    assert "<script>alert" not in thread
    assert "<svg" not in thread
    assert "<iframe" not in thread
    assert 'href="javascript:' not in thread


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_as_a_website_is_refused(client, seeded, comment_form, payload):
    response = client.post(post_url(seeded), comment_form(author_url=payload))
    html = response.content.decode()
    assert response.status_code == 400
    assert not posted().exists()
    assert payload not in html
    assert f'value="{escape(payload)}"' in html  # kept for correcting, as text


def test_htmx_answer_escapes_the_visitors_text_too(client, seeded, comment_form):
    payload = "<img src=x onerror=alert(1)>"
    html = client.post(
        post_url(seeded), comment_form(author_name=payload, body=payload), **HTMX
    ).content.decode()
    assert payload not in html
    assert escape(payload) in html


def test_paragraphs_are_kept_and_addresses_become_user_content_links(client, seeded, comment_form):
    body = "First line\nsecond line\n\nSee https://example.org/page?a=1&b=2 for more."
    client.post(post_url(seeded), comment_form(body=body))
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert "<p>First line<br>second line</p>" in html
    assert (
        '<a href="https://example.org/page?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "https://example.org/page?a=1&amp;b=2</a>" in html
    )


def test_the_email_is_never_shown(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(author_email="hidden.writer@example.org"))
    assert posted().get().author_email == "hidden.writer@example.org"
    for visitor in (client, new_visitor()):
        page = visitor.get(seeded.get_absolute_url()).content.decode()
        assert "hidden.writer@example.org" not in page
    feed = client.get(reverse("comments:comparison_feed", kwargs={"slug": seeded.slug}))
    assert b"hidden.writer" not in feed.content


# Double submit ---------------------------------------------------------------------------------


def test_the_same_form_sent_twice_creates_one_comment(client, seeded, comment_form):
    data = comment_form()
    first = client.post(post_url(seeded), data)
    second = client.post(post_url(seeded), data)
    assert posted().count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_htmx_double_submit_does_not_add_the_comment_to_the_page_twice(
    client, seeded, comment_form
):
    data = comment_form()
    client.post(post_url(seeded), data, **HTMX)
    again = client.post(post_url(seeded), data, **HTMX).content.decode()
    assert posted().count() == 1
    assert "beforeend:#comment-list" not in again
    assert "Your comment is posted." in again


def test_a_form_copied_to_another_visitor_cannot_swallow_their_comment(
    client, seeded, comment_form
):
    data = comment_form()
    client.post(post_url(seeded), data)
    other = new_visitor().post(post_url(seeded), {**data, "body": "Different words"})
    assert other.status_code == 400
    assert "This form was already used" in other.content.decode()
    assert ">\nDifferent words</textarea>" in other.content.decode()
    assert posted().count() == 1


# Spam defences ---------------------------------------------------------------------------------


def test_filled_honeypot_holds_the_comment_as_spam_shown_to_nobody(client, seeded, comment_form):
    response = client.post(post_url(seeded), comment_form(homepage="http://spam.example"))
    comment = posted().get()
    assert comment.status == ModerationStatus.SPAM
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "awaits moderation" in page
    assert comment.body not in page


def test_honeypot_field_is_hidden_from_people_and_labelled_for_screen_readers(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="homepage" tabindex="-1" autocomplete="off"' in html
    assert "Leave this field empty" in html


def test_form_sent_faster_than_a_person_can_type_is_refused_with_the_text_kept(
    client, seeded, comment_form
):
    data = comment_form(ticket=new_ticket(), body="Typed quickly")
    response = client.post(post_url(seeded), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "faster than a person can type" in html
    assert ">\nTyped quickly</textarea>" in html
    assert data["ticket"] in html  # the same ticket, so sending again after a moment works
    assert not posted().exists()


def test_minimum_fill_time_is_a_setting(client, seeded, comment_form, settings):
    settings.SMSN_COMMENT_MIN_SECONDS = 0
    response = client.post(post_url(seeded), comment_form(ticket=new_ticket()))
    assert response.status_code == 302


@pytest.mark.parametrize("ticket", ["", "forged", new_ticket()[:-3] + "abc"])
def test_missing_or_tampered_ticket_is_refused_and_replaced(client, seeded, comment_form, ticket):
    response = client.post(post_url(seeded), comment_form(ticket=ticket, body="Still here"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "could not be checked" in html
    assert ">\nStill here</textarea>" in html
    assert 'name="ticket" value="ey' in html
    assert not posted().exists()


def test_form_left_open_too_long_is_refused_with_a_fresh_ticket(client, seeded, comment_form):
    data = comment_form(ticket=new_ticket(issued_at=time.time() - 30 * 24 * 3600))
    response = client.post(post_url(seeded), data)
    assert response.status_code == 400
    assert "open for too long" in response.content.decode()
    assert data["ticket"] not in response.content.decode()


def test_sixth_comment_in_a_minute_gets_429_with_the_form_again_and_the_text_kept(
    client, seeded, comment_form
):
    for i in range(5):
        assert client.post(post_url(seeded), comment_form(body=f"Comment {i}")).status_code == 302
    response = client.post(post_url(seeded), comment_form(body="One too many"))
    assert response.status_code == 429
    html = response.content.decode()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "faster than we allow, so your comment was not posted" in summary
    assert ">\nOne too many</textarea>" in html
    assert 0 < int(response["Retry-After"]) <= 60
    wait = int(response["Retry-After"])
    assert f"Send it again in {wait} second{'' if wait == 1 else 's'}" in summary
    assert posted().count() == 5


def test_rate_limit_counts_per_address_across_visitor_ids(seeded, comment_form, settings):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(2, 60)]}
    statuses = [
        new_visitor(ip="198.51.100.7").post(post_url(seeded), comment_form()).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_rate_limit_counts_per_visitor_across_addresses(client, seeded, comment_form, settings):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(2, 60)]}
    statuses = [
        client.post(post_url(seeded), comment_form(), REMOTE_ADDR=f"192.0.2.{i}").status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_hourly_rate_limit_applies_too(client, seeded, comment_form, settings):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(100, 60), (3, 3600)]}
    statuses = [client.post(post_url(seeded), comment_form()).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_comments_refused_while_the_database_fails_do_not_use_up_the_allowance(
    client, seeded, comment_form, settings, redis_shared_cache, monkeypatch
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(2, 60)]}
    execute = CursorWrapper.execute

    def insert_fails(self, sql, params=None):
        # The database goes away as the comment is written: everything read before worked.
        if sql.lstrip().upper().startswith("INSERT"):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(self, sql, params)

    with monkeypatch.context() as outage:
        outage.setattr(CursorWrapper, "execute", insert_fails)
        statuses = [client.post(post_url(seeded), comment_form()).status_code for _ in range(3)]
    assert statuses == [503, 503, 503]
    assert client.post(post_url(seeded), comment_form()).status_code == 302
    assert posted().count() == 1


def test_htmx_rate_limit_answers_429_with_the_sentence_and_leaves_the_form_alone(
    client, seeded, comment_form, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(1, 60)]}
    client.post(post_url(seeded), comment_form(), **HTMX)
    response = client.post(post_url(seeded), comment_form(body="Wait for me"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 429
    # Only the sentence (static/js/in-place.js shows it by the form): the typed text stays put.
    assert html.startswith('<p class="refusal" role="alert" data-refusal>')
    assert "faster than we allow, so your comment was not posted" in html
    assert "your text is still in the form" in html
    assert "<form" not in html
    assert posted().count() == 1


def test_comment_with_more_than_two_links_awaits_moderation_seen_only_by_its_author(
    client, seeded, comment_form
):
    body = "Buy https://a.example https://b.example https://c.example now"
    response = client.post(post_url(seeded), comment_form(body=body))
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    mine = client.get(response["Location"]).content.decode()
    assert "awaits moderation" in mine
    assert f'id="comment-{comment.pk}"' in mine
    assert "Only you can see this comment" in mine
    theirs = new_visitor().get(seeded.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in theirs
    assert "a.example" not in theirs


def test_comment_with_two_links_is_published(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(body="See https://a.example and https://b.example"))
    assert posted().get().status == ModerationStatus.PUBLISHED


def test_comment_with_a_banned_word_awaits_moderation(client, seeded, comment_form):
    BannedWord.objects.create(phrase="Cheap Pills")
    html = client.post(
        post_url(seeded), comment_form(body="Get cheap pills here"), **HTMX
    ).content.decode()
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    assert "banned words" in comment.moderation_reason
    assert "awaits moderation" in html
    assert "Awaiting moderation" in html


def test_approved_pending_comment_becomes_visible_to_everybody(client, seeded, comment_form):
    client.post(
        post_url(seeded),
        comment_form(body="x https://a.example https://b.example y.example www.c.example"),
    )
    comment = posted().get()
    assert comment.status == ModerationStatus.PENDING
    comment.status = ModerationStatus.PUBLISHED
    comment.save()
    assert (
        f'id="comment-{comment.pk}"'
        in new_visitor().get(seeded.get_absolute_url()).content.decode()
    )


# Remembering the author ------------------------------------------------------------------------


def test_name_and_website_are_remembered_for_the_next_comment_but_not_the_email(
    client, seeded, comment_form
):
    client.post(
        post_url(seeded),
        comment_form(
            author_name="Zoë", author_url="https://zoe.example", author_email="zoe@example.org"
        ),
    )
    cookie = client.cookies[AUTHOR_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert "zoe@example.org" not in cookie.value
    assert "Zo" not in cookie.value  # signed and encoded, not readable in plain
    html = client.get(seeded.get_absolute_url()).content.decode()
    form = html.split('class="form comment-form"', 1)[1]
    assert 'value="Zoë"' in form
    assert 'value="https://zoe.example"' in form
    assert "zoe@example.org" not in html


def test_a_forged_author_cookie_is_ignored(client, seeded):
    client.cookies[AUTHOR_COOKIE] = "eyJuYW1lIjoiRXZlIn0:forged:signature"
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert 'name="author_name" value=' not in html


# Replies ---------------------------------------------------------------------------------------


def test_reply_appears_under_its_parent(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(body="Top-level"))
    parent = posted().get()
    response = new_visitor().post(
        post_url(seeded), comment_form(body="A reply", parent=str(parent.pk))
    )
    reply = posted().get(body="A reply")
    assert reply.parent == parent
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = client.get(seeded.get_absolute_url()).content.decode()
    replies = html.split(f'id="replies-{parent.pk}"', 1)[1].split("</ol>", 1)[0]
    assert f'id="comment-{reply.pk}"' in replies


def test_reply_to_a_reply_joins_the_top_level_conversation(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(body="Top-level"))
    top = posted().get()
    new_visitor().post(post_url(seeded), comment_form(body="First reply", parent=str(top.pk)))
    first = posted().get(body="First reply")
    new_visitor().post(post_url(seeded), comment_form(body="Second reply", parent=str(first.pk)))
    second = posted().get(body="Second reply")
    assert second.parent == top


def test_htmx_reply_is_added_to_its_parents_replies(client, seeded, comment_form):
    client.post(post_url(seeded), comment_form(body="Top-level"))
    parent = posted().get()
    html = (
        new_visitor()
        .post(post_url(seeded), comment_form(body="Quick reply", parent=str(parent.pk)), **HTMX)
        .content.decode()
    )
    assert f'hx-swap-oob="beforeend:#replies-{parent.pk}"' in html
    assert f'id="reply-status-{parent.pk}" data-hx-swap-oob="innerHTML"' in html
    assert "Your reply is posted." in html
    assert "<form" not in html.split("hx-swap-oob")[0]  # the reply form closes


def test_reply_to_a_comment_on_another_page_is_refused(client, seeded, comment_form):
    source = Source.objects.get(slug="verb-or-tool")
    client.post(source_post_url(source), comment_form(body="On a source"))
    other = posted().get()
    response = new_visitor().post(
        post_url(seeded), comment_form(body="Misplaced", parent=str(other.pk))
    )
    assert response.status_code == 400
    assert "no longer shown" in response.content.decode()
    assert ">\nMisplaced</textarea>" in response.content.decode()
    assert posted().count() == 1


@pytest.mark.parametrize(
    "status", [ModerationStatus.REMOVED, ModerationStatus.PENDING, ModerationStatus.SPAM]
)
def test_reply_to_a_comment_that_is_not_shown_is_refused_with_the_text_kept(
    client, seeded, comment_form, make_comment, status
):
    parent = make_comment(status=status)
    response = client.post(post_url(seeded), comment_form(body="Orphan", parent=str(parent.pk)))
    assert response.status_code == 400
    assert ">\nOrphan</textarea>" in response.content.decode()
    assert not posted().filter(body="Orphan").exists()


@pytest.mark.parametrize("parent", ["abc", "-1", "99999999999999999999999"])
def test_nonsense_parent_is_refused_without_an_error_page(client, seeded, comment_form, parent):
    response = client.post(post_url(seeded), comment_form(parent=parent))
    assert response.status_code == 400
    assert not posted().exists()


def test_reply_form_works_without_javascript(client, seeded, make_comment):
    parent = make_comment(author_name="Grace", body="Worth answering")
    response = client.get(reverse("comments:reply", kwargs={"pk": parent.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Worth answering" in html
    assert f'name="parent" value="{parent.pk}"' in html
    # The page sent back with errors opens at the form.
    assert f'action="{post_url(seeded)}#reply-slot-{parent.pk}"' in html


def test_reply_form_loads_in_place_with_htmx(client, seeded, make_comment):
    parent = make_comment()
    html = client.get(reverse("comments:reply", kwargs={"pk": parent.pk}), **HTMX).content.decode()
    assert "<html" not in html
    assert f'hx-target="#reply-slot-{parent.pk}"' in html
    assert f'id="reply{parent.pk}-body"' in html
    assert "autofocus" in html


def test_htmx_reply_with_errors_keeps_the_text_in_the_reply_form(
    client, seeded, make_comment, comment_form
):
    parent = make_comment()
    html = client.post(
        post_url(seeded),
        comment_form(author_name="", body="Half a reply", parent=str(parent.pk)),
        **HTMX,
    ).content.decode()
    assert f'id="reply{parent.pk}-author_name_error"' in html
    assert ">\nHalf a reply</textarea>" in html
    assert f'hx-target="#reply-slot-{parent.pk}"' in html


def test_reply_without_javascript_with_errors_shows_the_reply_page(
    client, seeded, make_comment, comment_form
):
    parent = make_comment(body="Parent text here")
    response = client.post(
        post_url(seeded), comment_form(author_name="", body="Half a reply", parent=str(parent.pk))
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Parent text here" in html
    assert ">\nHalf a reply</textarea>" in html
