"""A moderator adds a source from an article's text in the admin: paste, review, confirm."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from comments.models import Comment, CommentKind
from definitions.models import Definition, Distinction, Source, Stance
from definitions.moderation import ModerationStatus

pytestmark = pytest.mark.django_db

INTAKE = "admin:definitions_source_intake"
REVIEW = "admin:definitions_source_intake_review"
NEW_TITLE = "Stop Mixing Up Social Media and Social Networking"


class FormFields(HTMLParser):
    """Collect what a browser would submit from the first form posting to `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.data: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action") == self.action and not self.done:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") != "submit":
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.add(a["name"], a.get("value", "on"))
            else:
                self.add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.add(self.textarea, "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.add(self.select, a.get("value", ""))

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # Like a browser, drop the one newline that follows <textarea>.
            value = self.data[self.textarea][-1]
            self.data[self.textarea][-1] = value.removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def review_form(response) -> dict[str, list[str]]:
    parser = FormFields(reverse(REVIEW))
    parser.feed(response.content.decode())
    assert parser.data, "the review page has no review form"
    return parser.data


def paste(client, comparison, text, **extra):
    return client.post(
        reverse(INTAKE),
        {"comparison": comparison.pk, "text": text, "original_url": "", "site_name": "", **extra},
    )


def test_source_list_offers_add_source_from_text(superuser_client, seeded):
    response = superuser_client.get(reverse("admin:definitions_source_changelist"))

    assert response.status_code == 200
    assert reverse(INTAKE) in response.content.decode()
    assert "Add source from text" in response.content.decode()


def test_a_superuser_adds_a_new_article_as_a_draft_that_appears_once_published(
    superuser_client, seeded, new_article_text
):
    sources_before = Source.objects.count()
    page = superuser_client.get(reverse(INTAKE))
    assert page.status_code == 200

    review = paste(
        superuser_client,
        seeded,
        new_article_text,
        original_url="https://blog.example.org/stop-mixing-up",
        site_name="blog.example.org",
    )

    assert review.status_code == 200
    html = review.content.decode()
    assert escape(NEW_TITLE) in html
    assert "Maria Lopez" in html
    assert Source.objects.count() == sources_before  # nothing saved before confirmation
    data = review_form(review)
    assert data["title"] == [NEW_TITLE]
    assert data["published_year"] == ["2015"]
    assert data["definition_a"][0].startswith("Social media is the set of online channels")
    assert data["definition_b"][0].startswith("Social networking describes the activity")
    assert data["comments-INITIAL_FORMS"] == ["2"]
    assert data["comments-TOTAL_FORMS"] == ["3"]  # and a blank row to add one

    saved = superuser_client.post(reverse(REVIEW), data)

    assert saved.status_code == 302
    source = Source.objects.get(title=NEW_TITLE)
    assert saved["Location"] == reverse("admin:definitions_source_change", args=[source.pk])
    assert source.site_name == "blog.example.org"
    assert source.original_url == "https://blog.example.org/stop-mixing-up"
    assert (source.published_year, source.published_month, source.published_day) == (2015, 3, 3)
    assert source.slug == "stop-mixing-up-social-media-and-social-networking"
    assert "Tags:" not in source.body
    for definition in Definition.objects.filter(source=source):
        assert source.body[definition.start : definition.end] == definition.quote
    assert source.definitions.get(term="a").quote.startswith("Social media is the set of")
    assert source.distinction.axis_a == "online channels"
    assert source.distinction.axis_b == "activity"
    comments = Comment.objects.filter(source=source).order_by("import_position")
    assert [(c.author_name, c.kind, c.status, c.is_imported) for c in comments] == [
        ("Maria Lopez", CommentKind.COMMENT, ModerationStatus.PUBLISHED, True),
        ("", CommentKind.PINGBACK, ModerationStatus.PUBLISHED, True),
    ]
    assert not source.is_published
    row = f'id="source-{source.slug}"'
    assert row not in superuser_client.get("/").content.decode()
    assert superuser_client.get(source.get_absolute_url()).status_code == 404

    published = superuser_client.post(reverse("admin:definitions_source_publish", args=[source.pk]))

    assert published.status_code == 302
    assert row in superuser_client.get("/").content.decode()
    assert superuser_client.get(source.get_absolute_url()).status_code == 200


def test_a_source_is_saved_only_once_when_confirmed_twice(
    superuser_client, seeded, new_article_text
):
    data = review_form(paste(superuser_client, seeded, new_article_text))

    first = superuser_client.post(reverse(REVIEW), data)
    second = superuser_client.post(reverse(REVIEW), data)

    assert first.status_code == 302
    assert second.status_code == 400
    assert "already a source" in second.content.decode()
    assert Source.objects.filter(title=NEW_TITLE).count() == 1


def test_the_moderator_can_choose_another_candidate_untick_a_comment_and_tick_a_dimension(
    superuser_client, seeded, new_article_text
):
    data = review_form(paste(superuser_client, seeded, new_article_text))
    quote = "The value of networking is not in any single post."
    data["quote_b"] = [quote]
    data.pop("comments-1-include", None)
    forms = int(data["stances-TOTAL_FORMS"][0])
    privacy = next(
        n
        for n in range(forms)
        if data[f"stances-{n}-dimension"] == [str(seeded.dimensions.get(slug="privacy").pk)]
    )
    data[f"stances-{privacy}-include"] = ["on"]
    data[f"stances-{privacy}-says_a"] = ["Public by default"]
    data[f"stances-{privacy}-says_b"] = ["Among people you know"]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    source = Source.objects.get(title=NEW_TITLE)
    definition = source.definitions.get(term="b")
    assert definition.quote == quote
    assert source.body[definition.start : definition.end] == quote
    assert Comment.objects.filter(source=source).count() == 1
    stance = Stance.objects.get(source=source, dimension__slug="privacy")
    assert (stance.says_a, stance.says_b) == ("Public by default", "Among people you know")


def test_an_edited_quote_that_is_not_in_the_body_is_refused_with_a_clear_error(
    superuser_client, seeded, new_article_text
):
    data = review_form(paste(superuser_client, seeded, new_article_text))
    data["quote_a"] = ["Social media is whatever I say it is."]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "This quote for Social media is not in the article" in html
    assert "Nothing has been saved" in html
    assert "Social media is whatever I say it is." in html  # the input is kept
    assert not Source.objects.filter(title=NEW_TITLE).exists()


def test_a_ticked_dimension_needs_what_the_source_says(superuser_client, seeded, new_article_text):
    data = review_form(paste(superuser_client, seeded, new_article_text))
    data["stances-0-include"] = ["on"]
    data["stances-0-says_a"] = [""]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 400
    assert "Say what the source says here, or untick this dimension." in response.content.decode()
    assert not Source.objects.filter(title=NEW_TITLE).exists()


def test_a_txt_upload_is_read_like_pasted_text(superuser_client, seeded, new_article_text):
    upload = SimpleUploadedFile(
        "article.txt", new_article_text.encode("utf-8"), content_type="text/plain"
    )

    response = superuser_client.post(
        reverse(INTAKE), {"comparison": seeded.pk, "text": "", "upload": upload}
    )

    assert response.status_code == 200
    assert review_form(response)["title"] == [NEW_TITLE]


def test_an_upload_that_is_not_utf8_gets_a_clear_error_and_saves_nothing(superuser_client, seeded):
    sources_before = Source.objects.count()
    upload = SimpleUploadedFile(
        "article.txt",
        "Caf\u00e9 society: social media".encode("latin-1"),
        content_type="text/plain",
    )

    response = superuser_client.post(
        reverse(INTAKE), {"comparison": seeded.pk, "text": "", "upload": upload}
    )

    assert response.status_code == 400
    assert "This file is not valid UTF-8 text" in response.content.decode()
    assert Source.objects.count() == sources_before


def test_an_upload_with_nul_bytes_is_refused(superuser_client, seeded):
    upload = SimpleUploadedFile("article.txt", b"Title here\n\nBody\x00text", "text/plain")

    response = superuser_client.post(
        reverse(INTAKE), {"comparison": seeded.pk, "text": "", "upload": upload}
    )

    assert response.status_code == 400
    assert "NUL bytes" in response.content.decode()


def test_pasting_nothing_or_both_text_and_file_is_refused(superuser_client, seeded):
    nothing = superuser_client.post(reverse(INTAKE), {"comparison": seeded.pk, "text": "  "})
    both = superuser_client.post(
        reverse(INTAKE),
        {
            "comparison": seeded.pk,
            "text": "A title for it\n\nSocial media is a channel.",
            "upload": SimpleUploadedFile("a.txt", b"Another title\n\nText.", "text/plain"),
        },
    )

    assert nothing.status_code == 400
    assert "Paste the article" in nothing.content.decode()
    assert both.status_code == 400
    assert "not both" in both.content.decode()


def test_a_staff_account_without_permission_to_add_sources_gets_403(
    staff_client, seeded, new_article_text
):
    from django.contrib.auth.models import Permission, User

    User.objects.get(username="stan").user_permissions.add(
        Permission.objects.get(codename="view_source")
    )
    assert staff_client.get(reverse(INTAKE)).status_code == 403
    assert paste(staff_client, seeded, new_article_text).status_code == 403
    assert staff_client.post(reverse(REVIEW), {"comparison": seeded.pk}).status_code == 403
    changelist = staff_client.get(reverse("admin:definitions_source_changelist"))
    assert changelist.status_code == 200
    assert reverse(INTAKE) not in changelist.content.decode()


def test_visitors_are_sent_to_the_admin_login(client, seeded):
    response = client.get(reverse(INTAKE))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_review_for_an_unknown_comparison_is_a_clear_400(superuser_client, seeded):
    response = superuser_client.post(reverse(REVIEW), {"comparison": "not-a-number"})

    assert response.status_code == 400
    assert "Unknown comparison" in response.content.decode()


def test_a_review_form_posted_without_its_formsets_is_a_400_not_a_500(superuser_client, seeded):
    response = superuser_client.post(
        reverse(REVIEW), {"comparison": seeded.pk, "title": "Anything", "body": "Text."}
    )

    assert response.status_code == 400
    assert not Source.objects.filter(title="Anything").exists()


def test_html_in_the_article_is_shown_as_text_not_run(superuser_client, seeded):
    text = (
        "A title with <script>alert(1)</script> in it\n\n"
        "Social media is a <b>channel</b> for content.\n\n"
        "Social networking is a place for people."
    )

    response = paste(superuser_client, seeded, text)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_importsource_command_and_the_admin_agree_on_the_proposals(
    superuser_client, seeded, new_article_text, tmp_path
):
    file = tmp_path / "article.txt"
    file.write_text(new_article_text, encoding="utf-8")
    call_command("importsource", seeded.slug, str(file), "--commit", stdout=open("/dev/null", "w"))  # noqa: SIM115
    source = Source.objects.get(title=NEW_TITLE)
    data = review_form(paste(superuser_client, seeded, new_article_text))

    assert data["definition_a"] == [source.definitions.get(term="a").quote]
    assert data["definition_b"] == [source.definitions.get(term="b").quote]
    assert Distinction.objects.filter(source=source).exists()


# -- formats in the admin (issue 17) -----------------------------------------------------------


def test_an_article_with_crlf_line_endings_is_measured_after_normalising_them(
    superuser_client, seeded, new_article_text
):
    from definitions.intake.parse import MAX_ARTICLE_CHARS

    # Under the limit with LF, over it if every line break counted twice.
    filler = "\n\n".join(["Filler paragraph about nothing much at all."] * 2000)
    text = new_article_text.replace("Tags:", filler + "\n\nTags:")
    text = text[: MAX_ARTICLE_CHARS - 10] if len(text) > MAX_ARTICLE_CHARS else text
    assert len(text) <= MAX_ARTICLE_CHARS < len(text.replace("\n", "\r\n"))

    response = paste(superuser_client, seeded, text.replace("\n", "\r\n"))

    assert response.status_code == 200
    assert review_form(response)["title"] == [NEW_TITLE]


def test_a_body_under_the_limit_is_saved_although_the_browser_sends_crlf(
    superuser_client, seeded, new_article_text
):
    from definitions.intake.parse import MAX_ARTICLE_CHARS

    data = review_form(paste(superuser_client, seeded, new_article_text))
    body = data["body"][0]
    padding = "\n\n".join(["More words about social media."] * 2000)
    body = f"{body}\n\n{padding}"[:MAX_ARTICLE_CHARS].rstrip()
    assert len(body.replace("\n", "\r\n")) > MAX_ARTICLE_CHARS
    data["body"] = [body.replace("\n", "\r\n")]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    assert len(Source.objects.get(title=NEW_TITLE).body) <= MAX_ARTICLE_CHARS


def test_an_article_over_the_limit_is_refused_with_its_size(superuser_client, seeded):
    from definitions.intake.parse import MAX_ARTICLE_CHARS

    text = "A long article title here\n\n" + "Word " * (MAX_ARTICLE_CHARS // 5 + 10)

    response = paste(superuser_client, seeded, text)

    assert response.status_code == 400
    assert f"the limit is {MAX_ARTICLE_CHARS:,}" in response.content.decode()


def test_header_lines_fill_the_title_address_date_and_author(superuser_client, seeded):
    text = (
        "Title: Media versus networking\r\n"
        "URL: https://example.org/media-networking\r\n"
        "Posted on 2 June 2014 by Jane Doe\r\n\r\n"
        "Social media is the set of channels where anyone publishes to anyone.\r\n\r\n"
        "Social networking is the activity of keeping up with people you know.\r\n"
    )

    data = review_form(paste(superuser_client, seeded, text))

    assert data["title"] == ["Media versus networking"]
    assert data["original_url"] == ["https://example.org/media-networking"]
    assert (data["published_year"], data["published_month"], data["published_day"]) == (
        ["2014"],
        ["6"],
        ["2"],
    )
    assert data["author"] == ["Jane Doe"]
    assert "example.org" not in data["body"][0]
    assert not data["body"][0].startswith("Title:")


def test_an_html_upload_is_read_as_its_main_text(superuser_client, seeded):
    page = (
        "<!doctype html><html><head><title>Media versus networking | Blog</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Media versus networking</h1>"
        "<p>Social media is the set of channels where anyone publishes to anyone.</p>"
        "<p>Social networking is the activity of keeping up with people you know.</p>"
        "</article><footer>Copyright</footer></body></html>"
    )
    upload = SimpleUploadedFile("page.html", page.encode("utf-16"), content_type="text/html")

    response = superuser_client.post(
        reverse(INTAKE), {"comparison": seeded.pk, "text": "", "upload": upload}
    )

    data = review_form(response)
    assert data["title"] == ["Media versus networking"]
    assert data["body"] == [
        (
            "Social media is the set of channels where anyone publishes to anyone.\n\n"
            "Social networking is the activity of keeping up with people you know."
        )
    ]
    assert data["definition_a"] == [
        "Social media is the set of channels where anyone publishes to anyone."
    ]


def test_an_upload_in_utf16_without_a_byte_order_mark_is_refused_naming_the_encoding(
    superuser_client, seeded
):
    upload = SimpleUploadedFile(
        "article.txt", "A title here\n\nSocial media.".encode("utf-16-le"), "text/plain"
    )

    response = superuser_client.post(
        reverse(INTAKE), {"comparison": seeded.pk, "text": "", "upload": upload}
    )

    assert response.status_code == 400
    assert "looks like UTF-16 text" in response.content.decode()


def test_the_moderator_can_choose_the_format_instead_of_detecting_it(superuser_client, seeded):
    text = (
        "Media versus networking\n\n"
        "**Social media** is the set of channels where anyone publishes to anyone.\n\n"
        "Social networking is the activity of keeping up with people you know."
    )

    as_text = review_form(paste(superuser_client, seeded, text, article_format="text"))
    as_markdown = review_form(paste(superuser_client, seeded, text, article_format="markdown"))

    assert "**Social media**" in as_text["body"][0]
    assert "**" not in as_markdown["body"][0]


# -- the comment rows: split, merge, add, drop --------------------------------------------------

WORDPRESS_ARTICLE = (
    "Media versus networking\n\n"
    "Social media is the set of channels where anyone publishes to anyone.\n\n"
    "Social networking is the activity of keeping up with people you know.\n\n"
    "2 thoughts on “Media versus networking”\n\n"
    "Jane Roe\nMarch 3, 2012 at 4:15 pm\nGreat article, thanks.\nReply\n"
    "John Smith\nMarch 4, 2012 at 9:00 am\nI disagree.\nReply\n"
)


def comment_bodies(source):
    return [
        (c.author_name, c.body)
        for c in Comment.objects.filter(source=source).order_by("import_position")
    ]


def test_wordpress_comments_are_one_row_each_on_the_review_page(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, WORDPRESS_ARTICLE))

    assert data["comments-INITIAL_FORMS"] == ["2"]
    assert (data["comments-0-author"], data["comments-0-body"]) == (
        ["Jane Roe"],
        ["Great article, thanks."],
    )
    assert (data["comments-1-author"], data["comments-1-body"]) == (["John Smith"], ["I disagree."])
    html = paste(superuser_client, seeded, WORDPRESS_ARTICLE).content.decode()
    assert (
        'Comment 1 <span class="comment-date">(dated 2012-03-03 at 16:15 on the page)</span>'
    ) in html


def test_a_comment_is_split_in_two_at_a_line_of_dashes(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, WORDPRESS_ARTICLE))
    data["comments-1-body"] = ["I disagree.\n---\nSo do I."]

    updated = superuser_client.post(reverse(REVIEW), {**data, "update_comments": "1"})

    assert updated.status_code == 200
    assert Source.objects.filter(title="Media versus networking").count() == 0
    rows = review_form(updated)
    assert rows["comments-INITIAL_FORMS"] == ["3"]
    assert rows["comments-2-body"] == ["So do I."]
    rows["comments-2-author"] = ["Kim"]

    saved = superuser_client.post(reverse(REVIEW), rows)

    assert saved.status_code == 302
    source = Source.objects.get(title="Media versus networking")
    assert comment_bodies(source) == [
        ("Jane Roe", "Great article, thanks."),
        ("John Smith", "I disagree."),
        ("Kim", "So do I."),
    ]


def test_two_rows_are_merged_into_one_comment(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, WORDPRESS_ARTICLE))
    data["comments-1-merge"] = ["on"]

    saved = superuser_client.post(reverse(REVIEW), data)

    assert saved.status_code == 302
    source = Source.objects.get(title="Media versus networking")
    assert comment_bodies(source) == [("Jane Roe", "Great article, thanks.\n\nI disagree.")]


def test_a_comment_is_added_in_the_blank_row_and_another_dropped(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, WORDPRESS_ARTICLE))
    assert data["comments-TOTAL_FORMS"] == ["3"]
    data.pop("comments-0-include")
    data["comments-2-author"] = ["Lee"]
    data["comments-2-body"] = ["A comment the page showed apart."]

    saved = superuser_client.post(reverse(REVIEW), data)

    assert saved.status_code == 302
    source = Source.objects.get(title="Media versus networking")
    assert comment_bodies(source) == [
        ("John Smith", "I disagree."),
        ("Lee", "A comment the page showed apart."),
    ]


def test_the_review_page_explains_how_to_change_the_comment_rows(superuser_client, seeded):
    html = paste(superuser_client, seeded, WORDPRESS_ARTICLE).content.decode()

    assert "Merge into the comment above" in html
    assert 'name="update_comments"' in html
    assert "Add a comment" in html
