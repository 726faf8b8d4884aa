"""The moderators' back office: queues of comments and distinctions, bulk decisions, an audit trail.

Moderation spans both apps (removing everything from one visitor touches comments, distinctions
and votes), and `definitions` never imports `comments`; so the moderation actions for
distinctions and votes are attached here, to the admins that definitions/admin.py registers.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import ActionLocation, get_content_type_for_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments.models import Comment, Report
from comments.moderation import (
    VisitorFootprint,
    delete_votes,
    moderate,
    remove_visitor_content,
)
from definitions.admin import (
    DistinctionAdmin,
    ReadersWordsReadOnlyMixin,
    VoteAdmin,
    ip_prefix,
    public_link,
)
from definitions.models import Comparison, Distinction, Source, Vote
from definitions.moderation import ModerationStatus
from definitions.text import ascii_id

BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# Beyond this many visitor ids and IP hashes at once, ask the moderator to select fewer rows.
MAX_IDENTITIES = 100


REASON = forms.CharField(required=False, max_length=300)


class ModerationActionForm(ActionForm):
    """The admin's action bar, plus the reason recorded with the decision."""

    # Checked by the action itself (REASON): if this form were invalid, the admin would only
    # say "No action selected."
    reason = forms.Field(
        label="Reason (optional):",
        required=False,
        widget=forms.TextInput(
            attrs={"size": 30, "maxlength": 300, "placeholder": "Why, for the record"}
        ),
    )


class ModerationChangeForm(forms.ModelForm):
    reason = forms.CharField(
        required=False,
        max_length=300,
        help_text="Saved with the decision when you change the status.",
    )


def _action_reason(modeladmin: admin.ModelAdmin, request: HttpRequest) -> str | None:
    """Return the reason typed in the action bar that was used, or None if it is invalid."""
    # The action bar on a change page names its fields with a prefix (Django 6.1).
    prefix = ActionLocation.CHANGE_FORM.value
    name = f"{prefix}-reason" if f"{prefix}-action" in request.POST else "reason"
    try:
        return REASON.clean(request.POST.get(name, ""))
    except forms.ValidationError as error:
        modeladmin.message_user(
            request, f"Nothing changed. Reason: {' '.join(error.messages)}", messages.ERROR
        )
        return None


def _status_action(status: str, *, verb: str, only_from: list[str] | None = None):
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        reason = _action_reason(modeladmin, request)
        if reason is None:
            return
        changed = moderate(
            queryset=queryset, status=status, user=request.user, reason=reason, only_from=only_from
        )
        opts = modeladmin.model._meta
        name = opts.verbose_name if changed == 1 else opts.verbose_name_plural
        modeladmin.message_user(request, f"{verb} {changed} {name}.", messages.SUCCESS)

    return action


class VisitorRemovalMixin:
    """Adds "remove everything from this visitor" to an admin of rows that carry a visitor."""

    change_form_template = "admin/moderation/change_form.html"

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.can_moderate")

    @admin.action(
        description="Remove everything from this visitor",
        description_plural="Remove everything from the visitors of these %(verbose_name_plural)s",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )
    def remove_everything_from_visitor(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        footprint = VisitorFootprint.of(
            queryset.order_by().values_list("visitor_id", "ip_hash").distinct()
        )
        if not footprint:
            self.message_user(
                request,
                "The selected rows carry no visitor id or IP hash (imported or shipped content, "
                "or identities already erased). Nothing changed.",
                messages.WARNING,
            )
            return None
        if len(footprint.visitor_ids) + len(footprint.ip_hashes) > MAX_IDENTITIES:
            self.message_user(
                request,
                f"The selection covers more than {MAX_IDENTITIES} visitors; select fewer rows.",
                messages.ERROR,
            )
            return None
        return HttpResponseRedirect(remove_visitor_url(footprint, next_url=request.get_full_path()))

    def render_change_form(self, request: HttpRequest, context: dict, *args, obj=None, **kwargs):
        if obj is not None:
            footprint = VisitorFootprint.of([(obj.visitor_id, obj.ip_hash)])
            if footprint and self.has_moderate_permission(request):
                context["remove_visitor_url"] = remove_visitor_url(
                    footprint, next_url=request.get_full_path()
                )
            context["moderation_history"] = (
                LogEntry.objects.filter(
                    content_type=get_content_type_for_model(obj), object_id=str(obj.pk)
                )
                .select_related("user")
                .order_by("-action_time", "-id")
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class StatusModerationMixin(VisitorRemovalMixin):
    """The moderation queue's decisions for comments and distinctions."""

    action_form = ModerationActionForm
    form = ModerationChangeForm
    actions = [
        "publish",
        "hold",
        "remove",
        "mark_spam",
        "restore",
        "remove_everything_from_visitor",
    ]

    publish = admin.action(
        _status_action(ModerationStatus.PUBLISHED, verb="Published"),
        description="Publish",
        description_plural="Publish selected %(verbose_name_plural)s",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )
    hold = admin.action(
        _status_action(ModerationStatus.PENDING, verb="Held as pending"),
        description="Hold as pending",
        description_plural="Hold selected %(verbose_name_plural)s as pending",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )
    remove = admin.action(
        _status_action(ModerationStatus.REMOVED, verb="Removed"),
        description="Remove",
        description_plural="Remove selected %(verbose_name_plural)s",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )
    mark_spam = admin.action(
        _status_action(ModerationStatus.SPAM, verb="Marked as spam:"),
        description="Mark as spam",
        description_plural="Mark selected %(verbose_name_plural)s as spam",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )
    restore = admin.action(
        _status_action(
            ModerationStatus.PUBLISHED,
            verb="Restored",
            only_from=[ModerationStatus.REMOVED, ModerationStatus.SPAM],
        ),
        description="Restore (removed or spam back to published)",
        description_plural="Restore selected removed or spam %(verbose_name_plural)s",
        permissions=["moderate"],
        location=BOTH_PLACES,
    )

    def get_fieldsets(self, request: HttpRequest, obj=None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        # The reason goes under the status, in the "Moderation" section.
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        field
                        for name_ in options["fields"]
                        for field in ([name_, "reason"] if name_ == "status" else [name_])
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def save_model(self, request: HttpRequest, obj, form: forms.ModelForm, change: bool) -> None:
        if change and "status" in form.changed_data:
            obj.moderated_by = request.user
            obj.moderated_at = timezone.now()
            obj.moderation_reason = form.cleaned_data.get("reason", "")
        super().save_model(request, obj, form, change)


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


def remove_visitor_url(footprint: VisitorFootprint, *, next_url: str = "") -> str:
    """Return the address of the page that confirms removing everything from a visitor."""
    query = [("visitor", str(v)) for v in sorted(footprint.visitor_ids, key=uuid.UUID.__str__)]
    query += [("ip", h) for h in sorted(footprint.ip_hashes)]
    if next_url:
        query.append(("next", next_url))
    return f"{reverse('admin:comments_remove_visitor')}?{urlencode(query)}"


admin.site.unregister(Distinction)


@admin.register(Distinction)
class DistinctionModerationAdmin(StatusModerationMixin, DistinctionAdmin):
    pass


admin.site.unregister(Vote)


@admin.register(Vote)
class VoteModerationAdmin(VisitorRemovalMixin, VoteAdmin):
    actions = ["remove_everything_from_visitor"]

    # Only a superuser may delete votes; the counts they fed are recomputed at once.
    def delete_model(self, request: HttpRequest, obj: Vote) -> None:
        delete_votes(queryset=Vote.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Vote]) -> None:
        delete_votes(queryset=queryset)


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
