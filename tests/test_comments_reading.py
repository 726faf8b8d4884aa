"""Reading threads: order, replies, labels, what is hidden, counts, pages and permalinks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db.models import Q
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentKind
from definitions.models import Source
from definitions.moderation import ModerationStatus
from smsn.visitors import Visitor

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def thread_html(client: Client, url: str) -> str:
    """Return the part of a page that holds the comment thread."""
    html = client.get(url).content.decode()
    return html.split('id="comments"', 1)[1]


def position(html: str, comment: Comment) -> int:
    index = html.find(f'id="comment-{comment.pk}"')
    assert index != -1, f"comment {comment.pk} is not on the page"
    return index


def thread_url(comparison) -> str:
    return reverse("comments:thread", kwargs={"slug": comparison.slug})


def a_minute_ago(minutes: int) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def test_thread_is_oldest_first_with_replies_under_their_parent(client, seeded, make_comment):
    first = make_comment(created=a_minute_ago(30))
    second = make_comment(created=a_minute_ago(20))
    late_reply_to_first = make_comment(parent=first, created=a_minute_ago(5))
    early_reply_to_first = make_comment(parent=first, created=a_minute_ago(25))
    html = thread_html(client, seeded.get_absolute_url())
    assert (
        position(html, first)
        < position(html, early_reply_to_first)
        < position(html, late_reply_to_first)
        < position(html, second)
    )
    replies = html.split(f'id="replies-{first.pk}"', 1)[1].split("</ol>", 1)[0]
    assert f'id="comment-{early_reply_to_first.pk}"' in replies


def test_every_comment_has_a_permalink_anchor(client, seeded, make_comment):
    comment = make_comment()
    html = thread_html(client, seeded.get_absolute_url())
    assert f'<article class="comment" id="comment-{comment.pk}">' in html
    assert f'href="{seeded.get_absolute_url()}#comment-{comment.pk}"' in html


def test_imported_comments_are_labelled_as_from_the_original_post(client, seeded):
    source = Source.objects.get(slug="channel-or-place")
    html = thread_html(client, source.get_absolute_url())
    imported = Comment.objects.filter(source=source, status=ModerationStatus.PUBLISHED)
    assert imported.count() == 3
    for comment in imported:
        article = html.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[0]
        assert "From the original post" in article
        assert "<time" not in article  # they came without a date; the import time is not one


def test_spam_and_pingbacks_from_the_original_post_are_not_shown(client, seeded):
    for slug in ("channel-or-place", "verb-or-tool"):
        source = Source.objects.get(slug=slug)
        html = thread_html(client, source.get_absolute_url())
        for hidden in Comment.objects.filter(source=source).filter(
            Q(status=ModerationStatus.SPAM) | Q(kind=CommentKind.PINGBACK)
        ):
            assert f'id="comment-{hidden.pk}"' not in html
            assert hidden.body[:40] not in html


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (ModerationStatus.SPAM, CommentKind.COMMENT),
        (ModerationStatus.REMOVED, CommentKind.COMMENT),
        (ModerationStatus.PUBLISHED, CommentKind.PINGBACK),
    ],
)
def test_comments_that_are_not_published_are_not_shown(client, seeded, make_comment, status, kind):
    hidden = make_comment(status=status, kind=kind, body="Should not be seen")
    html = thread_html(client, seeded.get_absolute_url())
    assert f'id="comment-{hidden.pk}"' not in html
    assert "Should not be seen" not in html


def test_pending_comment_is_shown_to_its_author_and_nobody_else(client, seeded, comment_form):
    client.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}),
        comment_form(body="Held back"),
    )
    pending = Comment.objects.get(body="Held back")
    pending.status = ModerationStatus.PENDING
    pending.save()
    assert f'id="comment-{pending.pk}"' in thread_html(client, seeded.get_absolute_url())
    assert "Awaiting moderation" in thread_html(client, seeded.get_absolute_url())
    assert "Held back" not in thread_html(Client(), seeded.get_absolute_url())


def test_removed_comment_with_replies_leaves_a_placeholder_and_its_replies(
    client, seeded, make_comment
):
    parent = make_comment(status=ModerationStatus.REMOVED, body="Gone now")
    reply = make_comment(parent=parent, body="Still worth reading")
    html = thread_html(client, seeded.get_absolute_url())
    assert "Comment removed." in html
    assert "Gone now" not in html
    assert "Still worth reading" in html
    assert position(html, parent) < position(html, reply)


def test_removed_comment_whose_replies_are_hidden_leaves_nothing(client, seeded, make_comment):
    parent = make_comment(status=ModerationStatus.REMOVED)
    make_comment(parent=parent, status=ModerationStatus.SPAM)
    html = thread_html(client, seeded.get_absolute_url())
    assert f'id="comment-{parent.pk}"' not in html
    assert "Comment removed." not in html


def test_pending_comment_with_replies_says_it_awaits_moderation(client, seeded, make_comment):
    parent = make_comment(status=ModerationStatus.PENDING, body="Reported text")
    make_comment(parent=parent, body="An answer")
    html = thread_html(client, seeded.get_absolute_url())
    assert "This comment is awaiting moderation." in html
    assert "Reported text" not in html
    assert "An answer" in html


def test_a_removed_comment_cannot_be_replied_to(client, seeded, make_comment):
    parent = make_comment(status=ModerationStatus.REMOVED)
    make_comment(parent=parent)
    html = thread_html(client, seeded.get_absolute_url())
    assert reverse("comments:reply", kwargs={"pk": parent.pk}) not in html
    assert client.get(reverse("comments:reply", kwargs={"pk": parent.pk})).status_code == 404


def test_source_page_shows_the_sources_comments_only(client, seeded, make_comment):
    source = Source.objects.get(slug="one-way-or-two-way")
    on_source = make_comment(source=source, body="About the source")
    on_comparison = make_comment(body="About the comparison")
    html = thread_html(client, source.get_absolute_url())
    assert f'id="comment-{on_source.pk}"' in html
    assert f'id="comment-{on_comparison.pk}"' not in html


# Counts ----------------------------------------------------------------------------------------


def test_comparison_page_counts_comments_per_source_and_for_the_discussion(
    client, seeded, make_comment
):
    verb = Source.objects.get(slug="verb-or-tool")  # 4 published originals and a pingback
    one_way = Source.objects.get(slug="one-way-or-two-way")
    make_comment(source=one_way)
    make_comment(source=one_way, status=ModerationStatus.PENDING)
    make_comment()
    make_comment()
    make_comment(status=ModerationStatus.SPAM)
    html = client.get(seeded.get_absolute_url()).content.decode()
    row = html.split(f'id="source-{verb.slug}"', 1)[1].split("</th>", 1)[0]
    assert f'href="{verb.get_absolute_url()}#discussion">4 comments' in row
    row = html.split(f'id="source-{one_way.slug}"', 1)[1].split("</th>", 1)[0]
    assert f'href="{one_way.get_absolute_url()}#discussion">1 comment<' in row
    row = html.split('id="source-content-or-conversation"', 1)[1].split("</th>", 1)[0]
    assert "No comments yet" in row
    discussion = html.split('id="comments"', 1)[1]
    assert '<span class="comment-total" id="comment-total">2 comments</span>' in discussion


def test_counting_every_rows_comments_takes_one_query(
    seeded, make_comment, django_assert_num_queries
):
    sources = list(seeded.sources.all())
    for source in sources:
        for _ in range(3):
            make_comment(source=source)
    template = Template(
        "{% load comments_tags %}{% for s in sources %}{% comment_count s %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        html = template.render(Context({"sources": sources}))
    assert html.count("comments<") == len(sources)


@pytest.mark.parametrize("size", [3, 30])
def test_thread_is_read_in_a_fixed_number_of_queries(
    client, seeded, make_comment, django_assert_num_queries, size
):
    for i in range(size):
        top = make_comment(created=a_minute_ago(100 - i))
        make_comment(parent=top, created=a_minute_ago(50 - i))
        make_comment(parent=top, status=ModerationStatus.REMOVED)
    removed = make_comment(status=ModerationStatus.REMOVED)
    make_comment(parent=removed)
    client.get(thread_url(seeded))  # a first visit may set up the session or cache
    # Comparison and counts, roots count, roots, replies: the same however long the thread.
    with django_assert_num_queries(5):
        response = client.get(thread_url(seeded))
    assert response.content.decode().count('class="comment-item"') == size + 1


@pytest.mark.parametrize("size", [2, 20])
def test_a_returning_visitors_thread_is_read_in_a_fixed_number_of_queries(
    client, seeded, make_comment, comment_form, django_assert_num_queries, size
):
    client.post(
        reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}), comment_form()
    )
    for _ in range(size):
        make_comment()
    client.get(thread_url(seeded))
    # One more query than a stranger's: which of these comments this visitor has reported.
    with django_assert_num_queries(6):
        client.get(thread_url(seeded))


# Pages -----------------------------------------------------------------------------------------


@pytest.fixture
def long_thread(seeded):
    """Fifty-one top-level comments, oldest first, each with one reply."""
    now = timezone.now()
    tops = Comment.objects.bulk_create(
        Comment(
            comparison=seeded,
            author_name=f"Reader {i}",
            body=f"Top-level number {i}",
            created=now - timedelta(hours=100 - i),
        )
        for i in range(51)
    )
    Comment.objects.bulk_create(
        Comment(
            comparison=seeded,
            parent=top,
            author_name="Replier",
            body=f"Reply to {top.pk}",
            created=top.created + timedelta(minutes=1),
        )
        for top in tops
    )
    return tops


def test_first_page_shows_fifty_comments_and_a_working_show_more_link(client, seeded, long_thread):
    html = thread_html(client, seeded.get_absolute_url())
    assert html.count('class="comment-item"') == 50
    assert f'id="comment-{long_thread[49].pk}"' in html
    assert f'id="comment-{long_thread[50].pk}"' not in html
    more = f"{thread_url(seeded)}?page=2"
    assert f'href="{more}#comments" data-hx-get="{more}"' in html


def test_second_page_without_javascript_shows_the_rest_and_a_way_back(client, seeded, long_thread):
    response = client.get(f"{thread_url(seeded)}?page=2")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert f'id="comment-{long_thread[50].pk}"' in html
    assert f"Reply to {long_thread[50].pk}" in html
    assert f'id="comment-{long_thread[0].pk}"' not in html
    assert "Earlier comments" in html
    assert "Show more comments" not in html


def test_show_more_with_htmx_answers_with_list_items_only(client, seeded, long_thread):
    html = client.get(f"{thread_url(seeded)}?page=2", **HTMX).content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<li class="comment-item">')
    assert f'id="comment-{long_thread[50].pk}"' in html
    assert "<form" not in html


@pytest.mark.parametrize("page", ["abc", "0", "-3", "999", "1" * 40])
def test_nonsense_page_numbers_show_a_page_not_an_error(client, seeded, long_thread, page):
    assert client.get(thread_url(seeded), {"page": page}).status_code == 200


def test_permalink_finds_the_page_a_comment_is_on(client, seeded, long_thread):
    last = long_thread[50]
    response = client.get(reverse("comments:permalink", kwargs={"pk": last.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(seeded)}?page=2#comment-{last.pk}"
    reply = last.replies.get()
    response = client.get(reverse("comments:permalink", kwargs={"pk": reply.pk}))
    assert response["Location"] == f"{thread_url(seeded)}?page=2#comment-{reply.pk}"
    first = long_thread[0]
    response = client.get(first.get_absolute_url())
    assert response["Location"] == f"{seeded.get_absolute_url()}#comment-{first.pk}"


def test_new_comment_in_a_long_thread_redirects_to_the_page_it_is_on(
    client, seeded, long_thread, comment_form
):
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    response = client.post(url, comment_form(body="The fifty-second"))
    comment = Comment.objects.get(body="The fifty-second")
    assert response["Location"] == (
        f"{thread_url(seeded)}?page=2&posted={comment.pk}#comment-{comment.pk}"
    )
    assert "The fifty-second" in client.get(response["Location"]).content.decode()


def test_htmx_comment_in_a_long_thread_sends_the_browser_to_its_page(
    client, seeded, long_thread, comment_form
):
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    response = client.post(url, comment_form(body="The fifty-second"), **HTMX)
    comment = Comment.objects.get(body="The fifty-second")
    assert response["HX-Redirect"].endswith(f"#comment-{comment.pk}")
    assert "page=2" in response["HX-Redirect"]


def test_permalink_of_a_hidden_comment_is_not_found(client, seeded, make_comment):
    for status in (ModerationStatus.PENDING, ModerationStatus.SPAM, ModerationStatus.REMOVED):
        comment = make_comment(status=status)
        url = reverse("comments:permalink", kwargs={"pk": comment.pk})
        assert client.get(url).status_code == 404


def test_permalink_with_htmx_answers_with_the_comment_alone(client, seeded, make_comment):
    comment = make_comment(body="Just this one")
    html = client.get(comment.get_absolute_url(), **HTMX).content.decode()
    # It takes the focus from the Cancel link it replaces.
    assert html.strip().startswith(
        f'<article class="comment" id="comment-{comment.pk}" tabindex="-1" autofocus>'
    )
    assert "Just this one" in html


# Feeds and page furniture ----------------------------------------------------------------------


def test_thread_links_its_atom_feeds(client, seeded):
    html = thread_html(client, seeded.get_absolute_url())
    feed = reverse("comments:comparison_feed", kwargs={"slug": seeded.slug})
    distinctions = reverse("definitions:distinctions_feed", kwargs={"slug": seeded.slug})
    assert f'href="{feed}" rel="alternate" type="application/atom+xml"' in html
    assert f'href="{distinctions}" rel="alternate" type="application/atom+xml"' in html


def test_thread_page_announces_its_feed_in_the_head(client, seeded):
    html = client.get(thread_url(seeded)).content.decode()
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head


def test_every_form_control_has_a_label(client, seeded, make_comment):
    make_comment()
    html = client.get(seeded.get_absolute_url()).content.decode()
    form = html.split('class="form comment-form"', 1)[1].split("</form>", 1)[0]
    for field in ("body", "author_name", "author_url", "author_email", "homepage"):
        assert f'<label for="comment-{field}">' in form
        assert f'id="comment-{field}"' in form
    assert "<legend>About you</legend>" in form


def test_comment_thread_tag_renders_in_any_template_given_the_request(seeded, make_comment):
    make_comment(body="Visible anyway")
    request = RequestFactory().get("/")
    request.visitor = Visitor(request)
    html = Template("{% load comments_tags %}{% comment_thread c %}").render(
        Context({"c": seeded, "request": request})
    )
    assert "Visible anyway" in html
