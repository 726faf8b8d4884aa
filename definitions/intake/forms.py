"""Forms for adding a source from an article's text: the article, then the moderator's review.

Nothing is saved between the two steps: the review form carries everything in its own fields,
and every field is checked again when the moderator confirms (quotes against the body,
dimensions against the comparison), so there is no hidden state to trust or to sign.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import formset_factory

from definitions.intake.parse import MAX_ARTICLE_CHARS, parse_article
from definitions.intake.propose import Candidate
from definitions.models import Comparison, Dimension

MAX_UPLOAD_BYTES = 200_000
MAX_COMMENTS = 25
MAX_QUOTE_CHARS = 2_000
MAX_COMMENT_CHARS = 10_000


def normalize_newlines(value: str) -> str:
    """Browsers send textarea line breaks as CRLF; the body and quotes use LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class IntakeForm(forms.Form):
    """Step 1: which comparison, and the article's text, pasted or as a .txt file."""

    field_layout = "admin"

    comparison = forms.ModelChoiceField(Comparison.objects.all(), empty_label=None)
    text = forms.CharField(
        label="Article text",
        required=False,
        max_length=MAX_ARTICLE_CHARS,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "class": "vLargeTextField"}),
        help_text="Paste the whole page as text: title, body and reader comments.",
    )
    upload = forms.FileField(
        label="Or upload a .txt file",
        required=False,
        help_text=f"Plain text in UTF-8, at most {MAX_UPLOAD_BYTES // 1000} KB.",
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
        if not upload.name.lower().endswith(".txt"):
            raise ValidationError("Upload a plain text file whose name ends in .txt.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"This file is {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}."
            )
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        if b"\x00" in data:
            raise ValidationError("This file contains NUL bytes: it is not a plain text file.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "This file is not valid UTF-8 text (byte %(position)s cannot be read). "
                "Save it as UTF-8 plain text and upload it again.",
                params={"position": error.start},
            ) from None
        if len(text) > MAX_ARTICLE_CHARS:
            raise ValidationError(
                f"This text has {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}."
            )
        return normalize_newlines(text)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        text, upload = cleaned.get("text", ""), cleaned.get("upload", "")
        if self.errors:
            return cleaned
        if text.strip() and upload:
            raise ValidationError("Paste the text or upload a file, not both.")
        article = normalize_newlines(text) if text.strip() else upload
        if not article.strip():
            raise ValidationError("Paste the article's text or upload it as a .txt file.")
        parsed = parse_article(article)
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
    body = forms.CharField(
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

    text_a = forms.CharField(
        label="What sets term A apart",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100, "class": "vLargeTextField"}),
    )
    text_b = forms.CharField(
        label="What sets term B apart",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100, "class": "vLargeTextField"}),
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
                    self.add_error(
                        f"definition_{term}",
                        f"This source does not define {label}, so it cannot be added: each "
                        "source on a comparison quotes how it defines both terms. Nothing was "
                        "saved; choose a sentence if one does define it, or cancel.",
                    )
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
    author = forms.CharField(
        required=False, max_length=60, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    kind = forms.ChoiceField(choices=KINDS)
    body = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 100, "class": "vLargeTextField"}),
    )

    def clean_body(self) -> str:
        return normalize_newlines(self.cleaned_data["body"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("include") and not cleaned.get("body"):
            self.add_error("body", "An imported comment needs its text; or untick it.")
        return cleaned


StanceFormSet = formset_factory(
    StanceForm, formset=BaseStanceFormSet, extra=0, max_num=50, absolute_max=50, validate_max=True
)
CommentFormSet = formset_factory(
    ImportedCommentForm,
    extra=0,
    max_num=MAX_COMMENTS,
    absolute_max=MAX_COMMENTS,
    validate_max=True,
)
