"""Reader comments on comparisons, sources and distinctions, and visitors' reports of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from comments import conf
from definitions.models import Comparison, Distinction, ExampleAnswer, Placement, Source, Vote
from definitions.moderation import Moderated, ModeratedQuerySet, ModerationStatus, visible_q


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    # A notice that another site linked to the article, imported with its comments: kept for
    # the record, never shown in a thread.
    PINGBACK = "pingback", "Pingback/trackback"


class CommentQuerySet(ModeratedQuerySet):
    def published(self) -> CommentQuerySet:
        """Return readers' comments everybody may read (pingbacks are not comments to read)."""
        return super().published().filter(kind=CommentKind.COMMENT)

    def visible_to(self, visitor_id: uuid.UUID | None) -> CommentQuerySet:
        """Return readers' comments this visitor may read (the rule of definitions.moderation)."""
        return super().visible_to(visitor_id).filter(kind=CommentKind.COMMENT)

    def thread_roots(
        self, visitor_id: uuid.UUID | None, shown: Iterable[int] = ()
    ) -> CommentQuerySet:
        """Return the top-level comments of a thread as the visitor sees it, oldest first.

        A top-level comment the visitor may not read still heads the thread when it has replies
        they may read, so the replies keep their context; the page shows a placeholder for it.
        Each comment carries `visible_replies`, oldest first, fetched in one more query.
        `shown` are the ids of held comments a moderator asked to see in their place.
        """
        shown = [pk for pk in shown if pk]
        readable = visible_q(visitor_id) | Q(pk__in=shown) if shown else visible_q(visitor_id)
        readable_replies = Comment.objects.filter(
            readable, parent=OuterRef("pk"), kind=CommentKind.COMMENT
        )
        return (
            self.filter(parent__isnull=True, kind=CommentKind.COMMENT)
            .filter(readable | Exists(readable_replies))
            .order_by("created", "id")
            .prefetch_related(
                Prefetch(
                    "replies",
                    queryset=Comment.objects.filter(readable, kind=CommentKind.COMMENT).order_by(
                        "created", "id"
                    ),
                    to_attr="visible_replies",
                )
            )
        )

    def counts_by_source(self, comparison: Comparison | int) -> dict[int | None, int]:
        """Return the published comment count of each source of a comparison, in one query.

        The key None holds the count of the comparison's own discussion.
        """
        rows = (
            self.published()
            .filter(comparison=comparison, distinction__isnull=True)
            .order_by()
            .values("source_id")
            .annotate(n=Count("id"))
        )
        return {row["source_id"]: row["n"] for row in rows}

    def counts_by_distinction(self, comparison: Comparison | int) -> dict[int, int]:
        """Return the published comment count of each distinction of a comparison, one query."""
        rows = (
            self.published()
            .filter(comparison=comparison, distinction__isnull=False)
            .order_by()
            .values("distinction_id")
            .annotate(n=Count("id"))
        )
        return {row["distinction_id"]: row["n"] for row in rows}

    def on(self, target: Comparison | Source | Distinction) -> CommentQuerySet:
        """Return the comments posted on a comparison, a source or a distinction."""
        if isinstance(target, Distinction):
            return self.filter(distinction=target)
        if isinstance(target, Source):
            return self.filter(source=target)
        return self.filter(comparison=target, source__isnull=True, distinction__isnull=True)


