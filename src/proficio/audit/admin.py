"""The audit trail in the Django admin: to read, never to change."""

from django.contrib import admin

from proficio.audit.models import AuditEntry
from proficio.lib.admin import DistrictScopedAdmin, ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    district_path = "district"
    list_display = ["at", "actor_name", "action", "student_name", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["actor_name", "student_name", "action", "target_id"]
    date_hierarchy = "at"
    show_full_result_count = False
