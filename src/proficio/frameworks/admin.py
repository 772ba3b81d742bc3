"""Django admin for scales, frameworks, competencies with their stages, and courses."""

from django.contrib import admin
from django.db import models
from django.forms import Textarea

from proficio.frameworks.models import (
    Competency,
    Course,
    CourseTarget,
    EvidenceStatement,
    Framework,
    Scale,
    ScaleLevel,
    Stage,
)

COMPACT_TEXT = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}}


class ScaleLevelInline(admin.TabularInline):
    model = ScaleLevel
    extra = 0
    formfield_overrides = COMPACT_TEXT


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    inlines = [ScaleLevelInline]
    list_display = ["name", "district"]
    list_filter = ["district"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "district", "scale"]
    list_filter = ["district"]
    search_fields = ["title", "code"]


class StageInline(admin.TabularInline):
    """Stages in order; their evidence statements are edited on each stage's own page."""

    model = Stage
    extra = 0
    fields = ["ordinal", "label", "typical_grade", "descriptor"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    inlines = [StageInline]
    list_display = ["code", "title", "framework", "kind", "subject"]
    list_filter = ["framework", "kind"]
    list_select_related = ["framework"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent"]


class EvidenceStatementInline(admin.TabularInline):
    model = EvidenceStatement
    extra = 1
    formfield_overrides = COMPACT_TEXT


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    inlines = [EvidenceStatementInline]
    list_display = ["__str__", "typical_grade"]
    list_filter = ["competency__framework", "competency"]
    list_select_related = ["competency"]
    search_fields = ["competency__code", "competency__title", "label"]


class CourseTargetInline(admin.TabularInline):
    model = CourseTarget
    extra = 0
    autocomplete_fields = ["stage"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    inlines = [CourseTargetInline]
    list_display = ["title", "code", "next_course", "district"]
    list_filter = ["district"]
    list_select_related = ["next_course", "district"]
    search_fields = ["title", "code"]
    autocomplete_fields = ["next_course"]
