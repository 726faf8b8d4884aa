""" "Add source from text" in the Source admin: paste or upload an article, review, confirm.

Step 1 takes the article's raw text (pasted, or a .txt file in UTF-8). Step 2 shows what
definitions.intake made of it (title, date, body, comments) and its proposals (the ranked
defining sentences of each term with the best one chosen, the axis, the dimensions), all editable.
Nothing is written until the moderator confirms step 2; the state travels in that form's fields
and is validated again on confirmation. Only accounts that may add sources may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from definitions.intake.actions import DuplicateSourceError, StanceInput, add_source_from_article
from definitions.intake.forms import (
    MAX_COMMENTS,
    CommentFormSet,
    IntakeForm,
    ReviewForm,
    StanceFormSet,
    normalize_newlines,
)
from definitions.intake.parse import ParsedArticle
from definitions.intake.propose import Proposals, propose
from definitions.models import Comparison, Source

CANDIDATES_SHOWN = 5

if TYPE_CHECKING:
    # The mixin is only ever mixed into a ModelAdmin for Source, whose attributes it uses.
    _SourceAdminBase = admin.ModelAdmin[Source]
else:
    _SourceAdminBase = object


def _proposals(comparison: Comparison, body: str) -> Proposals:
    return propose(body, comparison.term_a, comparison.term_b, comparison.dimensions.all())


class SourceIntakeMixin(_SourceAdminBase):
    """Give a ModelAdmin for Source the "Add source from text" pages and changelist button."""

    change_list_template = "admin/definitions/source/change_list.html"
    intake_template = "admin/definitions/source/intake.html"
    review_template = "admin/definitions/source/intake_review.html"

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "add-from-text/",
                self.admin_site.admin_view(self.intake_view),
                name="{}_{}_intake".format(*info),
            ),
            path(
                "add-from-text/review/",
                self.admin_site.admin_view(self.intake_review_view),
                name="{}_{}_intake_review".format(*info),
            ),
            *super().get_urls(),
        ]

    # -- views -----------------------------------------------------------------------------

    @method_decorator(require_http_methods(["GET", "POST"]))
    def intake_view(self, request: HttpRequest) -> HttpResponse:
        """Take the article's text; when it reads, show the review page (nothing saved)."""
        self._check_intake_permission(request)
        if request.method == "POST":
            form = IntakeForm(request.POST, request.FILES)
            if form.is_valid():
                return self._render_review(request, *self._first_review(form))
        else:
            form = IntakeForm(initial={"comparison": request.GET.get("comparison")})
        context = {**self._context(request, "Add source from text"), "form": form}
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, self.intake_template, context, status=status)

    @method_decorator(require_POST)
    def intake_review_view(self, request: HttpRequest) -> HttpResponse:
        """Save the reviewed source, or show the review again with what needs correcting."""
        self._check_intake_permission(request)
        try:
            comparison = ReviewForm.base_fields["comparison"].clean(request.POST.get("comparison"))
        except ValidationError:
            return HttpResponseBadRequest(
                "Unknown comparison. Start again from “Add source from text”.",
                content_type="text/plain; charset=utf-8",
            )
        proposals = _proposals(comparison, normalize_newlines(request.POST.get("body", "")).strip())
        form = ReviewForm(
            request.POST,
            comparison=comparison,
            candidates_a=proposals.definitions_a[:CANDIDATES_SHOWN],
            candidates_b=proposals.definitions_b[:CANDIDATES_SHOWN],
        )
        stances = StanceFormSet(
            request.POST, prefix="stances", form_kwargs={"dimensions": comparison.dimensions.all()}
        )
        comments = CommentFormSet(request.POST, prefix="comments")
        if form.is_valid() and stances.is_valid() and comments.is_valid():
            try:
                source = self._save(request, form, stances, comments)
            except DuplicateSourceError as duplicate:
                form.add_error(None, str(duplicate))
            except IntegrityError:
                # Another source took this slug between our check and our insert.
                form.add_error(
                    None, "Another source with this title was saved at the same moment; save again."
                )
            else:
                self.log_addition(request, source, [{"added": {}}])
                imported = sum(1 for c in comments.cleaned_data if c.get("include"))
                self.message_user(
                    request,
                    f"Added the source “{source.title}” with its definitions, distinction, "
                    f"{len(source.stances.all())} dimensions and {imported} reader comments.",
                )
                return HttpResponseRedirect(
                    reverse(
                        f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[quote(source.pk)],
                    )
                )
        return self._render_review(request, comparison, form, stances, comments, None, status=400)

    # -- helpers ---------------------------------------------------------------------------

    def _check_intake_permission(self, request: HttpRequest) -> None:
        if not self.has_add_permission(request):
            raise PermissionDenied

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "has_view_permission": self.has_view_permission(request),
        }

    def _first_review(self, form: IntakeForm) -> tuple:
        comparison: Comparison = form.cleaned_data["comparison"]
        parsed: ParsedArticle = form.cleaned_data["parsed"]
        proposals = _proposals(comparison, parsed.body)
        # Only a confident top proposal is chosen for the moderator (issue 17).
        best_a = next((c.quote for c in proposals.definitions_a if c.preselected), "")
        best_b = next((c.quote for c in proposals.definitions_b if c.preselected), "")
        year, month, day = parsed.date
        axis_a, axis_b = proposals.axis or ("", "")
        review = ReviewForm(
            initial={
                "comparison": comparison.pk,
                "title": parsed.title,
                "published_year": year,
                "published_month": month,
                "published_day": day,
                "site_name": form.cleaned_data["site_name"],
                "original_url": form.cleaned_data["original_url"],
                "body": parsed.body,
                "definition_a": best_a,
                "definition_b": best_b,
                "axis_a": axis_a,
                "axis_b": axis_b,
                "text_a": best_a,
                "text_b": best_b,
            },
            comparison=comparison,
            candidates_a=proposals.definitions_a[:CANDIDATES_SHOWN],
            candidates_b=proposals.definitions_b[:CANDIDATES_SHOWN],
        )
        dimensions = comparison.dimensions.all()
        stances = StanceFormSet(
            prefix="stances",
            form_kwargs={"dimensions": dimensions},
            initial=[
                {
                    "dimension": d.pk,
                    "include": d.slug in proposals.dimensions,
                    "says_a": proposals.stances.get(d.slug, ("", ""))[0],
                    "says_b": proposals.stances.get(d.slug, ("", ""))[1],
                }
                for d in dimensions
            ],
        )
        comments = CommentFormSet(
            prefix="comments",
            initial=[
                {
                    "include": True,
                    "author": c.author,
                    "kind": "pingback" if c.kind == "pingback" else "published",
                    "body": c.body,
                }
                for c in parsed.comments[:MAX_COMMENTS]
            ],
        )
        return comparison, review, stances, comments, parsed

    def _render_review(
        self,
        request: HttpRequest,
        comparison: Comparison,
        form: ReviewForm,
        stances: BaseFormSet,
        comments: BaseFormSet,
        parsed: ParsedArticle | None,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            **self._context(request, "Review the new source"),
            "comparison": comparison,
            "form": form,
            "stances": stances,
            "comments": comments,
            "parsed": parsed,
            "comments_left_out": (
                len(parsed.comments) - MAX_COMMENTS
                if parsed and len(parsed.comments) > MAX_COMMENTS
                else 0
            ),
            "errors": form.is_bound
            and (form.errors or stances.total_error_count() or comments.total_error_count()),
        }
        return TemplateResponse(request, self.review_template, context, status=status)

    def _save(self, request: HttpRequest, form, stances, comments):
        data = form.cleaned_data
        return add_source_from_article(
            comparison=data["comparison"],
            title=data["title"],
            body=data["body"],
            date=(data["published_year"], data["published_month"], data["published_day"]),
            site_name=data["site_name"],
            original_url=data["original_url"],
            author=data["author"],
            quote_a=data["the_quote_a"],
            quote_b=data["the_quote_b"],
            summary_a=data["summary_a"],
            summary_b=data["summary_b"],
            axis_a=data["axis_a"],
            axis_b=data["axis_b"],
            text_a=data["text_a"],
            text_b=data["text_b"],
            stances=[
                StanceInput(s["dimension"], s["says_a"].strip(), s["says_b"].strip())
                for s in stances.cleaned_data
                if s.get("include")
            ],
            comments=[
                (c["author"], c["body"], c["kind"])
                for c in comments.cleaned_data
                if c.get("include")
            ],
            provenance=(
                f"Added from the article's text by {request.user.get_username()} on "
                f"{timezone.now():%Y-%m-%d} (Add source from text)."
            ),
        )
