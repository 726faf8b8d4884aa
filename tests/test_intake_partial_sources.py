"""Issue 17: a source that defines only one term (or neither) is saved, published and shown as
such; reader comments imported with it keep the date their page gave them."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from comments.models import Comment
from definitions.intake.actions import add_source_from_article, publish_sources
from definitions.intake.forms import DOES_NOT_DEFINE
from definitions.models import Definition, Distinction, Source
from tests.test_intake_admin import REVIEW, WORDPRESS_ARTICLE, paste, review_form

pytestmark = pytest.mark.django_db

ONLY_MEDIA = (
    "What Social Media Really Is\n\n"
    "Social media is the set of channels where anyone publishes to anyone.\n\n"
    "Brands use these channels every day, and the channels keep changing."
)
QUOTE = "Social media is the set of channels where anyone publishes to anyone."
UTC = datetime.UTC


@pytest.fixture
def one_sided(seeded) -> Source:
    """A published source that defines social media and not social networking."""
    source = add_source_from_article(
        comparison=seeded,
        title="What Social Media Really Is",
        body=ONLY_MEDIA.split("\n\n", 1)[1],
        site_name="Channels Weekly",
        quote_a=QUOTE,
        quote_b="",
        text_a="Channels anyone publishes to.",
        text_b="",
    )
    publish_sources(sources=[source])
    return source


def row_of(html: str, source: Source) -> str:
    start = html.index(f'id="source-{source.slug}"')
    return html[start : html.index("</tr>", start)]


def test_the_review_accepts_does_not_define_and_saves_the_source_as_a_draft(
    superuser_client, seeded
):
    data = review_form(paste(superuser_client, seeded, ONLY_MEDIA))
    data["definition_a"] = [QUOTE]
    data["definition_b"] = [DOES_NOT_DEFINE]
    data["quote_b"] = [""]
    data["text_a"], data["text_b"] = ["Channels."], [""]
    data["axis_a"], data["axis_b"] = [""], [""]

    response = superuser_client.post(reverse(REVIEW), data, follow=True)

    assert response.status_code == 200
    source = Source.objects.get(title="What Social Media Really Is")
    assert not source.is_published
    assert [(d.term, d.quote) for d in Definition.objects.filter(source=source)] == [("a", QUOTE)]
    assert not Distinction.objects.filter(source=source).exists()
    assert "it does not define Social networking" in response.content.decode()


def test_a_source_that_defines_neither_term_is_saved_without_definitions(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, ONLY_MEDIA))
    data["definition_a"] = data["definition_b"] = [DOES_NOT_DEFINE]
    data["quote_a"] = data["quote_b"] = [""]
    data["text_a"] = data["text_b"] = [""]
    data["axis_a"] = data["axis_b"] = [""]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    source = Source.objects.get(title="What Social Media Really Is")
    assert not source.definitions.exists()


def test_a_defined_term_still_needs_what_sets_it_apart(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, ONLY_MEDIA))
    data["definition_a"] = [QUOTE]
    data["definition_b"] = [DOES_NOT_DEFINE]
    data["text_a"], data["text_b"] = [""], [""]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 400
    assert "Say what sets Social media apart in this source." in response.content.decode()
    assert not Source.objects.filter(title="What Social Media Really Is").exists()


def test_the_comparison_page_says_the_source_does_not_define_the_other_term(
    client, seeded, one_sided
):
    response = client.get(seeded.get_absolute_url())

    assert response.status_code == 200
    row = row_of(response.content.decode(), one_sided)
    assert escape(QUOTE) in row
    assert "This source does not define Social networking." in row
    assert row.count("<blockquote") == 1


def test_the_source_page_says_which_term_it_does_not_define(client, one_sided):
    response = client.get(one_sided.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#definition-a"' in html
    assert 'href="#definition-b"' not in html
    assert "This source does not define Social networking." in html
    assert 'id="definition-a"' in html
    assert "it does not define Social networking" in html  # the page's description


def test_the_open_data_gives_null_for_the_definition_the_source_does_not_make(
    client, seeded, one_sided
):
    response = client.get(reverse("definitions:comparison_json", args=[seeded.slug]))

    assert response.status_code == 200
    (source,) = [s for s in response.json()["sources"] if s["slug"] == one_sided.slug]
    assert source["definitions"]["a"]["quote"] == QUOTE
    assert source["definitions"]["b"] is None
    assert source["distinction"] is None


def test_a_source_that_defines_neither_term_renders_everywhere(client, seeded):
    source = add_source_from_article(
        comparison=seeded,
        title="Neither here nor there",
        body="A post about something else entirely.",
        quote_a="",
        quote_b="",
        text_a="",
        text_b="",
        publish=True,
    )

    comparison = client.get(seeded.get_absolute_url())
    page = client.get(source.get_absolute_url())
    data = client.get(reverse("definitions:comparison_json", args=[seeded.slug]))

    assert comparison.status_code == page.status_code == data.status_code == 200
    row = row_of(comparison.content.decode(), source)
    assert "This source does not define Social media." in row
    assert "This source does not define Social networking." in row
    assert "<blockquote" not in row
    assert "it defines neither" in page.content.decode()
    (entry,) = [s for s in data.json()["sources"] if s["slug"] == source.slug]
    assert entry["definitions"] == {"a": None, "b": None}


def test_an_axis_without_both_texts_is_refused_next_to_the_axis(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, ONLY_MEDIA))
    data["definition_a"] = [QUOTE]
    data["definition_b"] = [DOES_NOT_DEFINE]
    data["text_a"], data["text_b"] = ["Channels."], [""]
    data["axis_a"], data["axis_b"] = ["channels"], ["people"]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 400
    assert "An axis needs what sets each term apart" in response.content.decode()


def test_a_source_distinction_without_an_axis_shows_no_empty_axis(client, seeded):
    source = add_source_from_article(
        comparison=seeded,
        title="No axis named",
        body=QUOTE,
        quote_a=QUOTE,
        quote_b="",
        text_a="Channels.",
        text_b="People.",
        publish=True,
    )

    row = row_of(client.get(seeded.get_absolute_url()).content.decode(), source)

    assert "Draws the line without naming an axis." in row
    assert "</span> vs <span" not in row


# Imported comments keep their date --------------------------------------------------------------


def test_a_wordpress_comment_keeps_the_date_and_time_its_page_gave(superuser_client, seeded):
    data = review_form(paste(superuser_client, seeded, WORDPRESS_ARTICLE))
    data["comments-2-body"] = ["A comment the moderator adds, without a date."]
    before = timezone.now()

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    comments = list(
        Comment.objects.filter(source__title="Media versus networking").order_by("import_position")
    )
    assert [c.created for c in comments[:2]] == [
        datetime.datetime(2012, 3, 3, 16, 15, tzinfo=UTC),
        datetime.datetime(2012, 3, 4, 9, 0, tzinfo=UTC),
    ]
    assert comments[2].created >= before


def test_a_comment_dated_without_a_time_is_stored_at_noon_utc(superuser_client, seeded):
    article = WORDPRESS_ARTICLE.replace("March 3, 2012 at 4:15 pm", "March 3, 2012")
    data = review_form(paste(superuser_client, seeded, article))

    superuser_client.post(reverse(REVIEW), data)

    jane = Comment.objects.get(author_name="Jane Roe")
    assert jane.created == datetime.datetime(2012, 3, 3, 12, 0, tzinfo=UTC)


def test_importsource_commit_stores_the_comments_dates(seeded, tmp_path, capsys):
    article = tmp_path / "wordpress.txt"
    article.write_text(WORDPRESS_ARTICLE, encoding="utf-8")

    call_command("importsource", seeded.slug, str(article), "--commit", "--format", "json")

    report = json.loads(capsys.readouterr().out)
    assert [c["date"] for c in report[0]["comments"]] == ["2012-03-03", "2012-03-04"]
    source = Source.objects.get(title="Media versus networking")
    created = Comment.objects.filter(source=source).order_by("import_position")
    assert list(created.values_list("created", flat=True)) == [
        datetime.datetime(2012, 3, 3, 16, 15, tzinfo=UTC),
        datetime.datetime(2012, 3, 4, 9, 0, tzinfo=UTC),
    ]
