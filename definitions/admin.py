"""The back office for comparisons, sources, definitions and distinctions."""

from __future__ import annotations

from django.contrib import admin

from definitions.models import (
    BannedWord,
    Comparison,
    Definition,
    Dimension,
    Distinction,
    Source,
    Stance,
    Vote,
)


class DefinitionInline(admin.StackedInline):
    model = Definition
    extra = 0


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0


class DistinctionInline(admin.StackedInline):
    model = Distinction
    extra = 0
    fields = ["axis_a", "axis_b", "text_a", "text_b", "status"]


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "position"]
    prepopulated_fields = {"slug": ["term_a", "term_b"]}


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "comparison", "position"]
    list_filter = ["comparison"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "site_name", "published_display", "comparison", "is_published"]
    list_filter = ["comparison", "is_published"]
    search_fields = ["title", "site_name", "body"]
    inlines = [DefinitionInline, DistinctionInline, StanceInline]
    view_on_site = True


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["source", "term", "quote"]
    list_filter = ["term", "source__comparison"]
    list_select_related = ["source"]


@admin.register(Distinction)
class DistinctionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author_name", "source", "status", "upvotes", "downvotes", "created"]
    list_filter = ["status", "comparison"]
    list_select_related = ["source"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["distinction", "value", "is_void", "created"]


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "created"]
    search_fields = ["phrase"]
