"""Hostile input: arbitrary text to every public form and endpoint, and a list of XSS payloads.

Whatever a stranger sends, the site answers 2xx, 3xx or a 4xx that says what was wrong, never
5xx; what it refuses leaves nothing behind, and what it accepts is stored exactly as typed and
shown as inert text.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
import uuid
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from comments.models import Comment, Report
from definitions.models import Dimension, Distinction, DistinctionReport, Placement, Vote
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORM = "application/x-www-form-urlencoded"
HTMX = {"HTTP_HX_REQUEST": "true"}

# Text people and programs really send: right-to-left and zero-width marks, emoji sequences,
# combining marks, byte-order marks, NUL and other control characters, line separators.
SPECIAL = [
    "\x00", "\u202e", "\u200f", "\u200b", "\u2066", "\ufeff", "\ufffd", "\u2028", "\r\n",
    "\x1b[31m", "\x7f", "\x85", "👩‍👩‍👧‍👦", "🇺🇦", "e\u0301", "Z\u0351\u0352\u0353",
    "\ud800", "\udfff", "\U0010ffff", "'", '"', "<", "&", "%00", "%ff",
]  # fmt: skip
any_character = st.characters(exclude_categories=())  # includes lone surrogates
hostile_text = st.one_of(
    st.text(max_size=80),
    st.text(any_character, max_size=80),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=12)), max_size=12).map("".join),
    st.builds(lambda piece, n: (piece * n)[:n], st.sampled_from(["x", "é", "😀", "\u202e"]),
              st.just(100_000)),
    st.just(""),
)  # fmt: skip
# Text the forms accept: no control characters, no surrogates, long enough after trimming, but
# full of what trips up careless code (bidi controls, zero-width marks, emoji, markup).
VALID_SPECIAL = [
    "\u202e", "\u200f", "\u200b", "\u2066", "\ufeff", "\ufffd", "👩‍👩‍👧‍👦", "🇺🇦", "e\u0301",
    "\U0010ffff", "'", '"', "<b>", "&amp;", "%00", "{{ x }}", "\\", "  ",
]  # fmt: skip
valid_text = (
    st.lists(
        st.one_of(
            st.sampled_from(VALID_SPECIAL),
            st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20),
        ),
        min_size=3,
        max_size=12,
    )
    .map("".join)
    .filter(lambda t: 12 <= len(t.strip()) <= 200)
)


def _raw(text: str) -> str:
    return quote_plus(text.encode("utf-8", "surrogatepass"))


def form_body(data: dict[str, str]) -> bytes:
    """Encode a form as a browser would, letting lone surrogates through as their raw bytes."""
    return "&".join(f"{_raw(key)}={_raw(value)}" for key, value in data.items()).encode()


def as_typed(text: str) -> str:
    """Return what a form keeps of `text`: line breaks made \\n and the ends trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def is_clean(text: str, *, multiline: bool) -> bool:
    """Return True if `text` holds no control character (but tab and line feed) or surrogate."""
    allowed = {"\n", "\t"} if multiline else set()
    return not any(unicodedata.category(c) in {"Cc", "Cs"} and c not in allowed for c in text)


def assert_answered(response) -> None:
    """Assert the answer is not a server error and, if a refusal, says what was wrong."""
    assert response.status_code < 500, response.status_code
    if 400 <= response.status_code < 500:
        content = response.content.decode("utf-8", "replace")
        assert content.strip()
        assert "Traceback" not in content
        if response["Content-Type"].startswith("text/html"):
            assert any(
                mark in content for mark in ("error-summary", "errorlist", "data-refusal")
            ), content[:500]


@pytest.fixture
def no_rate_limits(settings):
    """Let one test send many forms quickly; the limits have their own tests."""
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "comment": [(10**6, 60)]}
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "report": [(10**6, 60)]}
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "vote": [(10**6, 60)]}
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "placement": [(10**6, 60)]}
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "distinction": [(10**6, 600)]}
    settings.SMSN_COMMENT_REPORT_THRESHOLD = 10**6


