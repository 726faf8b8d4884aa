"""Add sources to a comparison from article texts: one .txt file, or a folder of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator

from definitions.intake.actions import DuplicateSourceError, StanceInput, add_source_from_article
from definitions.intake.parse import MAX_ARTICLE_CHARS, ParsedArticle, parse_article
from definitions.intake.propose import Proposals, propose
from definitions.models import Comparison

MAX_FILE_BYTES = 4 * MAX_ARTICLE_CHARS


class Command(BaseCommand):
    help = (
        "Read article texts (a .txt file or a folder of them) for a comparison, print how each "
        "was split and what it proposes; with --commit, save each with the top proposals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("comparison", help="The comparison's slug.")
        parser.add_argument("path", help="A .txt file, or a folder whose .txt files are read.")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Save the sources. Without it nothing is written (a dry run).",
        )
        parser.add_argument(
            "--site-name", default="", help="Site name, for a single file (at most 200 chars)."
        )
        parser.add_argument("--url", default="", help="Original URL, for a single file.")

    def handle(self, *args: Any, **options: Any) -> None:
        comparison = Comparison.objects.filter(slug=options["comparison"]).first()
        if comparison is None:
            raise CommandError(f"No comparison with the slug {options['comparison']!r}.")
        if options["url"]:
            try:
                URLValidator()(options["url"])
            except ValidationError:
                raise CommandError(f"{options['url']!r} is not a valid URL.") from None
        root = Path(options["path"])
        if root.is_dir():
            files = sorted(p for p in root.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
            if options["site_name"] or options["url"]:
                raise CommandError("--site-name and --url describe a single file, not a folder.")
        elif root.is_file():
            files = [root]
        else:
            raise CommandError(f"{root} is neither a file nor a folder.")
        if not files:
            raise CommandError(f"No .txt files in {root}.")
        dimensions = list(comparison.dimensions.all())
        saved = 0
        for file in files:
            text = self._read(file)
            if text is None:
                continue
            parsed = parse_article(text)
            if not parsed.body:
                self.stderr.write(f"{file.name}: no article text found; skipped.")
                continue
            proposals = propose(parsed.body, comparison.term_a, comparison.term_b, dimensions)
            self._report(file, comparison, parsed, proposals)
            if options["commit"] and self._save(
                file, comparison, parsed, proposals, dimensions, options
            ):
                saved += 1
        if options["commit"]:
            self.stdout.write(f"Saved {saved} of {len(files)} sources.")
        else:
            self.stdout.write("Dry run: nothing was saved. Run again with --commit to save.")

    def _read(self, file: Path) -> str | None:
        data = file.read_bytes()[: MAX_FILE_BYTES + 1]
        if len(data) > MAX_FILE_BYTES or b"\x00" in data:
            self.stderr.write(f"{file.name}: too large or not plain text; skipped.")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.stderr.write(f"{file.name}: not valid UTF-8 (byte {error.start}); skipped.")
            return None
        if len(text) > MAX_ARTICLE_CHARS:
            self.stderr.write(
                f"{file.name}: longer than {MAX_ARTICLE_CHARS:,} characters; skipped."
            )
            return None
        return text

    def _report(
        self, file: Path, comparison: Comparison, parsed: ParsedArticle, proposals: Proposals
    ) -> None:
        year, month, day = parsed.date
        date = "-".join("?" if part is None else str(part) for part in (year, month, day))
        pingbacks = sum(1 for c in parsed.comments if c.kind == "pingback")
        write = self.stdout.write
        write(f"== {file.name}")
        write(f"Title: {parsed.title or '(none found)'}")
        write(f"Date (year-month-day): {date}")
        write(f"Body: {len(parsed.body.split(chr(10) * 2))} paragraphs, {len(parsed.body)} chars")
        write(f"Comments: {len(parsed.comments)} ({pingbacks} pingbacks)")
        for comment in parsed.comments:
            write(f"  - {comment.author or 'anonymous'} [{comment.kind}]: {comment.body[:70]}")
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
    ) -> bool:
        if not parsed.title or not proposals.definitions_a or not proposals.definitions_b:
            self.stderr.write(
                f"{file.name}: not saved: it needs a title and a sentence for each term; "
                "add it in the admin instead."
            )
            return False
        quote_a, quote_b = proposals.definitions_a[0].quote, proposals.definitions_b[0].quote
        axis_a, axis_b = proposals.axis or ("", "")
        by_slug = {d.slug: d for d in dimensions}
        try:
            source = add_source_from_article(
                comparison=comparison,
                title=parsed.title,
                body=parsed.body,
                date=parsed.date,
                site_name=options["site_name"][:200],
                original_url=options["url"],
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
                    (c.author, c.body, "pingback" if c.kind == "pingback" else "published")
                    for c in parsed.comments
                ],
                provenance=f"Imported from {file.name} with the importsource command.",
            )
        except DuplicateSourceError as duplicate:
            self.stderr.write(f"{file.name}: not saved: {duplicate}.")
            return False
        self.stdout.write(f"Saved: {source.title} ({source.get_absolute_url()})")
        return True
