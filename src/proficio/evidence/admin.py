"""Django admin for evidence: visible for setup and support, never editable (append-only)."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from proficio.evidence.models import Evidence


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are append-only or derived: admins may look, the services do the writing."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["observed_at", "student", "competency", "stage", "level", "source", "assessor"]
    list_filter = ["source", "competency"]
    list_select_related = ["student", "competency", "stage__competency", "assessor"]
    search_fields = ["student__username", "student__first_name", "student__last_name"]
    date_hierarchy = "observed_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
