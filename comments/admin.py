"""The comment queue, reports, and "remove everything from this visitor".

The comment queue takes its decisions with the same mixins as the distinction queue
(definitions/admin.py). Removing everything from a visitor touches comments, distinctions and
votes, so its confirmation page lives here, at the URL name `admin:comments_remove_visitor`
that every queue links to.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments.models import Comment, Report
from comments.moderation import VisitorFootprint, remove_visitor_content
from definitions.admin import (
    MAX_IDENTITIES,
    ReadersWordsReadOnlyMixin,
    StatusModerationMixin,
    ip_prefix,
    public_link,
)
from definitions.models import Comparison, Source
from definitions.text import ascii_id


class PlaceFilter(admin.SimpleListFilter):
    title = "posted on"
    parameter_name = "place"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            *((f"c{c.pk}", f"{c.title} (comparison page)") for c in Comparison.objects.all()),
            *((f"s{s.pk}", s.title) for s in Source.objects.only("pk", "title")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        kind, pk = value[:1], ascii_id(value[1:])
        if pk is None:
            return queryset
        if kind == "c":
            return queryset.filter(comparison_id=pk, source__isnull=True)
        if kind == "s":
            return queryset.filter(source_id=pk)
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(reporters__gt=0)
        if self.value() == "no":
            return queryset.filter(reporters=0)
        return queryset


@admin.register(Comment)
class CommentAdmin(StatusModerationMixin, ReadersWordsReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "excerpt",
        "place",
        "author_name",
        "status",
        "created",
        "ip",
        "is_imported",
        "reporters",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        PlaceFilter,
        "is_imported",
        ReportedFilter,
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["comparison", "source__comparison"]
    search_fields = ["body", "author_name"]
    ordering = ["-created", "-id"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "body",
                    "author_name",
                    "author_url",
                    "author_email",
                    "place",
                    "parent",
                    "is_imported",
                    "reporters",
                ]
            },
        ),
        (
            "Moderation",
            {"fields": ["status", "moderated_by", "moderated_at", "moderation_reason"]},
        ),
        ("Visitor", {"fields": ["created", "edited", "visitor_id", "ip_hash"]}),
    ]
    content_fields = ["body", "author_name", "author_url", "author_email"]
    readonly_fields = [
        "place",
        "parent",
        "is_imported",
        "reporters",
        "moderated_by",
        "moderated_at",
        "moderation_reason",
        "created",
        "edited",
        "visitor_id",
        "ip_hash",
    ]

    def get_urls(self) -> list:
        return [
            path(
                "remove-visitor/",
                self.admin_site.admin_view(self.remove_visitor_view),
                name="comments_remove_visitor",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        # Annotate before ordering (ModelAdmin.get_queryset orders), as the order may use it.
        queryset = Comment._default_manager.annotate(
            reporters=Count("reports__visitor_id", distinct=True)
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        if request.GET.get(ReportedFilter.parameter_name) == "yes":
            return ["-reporters", "-created", "-id"]
        return super().get_ordering(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are written on the site (or imported with the sources), never here.
        return False

    @admin.display(description="comment", ordering="body")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(90)

    @admin.display(description="posted on")
    def place(self, obj: Comment) -> str:
        return public_link(obj.get_absolute_url(), obj.target.title)

    @admin.display(description="IP hash")
    def ip(self, obj: Comment) -> str:
        return ip_prefix(obj.ip_hash)

    @admin.display(description="reported by", ordering="reporters")
    def reporters(self, obj: Comment) -> int:
        return obj.reporters

    def remove_visitor_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm, then remove everything one visitor (or several) left on the site."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        form = RemoveVisitorForm(request.POST if request.method == "POST" else request.GET)
        if form.is_valid() and request.method == "POST":
            removal = remove_visitor_content(
                footprint=form.footprint, user=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                f"Removed {removal.comments} comments and {removal.distinctions} distinctions, "
                f"voided {removal.votes} votes and recounted {removal.recounted} distinctions.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(_safe_next(request, form))
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove everything from this visitor",
            "opts": self.opts,
            "form": form,
            "back_url": _safe_next(request, form),
        }
        if form.is_valid():
            footprint = form.footprint
            comments = footprint.comments().select_related("comparison", "source__comparison")
            distinctions = footprint.distinctions().select_related("comparison")
            context.update(
                footprint=footprint,
                comment_count=comments.count(),
                distinction_count=distinctions.count(),
                vote_count=footprint.votes().count(),
                recount_count=footprint.votes().values("distinction").distinct().count(),
                comment_sample=comments.order_by("-created")[:10],
                distinction_sample=distinctions.order_by("-created")[:10],
            )
        return TemplateResponse(
            request,
            "admin/comments/remove_visitor_confirmation.html",
            context,
            status=200 if form.is_valid() else 400,
        )


class ListOfValuesField(forms.Field):
    """A repeated query or form parameter (?visitor=…&visitor=…), each value checked by `item`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, item: forms.Field, **kwargs) -> None:
        self.item = item
        super().__init__(**kwargs)

    def to_python(self, value) -> list:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError("Expected a list of values.")
        return list(dict.fromkeys(self.item.clean(v) for v in value))


class RemoveVisitorForm(forms.Form):
    visitor = ListOfValuesField(item=forms.UUIDField(), required=False)
    ip = ListOfValuesField(
        item=forms.RegexField(r"\A[0-9a-f]{64}\Z", error_messages={"invalid": "Not an IP hash."}),
        required=False,
    )
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (optional)",
        help_text="Saved on every row with the decision.",
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        identities = len(cleaned.get("visitor", [])) + len(cleaned.get("ip", []))
        if not self.errors and identities == 0:
            raise forms.ValidationError("No visitor id or IP hash given.")
        if identities > MAX_IDENTITIES:
            raise forms.ValidationError(f"At most {MAX_IDENTITIES} visitors at a time.")
        return cleaned

    @property
    def footprint(self) -> VisitorFootprint:
        return VisitorFootprint(
            frozenset(self.cleaned_data["visitor"]), frozenset(self.cleaned_data["ip"])
        )


def _safe_next(request: HttpRequest, form: RemoveVisitorForm) -> str:
    """Return where to go after the confirmation page: back where the moderator came from."""
    next_url = form.cleaned_data.get("next", "") if form.is_valid() else ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("admin:comments_comment_changelist")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Who reported is never shown, not even here; what and why is."""

    list_display = ["comment", "reason", "created"]
    list_select_related = ["comment"]
    fields = ["comment", "reason", "created"]
    readonly_fields = fields
    ordering = ["-created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False