class Comment(Moderated):
    """A reader's comment, on a source article or on a comparison; replies are one level deep."""

    kind = models.CharField(max_length=16, choices=CommentKind.choices, default=CommentKind.COMMENT)
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="comments")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    # A comment in the thread of one distinction (a source's axis or a reader's) of the
    # comparison; such a comment has no source of its own.
    distinction = models.ForeignKey(
        Distinction, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField(max_length=60, blank=True)
    author_url = models.URLField(max_length=300, blank=True)
    # Never shown; kept only so a moderator can reach the writer, and erased after retention.
    author_email = models.EmailField(blank=True)
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    is_imported = models.BooleanField(
        default=False, help_text="Imported from the original article's reader comments."
    )
    import_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # A random token from the form: the same token twice is the same comment (double submit).
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = CommentQuerySet.as_manager()

    # What the visitor may do with the comment, set for the templates by comments.views.prepare.
    is_placeholder: bool
    # A held comment a moderator sees in its place in the thread (comments.views.held_comment).
    is_held: bool = False
    can_change: bool
    can_reply: bool
    is_reported: bool
    can_report: bool
    # The replies the visitor may read, prefetched by CommentQuerySet.thread_roots().
    visible_replies: list[Comment]

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(
                fields=["comparison", "source", "status", "created"], name="comment_thread"
            ),
            models.Index(fields=["status", "-created"], name="comment_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "import_position"],
                condition=Q(is_imported=True),
                name="imported_comment_once",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(source__isnull=True) | Q(distinction__isnull=True),
                name="comment_on_source_or_distinction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name or 'Anonymous'}: {self.body[:50]}"

    @property
    def target(self) -> Comparison | Source | Distinction:
        if self.distinction is not None:
            return self.distinction
        return self.source if self.source is not None else self.comparison

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def get_absolute_url(self) -> str:
        """Return the comment's permalink, which finds the page of the thread it is on."""
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    def structured_data(self, origin: str, part_of: str = "") -> dict:
        """Return the comment as schema.org data (JSON-LD), its published replies as `comment`.

        A thread's first comment is a `DiscussionForumPosting` that `isPartOf` the page
        `part_of` (a full address); its replies are `Comment`s. `origin` is the site's address
        ("https://smsn.example"). Replies come from `visible_replies` (thread_roots()).
        """
        schema_type = "Comment" if self.parent_id else "DiscussionForumPosting"
        url = origin + self.get_absolute_url()
        data: dict = {
            "@type": schema_type,
            "@id": url,
            "url": url,
            "author": {"@type": "Person", "name": self.author_name or "Anonymous"},
            "datePublished": self.created.isoformat(),
            "text": self.body,
        }
        if part_of:
            data["isPartOf"] = {"@id": part_of}
        if self.edited:
            data["dateModified"] = self.edited.isoformat()
        replies = [r for r in getattr(self, "visible_replies", ()) if r.is_public]
        if replies:
            data["comment"] = [reply.structured_data(origin) for reply in replies]
        return data

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    def is_visible_to(self, visitor_id: uuid.UUID | None) -> bool:
        """Return True if this visitor may read the comment (CommentQuerySet.visible_to)."""
        return self.kind == CommentKind.COMMENT and super().is_visible_to(visitor_id)

    def can_be_changed_by(self, visitor_id: uuid.UUID | None, now: datetime | None = None) -> bool:
        """Return True if this visitor wrote the comment and may still edit or delete it."""
        return bool(
            visitor_id
            and self.visitor_id == visitor_id
            and not self.is_imported
            and self.status in (ModerationStatus.PUBLISHED, ModerationStatus.PENDING)
            and (now or timezone.now()) - self.created <= conf.edit_window()
        )

    def page_number_for(self, visitor_id: uuid.UUID | None, shown: Iterable[int] = ()) -> int:
        """Return the page of the thread, as this visitor sees it, that shows this comment
        (with the held comments `shown` to a moderator in their places)."""
        root = self.parent if self.parent is not None else self
        before = (
            Comment.objects.on(root.target)
            .thread_roots(visitor_id, shown)
            .filter(Q(created__lt=root.created) | Q(created=root.created, id__lt=root.id))
            .count()
        )
        return before // conf.per_page() + 1

    def location_for(self, visitor_id: uuid.UUID | None) -> str:
        """Return the address of the page that shows this comment, with its anchor."""
        page = self.page_number_for(visitor_id)
        if page == 1:
            return f"{target_page_url(self.target)}#{self.anchor}"
        return f"{thread_url(self.target)}?page={page}#{self.anchor}"


def target_page_url(target: Comparison | Source | Distinction) -> str:
    """Return the address of the page that shows the first page of the target's thread.

    A distinction's thread has a page of its own; a comparison's and a source's are on their page.
    """
    if isinstance(target, Distinction):
        return thread_url(target)
    return target.get_absolute_url()


def thread_url(target: Comparison | Source | Distinction) -> str:
    """Return the address of the thread's own pages (the target's page shows page one)."""
    if isinstance(target, Distinction):
        return reverse(
            "comments:distinction_thread",
            kwargs={"slug": target.comparison.slug, "pk": target.pk},
        )
    if isinstance(target, Source):
        return reverse(
            "comments:source_thread",
            kwargs={"comparison_slug": target.comparison.slug, "slug": target.slug},
        )
    return reverse("comments:thread", kwargs={"slug": target.slug})


class Report(models.Model):
    """A visitor's report that a comment breaks the rules; who reported is never shown."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    visitor_id = models.UUIDField()
    ip_hash = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "visitor_id"], name="one_report_per_visitor"
            ),
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class RemovalScope(models.TextChoices):
    # The visitor id is one browser; the IP-network hash can be an office or a mobile network.
    VISITOR = "visitor", "This visitor only"
    NETWORK = "network", "Everyone on this network"


class VisitorRemoval(models.Model):
    """One "remove everything from this visitor", kept so that it can be undone.

    Its rows (`RemovedRow`) say what it changed and what each row was before.
    """

    scope = models.CharField(max_length=16, choices=RemovalScope.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)
    comments = models.PositiveIntegerField(default=0)
    distinctions = models.PositiveIntegerField(default=0)
    votes = models.PositiveIntegerField(default=0)
    placements = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0, help_text="Answers to examples voided.")
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "removal of a visitor's content"
        verbose_name_plural = "removals of visitors' content"

    def __str__(self) -> str:
        return f"Removal {self.pk}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class RemovedRow(models.Model):
    """A comment, distinction, vote, placement or answer one removal changed, and what it was
    before.

    A comment or distinction keeps its previous status and decision (who, when, why); a vote, a
    placement or an answer to an example was counted before the removal voided it.
    """

    removal = models.ForeignKey(VisitorRemoval, on_delete=models.CASCADE, related_name="rows")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    distinction = models.ForeignKey(
        Distinction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    vote = models.ForeignKey(
        Vote, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.ForeignKey(
        ExampleAnswer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    previous_status = models.CharField(max_length=16, choices=ModerationStatus.choices, blank=True)
    previous_moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous_moderated_at = models.DateTimeField(null=True, blank=True)
    previous_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        comment__isnull=False,
                        distinction__isnull=True,
                        vote__isnull=True,
                        placement__isnull=True,
                        answer__isnull=True,
                    )
                    | Q(
                        comment__isnull=True,
                        distinction__isnull=False,
                        vote__isnull=True,
                        placement__isnull=True,
                        answer__isnull=True,
                    )
                    | Q(
                        comment__isnull=True,
                        distinction__isnull=True,
                        vote__isnull=False,
                        placement__isnull=True,
                        answer__isnull=True,
                    )
                    | Q(
                        comment__isnull=True,
                        distinction__isnull=True,
                        vote__isnull=True,
                        placement__isnull=False,
                        answer__isnull=True,
                    )
                    | Q(
                        comment__isnull=True,
                        distinction__isnull=True,
                        vote__isnull=True,
                        placement__isnull=True,
                        answer__isnull=False,
                    )
                ),
                name="removed_row_is_one_of_five",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(vote__isnull=False) | Q(placement__isnull=False) | Q(answer__isnull=False))
                    & Q(previous_status="")
                    | (
                        Q(vote__isnull=True, placement__isnull=True, answer__isnull=True)
                        & ~Q(previous_status="")
                    )
                ),
                name="removed_row_status_unless_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"Row of removal {self.removal_id}"
