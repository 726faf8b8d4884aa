"""The back office for comparisons, sources, definitions, examples, distinctions, votes,
placements and banned words.

The moderators' decisions (publish, hold, remove, mark as spam, restore, each with a reason and
a log entry) are the mixins below, used by the distinction queue here and by the comment queue
(comments/admin.py). "Remove everything from this visitor" spans comments too: its
confirmation page belongs to the comments app and is reached by URL name.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from definitions.examples import set_answers_void
from definitions.intake.admin import SourceIntakeMixin
from definitions.models import (
    BannedWord,
    Claim,
    Comparison,
    Definition,
    Dimension,
    Distinction,
    DistinctionQuerySet,
    Example,
    ExampleAnswer,
    ExampleImplication,
    Placement,
    Source,
    Stance,
    Term,
    Vote,
)
from definitions.moderation import (
    STATUS_LOG_LABELS,
    Identities,
    ModerationStatus,
    can_moderate,
    log_message,
    moderate,
)
from definitions.placements import delete_placements, set_void
from definitions.votes import delete_votes

if TYPE_CHECKING:
    # The mixins below are only ever mixed into a ModelAdmin, whose attributes they use.
    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


def public_link(url: str, label: str) -> str:
    """Return a link to a page of the public site."""
    return format_html('<a href="{}">{}</a>', url, label)


def ip_prefix(ip_hash: str) -> str:
    """Return enough of an IP hash to tell visitors apart in a list, or a dash."""
    return ip_hash[:8] if ip_hash else "-"


class DefinitionInlineForm(forms.ModelForm):
    """A source's definition, checked against the source text submitted in the same request."""

    start = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Character offset of the quote in the body; found from the quote if empty.",
    )

    class Meta:
        model = Definition
        fields = ["term", "quote", "start", "summary"]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("start") is None:
            cleaned["start"] = 0
        return cleaned

    def has_changed(self) -> bool:
        # An edit of the body can move an unchanged quote; its new offset must be saved too.
        moved = hasattr(self, "cleaned_data") and self.instance.start != self.initial.get("start")
        return super().has_changed() or bool(self.instance.pk and moved)

    def _post_clean(self) -> None:
        # Like Django's UserCreationForm, add a check to the model validation. Definition.clean()
        # reads the body of a saved source; a source added in this same request has no id yet,
        # so it was checked against an empty body. Check it against the submitted body instead.
        quote = self.cleaned_data.get("quote")
        super()._post_clean()  # type: ignore[misc]  # django-stubs leaves out this hook
        source = self.instance.source
        if source.pk is not None or not quote or "quote" not in self.errors:
            return
        start = source.body.find(quote)
        if start != -1:
            del self.errors["quote"]
            self.cleaned_data["quote"] = quote
            self.instance.start = self.cleaned_data["start"] = start


class DefinitionInline(admin.StackedInline):
    model = Definition
    form = DefinitionInlineForm
    extra = 0
    max_num = 2


class SourceDistinctionFormSet(forms.BaseInlineFormSet):
    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Distinction:
        # A source's distinction belongs to the source's comparison; the form does not ask.
        form.instance.comparison = self.instance.comparison
        return super().save_new(form, commit=commit)


class DistinctionInline(admin.StackedInline):
    model = Distinction
    formset = SourceDistinctionFormSet
    extra = 0
    max_num = 1
    fields = ["axis_a", "axis_b", "text_a", "text_b", "status"]


