"""The back office for reader comments."""

from __future__ import annotations

from django.contrib import admin

from comments.models import Comment, Report


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author_name", "source", "status", "is_imported", "created"]
    list_filter = ["status", "is_imported", "comparison"]
    search_fields = ["body", "author_name"]
    list_select_related = ["source", "comparison"]
    ordering = ["-created"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "created"]
