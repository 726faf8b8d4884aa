"""Forms for adding a source from an article's text: the article, then the moderator's review.

Nothing is saved between the two steps: the review form carries everything in its own fields,
and every field is checked again when the moderator confirms (quotes against the body,
dimensions against the comparison), so there is no hidden state to trust or to sign.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import formset_factory

from definitions.intake.formats import FORMAT_CHOICES, UnreadableText, dated, decode_article
from definitions.intake.parse import MAX_ARTICLE_CHARS, parse_article
from definitions.intake.propose import Candidate
from definitions.models import Comparison, Dimension

MAX_UPLOAD_BYTES = 200_000
# A pasted page may carry markup around its text (HTML): the raw input may be this long, the text
# read from it at most MAX_ARTICLE_CHARS.
MAX_INPUT_CHARS = 200_000
UPLOAD_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
MAX_COMMENTS = 25
MAX_QUOTE_CHARS = 2_000
MAX_COMMENT_CHARS = 10_000


def normalize_newlines(value: str) -> str:
    """Browsers send textarea line breaks as CRLF; the body and quotes use LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class ArticleTextField(forms.CharField):
    """A textarea whose length is counted once line breaks are LF (browsers send CRLF)."""

    def to_python(self, value: Any) -> str:
        return normalize_newlines(super().to_python(value) or "").removeprefix("\ufeff")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No maxlength attribute: browsers differ on counting a line break as one character
        # or two, and a refused paste should say why next to the field, not be cut silently.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class IntakeForm(forms.Form):
    """Step 1: which comparison, and the article's text, pasted or as a file."""

    field_layout = "admin"

    comparison = forms.ModelChoiceField(Comparison.objects.all(), empty_label=None)
    text = ArticleTextField(
        label="Article text",
        required=False,
        max_length=MAX_INPUT_CHARS,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "class": "vLargeTextField"}),
        help_text=(
            "Paste the whole page: title, body and reader comments, as plain text, Markdown or "
            "HTML. Header lines such as “Title: …”, “URL: …”, “Date: …” and “By …” are read."
        ),
    )
    upload = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=(
            f"A .txt, .md or .html file in UTF-8 (or UTF-16 with a byte-order mark), "
            f"at most {MAX_UPLOAD_BYTES // 1000} KB."
        ),
    )
    article_format = forms.ChoiceField(
        label="Format",
        choices=FORMAT_CHOICES,
        required=False,
        initial="auto",
        help_text="Leave “Detect it” unless the text was read in the wrong format.",
    )
    original_url = forms.URLField(
        label="Original URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    site_name = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"})
    )

    def clean_upload(self) -> str:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return ""
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise ValidationError(
                "Upload a text file whose name ends in .txt, .md or .html (plain text, Markdown "
                "or HTML)."
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"This file is {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}."
            )
        try:
            return decode_article(upload.read(MAX_UPLOAD_BYTES + 1))
        except UnreadableText as error:
            raise ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        text, upload = cleaned.get("text", ""), cleaned.get("upload", "")
        if self.errors:
            return cleaned
        if text.strip() and upload:
            raise ValidationError("Paste the text or upload a file, not both.")
        article = text if text.strip() else upload
        if not article.strip():
            raise ValidationError("Paste the article's text or upload it as a file.")
        parsed = parse_article(article, cleaned.get("article_format") or "auto")
        if parsed.text_chars > MAX_ARTICLE_CHARS:
            raise ValidationError(
                f"This article has {parsed.text_chars:,} characters of text; the limit is "
                f"{MAX_ARTICLE_CHARS:,}."
            )
        if not parsed.body:
            raise ValidationError(
                "No article text was found after the title. Paste the whole article, body included."
            )
        cleaned["parsed"] = parsed
        return cleaned


DOES_NOT_DEFINE = "__does_not_define__"