class StanceForm(forms.ModelForm):
    """A stance and the claim it makes about each term, chosen among its dimension's claims.

    Stances making the same claim agree on the public page (Claim); Stance.clean() refuses a
    claim of another dimension or term.
    """

    class Meta:
        model = Stance
        fields = ["dimension", "says_a", "claim_a", "says_b", "claim_b"]

    def __init__(self, *args, parent: Source | Dimension | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        claims = Claim.objects.select_related("dimension")
        if isinstance(parent, Dimension):
            claims = claims.filter(dimension=parent)
        elif isinstance(parent, Source) and parent.comparison_id:
            claims = claims.filter(dimension__comparison_id=parent.comparison_id)
        for term in Term:
            field = self.fields.get(f"claim_{term}")
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = claims.filter(term=term)


class ClaimOnDimensionField(forms.ModelChoiceField):
    """A claim chosen among every dimension's claims: say which dimension each is on."""

    def label_from_instance(self, obj: Claim) -> str:
        return f"{obj.dimension.name}: {obj.label}"


class StanceFormSet(forms.BaseInlineFormSet):
    """Stances of one source or one dimension, each form knowing which (StanceForm)."""

    def get_form_kwargs(self, index: int | None) -> dict:
        return {**super().get_form_kwargs(index), "parent": self.instance}


class StanceInline(admin.TabularInline):
    model = Stance
    form = StanceForm
    formset = StanceFormSet
    extra = 0
    fields = ["dimension", "says_a", "claim_a", "says_b", "claim_b"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in {"claim_a", "claim_b"}:
            kwargs["form_class"] = ClaimOnDimensionField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClaimInline(admin.TabularInline):
    """What sources can claim about each term on this dimension, worded once."""

    model = Claim
    extra = 0
    fields = ["term", "label", "slug", "position"]
    prepopulated_fields = {"slug": ["label"]}


class DimensionStanceInline(admin.TabularInline):
    """The sources' stances on this dimension: the claim each makes decides who agrees."""

    model = Stance
    form = StanceForm
    formset = StanceFormSet
    extra = 0
    can_delete = False
    fields = ["source", "says_a", "claim_a", "says_b", "claim_b"]
    readonly_fields = ["source"]
    verbose_name_plural = "stances (stances making the same claim agree on the public page)"

    def has_add_permission(self, request: HttpRequest, obj: Dimension | None = None) -> bool:
        # Stances are added on their source's page, where the source's text is.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stance]:
        return super().get_queryset(request).select_related("source")


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "position"]
    prepopulated_fields = {"slug": ["term_a", "term_b"]}


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "comparison", "position", "placements_link"]
    list_filter = ["comparison"]
    list_select_related = ["comparison"]
    inlines = [ClaimInline, DimensionStanceInline]
    # Kept by definitions.placements; the admin shows them, never edits them.
    readonly_fields = ["placed_a", "placed_both", "placed_b"]

    @admin.display(description="readers' placements")
    def placements_link(self, obj: Dimension) -> str:
        url = reverse("admin:definitions_placement_changelist")
        return format_html(
            '<a href="{}?dimension__id__exact={}">{} counted ({} A, {} both, {} B)</a>',
            url,
            obj.pk,
            obj.placed_total,
            obj.placed_a,
            obj.placed_both,
            obj.placed_b,
        )


@admin.register(Source)
class SourceAdmin(SourceIntakeMixin, admin.ModelAdmin):
    list_display = ["title", "site_name", "published_display", "comparison", "is_published"]
    list_filter = ["comparison", "is_published"]
    list_select_related = ["comparison"]
    search_fields = ["title", "site_name", "body"]
    inlines = [DefinitionInline, DistinctionInline, StanceInline]
    # The "View on site" button on the change page opens the source's public page.
    view_on_site = True


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["source", "term", "quote"]
    list_filter = ["term", "source__comparison"]
    list_select_related = ["source"]


# ---------------------------------------------------------------------------------------------
# Moderation: the queues' decisions for comments and distinctions (comments/admin.py uses the
# same mixins), and the way to "remove everything from this visitor".
# ---------------------------------------------------------------------------------------------

# The confirmation page of "remove everything from this visitor" (comments/admin.py).
REMOVE_VISITOR_URL_NAME = "admin:comments_remove_visitor"
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
    """Return the reason typed in the action bar, or None if it is invalid."""
    try:
        return REASON.clean(request.POST.get("reason", ""))
    except forms.ValidationError as error:
        modeladmin.message_user(
            request, f"Nothing changed. Reason: {' '.join(error.messages)}", messages.ERROR
        )
        return None


