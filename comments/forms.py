"""Forms for posting, editing and reporting reader comments: all of their validation lives here."""

from __future__ import annotations

import math
import re
import secrets
import time
import uuid
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator

from comments import conf
from comments.models import Comment
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import ModerationStatus
from definitions.text import NameField, PlainTextField, check_text

TICKET_SALT = "smsn.comments.ticket"
# What new_ticket() puts in a ticket; the token is stored in Comment.submission_token.
TICKET_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_ticket(issued_at: float | None = None) -> str:
    """Return a signed ticket for one form: a random submission token and when it was issued."""
    return signing.dumps(
        {"token": secrets.token_urlsafe(24), "at": time.time() if issued_at is None else issued_at},
        salt=TICKET_SALT,
    )


def read_ticket(ticket: str) -> dict[str, Any] | None:
    """Return the ticket's contents, or None if it was tampered with or is not a ticket."""
    try:
        data = signing.loads(ticket, salt=TICKET_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        return None
    # Only this site signs tickets, but a ticket is read before anything else checks it: one
    # whose token would not fit the column, or whose time is not a time, is no ticket.
    if not TICKET_TOKEN.fullmatch(data["token"]):
        return None
    at = data.get("at")
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        return None
    return data


class WebAddressField(forms.URLField):
    """An optional link to the author's site: http and https only, never javascript: or data:."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {
        "invalid": "Enter a web address starting with http:// or https://.",
    }

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            check_text(value.strip(), inline=True)
        return super().to_python(value)


class CommentForm(forms.Form):
    """A new comment or reply, with the spam traps every comment form carries."""

    body = PlainTextField(
        label="Comment",
        multiline=True,
        min_length=2,
        max_length=5000,
        help_text="Plain text, up to 5,000 characters. A blank line starts a new paragraph; "
        "web addresses become links.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Write your comment.",
            "min_length": "Write at least 2 characters.",
            "max_length": "Keep it to 5,000 characters; this has %(show_value)d.",
        },
    )
    author_name = NameField(
        label="Name",
        max_length=60,
        help_text="Shown with your comment. Up to 60 characters.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={
            "required": "Enter a name to show with your comment; any name will do.",
            "max_length": "Keep the name to 60 characters; this has %(show_value)d.",
        },
    )
    author_url = WebAddressField(
        label="Website (optional)",
        required=False,
        max_length=300,
        help_text="Your name links here. Starts with http:// or https://.",
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    author_email = forms.EmailField(
        label="Email (optional)",
        required=False,
        help_text="Never shown. Only a moderator can see it, to reach you about this comment.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Enter an email address like name@example.org, or leave it empty."
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    ticket = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    # The honeypot: hidden from people by CSS and skipped by keyboard, filled in by bots.
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        target: Comparison | Source | Distinction,
        visitor_id: uuid.UUID | None = None,
        autofocus: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["body"].widget.attrs["autofocus"] = True
        self.target = target
        self.visitor_id = visitor_id
        self._fresh_ticket = "" if self.is_bound else new_ticket()
        self.parent_comment: Comment | None = None
        self.token = ""

    @property
    def ticket_for_page(self) -> str:
        """Return the ticket the re-rendered form should carry.

        A valid ticket is kept, so waiting and sending again works; a broken or expired one is
        replaced, so the visitor only has to press Send once more.
        """
        if self._fresh_ticket:
            return self._fresh_ticket
        return str(self.data.get(self.add_prefix("ticket"), ""))

    def renew_ticket(self) -> None:
        self._fresh_ticket = new_ticket()

    def clean_parent(self) -> Comment | None:
        """Return the top-level comment a reply belongs under (replies are one level deep)."""
        pk = self.cleaned_data.get("parent")
        if not pk:
            return None
        parent = (
            Comment.objects.on(self.target)
            .published()
            .select_related("parent")
            .filter(pk=pk)
            .first()
        )
        if parent is not None and parent.parent_id:
            # A reply to a reply joins the same conversation, under its top-level comment.
            parent = parent.parent
        if parent is None or parent.status != ModerationStatus.PUBLISHED:
            raise ValidationError(
                "The comment you are replying to is no longer shown, so this reply cannot be "
                "posted under it. Copy your text if you want to post it as a new comment."
            )
        self.parent_comment = parent
        return parent

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        ticket = read_ticket(cleaned.get("ticket") or "")
        if ticket is None:
            self.renew_ticket()
            self.add_error(
                None, "This form could not be checked. Your text is kept: press Send again."
            )
            return cleaned
        age = time.time() - ticket["at"]
        if age > conf.form_max_age():
            self.renew_ticket()
            self.add_error(None, "This form was open for too long. Your text is kept: send again.")
        elif age < conf.min_fill_seconds():
            self.add_error(
                None,
                "That was sent faster than a person can type. Wait a moment and send it again; "
                "your text is kept.",
            )
        else:
            self.token = ticket["token"]
        return cleaned

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))

    def summary_errors(self) -> list[tuple[str, str, str]]:
        """Return (field id, label, message) for every error, for the summary above the form."""
        rows: list[tuple[str, str, str]] = []
        for message in self.non_field_errors():
            rows.append(("", "", str(message)))
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            field = self[name]
            label = "" if field.is_hidden else str(field.label)
            for message in errors:
                rows.append(("" if field.is_hidden else field.auto_id, label, str(message)))
        return rows


class EditCommentForm(forms.Form):
    """The author's change to their own comment's text."""

    body = PlainTextField(
        label="Comment",
        multiline=True,
        min_length=2,
        max_length=5000,
        help_text="Plain text, up to 5,000 characters.",
        widget=forms.Textarea(attrs={"rows": 6, "autofocus": True}),
        error_messages={
            "required": "Write your comment.",
            "min_length": "Write at least 2 characters.",
            "max_length": "Keep it to 5,000 characters; this has %(show_value)d.",
        },
    )

    def summary_errors(self) -> list[tuple[str, str, str]]:
        return [("", "", str(m)) for m in self.non_field_errors()] + [
            (self["body"].auto_id, "Comment", str(m)) for m in self.errors.get("body", [])
        ]


class ReportForm(forms.Form):
    """A visitor's report that a comment breaks the rules; the reason is optional."""

    reason = PlainTextField(
        label="What is wrong with it? (optional)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )

    def summary_errors(self) -> list[tuple[str, str, str]]:
        return [("", "", str(m)) for m in self.non_field_errors()] + [
            (self["reason"].auto_id, "Reason", str(m)) for m in self.errors.get("reason", [])
        ]
