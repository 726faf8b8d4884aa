"""Comments changed in place with htmx (issue 16): the count, the notices and the focus follow.

What a person sees of these in a browser is in tests/browser/test_refusals.py; here, the answers
that make it so.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_url(comparison) -> str:
    return reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug})


def oob(html: str, element_id: str) -> str:
    """Return the out-of-band element with this id in an htmx answer."""
    match = re.search(
        rf'<[a-z]+ [^>]*id="{element_id}"[^>]*data-hx-swap-oob[^>]*>.*?</', html, re.S
    )
    assert match, f"no out-of-band #{element_id} in {html[:400]}"
    return match[0]


def test_the_first_comment_posted_with_htmx_updates_the_count_and_hides_be_the_first(
    client, seeded, comment_form
):
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert '<span class="comment-total" id="comment-total">No comments yet</span>' in page
    assert '<p class="no-comments" id="no-comments">Be the first to comment.</p>' in page
    html = client.post(post_url(seeded), comment_form(body="First!"), **HTMX).content.decode()
    assert ">1 comment</" in oob(html, "comment-total")
    assert " hidden " in oob(html, "no-comments")
    html = client.post(post_url(seeded), comment_form(body="Second"), **HTMX).content.decode()
    assert ">2 comments</" in oob(html, "comment-total")


def test_the_posted_notice_takes_the_focus_from_the_replaced_form(client, seeded, comment_form):
    html = client.post(post_url(seeded), comment_form(), **HTMX).content.decode()
    assert re.search(r'<p class="notice" tabindex="-1" autofocus>Your comment is posted', html)


@pytest.fixture
def posted(client, seeded, comment_form) -> Comment:
    client.post(post_url(seeded), comment_form(body="Mine"), **HTMX)
    return Comment.objects.get(body="Mine")


def test_saving_an_edit_with_htmx_clears_the_posted_notice_and_focuses_saved(client, posted):
    url = reverse("comments:edit", kwargs={"pk": posted.pk})
    html = client.post(url, {"body": "Mine, better"}, **HTMX).content.decode()
    assert '<div id="comment-status" data-hx-swap-oob="innerHTML"></div>' in html
    assert '<p class="notice" role="status" tabindex="-1" autofocus>Saved.</p>' in html
    assert ">1 comment</" in oob(html, "comment-total")


def test_deleting_with_htmx_clears_the_posted_notice_and_lowers_the_count(client, posted):
    url = reverse("comments:delete", kwargs={"pk": posted.pk})
    html = client.post(url, **HTMX).content.decode()
    assert '<div id="comment-status" data-hx-swap-oob="innerHTML"></div>' in html
    assert "No comments yet" in oob(html, "comment-total")
    assert 'tabindex="-1" autofocus>Your comment is deleted.</p>' in html


def test_deleting_a_reply_clears_the_notice_under_its_conversation(
    client, seeded, comment_form, make_comment
):
    parent = make_comment()
    client.post(post_url(seeded), comment_form(body="My reply", parent=str(parent.pk)), **HTMX)
    reply = Comment.objects.get(body="My reply")
    html = client.post(reverse("comments:delete", kwargs={"pk": reply.pk}), **HTMX)
    assert f'<div id="reply-status-{parent.pk}" data-hx-swap-oob="innerHTML"></div>' in (
        html.content.decode()
    )


def test_cancelling_an_edit_gives_the_focus_back_to_the_comment(client, posted):
    html = client.get(posted.get_absolute_url(), **HTMX).content.decode()
    assert f'id="comment-{posted.pk}" tabindex="-1" autofocus>' in html


def test_htmx_copies_no_style_attribute_when_it_settles_a_swap(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)[1])
    assert "style" not in config["attributesToSettle"]
    assert {"class", "width", "height"} <= set(config["attributesToSettle"])


def test_the_comment_form_says_what_really_happens_to_a_comment(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    form = html.split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    assert "Comments are moderated" not in form
    assert "Your comment appears at once, unless it looks like spam" in form
    assert "hidden until a moderator decides" in form


def test_a_comment_refused_without_javascript_opens_at_its_form(client, seeded, comment_form):
    html = client.get(seeded.get_absolute_url()).content.decode()
    assert f'action="{post_url(seeded)}#comment-form"' in html
    response = Client().post(post_url(seeded), comment_form(body=""))
    assert response.status_code == 400
    page = response.content.decode()
    # The anchor in the action is on the page sent back, around the form and its errors.
    slot = page.split('id="comment-form"', 1)[1]
    assert slot.index('class="error-summary"') < slot.index("</form>")
