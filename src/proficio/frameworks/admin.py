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
from proficio.lib.admin import DistrictScopedAdmin, DistrictScopedInline

COMPACT_TEXT = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}}


class ScaleLevelInline(DistrictScopedInline, admin.TabularInline):
    district_path = "scale__district"
    model = ScaleLevel
    extra = 0
    formfield_overrides = COMPACT_TEXT


@admin.register(Scale)
class ScaleAdmin(DistrictScopedAdmin):
    district_path = "district"
    inlines = [ScaleLevelInline]
    list_display = ["name", "district"]
    list_filter = ["district"]


@admin.register(Framework)
class FrameworkAdmin(DistrictScopedAdmin):
    district_path = "district"
    list_display = ["title", "code", "version", "district", "scale"]
    list_filter = ["district"]
    search_fields = ["title", "code"]


class StageInline(DistrictScopedInline, admin.TabularInline):
    """Stages in order; their evidence statements are edited on each stage's own page."""

    district_path = "competency__framework__district"

    model = Stage
    extra = 0
    fields = ["ordinal", "label", "typical_grade", "descriptor"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True


@admin.register(Competency)
class CompetencyAdmin(DistrictScopedAdmin):
    district_path = "framework__district"
    inlines = [StageInline]
    list_display = ["code", "title", "framework", "kind", "subject"]
    list_filter = ["framework", "kind"]
    list_select_related = ["framework"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["parent"]


class EvidenceStatementInline(DistrictScopedInline, admin.TabularInline):
    district_path = "stage__competency__framework__district"
    model = EvidenceStatement
    extra = 1
    formfield_overrides = COMPACT_TEXT


@admin.register(Stage)
class StageAdmin(DistrictScopedAdmin):
    district_path = "competency__framework__district"
    inlines = [EvidenceStatementInline]
    list_display = ["__str__", "typical_grade"]
    list_filter = ["competency__framework", "competency"]
    list_select_related = ["competency"]
    search_fields = ["competency__code", "competency__title", "label"]


class CourseTargetInline(DistrictScopedInline, admin.TabularInline):
    district_path = "course__district"
    model = CourseTarget
    extra = 0
    autocomplete_fields = ["stage"]


@admin.register(Course)
class CourseAdmin(DistrictScopedAdmin):
    district_path = "district"
    inlines = [CourseTargetInline]
    list_display = ["title", "code", "next_course", "district"]
    list_filter = ["district"]
    list_select_related = ["next_course", "district"]
    search_fields = ["title", "code"]
    autocomplete_fields = ["next_course"]
