"""Reader comments on sources and comparisons, and visitors' reports of them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from definitions.models import Comparison, Moderated, Source


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Pending moderation"
    REMOVED = "removed", "Removed"
    SPAM = "spam", "Spam"
    PINGBACK = "pingback", "Pingback/trackback"


class CommentQuerySet(models.QuerySet):
    def published(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PUBLISHED)

    def visible_to(self, visitor_id: uuid.UUID | None) -> CommentQuerySet:
        """Return published comments plus the visitor's own pending ones."""
        q = Q(status=CommentStatus.PUBLISHED)
        if visitor_id:
            q |= Q(status=CommentStatus.PENDING, visitor_id=visitor_id)
        return self.filter(q)

    def on(self, target: Comparison | Source) -> CommentQuerySet:
        """Return the comments posted on a comparison or a source."""
        if isinstance(target, Source):
            return self.filter(source=target)
        return self.filter(comparison=target, source__isnull=True)


class Comment(Moderated):
    """A reader's comment, on a source article or on a comparison; replies are one level deep."""

    status = models.CharField(
        max_length=16, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="comments")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
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
    report_count = models.PositiveIntegerField(default=0)

    objects = CommentQuerySet.as_manager()

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
        ]
        permissions = [("can_moderate", "Can moderate comments and distinctions")]

    def __str__(self) -> str:
        return f"{self.author_name or 'Anonymous'}: {self.body[:50]}"

    @property
    def target(self) -> Comparison | Source:
        return self.source if self.source_id else self.comparison

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def get_absolute_url(self) -> str:
        return f"{self.target.get_absolute_url()}#{self.anchor}"


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