def _status_action(status: str, *, verb: str, only_from: list[str] | None = None):
    def action(modeladmin: StatusModerationMixin, request: HttpRequest, queryset: QuerySet) -> None:
        reason = _action_reason(modeladmin, request)
        if reason is None:
            return
        read_only = modeladmin.read_only_rows(request)
        allowed = queryset if read_only is None else queryset.exclude(read_only)
        changed = moderate(
            queryset=allowed, status=status, user=request.user, reason=reason, only_from=only_from
        )
        opts = modeladmin.model._meta
        name = opts.verbose_name if changed == 1 else opts.verbose_name_plural
        modeladmin.message_user(request, f"{verb} {changed} {name}.", messages.SUCCESS)
        if status == ModerationStatus.REMOVED:
            spam = allowed.filter(status=ModerationStatus.SPAM).count()
            if spam:
                modeladmin.message_user(
                    request, f"{spam} marked as spam stayed marked as spam.", messages.INFO
                )
        if read_only is not None and (left := queryset.filter(read_only).count()):
            modeladmin.message_user(
                request,
                f"Left {left} alone: {modeladmin.read_only_explanation}",
                messages.WARNING,
            )

    return action


def remove_visitor_url(identities: Identities, *, next_url: str = "") -> str:
    """Return the address of the page that confirms removing everything from these visitors.

    That page spans comments too, so the comments app serves it; it is reached by URL name.
    """
    query = [("visitor", str(v)) for v in sorted(identities.visitor_ids, key=uuid.UUID.__str__)]
    query += [("ip", h) for h in sorted(identities.ip_hashes)]
    if next_url:
        query.append(("next", next_url))
    return f"{reverse(REMOVE_VISITOR_URL_NAME)}?{urlencode(query)}"