class ProposalLabel(str):
    """A proposed quote as a radio label that also says which rule found it, and how sure it is.

    A str, so the radio renders the quote; the template reads `rule`, `level` and `score`.
    """

    rule: str
    level: str
    score: float
    preselected: bool

    @classmethod
    def of(cls, candidate: Candidate) -> ProposalLabel:
        label = cls(candidate.quote)
        label.rule, label.level = candidate.rule, candidate.level
        label.score, label.preselected = candidate.score, candidate.preselected
        return label


class ProposalRadioSelect(forms.RadioSelect):
    """Radios whose proposals point assistive technology at the line saying how they were found."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if getattr(option["label"], "rule", "") and option["attrs"].get("id"):
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_found_by"
        return option


TEXT_HELP = (
    "May be left empty for a term the source does not define; the source is then saved "
    "without a distinction (an axis needs both)."
)


class ReviewForm(forms.Form):
    """Step 2: the parsed article and the proposals, for the moderator to correct and confirm."""

    field_layout = "admin"

    comparison = forms.ModelChoiceField(Comparison.objects.all(), widget=forms.HiddenInput)
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"}))
    published_year = forms.IntegerField(
        label="Year", required=False, min_value=1900, max_value=2100
    )
    published_month = forms.IntegerField(label="Month", required=False, min_value=1, max_value=12)
    published_day = forms.IntegerField(label="Day", required=False, min_value=1, max_value=31)
    site_name = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    original_url = forms.URLField(
        label="Original URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    author = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    body = ArticleTextField(
        max_length=MAX_ARTICLE_CHARS,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}),
        help_text="Paragraphs separated by a blank line. Quotes below must be copied from here.",
    )
    definition_a = forms.CharField(
        required=False, max_length=MAX_QUOTE_CHARS, widget=ProposalRadioSelect
    )
    quote_a = forms.CharField(
        label="Or edit the quote",
        required=False,
        max_length=MAX_QUOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100, "class": "vLargeTextField"}),
        help_text="To quote a different range, paste it here exactly as it is in the body.",
    )
    summary_a = forms.CharField(
        label="Summary",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="Optional: the definition in a few words.",
    )
    definition_b = forms.CharField(
        required=False, max_length=MAX_QUOTE_CHARS, widget=ProposalRadioSelect
    )
    quote_b = forms.CharField(
        label="Or edit the quote",
        required=False,
        max_length=MAX_QUOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100, "class": "vLargeTextField"}),
        help_text="To quote a different range, paste it here exactly as it is in the body.",
    )
    summary_b = forms.CharField(
        label="Summary",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="Optional: the definition in a few words.",
    )
    axis_a = forms.CharField(label="Axis label for term A", required=False, max_length=60)
    axis_b = forms.CharField(label="Axis label for term B", required=False, max_length=60)

    # Required for a term the source defines (clean()); the source's distinction is saved only
    # with both texts.
    text_a = forms.CharField(
        label="What sets term A apart",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100, "class": "vLargeTextField"}),
        help_text=TEXT_HELP,
    )
    text_b = forms.CharField(
        label="What sets term B apart",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100, "class": "vLargeTextField"}),
        help_text=TEXT_HELP,
    )

    def __init__(
        self,
        *args: Any,
        comparison: Comparison,
        candidates_a: Sequence[Candidate] = (),
        candidates_b: Sequence[Candidate] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Not `self.comparison`: that name is the form's field.
        self.source_comparison = comparison
        for term, candidates in (("a", candidates_a), ("b", candidates_b)):
            label = comparison.term_label(term)
            field = self.fields[f"definition_{term}"]
            field.label = f"Definition of {label}"
            choices: list[tuple[str, str]] = [(c.quote, ProposalLabel.of(c)) for c in candidates]
            chosen = self[f"definition_{term}"].value()
            if chosen and chosen != DOES_NOT_DEFINE and chosen not in {q for q, _ in choices}:
                choices.append((chosen, chosen))  # keep the moderator's choice after an error
            choices.append((DOES_NOT_DEFINE, f"This source does not define “{label}”"))
            field.widget.choices = choices
            # Below the confidence threshold nothing is preselected and the review says so.
            field.definition_found = any(c.preselected for c in candidates)  # type: ignore[attr-defined]
            field.term = label  # type: ignore[attr-defined]
            if not self.is_bound and f"definition_{term}" not in self.initial:
                self.initial[f"definition_{term}"] = next(
                    (c.quote for c in candidates if c.preselected), ""
                )
            self.fields[f"quote_{term}"].label = f"Or edit the quote for {label}"
            self.fields[f"summary_{term}"].label = f"Summary of {label}"
            self.fields[f"axis_{term}"].label = f"Axis label for {label}"
            self.fields[f"text_{term}"].label = f"What sets {label} apart"

    def clean_body(self) -> str:
        return normalize_newlines(self.cleaned_data["body"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        body = cleaned.get("body")
        for term in ("a", "b"):
            label = self.source_comparison.term_label(term)
            edited = normalize_newlines(cleaned.get(f"quote_{term}", "")).strip()
            chosen = cleaned.get(f"definition_{term}", "").strip()
            if chosen == DOES_NOT_DEFINE:
                if edited:
                    self.add_error(
                        f"definition_{term}",
                        f"You said this source does not define {label} but pasted a quote for "
                        "it below: choose the quote's sentence, or clear the quote.",
                    )
                else:
                    # Saved without a definition of this term; the pages say it is not defined.
                    cleaned[f"the_quote_{term}"] = ""
                continue
            quote = edited or chosen
            field = f"quote_{term}" if edited else f"definition_{term}"
            if not quote:
                self.add_error(
                    f"definition_{term}",
                    f"Choose the sentence that defines {label}, paste the quote below, or "
                    f"choose “This source does not define {label}”.",
                )
            elif body is not None and quote not in body:
                self.add_error(
                    field,
                    f"This quote for {label} is not in the article's text. Copy it exactly "
                    "from the body above (same spelling, spaces and punctuation).",
                )
            else:
                cleaned[f"the_quote_{term}"] = quote
            if quote and not cleaned.get(f"text_{term}", "").strip():
                self.add_error(f"text_{term}", f"Say what sets {label} apart in this source.")
        texts = [cleaned.get(f"text_{term}", "").strip() for term in ("a", "b")]
        if not all(texts) and (cleaned.get("axis_a") or cleaned.get("axis_b")):
            self.add_error(
                "axis_a",
                "An axis needs what sets each term apart: fill in both, or clear the axis labels.",
            )
        year, month, day = (cleaned.get(f"published_{p}") for p in ("year", "month", "day"))
        if month and day and year:
            try:
                datetime.date(year, month, day)
            except ValueError:
                self.add_error("published_day", "This day does not exist in that month.")
        return cleaned


class StanceForm(forms.Form):
    """One dimension of the comparison: whether the source speaks to it, and what it says."""

    field_layout = "admin"

    dimension = forms.ModelChoiceField(Dimension.objects.none(), widget=forms.HiddenInput)
    include = forms.BooleanField(required=False)
    says_a = forms.CharField(
        required=False, max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    says_b = forms.CharField(
        required=False, max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"})
    )

    def __init__(self, *args: Any, dimensions: QuerySet[Dimension], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dimension_field = cast("forms.ModelChoiceField[Dimension]", self.fields["dimension"])
        dimension_field.queryset = dimensions
        value = self["dimension"].value()
        self.dimension_name = next(
            (d.name for d in dimensions if str(d.pk) == str(value)), "Unknown dimension"
        )
        self.fields["include"].label = self.dimension_name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("include"):
            for field in ("says_a", "says_b"):
                if not cleaned.get(field, "").strip():
                    self.add_error(
                        field, "Say what the source says here, or untick this dimension."
                    )
        return cleaned


class BaseStanceFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            dimension = form.cleaned_data.get("dimension")
            if dimension in seen:
                raise ValidationError("Each dimension can only be listed once.")
            seen.add(dimension)


class ImportedCommentForm(forms.Form):
    """One reader comment found in the article, imported only if ticked."""

    field_layout = "admin"

    KINDS = [("published", "Comment"), ("pingback", "Pingback/trackback"), ("spam", "Spam")]

    include = forms.BooleanField(label="Import", required=False)
    merge = forms.BooleanField(
        label="Merge into the comment above",
        required=False,
        help_text="For a comment that was cut in two: its text is added to the one above.",
    )
    author = forms.CharField(
        required=False, max_length=60, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    kind = forms.ChoiceField(choices=KINDS)
    # The date and time the page gave the comment ("2012-03-04", "16:15"), shown on the review
    # and stored as the comment's date (formats.dated); without them it is dated when imported.
    date = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    time = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    body = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 100, "class": "vLargeTextField"}),
        help_text=(
            "To split two comments that were read as one, put a line with only --- where the "
            "second one starts."
        ),
    )

    def clean_body(self) -> str:
        return normalize_newlines(self.cleaned_data["body"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("include") and not cleaned.get("body"):
            self.add_error("body", "An imported comment needs its text; or untick it.")
        return cleaned


class BaseCommentFormSet(forms.BaseFormSet):
    """The comment rows; the blank row at the end adds a comment the text did not show apart."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            kwargs["initial"] = {"include": True, "kind": "published"}
        return kwargs

    def clean(self) -> None:
        if any(self.errors) or not self.management_form.is_valid():
            return
        rows = restructured_comments([form.cleaned_data for form in self.forms])
        if sum(1 for row in rows if row["include"]) > MAX_COMMENTS:
            raise ValidationError(
                f"At most {MAX_COMMENTS} comments can be imported here; untick some."
            )


