"""`manage.py importsource`: the same intake from files, as a dry run unless told to commit."""

from __future__ import annotations

import io
import re

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
