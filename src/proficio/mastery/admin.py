"""Django admin for mastery: policies, records and working stages, all read-only here;
pace expectations, plain settings, editable.

Records are derived from evidence and rebuilt by the services; policies change
through their own page so every change is versioned and recomputed. Pace is worked
out when it is read, so a changed expectation needs no recompute.
"""

from django.contrib import admin

from proficio.audit.api import AuditedAdmin
from proficio.lib.admin import DistrictScopedAdmin, ReadOnlyAdmin
from proficio.mastery.models import MasteryPolicy, MasteryRecord, PaceExpectation, WorkingStage

STUDENT_SEARCH = ["student__username", "student__first_name", "student__last_name"]


@admin.register(MasteryPolicy)
class MasteryPolicyAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    district_path = "district"
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
class MasteryRecordAdmin(AuditedAdmin, ReadOnlyAdmin, DistrictScopedAdmin):
    district_path = "student__district"
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
class WorkingStageAdmin(AuditedAdmin, ReadOnlyAdmin, DistrictScopedAdmin):
    district_path = "student__district"
    list_display = ["student", "competency", "ordinal", "latest_level", "latest_observed_at"]
    list_filter = ["competency"]
    list_select_related = ["student", "competency"]
    search_fields = STUDENT_SEARCH


@admin.register(PaceExpectation)
class PaceExpectationAdmin(DistrictScopedAdmin):
    district_path = "district"
    list_display = ["__str__", "stall_weeks", "stall_ratings", "stages_below_on_pace", "updated_at"]
    list_filter = ["district"]
    list_select_related = ["district", "school"]