_SPLIT_LINE = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.M)


def restructured_comments(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the moderator's merges and splits to the cleaned comment rows.

    A row ticked "merge" joins the row above it (whose author, kind and "import" it keeps); a
    line of "---" in a body splits it into two rows, the second without an author. Blank rows
    (the unused "add" row) are dropped.
    """
    merged: list[dict[str, Any]] = []
    for row in rows:
        if not row or not row.get("body"):
            continue
        if row.get("merge") and merged:
            merged[-1]["body"] = f"{merged[-1]['body']}\n\n{row['body']}"
        else:
            merged.append(
                {k: row.get(k) for k in ("include", "author", "kind", "date", "time", "body")}
            )
    result: list[dict[str, Any]] = []
    for row in merged:
        parts = [part.strip() for part in _SPLIT_LINE.split(row["body"]) if part.strip()]
        for n, part in enumerate(parts or [""]):
            first = n == 0
            result.append(
                {
                    **row,
                    "body": part,
                    "author": row["author"] if first else "",
                    "date": row.get("date") if first else "",
                    "time": row.get("time") if first else "",
                }
            )
    return result


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_TIME = re.compile(r"^(\d{2}):(\d{2})$")


def row_created(date: str | None, time: str | None) -> datetime.datetime | None:
    """Return the datetime of a comment row's date ("2012-03-04") and time ("16:15"), or None
    when the row has no whole date."""
    day = _ISO_DATE.match(date or "")
    if day is None:
        return None
    clock = _ISO_TIME.match(time or "")
    year, month, mday = (int(part) for part in day.groups())
    hour_minute = (int(clock[1]), int(clock[2])) if clock else None
    return dated((year, month, mday), hour_minute)


def comment_rows(
    formset: forms.BaseFormSet,
) -> list[tuple[str, str, str, datetime.datetime | None]]:
    """Return the comments to import, as (author, body, kind, created or None), after merges
    and splits."""
    return [
        (row["author"], row["body"], row["kind"], row_created(row.get("date"), row.get("time")))
        for row in restructured_comments(formset.cleaned_data)
        if row["include"]
    ]


StanceFormSet = formset_factory(
    StanceForm, formset=BaseStanceFormSet, extra=0, max_num=50, absolute_max=50, validate_max=True
)
# Splits may add rows: the formset takes a few more than can be imported, and its clean() counts
# the ones ticked.
CommentFormSet = formset_factory(
    ImportedCommentForm,
    formset=BaseCommentFormSet,
    extra=1,
    max_num=MAX_COMMENTS + 10,
    absolute_max=MAX_COMMENTS + 10,
    validate_max=True,
)
