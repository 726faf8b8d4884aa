"""Add sources to a comparison from article files (plain text, Markdown or HTML), or report on them.

Without --commit nothing is written (a dry run). With --format json, standard output is one JSON
document, a list with one object per file (see `file_report`), for evaluation scripts; every
other message goes to standard error. The command fails (exit status 1) when no file could be
read, or, with --commit, when none was saved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator

from definitions.intake.actions import DuplicateSourceError, StanceInput, add_source_from_article
from definitions.intake.formats import (
    FORMAT_CHOICES,
    UnreadableText,
    dated,
    decode_article,
    iso_date,
)
from definitions.intake.parse import MAX_ARTICLE_CHARS, ParsedArticle, parse_article
from definitions.intake.propose import Proposals, propose
from definitions.models import Comparison, Source

# HTML pages carry markup around their text: a file may be this large, its text MAX_ARTICLE_CHARS.
MAX_FILE_BYTES = 4 * MAX_ARTICLE_CHARS
SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
CANDIDATES_REPORTED = 10


def file_report(
    file: str,
    comparison: Comparison,
    parsed: ParsedArticle | None,
    proposals: Proposals | None,
    errors: list[str],
    url: str = "",
) -> dict[str, Any]:
    """Return what was found in one file, in the stable shape of `importsource --format json`.

    {"file", "format", "title", "date", "url", "author", "comments": [{"author", "date", "text",
    "kind"}], "definitions": {term: [{"quote", "start", "score", "preselected", "rule"}]},
    "axis": {"a", "b"} | null, "dimensions": [slug], "errors": [sentence], "saved": url | null}.
    Missing values are null (a title not found, a date without a year), lists are empty.
    """
    definitions: dict[str, list[dict[str, Any]]] = {comparison.term_a: [], comparison.term_b: []}
    if proposals is not None:
        for term, candidates in (
            (comparison.term_a, proposals.definitions_a),
            (comparison.term_b, proposals.definitions_b),
        ):
            definitions[term] = [
                {
                    "quote": candidate.quote,
                    "start": candidate.start,
                    "score": round(float(candidate.score), 4),
                    "preselected": bool(getattr(candidate, "preselected", index == 0)),
                    "rule": getattr(candidate, "rule", None),
                }
                for index, candidate in enumerate(candidates[:CANDIDATES_REPORTED])
            ]
    return {
        "file": file,
        "format": parsed.format if parsed else None,
        "title": (parsed.title or None) if parsed else None,
        "date": iso_date(parsed.date) if parsed else None,
        "url": (url or parsed.original_url or None) if parsed else None,
        "author": (parsed.author or None) if parsed else None,
        "comments": [
            {
                "author": comment.author or None,
                "date": iso_date(comment.date),
                "text": comment.body,
                "kind": comment.kind,
            }
            for comment in (parsed.comments if parsed else [])
        ],
        "definitions": definitions,
        "axis": (
            {"a": proposals.axis[0], "b": proposals.axis[1]}
            if proposals is not None and proposals.axis
            else None
        ),
        "dimensions": list(proposals.dimensions) if proposals is not None else [],
        "errors": errors,
        "saved": None,
    }


class Command(BaseCommand):
    help = (
        "Read article files (.txt, .md or .html, or folders of them) for a comparison and print "
        "how each was split and what it proposes; with --commit, save each, as a draft, with the "
        "top proposals. --format json prints one JSON document for scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("comparison", help="The comparison's slug.")
        parser.add_argument(
            "path", nargs="+", help="Article files, or folders whose article files are read."
        )
        writes = parser.add_mutually_exclusive_group()
        writes.add_argument(
            "--commit",
            action="store_true",
            help="Save the sources as drafts. Without it nothing is written (a dry run).",
        )
        writes.add_argument(
            "--dry-run",
            action="store_true",
            help="Write nothing (the default; for scripts that want to say so).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="With --commit: publish the saved sources at once instead of saving drafts.",
        )
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="What to print: a report for people (text) or one JSON document (json).",
        )
        parser.add_argument(
            "--input-format",
            choices=[value for value, _ in FORMAT_CHOICES],
            default="auto",
            help="The files' format; by default it is detected for each file.",
        )
        parser.add_argument(
            "--site-name", default="", help="Site name, for a single file (at most 200 chars)."
        )
        parser.add_argument("--url", default="", help="Original URL, for a single file.")

    def handle(self, *args: Any, **options: Any) -> None:
        comparison = Comparison.objects.filter(slug=options["comparison"]).first()
        if comparison is None:
            raise CommandError(f"No comparison with the slug {options['comparison']!r}.")
        if options["publish"] and not options["commit"]:
            raise CommandError("--publish only makes sense with --commit.")
        if options["url"]:
            try:
                URLValidator()(options["url"])
            except ValidationError:
                raise CommandError(f"{options['url']!r} is not a valid URL.") from None
        files = self._files([Path(p) for p in options["path"]])
        if len(files) > 1 and (options["site_name"] or options["url"]):
            raise CommandError("--site-name and --url describe a single file, not several.")
        as_json = options["format"] == "json"
        # In JSON mode standard output carries the document only; messages go to stderr.
        say = self.stderr.write if as_json else self.stdout.write
        dimensions = list(comparison.dimensions.all())
        reports, read, saved = [], 0, 0
        for file in files:
            errors: list[str] = []
            parsed = proposals = None
            text = self._read(file, errors)
            if text is not None:
                parsed = parse_article(text, options["input_format"])
                if parsed.text_chars > MAX_ARTICLE_CHARS:
                    errors.append(
                        f"Its text has {parsed.text_chars:,} characters; the limit is "
                        f"{MAX_ARTICLE_CHARS:,}."
                    )
                elif not parsed.body:
                    errors.append("No article text was found after the title.")
                else:
                    read += 1
                    proposals = propose(
                        parsed.body, comparison.term_a, comparison.term_b, dimensions
                    )
            report = file_report(str(file), comparison, parsed, proposals, errors, options["url"])
            if proposals is not None and parsed is not None:
                if not as_json:
                    self._report(file, comparison, parsed, proposals)
                if options["commit"]:
                    source = self._save(file, comparison, parsed, proposals, dimensions, options)
                    if isinstance(source, Source):
                        saved += 1
                        report["saved"] = source.get_absolute_url()
                        state = "published" if source.is_published else "saved as a draft"
                        say(f"{file.name}: {state}: {source.title} ({source.get_absolute_url()})")
                    else:
                        errors.append(source)
            for error in errors:
                self.stderr.write(f"{file.name}: {error}")
            reports.append(report)
        if as_json:
            self.stdout.write(json.dumps(reports, ensure_ascii=False, indent=2))
        elif options["commit"]:
            self.stdout.write(f"Saved {saved} of {len(files)} sources.")
        else:
            self.stdout.write("Dry run: nothing was saved. Run again with --commit to save.")
        if read == 0:
            raise CommandError(f"None of the {len(files)} files could be read as an article.")
        if options["commit"] and saved == 0:
            raise CommandError(f"None of the {len(files)} files was saved.")

    def _files(self, paths: list[Path]) -> list[Path]:
        files: list[Path] = []
        for root in paths:
            if root.is_dir():
                found = sorted(
                    p for p in root.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()
                )
                if not found:
                    raise CommandError(f"No article files ({', '.join(SUFFIXES)}) in {root}.")
                files.extend(found)
            elif root.is_file():
                files.append(root)
            else:
                raise CommandError(f"{root} is neither a file nor a folder.")
        return files

    def _read(self, file: Path, errors: list[str]) -> str | None:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            errors.append(f"The file is larger than {MAX_FILE_BYTES:,} bytes.")
            return None
        try:
            return decode_article(data)
        except UnreadableText as error:
            errors.append(str(error))
            return None

    def _report(
        self, file: Path, comparison: Comparison, parsed: ParsedArticle, proposals: Proposals
    ) -> None:
        year, month, day = parsed.date
        date = "-".join("?" if part is None else str(part) for part in (year, month, day))
        pingbacks = sum(1 for c in parsed.comments if c.kind == "pingback")
        write = self.stdout.write
        write(f"== {file.name}")
        write(f"Format: {parsed.format}")
        write(f"Title: {parsed.title or '(none found)'}")
        write(f"Date (year-month-day): {date}")
        if parsed.original_url:
            write(f"Address: {parsed.original_url}")
        if parsed.author:
            write(f"Author: {parsed.author}")
        write(f"Body: {len(parsed.body.split(chr(10) * 2))} paragraphs, {len(parsed.body)} chars")
        write(f"Comments: {len(parsed.comments)} ({pingbacks} pingbacks)")
        for comment in parsed.comments:
            when = iso_date(comment.date)
            dated = f", {when}" if when else ""
            write(
                f"  - {comment.author or 'anonymous'}{dated} [{comment.kind}]: {comment.body[:70]}"
            )
        for term, candidates in (("a", proposals.definitions_a), ("b", proposals.definitions_b)):
            write(f"Definition of {comparison.term_label(term)}:")
            for rank, candidate in enumerate(candidates[:3], start=1):
                write(f"  {rank}. ({candidate.score:.2f}) {candidate.quote}")
            if not candidates:
                write("  (no sentence names this term)")
        axis = " vs ".join(proposals.axis) if proposals.axis else "(none stated)"
        write(f"Axis: {axis}")
        write(f"Dimensions: {', '.join(proposals.dimensions) or '(none)'}")

    def _save(
        self,
        file: Path,
        comparison: Comparison,
        parsed: ParsedArticle,
        proposals: Proposals,
        dimensions: list,
        options: dict[str, Any],
    ) -> Source | str:
        """Save the source with the top proposals; return it, or why it was not saved."""
        if not parsed.title or not proposals.definitions_a or not proposals.definitions_b:
            return (
                "Not saved: it needs a title and a sentence for each term; add it in the admin "
                "instead."
            )
        quote_a, quote_b = proposals.definitions_a[0].quote, proposals.definitions_b[0].quote
        axis_a, axis_b = proposals.axis or ("", "")
        by_slug = {d.slug: d for d in dimensions}
        try:
            return add_source_from_article(
                comparison=comparison,
                title=parsed.title,
                body=parsed.body,
                date=parsed.date,
                site_name=(options["site_name"] or parsed.site_name)[:200],
                original_url=(options["url"] or parsed.original_url)[:500],
                author=parsed.author[:200],
                quote_a=quote_a,
                quote_b=quote_b,
                axis_a=axis_a,
                axis_b=axis_b,
                text_a=quote_a,
                text_b=quote_b,
                stances=[
                    StanceInput(by_slug[slug], *proposals.stances[slug])
                    for slug in proposals.dimensions
                ],
                comments=[
                    (
                        c.author,
                        c.body,
                        "pingback" if c.kind == "pingback" else "published",
                        dated(c.date, c.time),
                    )
                    for c in parsed.comments
                ],
                provenance=f"Imported from {file.name} with the importsource command.",
                publish=options["publish"],
            )
        except DuplicateSourceError as duplicate:
            return f"Not saved: {duplicate}."
