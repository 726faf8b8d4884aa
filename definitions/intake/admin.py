""" "Add source from text" in the Source admin: paste or upload an article, review, confirm.

Step 1 takes the article's raw text (pasted, or a .txt file in UTF-8). Step 2 shows what
definitions.intake made of it (title, date, body, comments) and its proposals (the ranked
defining sentences of each term with the best one chosen, the axis, the dimensions), all editable.
Nothing is written until the moderator confirms step 2; the state travels in that form's fields
and is validated again on confirmation. Only accounts that may add sources may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.forms import BaseFormSet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from definitions.intake.actions import (
    DuplicateSourceError,
    StanceInput,
    add_source_from_article,
    publish_sources,
)
from definitions.intake.formats import iso_date
from definitions.intake.forms import (
    MAX_COMMENTS,
    CommentFormSet,
    IntakeForm,
    ReviewForm,
    StanceFormSet,
    comment_rows,
    normalize_newlines,
    restructured_comments,
)
from definitions.intake.parse import ParsedArticle
from definitions.intake.propose import Proposals, propose
from definitions.models import Comparison, Distinction, Source, Term
from definitions.views import comparison_context
from smsn.http import SiteRequest

CANDIDATES_SHOWN = 5

if TYPE_CHECKING:
    # The mixin is only ever mixed into a ModelAdmin for Source, whose attributes it uses.
    _SourceAdminBase = admin.ModelAdmin[Source]
else:
    _SourceAdminBase = object


def _saved_parts(source: Source) -> str:
    """Say which definitions a just-saved source has, and whether it has a distinction."""
    comparison = source.comparison
    terms = {d.term for d in source.definitions.all()}
    defined = [comparison.term_label(t) for t in Term if t in terms]
    missing = [comparison.term_label(t) for t in Term if t not in terms]
    said = f"its definition of {' and of '.join(defined)}" if defined else "no definition"
    if missing:
        said += f" (it does not define {' or '.join(missing)})"
    has_distinction = Distinction.objects.filter(source=source).exists()
    return f"{said}, {'its' if has_distinction else 'no'} distinction"


def _proposals(comparison: Comparison, body: str) -> Proposals:
    return propose(body, comparison.term_a, comparison.term_b, comparison.dimensions.all())


class SourceIntakeMixin(_SourceAdminBase):
    """Give a ModelAdmin for Source the "Add source from text" pages and changelist button."""

    change_list_template = "admin/definitions/source/change_list.html"
    change_form_template = "admin/definitions/source/change_form.html"
    preview_template = "definitions/comparison.html"
    actions = ["publish_drafts"]
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
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            *super().get_urls(),
        ]

    # -- drafts ----------------------------------------------------------------------------

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.publish_source")

    def get_view_on_site_url(self, obj: Source | None = None) -> str | None:
        # A draft's public page is a 404: "View on site" shows it where it will stand.
        if obj is not None and not obj.is_published:
            info = self.opts.app_label, self.opts.model_name
            return reverse(
                f"{self.admin_site.name}:{info[0]}_{info[1]}_preview", args=[quote(obj.pk)]
            )
        return super().get_view_on_site_url(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Source | None = None) -> Any:
        # Publishing is a decision of its own (the permission), not a field any editor ticks.
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("is_published")
        return fields

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = {**(extra_context or {}), "can_publish": self.has_publish_permission(request)}
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description="Publish the selected draft sources", permissions=["publish"])
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        published = publish_sources(sources=list(queryset))
        for source in published:
            self.log_change(request, source, [{"changed": {"fields": ["is_published"]}}])
        already = queryset.count() - len(published)
        note = f" ({already} already published)" if already else ""
        self.message_user(
            request,
            f"Published {len(published)} source{pluralize(len(published))}{note}: they are on the "
            "public pages now.",
        )

    @method_decorator(require_safe)
    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show the comparison page as it will be with this source published (staff only)."""
        source = self._source_or_404(request, object_id)
        comparison = source.comparison
        # The site's middleware made it a SiteRequest (request.visitor), as for every page.
        context = comparison_context(cast("SiteRequest", request), comparison, preview=source)
        context |= {"preview_source": source, "preview_admin_url": self._change_url(source)}
        response = TemplateResponse(request, self.preview_template, context)
        # Never stored by a shared cache or the browser's: it shows what visitors must not see.
        add_never_cache_headers(response)
        patch_cache_control(response, private=True, no_store=True)
        return response

    @method_decorator(require_POST)
    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Publish one draft source (the "Publish" button on its page)."""
        source = self._source_or_404(request, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        if publish_sources(sources=[source]):
            self.log_change(request, source, [{"changed": {"fields": ["is_published"]}}])
            self.message_user(
                request, f"Published “{source.title}”: it is on the comparison page now."
            )
        else:
            self.message_user(request, f"“{source.title}” was already published.", messages.INFO)
        return HttpResponseRedirect(self._change_url(source))

    def _source_or_404(self, request: HttpRequest, object_id: str) -> Source:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No source with this id.")
        return source

    def _change_url(self, source: Source) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            f"{self.admin_site.name}:{info[0]}_{info[1]}_change", args=[quote(source.pk)]
        )

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
        if "update_comments" in request.POST:
            # "Update the comment rows": apply merges and splits and show the review again, with
            # a new blank row; nothing is saved.
            if comments.is_valid():
                comments = CommentFormSet(
                    prefix="comments", initial=restructured_comments(comments.cleaned_data)
                )
            form.full_clean()
            return self._render_review(request, comparison, form, stances, comments, None)
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
                self.message_user(
                    request,
                    f"Saved the source “{source.title}” as a draft with "
                    f"{_saved_parts(source)}, {len(source.stances.all())} dimensions and "
                    f"{len(comment_rows(comments))} reader comments. It is not on the public "
                    "pages yet: preview it on the comparison, then publish it.",
                )
                return HttpResponseRedirect(self._change_url(source))
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
                "site_name": form.cleaned_data["site_name"] or parsed.site_name,
                "original_url": form.cleaned_data["original_url"] or parsed.original_url,
                "author": parsed.author,
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
                    "date": iso_date(c.date) or "",
                    "time": f"{c.time[0]:02d}:{c.time[1]:02d}" if c.time else "",
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
            comments=comment_rows(comments),
            provenance=(
                f"Added from the article's text by {request.user.get_username()} on "
                f"{timezone.now():%Y-%m-%d} (Add source from text)."
            ),
        )
