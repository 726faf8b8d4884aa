"""The comment queue, reports, and "remove everything from this visitor".

The comment queue takes its decisions with the same mixins as the distinction queue
(definitions/admin.py). Removing everything from a visitor touches comments, distinctions and
votes, so its confirmation page lives here, at the URL name `admin:comments_remove_visitor`
that every queue links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments.models import Comment, RemovalScope, Report, VisitorRemoval
from comments.moderation import (
    AlreadyUndone,
    Counts,
    Removal,
    VisitorFootprint,
    remove_visitor_content,
    undo_counts,
    undo_removal,
)
from definitions.admin import (
    MAX_IDENTITIES,
    ReadersWordsReadOnlyMixin,
    StatusModerationMixin,
    ip_prefix,
    public_link,
)
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import STATUS_LOG_LABELS, can_moderate
from definitions.text import ascii_id

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Reporters(TypedDict):
    """What CommentAdmin.get_queryset() annotates each comment with."""

    reporters: int


class PlaceFilter(admin.SimpleListFilter):
    title = "posted on"
    parameter_name = "place"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        comparisons = list(Comparison.objects.all())
        return [
            *((f"c{c.pk}", f"{c.title} (comparison page)") for c in comparisons),
            *((f"s{s.pk}", s.title) for s in Source.objects.only("pk", "title")),
            *((f"d{c.pk}", f"{c.title} (a distinction's discussion)") for c in comparisons),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        kind, pk = value[:1], ascii_id(value[1:])
        if pk is None:
            return queryset
        if kind == "c":
            return queryset.filter(comparison_id=pk, source__isnull=True, distinction__isnull=True)
        if kind == "d":
            return queryset.filter(comparison_id=pk, distinction__isnull=False)
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
    # Few, narrow columns: the list fits its box at 1280 px beside the filters and the menu.
    list_display = ["excerpt", "place", "who", "status_display", "when", "reporters"]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        PlaceFilter,
        "is_imported",
        ReportedFilter,
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["comparison", "source__comparison", "distinction__source"]
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
                    "report_reasons",
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
        "report_reasons",
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

    def get_ordering(self, request: HttpRequest) -> list[Any] | tuple[Any, ...]:
        if request.GET.get(ReportedFilter.parameter_name) == "yes":
            return ["-reporters", "-created", "-id"]
        return super().get_ordering(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are written on the site (or imported with the sources), never here.
        return False

    @admin.display(description="comment", ordering="body")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80)

    @admin.display(description="posted on")
    def place(self, obj: Comment) -> str:
        return public_link(obj.get_absolute_url(), obj.target.title)

    @admin.display(description="who", ordering="author_name")
    def who(self, obj: Comment) -> str:
        return format_html(
            '{}<br><span class="quiet" title="IP hash">{}</span>',
            obj.author_name or "Anonymous",
            ip_prefix(obj.ip_hash),
        )

    @admin.display(description="status", ordering="status")
    def status_display(self, obj: Comment) -> str:
        if obj.is_imported:
            return f"{obj.get_status_display()}, imported"
        return obj.get_status_display()

    @admin.display(description="posted", ordering="created")
    def when(self, obj: Comment) -> str:
        return date_format(timezone.localtime(obj.created), "j M Y H:i")

    @admin.display(description="reported by", ordering="reporters")
    def reporters(self, obj: WithAnnotations[Comment, Reporters]) -> int:
        return obj.reporters

    @admin.display(description="reports")
    def report_reasons(self, obj: Comment) -> str:
        """List each report's time and reason, newest first; never who reported."""
        reports = obj.reports.order_by("-created", "-id").values_list("created", "reason")
        if not reports:
            return "None"
        return format_html(
            '<ul class="report-reasons">{}</ul>',
            format_html_join(
                "",
                "<li><time>{}</time>: {}</li>",
                (
                    (date_format(timezone.localtime(created), "DATETIME_FORMAT"), reason)
                    for created, reason in reports
                ),
            ),
        )

    def remove_visitor_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm how wide, then remove everything one visitor (or several) left on the site."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        form = RemoveVisitorForm(request.POST if request.method == "POST" else request.GET)
        if form.is_valid() and request.method == "POST":
            removal = remove_visitor_content(
                footprint=form.footprint,
                scope=form.cleaned_data["scope"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
            self._report_removal(request, removal)
            return HttpResponseRedirect(_safe_next(request, form))
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove everything from this visitor",
            "opts": self.opts,
            "form": form,
            "back_url": _safe_next(request, form),
        }
        if form.is_valid():
            context.update(removal_choices(form.footprint))
        return TemplateResponse(
            request,
            "admin/comments/remove_visitor_confirmation.html",
            context,
            status=200 if form.is_valid() else 400,
        )

    def _report_removal(self, request: HttpRequest, removal: Removal) -> None:
        if removal.record is None:
            self.message_user(
                request,
                "Nothing to remove: this visitor has no comment or distinction left that is "
                "shown or waiting, and no vote or placement that counts. Nothing changed.",
                messages.WARNING,
            )
            return
        undo_url = reverse("admin:comments_visitorremoval_undo", args=[removal.record.pk])
        self.message_user(
            request,
            format_html(
                "Removed {} and {}, voided {}, {} and {}, and recounted {} and {}. "
                '<a href="{}">Undo this removal</a>',
                _plural(removal.comments, "comment"),
                _plural(removal.distinctions, "distinction"),
                _plural(removal.votes, "vote"),
                _plural(removal.placements, "placement"),
                _plural(removal.answers, "example answer"),
                _plural(removal.recounted, "distinction"),
                _plural(removal.recounted_points, "point"),
                undo_url,
            ),
            messages.SUCCESS,
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{pluralize(count)}"


@dataclass(frozen=True)
class RemovalChoice:
    """One way to remove a visitor's content, with what it would touch, for the confirmation."""

    scope: str
    label: str
    counts: Counts
    comments: list[Comment]
    distinctions: list[Distinction]


SAMPLE = 10


def removal_choices(footprint: VisitorFootprint) -> dict[str, Any]:
    """Return the confirmation page's choices: the visitor ids alone, and the wider network.

    Each counts the rows it would touch; the network's examples are those only it reaches.
    """
    narrow = footprint.within(RemovalScope.VISITOR)
    choices = [
        RemovalChoice(
            RemovalScope.VISITOR,
            RemovalScope.VISITOR.label,
            narrow.counts(),
            _sample(narrow.comments(), "comparison", "source__comparison"),
            _sample(narrow.distinctions(), "comparison"),
        )
    ]
    if footprint.ip_hashes:
        wide = footprint.within(RemovalScope.NETWORK)
        ids = list(footprint.visitor_ids)
        choices.append(
            RemovalChoice(
                RemovalScope.NETWORK,
                RemovalScope.NETWORK.label,
                wide.counts(),
                _sample(
                    wide.comments().exclude(visitor_id__in=ids),
                    "comparison",
                    "source__comparison",
                ),
                _sample(wide.distinctions().exclude(visitor_id__in=ids), "comparison"),
            )
        )
    return {"footprint": footprint, "choices": choices}


def _sample(queryset: QuerySet, *related: str) -> list:
    return list(queryset.select_related(*related).order_by("-created", "-id")[:SAMPLE])


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
    scope = forms.ChoiceField(
        choices=RemovalScope.choices,
        required=False,
        widget=forms.RadioSelect,
        label="Whose rows",
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_scope(self) -> str:
        # The narrow choice unless the wider one is asked for explicitly.
        return self.cleaned_data.get("scope") or RemovalScope.VISITOR

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
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
    fields = ("comment", "reason", "created")
    readonly_fields = fields
    ordering = ["-created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False


@admin.register(VisitorRemoval)
class VisitorRemovalAdmin(admin.ModelAdmin):
    """Every "remove everything from this visitor": who, when, why, how wide, and its undo."""

    list_display = [
        "created",
        "moderator",
        "scope",
        "reason",
        "comments",
        "distinctions",
        "votes",
        "placements",
        "answers",
        "undo",
    ]
    list_filter = [
        "scope",
        ("moderator", admin.RelatedOnlyFieldListFilter),
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["moderator", "undone_by"]
    fields = (
        "created",
        "moderator",
        "scope",
        "reason",
        "comments",
        "distinctions",
        "votes",
        "placements",
        "answers",
        "undo",
    )
    readonly_fields = fields

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/undo/",
                self.admin_site.admin_view(self.undo_view),
                name="comments_visitorremoval_undo",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="undo")
    def undo(self, obj: VisitorRemoval) -> str:
        if obj.is_undone:
            who = obj.undone_by.get_username() if obj.undone_by else "a former moderator"
            when = date_format(timezone.localtime(obj.undone_at), "DATETIME_FORMAT")
            return f"Undone by {who}, {when}"
        url = reverse("admin:comments_visitorremoval_undo", args=[obj.pk])
        return format_html('<a href="{}">Undo this removal</a>', url)

    def undo_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Confirm, then put back everything one removal changed."""
        if not can_moderate(request.user):
            raise PermissionDenied
        pk = ascii_id(object_id)
        if pk is None:
            raise Http404
        removal = get_object_or_404(
            VisitorRemoval.objects.select_related("moderator", "undone_by"), pk=pk
        )
        form = UndoRemovalForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                put_back = undo_removal(
                    removal=removal, user=request.user, reason=form.cleaned_data["reason"]
                )
            except AlreadyUndone as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, _undo_message(removal, put_back), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:comments_visitorremoval_changelist"))
        counts = undo_counts(removal)
        context = {
            **self.admin_site.each_context(request),
            "title": "Undo this removal",
            "opts": self.opts,
            "removal": removal,
            "counts": counts,
            "left_alone": (
                removal.comments
                + removal.distinctions
                + removal.votes
                + removal.placements
                + removal.answers
                - counts.comments
                - counts.distinctions
                - counts.votes
                - counts.placements
                - counts.answers
            ),
            "form": form,
        }
        return TemplateResponse(
            request,
            "admin/comments/undo_removal_confirmation.html",
            context,
            status=400 if form.errors else 200,
        )


def _undo_message(removal: VisitorRemoval, put_back: Counts) -> str:
    message = (
        f"Undid removal {removal.pk}: put back {_plural(put_back.comments, 'comment')} and "
        f"{_plural(put_back.distinctions, 'distinction')}; "
        f"{_plural(put_back.votes, 'vote')}, {_plural(put_back.placements, 'placement')} and "
        f"{_plural(put_back.answers, 'example answer')} counted again and "
        f"{_plural(put_back.recounted, 'distinction')} and "
        f"{_plural(put_back.recounted_points, 'point')} recounted."
    )
    left = (
        removal.comments
        + removal.distinctions
        + removal.votes
        + removal.placements
        + removal.answers
        - put_back.comments
        - put_back.distinctions
        - put_back.votes
        - put_back.placements
        - put_back.answers
    )
    if left:
        message += f" {_plural(left, 'row')} decided on since stayed as decided."
    return message


class UndoRemovalForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (optional)",
        help_text="Saved in the log of every row put back.",
    )


# The moderation log ----------------------------------------------------------------------------

# What each decision's log text starts with (definitions.moderation.log_message,
# comments.moderation): the log page filters by it.
DECISIONS = {
    **{status.value: (label, [f"{label}."]) for status, label in STATUS_LOG_LABELS.items()},
    "visitor": (
        "Removed with everything from a visitor",
        ["Removed with everything else from this", "Voided with everything else from this"],
    ),
    "undo": ("Put back by an undo", ["Put back by undoing", "Counted again by undoing"]),
}


class DecisionFilter(admin.SimpleListFilter):
    title = "decision"
    parameter_name = "decision"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            *((key, label) for key, (label, _) in DECISIONS.items()),
            ("other", "Other changes (sources, banned words, …)"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in DECISIONS:
            return queryset.filter(_starts_with_any(DECISIONS[value][1]))
        if value == "other":
            return queryset.exclude(
                _starts_with_any([p for _, prefixes in DECISIONS.values() for p in prefixes])
            )
        return queryset


def _starts_with_any(prefixes: list[str]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(change_message__startswith=prefix)
    return q


class ModeratorFilter(admin.RelatedOnlyFieldListFilter):
    """The users who took the decisions listed (a user filter named for what they are here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "moderator"


class DateFilter(admin.DateFieldListFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "date"


# Moderators read the log of what they moderate, not of users, groups or sessions.
MODERATED_APPS = ["comments", "definitions"]


@admin.register(LogEntry)
class ModerationLogAdmin(admin.ModelAdmin):
    """The moderation log: who decided what, when and why, on every comment, distinction and
    vote (and, for superusers, every other change made in the admin)."""

    list_display = ["action_time", "user", "what", "decision", "reason"]
    list_filter = [
        ("user", ModeratorFilter),
        DecisionFilter,
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("action_time", DateFilter),
    ]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"
    ordering = ["-action_time", "-id"]
    fields = ("action_time", "user", "what", "decision", "reason")
    readonly_fields = fields

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request, {"title": "Moderation log", **(extra_context or {})}
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[LogEntry]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(content_type__app_label__in=MODERATED_APPS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="what", ordering="object_repr")
    def what(self, entry: LogEntry) -> str:
        kind = entry.content_type.name if entry.content_type is not None else "row"
        label = f"{kind.capitalize()}: {entry.object_repr}"
        try:
            url = entry.get_admin_url()
        except NoReverseMatch:
            url = None
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="decision")
    def decision(self, entry: LogEntry) -> str:
        return _split_reason(entry)[0]

    @admin.display(description="why")
    def reason(self, entry: LogEntry) -> str:
        return _split_reason(entry)[1] or "-"


def _split_reason(entry: LogEntry) -> tuple[str, str]:
    """Return what was done and the reason given, from the log text of log_message()."""
    text = entry.get_change_message() or entry.get_action_flag_display()
    what, _, why = text.partition(". Reason: ")
    return what.removesuffix("."), why
