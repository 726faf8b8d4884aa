"""What the admin index page tells moderators: how much is waiting for them."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse

from comments.models import Comment
from definitions.models import Distinction
from definitions.moderation import PERMISSION, ModerationStatus

register = template.Library()


@dataclass(frozen=True)
class Queue:
    pending_comments: int
    pending_distinctions: int
    reported_comments: int

    @property
    def pending(self) -> int:
        return self.pending_comments + self.pending_distinctions

    @property
    def comments_url(self) -> str:
        return f"{reverse('admin:comments_comment_changelist')}?status__exact=pending"

    @property
    def distinctions_url(self) -> str:
        return f"{reverse('admin:definitions_distinction_changelist')}?status__exact=pending"

    @property
    def reported_url(self) -> str:
        url = reverse("admin:comments_comment_changelist")
        return f"{url}?reported=yes&status__exact=published"

    @property
    def log_url(self) -> str:
        return reverse("admin:admin_logentry_changelist")

    @property
    def removals_url(self) -> str:
        return reverse("admin:comments_visitorremoval_changelist")


@register.simple_tag(takes_context=True)
def moderation_queue(context: template.Context) -> Queue | None:
    """Return the pending and reported counts, or None for a user who cannot moderate."""
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.has_perm(PERMISSION):
        return None
    return Queue(
        pending_comments=Comment.objects.filter(status=ModerationStatus.PENDING).count(),
        pending_distinctions=Distinction.objects.filter(status=ModerationStatus.PENDING).count(),
        reported_comments=(
            Comment.objects.published().filter(reports__isnull=False).distinct().count()
        ),
    )
