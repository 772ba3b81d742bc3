"""Django admin for mastery: policies, records and working stages, all read-only here.

Records are derived from evidence and rebuilt by the services; policies change
through their own page so every change is versioned and recomputed.
"""

from django.contrib import admin

from proficio.evidence.admin import ReadOnlyAdmin
from proficio.mastery.models import MasteryPolicy, MasteryRecord, WorkingStage

STUDENT_SEARCH = ["student__username", "student__first_name", "student__last_name"]


@admin.register(MasteryPolicy)
class MasteryPolicyAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "method",
        "threshold",
        "minimum_evidence",
        "higher_implies_lower",
        "version",
        "effective_from",
    ]
    list_filter = ["district", "method"]
    list_select_related = ["district", "school", "framework", "competency"]


@admin.register(MasteryRecord)
class MasteryRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "student",
        "stage",
        "value",
        "mastered",
        "implied",
        "sufficient",
        "evidence_count",
        "computed_at",
    ]
    list_filter = ["mastered", "sufficient", "competency"]
    list_select_related = ["student", "stage__competency"]
    search_fields = STUDENT_SEARCH


@admin.register(WorkingStage)
class WorkingStageAdmin(ReadOnlyAdmin):
    list_display = ["student", "competency", "ordinal", "latest_level", "latest_observed_at"]
    list_filter = ["competency"]
    list_select_related = ["student", "competency"]
    search_fields = STUDENT_SEARCH