class VisitorRemovalMixin(_ModelAdminBase):
    """Adds "remove everything from this visitor" to an admin of rows that carry a visitor."""

    change_form_template = "admin/moderation/change_form.html"

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return can_moderate(request.user)

    @admin.action(
        description="Remove everything from this visitor",
        description_plural="Remove everything from the visitors of these %(verbose_name_plural)s",
        permissions=["moderate"],
    )
    def remove_everything_from_visitor(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        identities = Identities.of(
            queryset.order_by().values_list("visitor_id", "ip_hash").distinct()
        )
        if not identities:
            self.message_user(
                request,
                "The selected rows carry no visitor id or IP hash (imported or shipped content, "
                "or identities already erased). Nothing changed.",
                messages.WARNING,
            )
            return None
        if len(identities) > MAX_IDENTITIES:
            self.message_user(
                request,
                f"The selection covers more than {MAX_IDENTITIES} visitors; select fewer rows.",
                messages.ERROR,
            )
            return None
        return HttpResponseRedirect(
            remove_visitor_url(identities, next_url=request.get_full_path())
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            identities = Identities.of([(obj.visitor_id, obj.ip_hash)])
            if identities and self.has_moderate_permission(request):
                context["remove_visitor_url"] = remove_visitor_url(
                    identities, next_url=request.get_full_path()
                )
            context["moderation_history"] = (
                LogEntry.objects.filter(
                    content_type=get_content_type_for_model(obj), object_id=str(obj.pk)
                )
                .select_related("user")
                .order_by("-action_time", "-id")
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


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
    )
    hold = admin.action(
        _status_action(ModerationStatus.PENDING, verb="Held as pending"),
        description="Hold as pending",
        description_plural="Hold selected %(verbose_name_plural)s as pending",
        permissions=["moderate"],
    )
    # Spam stays spam: "Remove" is for what readers could see or were waiting to.
    remove = admin.action(
        _status_action(
            ModerationStatus.REMOVED,
            verb="Removed",
            only_from=[ModerationStatus.PUBLISHED, ModerationStatus.PENDING],
        ),
        description="Remove",
        description_plural="Remove selected %(verbose_name_plural)s",
        permissions=["moderate"],
    )
    mark_spam = admin.action(
        _status_action(ModerationStatus.SPAM, verb="Marked as spam:"),
        description="Mark as spam",
        description_plural="Mark selected %(verbose_name_plural)s as spam",
        permissions=["moderate"],
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

    # Rows this user may see but not decide on (a condition), and why, for the action's message.
    read_only_explanation = ""

    def read_only_rows(self, request: HttpRequest) -> Q | None:
        return None

    def save_model(self, request: HttpRequest, obj, form: forms.ModelForm, change: bool) -> None:
        if change and "status" in form.changed_data:
            obj.moderated_by = request.user
            obj.moderated_at = timezone.now()
            obj.moderation_reason = form.cleaned_data.get("reason", "")
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request: HttpRequest, form, formsets, add=False):
        # A status changed on the change page reads in the log like the same decision taken
        # from the list (only a superuser can change more than the status at once).
        decision_only = set(form.changed_data) <= {"status", "reason"}
        if not add and "status" in form.changed_data and decision_only:
            label = STATUS_LOG_LABELS[ModerationStatus(form.cleaned_data["status"])]
            return log_message(label, form.cleaned_data.get("reason", ""))
        return super().construct_change_message(request, form, formsets, add)


class DistinctionOriginFilter(admin.SimpleListFilter):
    title = "drawn by"
    parameter_name = "origin"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("source", "A source"), ("reader", "A reader")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # Only DistinctionAdmin uses this filter: its rows come from Distinction.objects.
        distinctions = cast(DistinctionQuerySet, queryset)
        if self.value() == "source":
            return distinctions.from_sources()
        if self.value() == "reader":
            return distinctions.from_readers()
        return queryset


class ReadersWordsReadOnlyMixin(_ModelAdminBase):
    """Show a reader's words read-only to everyone but superusers.

    Moderators decide whether a reader's words are shown; they do not rewrite them. Subclasses
    name those fields in `content_fields`.
    """

    content_fields: list[str] = []

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[str, ...]:
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, *self.content_fields]


@admin.register(Distinction)
class DistinctionAdmin(StatusModerationMixin, ReadersWordsReadOnlyMixin, admin.ModelAdmin):
    """The queue of distinctions: what was drawn, where, by whom, and how it is voted."""

    list_display = [
        "excerpt",
        "place",
        "author_name",
        "status",
        "created",
        "ip",
        "upvotes",
        "downvotes",
        "score_display",
        "votes_link",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        "comparison",
        DistinctionOriginFilter,
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["comparison", "source"]
    search_fields = ["text_a", "text_b", "axis_a", "axis_b", "author_name"]
    ordering = ["-created", "-id"]
    fieldsets = [
        (None, {"fields": ["axis_a", "axis_b", "text_a", "text_b", "author_name", "place"]}),
        ("Votes", {"fields": ["upvotes", "downvotes", "score_display", "votes_link"]}),
        (
            "Moderation",
            {
                "fields": [
                    "status",
                    "moderated_by",
                    "moderated_at",
                    "moderation_reason",
                    "report_reasons",
                ]
            },
        ),
        ("Visitor", {"fields": ["created", "edited", "visitor_id", "ip_hash"]}),
    ]
    content_fields = ["axis_a", "axis_b", "text_a", "text_b", "author_name"]
    readonly_fields = [
        "place",
        "report_reasons",
        "edited",
        "upvotes",
        "downvotes",
        "score_display",
        "votes_link",
        "moderated_by",
        "moderated_at",
        "moderation_reason",
        "created",
        "visitor_id",
        "ip_hash",
    ]

    read_only_explanation = (
        "a source's own distinction is part of the source, which only an administrator edits."
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Readers draw distinctions on the site; a source's distinction is added on its source.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Distinction | None = None) -> bool:
        # A source's distinction (the axis of a source) is the source's, read-only like it.
        if obj is not None and obj.source_id and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def read_only_rows(self, request: HttpRequest) -> Q | None:
        return None if request.user.is_superuser else Q(source__isnull=False)

    @admin.display(description="distinction", ordering="text_a")
    def excerpt(self, obj: Distinction) -> str:
        if obj.axis:
            return Truncator(f"{obj.axis}: {obj.text_a}").chars(90)
        return Truncator(f"{obj.text_a} / {obj.text_b}").chars(90)

    @admin.display(description="posted on")
    def place(self, obj: Distinction) -> str:
        label = obj.comparison.title
        if obj.source is not None:
            label = f"{label} (from {obj.source.title})"
        return public_link(obj.get_absolute_url(), label)

    @admin.display(description="IP hash")
    def ip(self, obj: Distinction) -> str:
        return ip_prefix(obj.ip_hash)

    @admin.display(description="reports")
    def report_reasons(self, obj: Distinction) -> str:
        """List each visitor's report, its time and reason, newest first; never who reported."""
        reports = obj.reports.order_by("-created", "-id").values_list("created", "reason")
        if not reports:
            return "None"
        return format_html(
            '<ul class="report-reasons">{}</ul>',
            format_html_join(
                "",
                "<li><time>{}</time>: {}</li>",
                (
                    (
                        date_format(timezone.localtime(created), "DATETIME_FORMAT"),
                        reason or "no reason given",
                    )
                    for created, reason in reports
                ),
            ),
        )

    @admin.display(description="score", ordering="score")
    def score_display(self, obj: Distinction) -> str:
        return f"{obj.score:.3f}"

    @admin.display(description="votes")
    def votes_link(self, obj: Distinction) -> str:
        url = reverse("admin:definitions_vote_changelist")
        return format_html(
            '<a href="{}?distinction__id__exact={}">{} counted</a>',
            url,
            obj.pk,
            obj.upvotes + obj.downvotes,
        )


@admin.register(Vote)
class VoteAdmin(VisitorRemovalMixin, admin.ModelAdmin):
    """Votes are cast on the site; here they are only looked at (and voided by moderation)."""

    actions = ["remove_everything_from_visitor"]

    list_display = ["distinction", "value", "is_void", "visitor", "ip", "created"]
    list_filter = ["value", "is_void", ("created", admin.DateFieldListFilter)]
    list_select_related = ["distinction"]
    ordering = ["-created", "-id"]
    fields = ["distinction", "value", "is_void", "visitor_id", "ip_hash", "created", "updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="visitor")
    def visitor(self, obj: Vote) -> str:
        return str(obj.visitor_id)[:8]

    @admin.display(description="IP hash")
    def ip(self, obj: Vote) -> str:
        return ip_prefix(obj.ip_hash)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """Show the list with the totals of the votes it selects (e.g. one distinction's)."""
        response = super().changelist_view(request, extra_context)
        context = response.context_data if isinstance(response, TemplateResponse) else None
        if context is not None and "cl" in context:
            context["vote_totals"] = (
                context["cl"]
                .queryset.order_by()
                .aggregate(
                    up=Count("id", filter=Q(is_void=False, value=Vote.Value.UP)),
                    down=Count("id", filter=Q(is_void=False, value=Vote.Value.DOWN)),
                    void=Count("id", filter=Q(is_void=True)),
                )
            )
        return response

    # Only a superuser may delete votes; the counts they fed are recomputed at once.
    def delete_model(self, request: HttpRequest, obj: Vote) -> None:
        delete_votes(queryset=Vote.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Vote]) -> None:
        delete_votes(queryset=queryset)


@admin.register(Placement)
class PlacementAdmin(VisitorRemovalMixin, admin.ModelAdmin):
    """Placements are made on the site; here moderators look at them, void and restore them."""

    action_form = ModerationActionForm
    actions = ["void", "restore", "remove_everything_from_visitor"]

    list_display = ["dimension", "value", "is_void", "visitor", "ip", "created"]
    list_filter = [
        "value",
        "is_void",
        "dimension__comparison",
        ("created", admin.DateFieldListFilter),
    ]
    list_select_related = ["dimension"]
    ordering = ["-created", "-id"]
    fields = ["dimension", "value", "is_void", "visitor_id", "ip_hash", "created", "updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Placement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Placement | None = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="visitor")
    def visitor(self, obj: Placement) -> str:
        return str(obj.visitor_id)[:8]

    @admin.display(description="IP hash")
    def ip(self, obj: Placement) -> str:
        return ip_prefix(obj.ip_hash)

    @admin.action(
        description="Void selected placements (they stop counting)", permissions=["moderate"]
    )
    def void(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        reason = _action_reason(self, request)
        if reason is None:
            return
        changed = set_void(queryset=queryset, is_void=True, user=request.user, reason=reason)
        self.message_user(
            request, f"Voided {changed} placement{'s' if changed != 1 else ''}.", messages.SUCCESS
        )

    @admin.action(
        description="Restore selected placements (they count again)", permissions=["moderate"]
    )
    def restore(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        reason = _action_reason(self, request)
        if reason is None:
            return
        changed = set_void(queryset=queryset, is_void=False, user=request.user, reason=reason)
        self.message_user(
            request,
            f"Restored {changed} placement{'s' if changed != 1 else ''}.",
            messages.SUCCESS,
        )

    # Only a superuser may delete placements; the counts they fed are recomputed at once.
    def delete_model(self, request: HttpRequest, obj: Placement) -> None:
        delete_placements(queryset=Placement.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        delete_placements(queryset=queryset)


class ExampleImplicationInline(admin.StackedInline):
    """What each source implies for the example, with its quote (checked against the body)."""

    model = ExampleImplication
    extra = 0
    fields = ["source", "verdict", "quote", "start"]
    autocomplete_fields = ["source"]


@admin.register(Example)
class ExampleAdmin(admin.ModelAdmin):
    """Examples readers classify; each source's implication is quoted from its text."""

    inlines = [ExampleImplicationInline]
    list_display = ["name", "comparison", "is_published", "position", "answers", "created"]
    list_editable = ["is_published", "position"]
    list_filter = ["comparison", "is_published"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["comparison", "name", "slug", "position", "is_published"]
    list_select_related = ["comparison"]

    @admin.display(description="answers")
    def answers(self, obj: Example) -> str:
        url = reverse("admin:definitions_exampleanswer_changelist")
        return format_html(
            '<a href="{}?example__id__exact={}">{} counted</a>', url, obj.pk, obj.answer_total
        )


@admin.register(ExampleAnswer)
class ExampleAnswerAdmin(VisitorRemovalMixin, admin.ModelAdmin):
    """Answers are given on the site; here they are looked at and voided (or counted again)."""

    actions = ["void_answers", "count_answers_again", "remove_everything_from_visitor"]
    list_display = ["example", "value", "is_void", "visitor", "ip", "created"]
    list_filter = ["value", "is_void", "example", ("created", admin.DateFieldListFilter)]
    list_select_related = ["example"]
    ordering = ["-created", "-id"]
    fields = ["example", "value", "is_void", "visitor_id", "ip_hash", "created", "updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExampleAnswer | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ExampleAnswer | None = None) -> bool:
        return False

    @admin.display(description="visitor")
    def visitor(self, obj: ExampleAnswer) -> str:
        return str(obj.visitor_id)[:8]

    @admin.display(description="IP hash")
    def ip(self, obj: ExampleAnswer) -> str:
        return ip_prefix(obj.ip_hash)

    @admin.action(
        description="Void the selected answers (stop counting them)", permissions=["moderate"]
    )
    def void_answers(self, request: HttpRequest, queryset: QuerySet[ExampleAnswer]) -> None:
        changed = set_answers_void(queryset=queryset, is_void=True)
        self.message_user(request, f"{changed} answer{'s' if changed != 1 else ''} voided.")

    @admin.action(description="Count the selected answers again", permissions=["moderate"])
    def count_answers_again(self, request: HttpRequest, queryset: QuerySet[ExampleAnswer]) -> None:
        changed = set_answers_void(queryset=queryset, is_void=False)
        self.message_user(request, f"{changed} answer{'s' if changed != 1 else ''} counted again.")


class BannedWordForm(forms.ModelForm):
    class Meta:
        model = BannedWord
        fields = ["phrase"]

    def clean_phrase(self) -> str:
        # Stored lower-case (BannedWord.save); normalise first so a duplicate in another case
        # is reported as a duplicate instead of failing on the unique constraint.
        return self.cleaned_data["phrase"].strip().lower()


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    form = BannedWordForm
    list_display = ["phrase", "created"]
    search_fields = ["phrase"]