def visitor() -> Client:
    return Client(REMOTE_ADDR=f"10.7.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


# Property tests of every public form ----------------------------------------------------------


COMMENT_FIELDS = ["body", "author_name", "author_url", "author_email"]


@HYPOTHESIS
@given(
    field=st.sampled_from(COMMENT_FIELDS),
    value=st.one_of(hostile_text, valid_text),
    on_source=st.booleans(),
    htmx=st.booleans(),
)
def test_the_comment_form_answers_anything_and_stores_only_what_is_valid(
    seeded, comment_form, no_rate_limits, field, value, on_source, htmx
):
    source = seeded.sources.first()
    address = (
        reverse(
            "comments:post_on_source",
            kwargs={"comparison_slug": seeded.slug, "slug": source.slug},
        )
        if on_source
        else reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    )
    data = comment_form(**{field: value})
    before = Comment.objects.count()
    response = visitor().post(address, form_body(data), content_type=FORM, **(HTMX if htmx else {}))
    assert_answered(response)
    created = Comment.objects.count() - before
    event("stored" if created else f"refused with {response.status_code}")
    assert created in (0, 1)
    if created:
        comment = Comment.objects.latest("pk")
        if field in ("body", "author_name"):
            assert getattr(comment, field) == as_typed(value)
        assert is_clean(comment.body, multiline=True)
        assert is_clean(comment.author_name + comment.author_url + comment.author_email,
                        multiline=False)  # fmt: skip
        assert comment.author_url == "" or comment.author_url.startswith(("http://", "https://"))
    else:
        assert response.status_code >= 400 or htmx


DISTINCTION_FIELDS = ["text_a", "text_b", "axis_a", "author_name"]


@HYPOTHESIS
@given(
    field=st.sampled_from(DISTINCTION_FIELDS),
    value=st.one_of(hostile_text, valid_text),
    htmx=st.booleans(),
)
def test_the_distinction_form_answers_anything_and_stores_only_what_is_valid(
    seeded, distinction_form, no_rate_limits, field, value, htmx
):
    fields = {field: value}
    if field == "axis_a":
        fields["axis_b"] = value[::-1]
    data = distinction_form(**fields)
    address = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
    before = Distinction.objects.count()
    response = visitor().post(address, form_body(data), content_type=FORM, **(HTMX if htmx else {}))
    assert_answered(response)
    created = Distinction.objects.count() - before
    event("stored" if created else f"refused with {response.status_code}")
    assert created in (0, 1)
    if created:
        distinction = Distinction.objects.latest("pk")
        for name, typed in fields.items():
            assert getattr(distinction, name) == as_typed(typed)
        assert is_clean(distinction.text_a + distinction.text_b, multiline=True)
        assert is_clean(distinction.axis_a + distinction.axis_b + distinction.author_name,
                        multiline=False)  # fmt: skip
    else:
        assert response.status_code >= 400 or htmx


@HYPOTHESIS
@given(value=st.one_of(st.sampled_from(["1", "-1", "0", " 1", "1\x00", "+1", "01"]), hostile_text))
def test_a_vote_is_counted_only_when_it_is_up_down_or_withdrawn(seeded, no_rate_limits, value):
    distinction = Distinction.objects.from_sources().published().first()
    address = reverse("definitions:vote", kwargs={"pk": distinction.pk})
    before = Vote.objects.count()
    response = visitor().post(address, form_body({"value": value}), content_type=FORM)
    assert_answered(response)
    if value in ("1", "-1"):
        assert response.status_code == 302
        assert Vote.objects.count() == before + 1
        assert Vote.objects.latest("pk").value == int(value)
    else:
        assert Vote.objects.count() == before
    distinction.refresh_from_db()
    assert (
        distinction.upvotes + distinction.downvotes
        == Vote.objects.filter(distinction=distinction).count()
    )


@HYPOTHESIS
@given(
    value=st.one_of(
        st.sampled_from(["a", "both", "b", "withdraw", " a", "a\x00", "B"]), hostile_text
    ),
    htmx=st.booleans(),
)
def test_a_placement_is_counted_only_when_it_is_a_both_b_or_withdrawn(
    seeded, no_rate_limits, value, htmx
):
    dimension = Dimension.objects.get(slug="audience")
    address = reverse("definitions:place", kwargs={"pk": dimension.pk})
    before = Placement.objects.count()
    headers = {"HX-Request": "true"} if htmx else {}
    response = visitor().post(
        address, form_body({"value": value}), content_type=FORM, headers=headers
    )
    assert_answered(response)
    if value in ("a", "both", "b"):
        assert response.status_code == (200 if htmx else 302)
        assert Placement.objects.count() == before + 1
        assert Placement.objects.latest("pk").value == value
    else:
        assert response.status_code >= 400 or value == "withdraw"
        assert Placement.objects.count() == before
    dimension.refresh_from_db()
    assert dimension.placed_total == Placement.objects.filter(dimension=dimension).count()


@HYPOTHESIS
@given(
    value=st.one_of(
        st.sampled_from(["a", "b", "both", "neither", " a", "A", "a\x00"]), hostile_text
    )
)
def test_an_answer_is_counted_only_when_it_is_one_of_the_four(seeded, no_rate_limits, value):
    from definitions.models import Example, ExampleAnswer

    example = Example.objects.get(slug="youtube")
    address = reverse("definitions:answer", kwargs={"pk": example.pk})
    before = ExampleAnswer.objects.count()
    response = visitor().post(address, form_body({"value": value}), content_type=FORM)
    assert_answered(response)
    if value in ("a", "b", "both", "neither"):
        assert response.status_code == 302
        assert ExampleAnswer.objects.count() == before + 1
    else:
        assert ExampleAnswer.objects.count() == before
    example.refresh_from_db()
    assert example.answer_total == ExampleAnswer.objects.filter(example=example).count()


@HYPOTHESIS
@given(reason=st.one_of(hostile_text, valid_text), htmx=st.booleans())
def test_a_report_answers_anything_and_keeps_its_reason_as_typed(
    seeded, make_comment, no_rate_limits, reason, htmx
):
    comment = make_comment()
    address = reverse("comments:report", kwargs={"pk": comment.pk})
    response = visitor().post(
        address, form_body({"reason": reason}), content_type=FORM, **(HTMX if htmx else {})
    )
    assert_answered(response)
    report = Report.objects.filter(comment=comment).first()
    event("stored" if report else f"refused with {response.status_code}")
    if report is not None:
        assert report.reason == as_typed(reason)
        assert is_clean(report.reason, multiline=False)
    else:
        assert response.status_code >= 400 or htmx


@HYPOTHESIS
@given(body=st.one_of(hostile_text, valid_text), htmx=st.booleans())
def test_an_edit_answers_anything_and_changes_the_comment_only_when_valid(
    seeded, make_comment, returning_visitor, body, htmx
):
    client, visitor_id = returning_visitor()
    comment = make_comment(visitor_id=visitor_id, created=timezone.now(), body="As first posted.")
    address = reverse("comments:edit", kwargs={"pk": comment.pk})
    response = client.post(
        address, form_body({"body": body}), content_type=FORM, **(HTMX if htmx else {})
    )
    assert_answered(response)
    comment.refresh_from_db()
    event("changed" if comment.body != "As first posted." else f"kept ({response.status_code})")
    if comment.body != "As first posted.":
        assert comment.body == as_typed(body)
        assert is_clean(comment.body, multiline=True)
    else:
        assert response.status_code >= 400 or htmx or as_typed(body) == "As first posted."


@HYPOTHESIS
@given(reason=st.one_of(hostile_text, valid_text), htmx=st.booleans())
def test_a_distinction_report_answers_anything_and_keeps_its_reason_as_typed(
    seeded, make_distinction, no_rate_limits, reason, htmx
):
    distinction = make_distinction()
    address = reverse("definitions:report_distinction", kwargs={"pk": distinction.pk})
    response = visitor().post(
        address, form_body({"reason": reason}), content_type=FORM, **(HTMX if htmx else {})
    )
    assert_answered(response)
    report = DistinctionReport.objects.filter(distinction=distinction).first()
    event("stored" if report else f"refused with {response.status_code}")
    if report is not None:
        assert report.reason == as_typed(reason)
        assert is_clean(report.reason, multiline=False)
    else:
        # htmx gets the form back in place with its error (200), as for a comment's report.
        assert response.status_code >= 400 or htmx


DISTINCTION_EDIT_FIELDS = ["text_a", "text_b", "axis_a", "axis_b"]


@HYPOTHESIS
@given(
    field=st.sampled_from(DISTINCTION_EDIT_FIELDS),
    value=st.one_of(hostile_text, valid_text),
    htmx=st.booleans(),
)
def test_a_distinction_edit_answers_anything_and_changes_it_only_when_valid(
    seeded, make_distinction, returning_visitor, field, value, htmx
):
    client, visitor_id = returning_visitor()
    first = {
        "text_a": "As first drawn, for A.",
        "text_b": "As first drawn, for B.",
        "axis_a": "one",
        "axis_b": "other",
    }
    distinction = make_distinction(visitor_id=visitor_id, created=timezone.now(), **first)
    address = reverse("definitions:edit_distinction", kwargs={"pk": distinction.pk})
    response = client.post(
        address,
        form_body({**first, field: value}),
        content_type=FORM,
        **(HTMX if htmx else {}),
    )
    assert_answered(response)
    distinction.refresh_from_db()
    now = {name: getattr(distinction, name) for name in first}
    event("changed" if now != first else f"kept ({response.status_code})")
    if now != first:
        assert now == {**first, field: as_typed(value)}
        assert is_clean(now[field], multiline=field.startswith("text"))
    else:
        assert response.status_code >= 400 or htmx or as_typed(value) == first[field]


@HYPOTHESIS
@given(username=hostile_text, password=hostile_text)
def test_the_admin_sign_in_answers_anything_without_a_server_error(
    db, settings, username, password
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    response = visitor().post(
        reverse("admin:login"),
        form_body({"username": username, "password": password}),
        content_type=FORM,
    )
    assert_answered(response)
    assert response.status_code in (200, 400, 413, 429)


PUBLIC_PAGES = [
    "home", "comparison", "open data", "source", "thread", "source thread", "comments feed",
    "distinctions feed", "source feed", "permalink", "reply", "report", "privacy", "admin login",
    "liveness", "readiness", "search", "distinction", "distinction report", "distinction edit",
    "distinction delete", "examples", "example", "examples feed", "distinction thread",
    "distinction feed",
    "liveness", "readiness", "sitemap", "robots", "comparison card", "site card",
]  # fmt: skip


def public_page(name: str, comparison) -> str:
    """Return the address of one public page (or endpoint) of the flagship comparison."""
    source = comparison.sources.first()
    comment = Comment.objects.filter(status=ModerationStatus.PUBLISHED, parent__isnull=True).first()
    assert comment is not None
    on_source = {"comparison_slug": comparison.slug, "slug": source.slug}
    distinction = Distinction.objects.from_readers().published().first()
    if distinction is None:
        distinction = Distinction.objects.create(
            comparison=comparison, author_name="Reader", text_a="A stage", text_b="A street"
        )
    by_pk = {"pk": distinction.pk}
    example = comparison.examples.first()
    on_distinction = {"slug": comparison.slug, "pk": source.distinction.pk}
    return {
        "distinction": reverse("definitions:distinction", kwargs=by_pk),
        "distinction report": reverse("definitions:report_distinction", kwargs=by_pk),
        "distinction edit": reverse("definitions:edit_distinction", kwargs=by_pk),
        "distinction delete": reverse("definitions:delete_distinction", kwargs=by_pk),
        "examples": reverse("definitions:examples", kwargs={"slug": comparison.slug}),
        "example": example.get_absolute_url(),
        "examples feed": reverse("definitions:examples_feed", kwargs={"slug": comparison.slug}),
        "distinction thread": reverse("comments:distinction_thread", kwargs=on_distinction),
        "distinction feed": reverse("comments:distinction_feed", kwargs=on_distinction),
        "home": "/",
        "comparison": comparison.get_absolute_url(),
        "open data": reverse("definitions:comparison_json", kwargs={"slug": comparison.slug}),
        "source": source.get_absolute_url(),
        "thread": reverse("comments:thread", kwargs={"slug": comparison.slug}),
        "source thread": reverse("comments:source_thread", kwargs=on_source),
        "comments feed": reverse("comments:comparison_feed", kwargs={"slug": comparison.slug}),
        "distinctions feed": reverse(
            "definitions:distinctions_feed", kwargs={"slug": comparison.slug}
        ),
        "source feed": reverse("comments:source_feed", kwargs=on_source),
        "liveness": reverse("liveness"),
        "readiness": reverse("readiness"),
        "permalink": reverse("comments:permalink", kwargs={"pk": comment.pk}),
        "reply": reverse("comments:reply", kwargs={"pk": comment.pk}),
        "report": reverse("comments:report", kwargs={"pk": comment.pk}),
        "privacy": reverse("privacy"),
        "admin login": reverse("admin:login"),
        "search": f"{reverse('search:search')}?q=media&comparison={comparison.slug}",
        "sitemap": reverse("definitions:sitemap"),
        "robots": reverse("robots_txt"),
        "comparison card": reverse("definitions:comparison_card", kwargs={"slug": comparison.slug}),
        "site card": reverse("site_card"),
    }[name]


@HYPOTHESIS
@given(
    page=st.sampled_from(PUBLIC_PAGES),
    key=st.one_of(st.sampled_from(["page", "posted", "cancel", "sent", "next"]), hostile_text),
    value=hostile_text,
    htmx=st.booleans(),
)
def test_every_page_answers_any_query_string_without_a_server_error(seeded, page, key, value, htmx):
    query = form_body({key[:200]: value[:2000]}).decode()
    response = Client().get(f"{public_page(page, seeded)}?{query}", **(HTMX if htmx else {}))
    assert_answered(response)


ADDRESSES = [
    "/compare/{}/",
    "/compare/social-media-vs-social-networking/sources/{}/",
    "/compare/{}/comments/",
    "/compare/{}/comments/post/",
    "/compare/social-media-vs-social-networking/{}",
    "/compare/{}/preview.png",
    "/comments/{}/",
    "/comments/{}/reply/",
    "/comments/{}/edit/",
    "/comments/{}/delete/",
    "/comments/{}/report/",
    "/distinctions/{}/",
    "/distinctions/{}/edit/",
    "/distinctions/{}/delete/",
    "/distinctions/{}/report/",
    "/distinctions/{}/vote/",
    "/points/{}/place/",
    "/examples/{}/answer/",
    "/compare/social-media-vs-social-networking/examples/{}/",
    "/compare/social-media-vs-social-networking/distinctions/{}/discuss/",
    "/compare/social-media-vs-social-networking/distinctions/{}/discuss/post/",
    "/{}",
    "/static/{}",
    "/admin/{}/",
]


@HYPOTHESIS
@given(
    address=st.sampled_from(ADDRESSES),
    segment=hostile_text.map(lambda t: t[:300]),
    method=st.sampled_from(["get", "post", "put", "head", "options"]),
)
def test_any_address_answers_without_a_server_error(seeded, address, segment, method):
    url = address.format(quote(segment.encode("utf-8", "surrogatepass"), safe=""))
    body = form_body({"body": segment[:50]})
    response = Client().generic(method.upper(), url, body, content_type=FORM)
    if method == "head":
        assert response.status_code < 500
    else:
        assert_answered(response)


# Every public address is in one of the tests above: a new one must be added there.
COVERED = {
    # pages and endpoints read with hostile query strings
    "definitions:home", "definitions:comparison", "definitions:comparison_json",
    "definitions:source", "comments:thread", "comments:source_thread",
    "comments:comparison_feed", "comments:source_feed", "definitions:distinctions_feed",
    "comments:permalink", "comments:reply", "comments:report", "privacy", "liveness", "readiness",
    "search:search",
    "definitions:distinction", "definitions:delete_distinction",
    "definitions:sitemap", "robots_txt", "definitions:comparison_card", "site_card",
    # forms sent hostile text
    "comments:post_on_comparison", "comments:post_on_source", "comments:edit", "comments:delete",
    "definitions:add_distinction", "definitions:vote", "definitions:place",
    "definitions:report_distinction", "definitions:edit_distinction",
    # issue 18: examples and distinction threads
    "definitions:examples", "definitions:example", "definitions:examples_feed",
    "comments:distinction_thread", "comments:distinction_feed",
    "definitions:answer", "comments:post_on_distinction",
}  # fmt: skip


def _named_patterns(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_public_address_is_covered_by_the_hostile_input_tests():
    from django.urls import get_resolver

    public = {n for n in _named_patterns(get_resolver().url_patterns) if not n.startswith("admin:")}
    assert public - COVERED == set(), "add these to the hostile input tests"


# Search queries -------------------------------------------------------------------------------

# The operators of PostgreSQL's tsquery and web search, quotes left open, right-to-left text,
# only stop words, nothing at all: results or a sentence, never a 500, never syntax.
SEARCH_QUERIES = [
    "& | ! :* <->", "social & media", "media:*", "!media", "media <-> social", "a <2> b",
    '"unbalanced', "'", '"""', "((media", "media))", "\\", "-", "--", "or", "-media",
    "the and of", "שלום עולם", "\u202emedia", "مرحبا بالعالم", "\u200f\u200b", "😀", "%_",
    "' OR 1=1 --", "\x01\x02", "\ud800", "\udfff media", "", " ", "x" * 200,
]  # fmt: skip
SEARCH_SENTENCES = ("result", "Nothing found", "too common", "Type a word")


@pytest.mark.parametrize("query", SEARCH_QUERIES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_hostile_search_gets_results_or_a_sentence(seeded, query, htmx):
    response = Client().get(f"{reverse('search:search')}?q={_raw(query)}", **(HTMX if htmx else {}))
    assert response.status_code == 200
    assert any(sentence in response.content.decode() for sentence in SEARCH_SENTENCES)


@pytest.mark.parametrize("length", [201, 10_240, 100_000])
def test_a_search_too_long_is_refused_with_a_sentence(seeded, length):
    response = Client().get(reverse("search:search"), {"q": "média " * (length // 6 + 1)})
    assert_answered(response)
    assert response.status_code == 400
    assert "Search for at most 200 characters" in response.content.decode()


def test_a_nul_in_a_search_is_refused_with_a_sentence(seeded):
    response = Client().get(f"{reverse('search:search')}?q=media%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@HYPOTHESIS
@given(query=hostile_text.map(lambda t: t[:300]), htmx=st.booleans())
def test_any_search_answers_without_a_server_error(seeded, query, htmx):
    response = Client().get(f"{reverse('search:search')}?q={_raw(query)}", **(HTMX if htmx else {}))
    assert_answered(response)


# XSS payloads ----------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click me</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<style>@import "//evil.example/x.css";</style>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "{{ 7|add:42 }} {% now 'Y' %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/?q=<script>alert(1)</script>",
    "Look: https://example.org/'onfocus='alert(1)' autofocus='",
]
LINK_PAYLOADS = [
    'https://example.org/"><script>alert(1)</script>',
    "https://example.org/'onmouseover='alert(1)",
    "https://example.org/?<img/src=x/onerror=alert(1)>",
]
REFUSED_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class ActiveContent(HTMLParser):
    """Collect whatever in a page could run: scripts, event handlers, script URLs, frames."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            data_block = attributes.get("type") in ("application/json", "application/ld+json")
            src = attributes.get("src") or ""
            same_site = src.startswith("/") and not src.startswith("//")
            if not data_block and not same_site:
                self.found.append(f"<script {attrs}>")
            self._in_script = not data_block
        if tag in {"iframe", "frame", "object", "embed", "base", "style"}:
            self.found.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name in self.URL_ATTRIBUTES and value:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(DANGEROUS_SCHEMES):
                    self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data[:80]!r}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def _fields_for(payload: str) -> dict[str, str]:
    """Fit a payload into the limits of the distinction form's fields."""
    padded = payload if len(payload) >= 10 else f"{payload} (padded)"
    return {
        "text_a": padded[:600],
        "text_b": f"Social networking: {payload}"[:600],
        "axis_a": payload[:40],
        "axis_b": payload[::-1][:40],
        "author_name": payload[:60],
    }


@pytest.fixture
def payloads_posted(seeded, comment_form, distinction_form, no_rate_limits, settings):
    """Post every payload as a comment, a reply, a website link, a distinction and a report."""
    settings.SMSN_COMMENTS_PER_PAGE = 500
    poster = visitor()
    comments_url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    source = seeded.sources.first()
    source_url = reverse(
        "comments:post_on_source", kwargs={"comparison_slug": seeded.slug, "slug": source.slug}
    )
    add_url = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
    for payload in PAYLOADS:
        for address in (comments_url, source_url):
            response = poster.post(address, comment_form(body=payload, author_name=payload[:60]))
            assert response.status_code == 302, (payload, response.content[:500])
        response = visitor().post(add_url, distinction_form(**_fields_for(payload)))
        assert response.status_code == 302, (payload, response.content[:2000])
    axis = source.distinction
    on_axis = reverse("comments:post_on_distinction", kwargs={"slug": seeded.slug, "pk": axis.pk})
    for payload in PAYLOADS:
        response = poster.post(on_axis, comment_form(body=payload, author_name=payload[:60]))
        assert response.status_code == 302, (payload, response.content[:500])
    for link in LINK_PAYLOADS:
        response = poster.post(comments_url, comment_form(body="My site.", author_url=link))
        assert response.status_code == 302, (link, response.content[:500])
    parent = Comment.objects.filter(
        body=PAYLOADS[0], source__isnull=True, distinction__isnull=True
    ).get()
    response = poster.post(
        comments_url, comment_form(body=PAYLOADS[1], author_name=PAYLOADS[2][:60], parent=parent.pk)
    )
    assert response.status_code == 302
    for payload in PAYLOADS:
        comment = Comment.objects.filter(body=PAYLOADS[3]).first()
        visitor().post(reverse("comments:report", kwargs={"pk": comment.pk}), {"reason": payload})
    return poster


def test_xss_payloads_are_stored_exactly_as_text(payloads_posted):
    for payload in PAYLOADS:
        assert Comment.objects.filter(body=payload, author_name=payload[:60]).count() == 3
        fields = _fields_for(payload)
        assert Distinction.objects.filter(**{k: as_typed(v) for k, v in fields.items()}).exists()
        assert Report.objects.filter(reason=payload).exists()
    for link in LINK_PAYLOADS:
        assert Comment.objects.filter(author_url=link).exists()


@pytest.mark.parametrize("link", REFUSED_LINKS)
def test_a_website_link_that_is_not_http_is_refused(seeded, comment_form, link):
    address = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    response = visitor().post(address, comment_form(author_url=link))
    assert response.status_code == 400
    assert "http://" in response.content.decode()
    assert not Comment.objects.filter(author_url=link.strip()).exists()


def _pages_showing_payloads(comparison) -> list[str]:
    source = comparison.sources.first()
    pages = [
        comparison.get_absolute_url(),
        source.get_absolute_url(),
        reverse("comments:thread", kwargs={"slug": comparison.slug}),
        reverse(
            "comments:source_thread",
            kwargs={"comparison_slug": comparison.slug, "slug": source.slug},
        ),
    ]
    search = reverse("search:search")
    pages += [f"{search}?q=alert", f"{search}?q=alert&kind=comments", f"{search}?q=example"]
    for distinction in Distinction.objects.from_readers().published()[:4]:
        pages.append(reverse("definitions:distinction", kwargs={"pk": distinction.pk}))
        pages.append(reverse("definitions:report_distinction", kwargs={"pk": distinction.pk}))
    pages.append(
        reverse(
            "comments:distinction_thread",
            kwargs={"slug": comparison.slug, "pk": source.distinction.pk},
        )
    )
    for distinction in Distinction.objects.from_readers().published()[:5]:
        pages.append(
            reverse(
                "comments:distinction_thread",
                kwargs={"slug": comparison.slug, "pk": distinction.pk},
            )
        )
    for comment in Comment.objects.filter(body__in=PAYLOADS[:4], is_imported=False):
        if not comment.parent_id:
            pages.append(reverse("comments:reply", kwargs={"pk": comment.pk}))
        pages.append(reverse("comments:report", kwargs={"pk": comment.pk}))
    return pages


def test_xss_payloads_are_shown_as_inert_text_on_every_public_page(payloads_posted, seeded):
    for reader in (payloads_posted, Client()):
        for page in _pages_showing_payloads(seeded):
            for headers in ({}, HTMX):
                response = reader.get(page, **headers)
                assert response.status_code == 200, page
                html = response.content.decode()
                assert active_content(html) == [], page
                for payload in PAYLOADS:
                    assert payload not in html or not set(payload) & set("<>\"'"), (page, payload)
    comparison_page = Client().get(seeded.get_absolute_url()).content.decode()
    thread = Client().get(reverse("comments:thread", kwargs={"slug": seeded.slug})).content.decode()
    assert escape("<script>alert(1)</script>") in comparison_page
    assert escape("&lt;script&gt;alert(1)&lt;/script&gt;") in thread
    # Template syntax in text is text, not a template.
    assert escape("{{ 7|add:42 }} {% now 'Y' %}") in thread


def test_xss_payloads_in_website_links_stay_inside_the_link(payloads_posted, seeded):
    html = Client().get(reverse("comments:thread", kwargs={"slug": seeded.slug})).content.decode()
    assert active_content(html) == []
    for link in LINK_PAYLOADS:
        assert f'href="{escape(link)}"' in html, link


def test_xss_payloads_in_feeds_are_escaped_text(payloads_posted, seeded):
    for name in ("comments:comparison_feed", "definitions:distinctions_feed"):
        response = Client().get(reverse(name, kwargs={"slug": seeded.slug}))
        assert response.status_code == 200
        xml = response.content.decode()
        assert "<script" not in xml
        assert "<img" not in xml
        assert "<svg" not in xml


def test_xss_payloads_in_the_open_data_are_json_strings_never_html(payloads_posted, seeded):
    response = Client().get(reverse("definitions:comparison_json", kwargs={"slug": seeded.slug}))
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = json.dumps(response.json(), ensure_ascii=False)
    assert json.dumps(PAYLOADS[0])[1:-1] in text


def test_xss_payloads_are_inert_in_the_moderators_admin(payloads_posted, superuser_client):
    pages = [
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_changelist") + "?status=pending",
        reverse("admin:definitions_distinction_changelist"),
        reverse("admin:comments_report_changelist"),
    ]
    pages += [
        reverse("admin:comments_comment_change", args=[c.pk])
        for c in Comment.objects.filter(body__in=PAYLOADS[:6])
    ]
    pages += [
        reverse("admin:definitions_distinction_change", args=[d.pk])
        for d in Distinction.objects.from_readers()[:6]
    ]
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        found = active_content(response.content.decode())
        # The admin's own scripts are files from this site; payloads add nothing.
        assert found == [], (page, found)


# Numbers that are not ASCII digits, and tickets nobody should be able to make --------------------

NOT_ASCII_DIGITS = ["²", "①", "٣", "1_0", " 7", "7 ", "+7", "-7", "0x1", "9" * 30, "", "\u0000"]


@pytest.mark.parametrize("posted", NOT_ASCII_DIGITS)
def test_a_posted_notice_naming_no_plain_number_is_ignored(
    seeded, make_comment, returning_visitor, posted
):
    client, visitor_id = returning_visitor()
    make_comment(visitor_id=visitor_id)
    response = client.get("/", {"posted": posted})
    assert response.status_code in (200, 400)
    assert response.status_code == 200 or "NUL" in response.content.decode()
    assert "Your comment is posted" not in response.content.decode()


@pytest.mark.parametrize("parent", NOT_ASCII_DIGITS)
def test_a_comment_naming_a_parent_that_is_no_plain_number_is_refused_with_a_sentence(
    seeded, comment_form, parent
):
    address = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    for headers in ({}, HTMX):
        response = visitor().post(address, comment_form(parent=parent), **headers)
        assert_answered(response)
    if parent.strip(" +") in ("", "7", "0x1"):
        return
    assert not Comment.objects.filter(is_imported=False, parent__isnull=True).exists()


@pytest.mark.parametrize("place", ["c²", "s①", "c٣", "c" + "9" * 30, "x1", "c", "c-1"])
def test_the_admin_place_filter_ignores_what_is_no_plain_number(moderator_client, seeded, place):
    response = moderator_client.get(reverse("admin:comments_comment_changelist"), {"place": place})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["status__exact=%00", "q=%00", "place=c1%00", "%00=1"])
def test_a_nul_in_an_admin_query_string_is_refused_with_a_sentence(moderator_client, query):
    response = moderator_client.get(f"{reverse('admin:comments_comment_changelist')}?{query}")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_public_query_string_is_refused_with_a_sentence(seeded):
    response = Client().get("/?page=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "NUL" in response.content.decode()


def _signed_ticket(payload) -> str:
    from django.core import signing

    from comments.forms import TICKET_SALT

    return signing.dumps(payload, salt=TICKET_SALT)


@pytest.mark.parametrize(
    "payload",
    [
        {"token": "x" * 65, "at": 0},
        {"token": "x" * 10_000, "at": 0},
        {"token": "é" * 40, "at": 0},
        {"token": "a b\x00c" * 8, "at": 0},
        {"token": "", "at": 0},
        {"token": 12345, "at": 0},
        {"token": ["x"], "at": 0},
        {"token": "x" * 32, "at": float("nan")},
        {"token": "x" * 32, "at": float("inf")},
        {"token": "x" * 32, "at": True},
        {"token": "x" * 32, "at": "yesterday"},
        ["x" * 65],
    ],
)
def test_a_validly_signed_ticket_holding_anything_but_a_token_is_refused(
    seeded, comment_form, payload
):
    if isinstance(payload, dict) and payload.get("at") == 0:
        payload = {**payload, "at": time.time() - 60}
    address = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    response = visitor().post(address, comment_form(ticket=_signed_ticket(payload)))
    assert response.status_code == 400
    assert "This form could not be checked." in response.content.decode()
    assert not Comment.objects.filter(is_imported=False).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"n": "a" * 65},
        {"n": "a" * 10_000},
        {"n": 12345},
        {"n": None},
        {"n": ["a" * 32]},
        {"t": float("nan")},
        {"t": float("inf")},
        {"t": "yesterday"},
        {"c": "1"},
        {"c": None},
    ],
)
def test_a_validly_signed_distinction_token_holding_anything_but_a_token_is_refused(
    seeded, distinction_form, payload
):
    from django.core import signing

    from definitions.forms import FORM_SALT

    token = {"n": uuid.uuid4().hex, "c": seeded.pk, "t": time.time() - 60, **payload}
    data = distinction_form(token=signing.dumps(token, salt=FORM_SALT, compress=True))
    address = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
    response = visitor().post(address, data)
    assert response.status_code == 400
    assert "This form is out of date." in response.content.decode()
    assert not Distinction.objects.from_readers().exists()


# Text shaped like the page cache's own markers, and Unicode at its edges, through every form ----

CACHE_LOOKALIKES = [
    "\ue000", "\ue000zz\ue000", "\ue000csrf\ue000", "\ue000vote:1\ue000", "\ue000end-vote\ue000",
    "\ue000nonce\ue000", "\ue000fresh:token\ue000", "\ue000fresh:ticket\ue000",
    "\ue000" + "0" * 32 + ":csrf\ue000",
]  # fmt: skip
NONCHARACTERS = ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U000effff", "\U0010ffff"]
BIDI = list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = list("\u200b\u200c\u200d\u2060\ufeff\u180e")
shown_piece = st.one_of(
    st.sampled_from(CACHE_LOOKALIKES),
    st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF),
    st.characters(min_codepoint=0xF0000, max_codepoint=0x10FFFD),  # planes 15 and 16
    st.sampled_from(BIDI),
    st.sampled_from(ZERO_WIDTH),
    st.characters(categories=["Mn", "Me"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=6),
)
refused_piece = st.one_of(
    st.sampled_from(NONCHARACTERS),
    st.sampled_from([chr(0xD800), chr(0xDBFF), chr(0xDC00), chr(0xDFFF)]),  # lone surrogates
)


def _text(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda before, middle, after: before + "".join(middle) + after,
        st.sampled_from(["", "I agree ", "Ada "]),
        st.lists(pieces, min_size=1, max_size=8),
        st.sampled_from(["", " with this", " end"]),
    )


# Mostly text a page can show, so most examples reach the pages; some with what no page shows.
edge_text = st.one_of(
    _text(shown_piece), _text(shown_piece), _text(st.one_of(shown_piece, refused_piece))
)
# Each form, the field that gets the text and what the field needs to pass its other checks.
FORM_FIELDS = [
    ("comment", "body"), ("comment", "author_name"), ("comment", "author_url"),
    ("comment on a source", "body"), ("comment on a source", "author_name"),
    ("reply", "body"), ("reply", "author_name"), ("edit", "body"), ("report", "reason"),
    ("distinction", "text_a"), ("distinction", "text_b"), ("distinction", "axis_a"),
    ("distinction", "author_name"),
]  # fmt: skip


@pytest.fixture(params=["database cache", "redis cache"])
def either_cache(request):
    """Run the test on the tests' database cache and on production's Redis backend."""
    if request.param == "redis cache":
        request.getfixturevalue("redis_shared_cache")


def _send(client, address: str, data: dict[str, str], htmx: bool):
    return client.post(address, form_body(data), content_type=FORM, **(HTMX if htmx else {}))


def _pages(comparison) -> list[str]:
    source = comparison.sources.first()
    on_source = {"comparison_slug": comparison.slug, "slug": source.slug}
    return [
        "/",
        source.get_absolute_url(),
        reverse("comments:thread", kwargs={"slug": comparison.slug}),
        reverse("comments:source_thread", kwargs=on_source),
        reverse("comments:comparison_feed", kwargs={"slug": comparison.slug}),
        reverse("comments:source_feed", kwargs=on_source),
        reverse("definitions:distinctions_feed", kwargs={"slug": comparison.slug}),
        reverse("definitions:comparison_json", kwargs={"slug": comparison.slug}),
    ]


def _read_everything(comparison, readers) -> dict[tuple[int, str], str]:
    """Fetch every page as each reader; assert none fails, feeds are XML and the export JSON."""
    import xml.etree.ElementTree as ET

    seen = {}
    for n, reader in enumerate(readers):
        for page in _pages(comparison):
            response = reader.get(page)
            assert response.status_code == 200, (page, response.status_code)
            kind = response["Content-Type"]
            if "xml" in kind:
                ET.fromstring(response.content)  # noqa: S314 (the site's own feed)
            elif "json" in kind:
                json.loads(response.content)
            seen[n, page] = response.content.decode()
    return seen


@pytest.mark.usefixtures("either_cache")
@settings(HYPOTHESIS, max_examples=25)
@given(form_field=st.sampled_from(FORM_FIELDS), text=edge_text, htmx=st.booleans())
@example(form_field=("comment", "body"), text="I agree \ue000zz\ue000 with this", htmx=False)
@example(form_field=("reply", "author_name"), text="\ue000csrf\ue000", htmx=True)
@example(form_field=("distinction", "text_b"), text="x \ue000vote:1\ue000 y", htmx=False)
def test_any_unicode_sent_to_any_form_is_shown_as_typed_or_refused_and_every_page_still_works(
    seeded, comment_form, distinction_form, returning_visitor, make_comment, no_rate_limits,
    settings, form_field, text, htmx,
):  # fmt: skip
    from django.template.defaultfilters import linebreaksbr

    from comments.text import render_plain_text

    settings.SMSN_COMMENTS_PER_PAGE = 500
    form, field = form_field
    author, visitor_id = returning_visitor()
    source = seeded.sources.first()
    parent = make_comment(body="The comment replied to")
    own = make_comment(visitor_id=visitor_id, created=timezone.now(), body="As first posted.")
    on_source = {"comparison_slug": seeded.slug, "slug": source.slug}
    value = f"https://example.org/{text}" if field == "author_url" else text
    if form == "distinction":
        data = distinction_form(**{field: value})
        if field == "axis_a":
            data["axis_b"] = "room"
        address = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
        rows = Distinction.objects.from_readers()
    elif form == "edit":
        data, address = {"body": value}, reverse("comments:edit", args=[own.pk])
        rows = Comment.objects.filter(pk=own.pk).exclude(body="As first posted.")
    elif form == "report":
        data, address = {"reason": value}, reverse("comments:report", args=[parent.pk])
        rows = Report.objects.filter(comment=parent)
    else:
        data = comment_form(**{field: value}, parent=str(parent.pk) if form == "reply" else "")
        address = (
            reverse("comments:post_on_source", kwargs=on_source)
            if form == "comment on a source"
            else reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
        )
        rows = Comment.objects.filter(is_imported=False).exclude(pk__in=[parent.pk, own.pk])
    before = rows.count()
    response = _send(author, address, data, htmx)
    assert_answered(response)
    stored = rows.count() > before
    event(f"{form} stored" if stored else f"{form} refused with {response.status_code}")
    if not stored:
        assert response.status_code >= 400 or htmx, response.status_code
        return
    row = rows.latest("pk")
    assert getattr(row, field) == as_typed(value)
    stranger = Client()
    seen = _read_everything(seeded, [stranger, author])
    page = source.get_absolute_url() if form == "comment on a source" else "/"
    if form == "report":
        return
    shown = {
        "body": str(render_plain_text(getattr(row, "body", ""))),
        "text_a": linebreaksbr(getattr(row, "text_a", ""), autoescape=True),
        "text_b": linebreaksbr(getattr(row, "text_b", ""), autoescape=True),
    }.get(field, escape(getattr(row, field)))
    readers = [1] if row.status != "published" else [0, 1]
    for reader in readers:
        assert shown in seen[reader, page], (reader, page, shown)


@pytest.mark.usefixtures("either_cache")
@pytest.mark.parametrize(
    "text",
    [
        "I agree \ue000zz\ue000 with this",
        "I agree \ue000csrf\ue000 with this",
        "Vote \ue000vote:1\ue000 \ue000end-vote\ue000 \ue000nonce\ue000 \ue000fresh:token\ue000",
    ],
)
@pytest.mark.parametrize("form", ["comment", "reply", "comment on a source", "distinction"])
def test_text_holding_the_page_caches_marker_character_is_shown_as_typed_to_a_stranger(
    seeded, comment_form, distinction_form, make_comment, text, form
):
    source = seeded.sources.first()
    parent = make_comment(body="The comment replied to")
    on_source = {"comparison_slug": seeded.slug, "slug": source.slug}
    page = source.get_absolute_url() if form == "comment on a source" else "/"
    stranger = Client()
    assert stranger.get(page).status_code == 200  # the page is cached before the text arrives
    author = visitor()
    if form == "distinction":
        address = reverse("definitions:add_distinction", kwargs={"slug": seeded.slug})
        data = distinction_form(text_a=text, author_name=text[:60])
    else:
        address = (
            reverse("comments:post_on_source", kwargs=on_source)
            if form == "comment on a source"
            else reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
        )
        data = comment_form(body=text, parent=str(parent.pk) if form == "reply" else "")
    assert author.post(address, data).status_code == 302
    for reader in (stranger, Client(), author):
        for _ in range(2):  # rendered and stored, then served from the cache
            response = reader.get(page)
            assert response.status_code == 200
            html = response.content.decode()
            assert escape(text) in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    nonce = re.search(r'nonce="([^"]+)"', html)[1]
    assert html.count(token) == html.count('name="csrfmiddlewaretoken"')
    # This request's nonce, on the page's scripts (two, and structured data) and nowhere else.
    assert html.count(nonce) == html.count(f'nonce="{nonce}"') == html.count("<script ") >= 2
    if page == "/":  # only the real vote forms: none grew out of the reader's text
        assert html.count('<form class="vote"') == Distinction.objects.published().count()
