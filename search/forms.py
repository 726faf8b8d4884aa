"""The search form: the words to find, and optionally the comparison to look in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from definitions.models import Comparison
from search.results import KIND_SLUGS, MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        strip=True,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": (
                f"Search for at most {MAX_QUERY_LENGTH} characters (you sent %(show_value)d): "
                "a few words or a short phrase find the most."
            ),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    comparison = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Search as you type: htmx asks for the results alone a moment after the typing stops
        # (the form's own GET works without JavaScript).
        self.fields["q"].widget.attrs.update(
            {
                "data-hx-get": reverse("search:search"),
                "data-hx-trigger": "input changed delay:400ms, search",
                "data-hx-target": "#search-results",
                "data-hx-include": "closest form",
                "data-hx-push-url": "true",
                "data-hx-sync": "this:replace",
            }
        )

    def clean_comparison(self) -> Comparison | None:
        slug = self.cleaned_data["comparison"]
        if not slug:
            return None
        found = Comparison.objects.published().filter(slug=slug).first()
        if found is None:
            raise forms.ValidationError(
                "There is no such comparison to search in: search all comparisons instead."
            )
        return found

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind and kind not in KIND_SLUGS:
            raise forms.ValidationError(
                f"Results are of these kinds only: {', '.join(KIND_SLUGS)}."
            )
        return kind

    def scope_slug(self) -> str:
        """Return the slug of the comparison searched, as sent ("" for all)."""
        value: Any = self.data.get("comparison", "")
        return value if isinstance(value, str) else ""
