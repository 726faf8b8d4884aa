"""`manage.py importsource`: the same intake from files, as a dry run unless told to commit."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment
from definitions.models import Source

pytestmark = pytest.mark.django_db

NEW_TITLE = "Stop Mixing Up Social Media and Social Networking"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("importsource", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_what_it_found_and_saves_nothing(seeded, new_article_text, tmp_path):
    file = tmp_path / "new.txt"
    file.write_text(new_article_text, encoding="utf-8")
    sources_before = Source.objects.count()

    out, _ = run(seeded.slug, str(file))

    assert f"Title: {NEW_TITLE}" in out
    assert "Date (year-month-day): 2015-3-3" in out
    assert "Comments: 2 (1 pingbacks)" in out
    assert re.search(r"^  1\. \([\d.-]+\) Social media is the set of online channels", out, re.M)
    assert "Dry run: nothing was saved" in out
    assert Source.objects.count() == sources_before


def test_commit_saves_the_source_with_the_top_proposals_and_its_comments(
    seeded, new_article_text, tmp_path
):
    file = tmp_path / "new.txt"
    file.write_text(new_article_text, encoding="utf-8")

    out, _ = run(seeded.slug, str(file), "--commit", "--site-name", "blog.example.org")

    source = Source.objects.get(title=NEW_TITLE)
    assert source.site_name == "blog.example.org"
    for definition in source.definitions.all():
        assert source.body[definition.start : definition.end] == definition.quote
    assert source.definitions.get(term="b").quote.startswith("Social networking describes")
    assert Comment.objects.filter(source=source, is_imported=True).count() == 2
    assert "Saved 1 of 1 sources." in out


def test_a_folder_is_read_file_by_file_and_a_second_commit_adds_nothing(
    seeded, raw_seed_articles, tmp_path
):
    # The seeds are already loaded, so committing their raw texts must not duplicate them.
    for key, text in raw_seed_articles.items():
        (tmp_path / f"{key}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    sources_before = Source.objects.count()

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="None of the 6 files was saved"):
        call_command("importsource", seeded.slug, str(tmp_path), "--commit", stdout=out, stderr=err)

    assert out.getvalue().count("== ") == 5
    assert "already a source" in err.getvalue()
    assert "notes.md: No article text was found" in err.getvalue()
    assert Source.objects.count() == sources_before


def test_a_file_that_is_not_utf8_is_skipped_with_a_message(seeded, tmp_path):
    file = tmp_path / "latin.txt"
    file.write_bytes("Caf\u00e9 title here\n\nSocial media is a caf\u00e9.".encode("latin-1"))

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="None of the 1 files could be read"):
        call_command("importsource", seeded.slug, str(file), "--commit", stdout=out, stderr=err)

    assert "not valid UTF-8" in err.getvalue()
    assert "Latin-1" in err.getvalue()
    assert "Saved 0 of 1 sources." in out.getvalue()


def test_an_unknown_comparison_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No comparison"):
        run("no-such-comparison", str(tmp_path))


# -- --format json: one document for scripts ---------------------------------------------------

HTML_ARTICLE = """<html><head><title>Media and networking</title>
<meta property="article:published_time" content="2014-06-02"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Media and networking</h1>
<p>Social media is the set of channels where anyone publishes to anyone.</p>
<p>Social networking is the activity of keeping up with people you know.</p>
</article></body></html>"""


def run_json(*args: str) -> tuple[list, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("importsource", *args, "--format", "json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_json_output_is_one_document_with_one_object_per_file(seeded, new_article_text, tmp_path):
    (tmp_path / "new.txt").write_text(new_article_text, encoding="utf-8")
    (tmp_path / "page.html").write_text(HTML_ARTICLE, encoding="utf-8")

    reports, _ = run_json(seeded.slug, str(tmp_path / "new.txt"), str(tmp_path / "page.html"))

    assert [Path(r["file"]).name for r in reports] == ["new.txt", "page.html"]
    new, page = reports
    assert set(new) >= {"file", "title", "date", "url", "comments", "definitions", "axis", "errors"}
    assert new["title"] == NEW_TITLE
    assert new["date"] == "2015-03-03"
    assert new["errors"] == []
    assert new["comments"][0] == {
        "author": "Maria Lopez",
        "date": None,
        "text": new["comments"][0]["text"],
        "kind": "comment",
    }
    assert set(new["definitions"]) == {"Social media", "Social networking"}
    media = new["definitions"]["Social media"]
    assert media[0]["quote"].startswith("Social media is the set of online channels")
    assert media[0]["preselected"] is True
    assert all(isinstance(c["score"], float) for c in media)
    assert new["axis"] == {"a": "online channels", "b": "activity"}
    assert (page["title"], page["date"], page["format"]) == (
        "Media and networking",
        "2014-06-02",
        "html",
    )


def test_json_output_is_a_dry_run_and_logs_go_to_stderr(seeded, new_article_text, tmp_path):
    file = tmp_path / "new.txt"
    file.write_text(new_article_text, encoding="utf-8")
    sources_before = Source.objects.count()

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "importsource",
        seeded.slug,
        str(file),
        "--format",
        "json",
        "--dry-run",
        stdout=out,
        stderr=err,
    )

    json.loads(out.getvalue())  # nothing but the document on stdout
    assert "Dry run" not in out.getvalue()
    assert Source.objects.count() == sources_before


def test_an_unreadable_file_is_reported_in_json_and_the_run_fails(seeded, tmp_path):
    file = tmp_path / "utf16.txt"
    file.write_bytes("Social media is a channel.".encode("utf-16-le"))

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="None of the 1 files could be read"):
        call_command(
            "importsource", seeded.slug, str(file), "--format", "json", stdout=out, stderr=err
        )

    [report] = json.loads(out.getvalue())
    assert report["title"] is None
    assert report["definitions"] == {"Social media": [], "Social networking": []}
    assert report["axis"] is None
    assert "UTF-16" in report["errors"][0]


def test_a_dry_run_where_every_file_was_skipped_fails(seeded, tmp_path):
    # A CommandError is what manage.py turns into exit status 1.
    (tmp_path / "empty.txt").write_text("Only a title here\n", encoding="utf-8")
    (tmp_path / "blank.md").write_text("\n\n", encoding="utf-8")

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="None of the 2 files could be read"):
        call_command("importsource", seeded.slug, str(tmp_path), stdout=out, stderr=err)

    assert "empty.txt: No article text was found" in err.getvalue()


def test_commit_saves_a_draft_unless_told_to_publish(seeded, new_article_text, tmp_path):
    file = tmp_path / "new.txt"
    file.write_text(new_article_text, encoding="utf-8")

    out, _ = run(seeded.slug, str(file), "--commit", "--publish")

    assert Source.objects.get(title=NEW_TITLE).is_published
    assert "published" in out


def test_commit_without_publish_saves_a_draft(seeded, new_article_text, tmp_path):
    file = tmp_path / "new.txt"
    file.write_text(new_article_text, encoding="utf-8")

    reports, err = run_json(seeded.slug, str(file), "--commit")

    source = Source.objects.get(title=NEW_TITLE)
    assert not source.is_published
    assert reports[0]["saved"] == source.get_absolute_url()
    assert "saved as a draft" in err
