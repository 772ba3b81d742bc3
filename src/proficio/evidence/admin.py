"""Django admin for evidence: visible for setup and support, never editable (append-only)."""

from django.contrib import admin
from django.db import models

from proficio.audit.api import AuditedAdmin
from proficio.evidence.models import Evidence
from proficio.lib.admin import DistrictScopedAdmin, ReadOnlyAdmin


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin, ReadOnlyAdmin, DistrictScopedAdmin):
    district_path = "student__district"
    list_display = ["observed_at", "student", "competency", "stage", "level", "source", "assessor"]
    list_filter = ["source", "competency"]
    list_select_related = ["student", "competency", "stage__competency", "assessor"]
    search_fields = ["student__username", "student__first_name", "student__last_name"]
    date_hierarchy = "observed_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
