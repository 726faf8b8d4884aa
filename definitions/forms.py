"""Forms for what visitors send: a vote, a placement, an answer to an example, a distinction
of their own (and its edit), a report."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing

from definitions.models import Comparison, Verdict
from definitions.text import NameField, PlainTextField

FORM_SALT = "smsn.distinction-form"


def min_fill_seconds() -> float:
    """Return how long a person needs at least between seeing the form and sending it."""
    return float(getattr(settings, "SMSN_DISTINCTION_MIN_SECONDS", 3))


def max_form_age() -> int:
    """Return how many seconds a form token stays valid."""
    return int(getattr(settings, "SMSN_FORM_MAX_AGE", 2 * 24 * 3600))


def issue_token(comparison: Comparison | int, *, issued_at: float | None = None) -> str:
    """Return a signed token naming this form instance, its comparison and when it was shown."""
    payload = {
        "n": uuid.uuid4().hex,
        "c": comparison if isinstance(comparison, int) else comparison.pk,
        "t": time.time() if issued_at is None else issued_at,
    }
    return signing.dumps(payload, salt=FORM_SALT, compress=True)


def read_token(token: str, comparison: Comparison) -> dict[str, Any] | None:
    """Return the token's payload if it is genuine, current and for this comparison."""
    try:
        payload = signing.loads(token, salt=FORM_SALT, max_age=max_form_age())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("c") != comparison.pk:
        return None
    try:
        payload["n"] = uuid.UUID(hex=payload["n"])
        payload["t"] = float(payload["t"])
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    if not time.time() - max_form_age() <= payload["t"] <= time.time() + 60:
        return None
    return payload


class VoteForm(forms.Form):
    """One press of a vote button: up, down, or withdraw the vote."""

    value = forms.TypedChoiceField(
        choices=[("1", "Convincing"), ("-1", "Not convincing"), ("0", "Withdraw my vote")],
        coerce=int,
    )


class PlacementForm(forms.Form):
    """One press of a placement button: term A, both / no difference, term B, or withdraw."""

    WITHDRAW = "withdraw"

    value = forms.ChoiceField(
        choices=[
            ("a", "Term A"),
            ("both", "Both / no difference"),
            ("b", "Term B"),
            (WITHDRAW, "Withdraw my placement"),
        ]
    )

    def clean_value(self) -> str:
        """Return the placement, or "" to withdraw it."""
        value = self.cleaned_data["value"]
        return "" if value == self.WITHDRAW else value


class AnswerForm(forms.Form):
    """One press of an answer button: which term an example belongs to."""

    value = forms.ChoiceField(choices=Verdict.choices)


class DistinctionTextForm(forms.Form):
    """What a reader's distinction says: the text for each term and an optional word for each.

    Its author edits these within the edit window; DistinctionForm adds who and the spam traps.
    """

    text_a = PlainTextField(
        multiline=True, min_length=10, max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    text_b = PlainTextField(
        multiline=True, min_length=10, max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    axis_a = PlainTextField(inline=True, max_length=40, required=False)
    axis_b = PlainTextField(inline=True, max_length=40, required=False)

    def __init__(self, *args: Any, comparison: Comparison, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comparison = comparison
        a, b = comparison.term_a, comparison.term_b
        self.fields["text_a"].label = f"What sets {a} apart"
        self.fields["text_b"].label = f"What sets {b} apart"
        self.fields["text_a"].help_text = "10 to 600 characters, plain text."
        self.fields["text_b"].help_text = "10 to 600 characters, plain text."
        self.fields["axis_a"].label = f"A word or two for {a}"
        self.fields["axis_b"].label = f"A word or two for {b}"
        self.fields["axis_a"].help_text = "For example “channel”. Up to 40 characters."
        self.fields["axis_b"].help_text = "For example “place”. Up to 40 characters."
        self.fields["axis_a"].widget.attrs["autocomplete"] = "off"
        self.fields["axis_b"].widget.attrs["autocomplete"] = "off"
        for name, term in (("text_a", a), ("text_b", b)):
            self.fields[name].error_messages.update(
                required=f"Write what sets {term} apart.",
                min_length="Write at least %(limit_value)d characters (you wrote %(show_value)d).",
                max_length="Keep it to %(limit_value)d characters (you wrote %(show_value)d).",
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        axis_a, axis_b = cleaned.get("axis_a"), cleaned.get("axis_b")
        if "axis_a" in cleaned and "axis_b" in cleaned and bool(axis_a) != bool(axis_b):
            missing = "axis_b" if axis_a else "axis_a"
            self.add_error(
                missing,
                "Give a word for both terms, or leave both empty.",
            )
        return cleaned


class DistinctionForm(DistinctionTextForm):
    """A reader's own distinction between the two terms of a comparison."""

    author_name = NameField(
        max_length=60,
        label="Your name, as it will be shown",
        help_text="Up to 60 characters. A first name or a nickname is fine.",
    )
    # The honeypot: hidden from people by CSS, labelled for the few who meet it anyway.
    homepage = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, comparison: Comparison, **kwargs: Any) -> None:
        super().__init__(*args, comparison=comparison, **kwargs)
        self.fields["author_name"].widget.attrs["autocomplete"] = "nickname"
        self.fields["author_name"].error_messages["required"] = "Give a name to show with it."
        self._fresh_token: str | None = None

    @property
    def token_value(self) -> str:
        """Return the token to render: the one sent if it is still good, else a new one."""
        if self.is_bound:
            sent = self.data.get("token", "")
            if isinstance(sent, str) and read_token(sent, self.comparison):
                return sent
        if self._fresh_token is None:
            self._fresh_token = issue_token(self.comparison)
        return self._fresh_token

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("homepage"):
            self.add_error(
                None,
                "The field labelled “Leave this field empty” must stay empty. "
                "Clear it and send the form again.",
            )
        payload = read_token(cleaned.get("token") or "", self.comparison)
        if payload is None:
            self.add_error(
                None,
                "This form is out of date. We have renewed it: check what you wrote and send "
                "it again.",
            )
        elif time.time() - payload["t"] < min_fill_seconds():
            self.add_error(
                None,
                "That was quicker than we expect from a person. Check what you wrote and send "
                "it again.",
            )
        else:
            cleaned["submission_token"] = payload["n"]
        return cleaned


class DistinctionReportForm(forms.Form):
    """A visitor's report that a reader's distinction breaks the rules; the reason is optional."""

    reason = PlainTextField(
        label="What is wrong with it? (optional)",
        inline=True,
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
