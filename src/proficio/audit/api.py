"""The audit app's public surface: what other apps may use. Nothing else of audit/ is
imported from outside it.

Services record (`record` for one action, `record_views` for a page that shows many
students); the web layer reads a district's entries with `entries_for_districts`, passing
the districts the reader administers.
"""

from proficio.audit.actions import (
    ACTION_LABELS,
    ADMIN_CHANGED,
    API_TOKEN_REVOKED,
    AUDIT_EXPORTED,
    AUDIT_PRUNED,
    COMPETENCY_REVISED,
    COMPETENCY_WRITTEN,
    COURSE_WRITTEN,
    DISTRICT_ADMIN_ADDED,
    DISTRICT_SET_UP,
    EVIDENCE_APPENDED_IN_BULK,
    EVIDENCE_CORRECTED,
    EVIDENCE_RECORDED,
    EVIDENCE_VIEWED,
    EVIDENCE_WITHDRAWN,
    FRAMEWORK_AUTHORS_SET,
    FRAMEWORK_IMPORTED,
    GUARDIAN_LINKED,
    MASTERY_RECOMPUTED,
    PASSWORD_CHANGED,
    PEOPLE_CREATED_IN_BULK,
    POLICY_CHANGED,
    ROLE_ASSIGNED,
    ROSTER_SYNCED,
    SECTION_ENROLLED,
    SIGN_IN_UNLOCKED,
    SITE_ADMIN_GRANTED,
    STUDENT_ERASED,
    STUDENT_EXPORTED,
    STUDENT_VIEWED,
    STUDENTS_LISTED,
    action_label,
)
from proficio.audit.admin_trail import AuditedAdmin
from proficio.audit.export import CSV_HEADER, entries_csv
from proficio.audit.models import AuditEntry, AuditIsAppendOnly
from proficio.audit.selectors import actions_in_districts, entries_for_districts
from proficio.audit.services import names_pseudonymise, prune, record, record_views

__all__ = [
    "ACTION_LABELS",
    "ADMIN_CHANGED",
    "API_TOKEN_REVOKED",
    "AUDIT_EXPORTED",
    "AUDIT_PRUNED",
    "COMPETENCY_REVISED",
    "COMPETENCY_WRITTEN",
    "COURSE_WRITTEN",
    "CSV_HEADER",
    "DISTRICT_ADMIN_ADDED",
    "DISTRICT_SET_UP",
    "EVIDENCE_APPENDED_IN_BULK",
    "EVIDENCE_CORRECTED",
    "EVIDENCE_RECORDED",
    "EVIDENCE_VIEWED",
    "EVIDENCE_WITHDRAWN",
    "FRAMEWORK_AUTHORS_SET",
    "FRAMEWORK_IMPORTED",
    "GUARDIAN_LINKED",
    "MASTERY_RECOMPUTED",
    "PASSWORD_CHANGED",
    "PEOPLE_CREATED_IN_BULK",
    "POLICY_CHANGED",
    "ROLE_ASSIGNED",
    "ROSTER_SYNCED",
    "SECTION_ENROLLED",
    "SIGN_IN_UNLOCKED",
    "SITE_ADMIN_GRANTED",
    "STUDENTS_LISTED",
    "STUDENT_ERASED",
    "STUDENT_EXPORTED",
    "STUDENT_VIEWED",
    "AuditEntry",
    "AuditIsAppendOnly",
    "AuditedAdmin",
    "action_label",
    "actions_in_districts",
    "entries_csv",
    "entries_for_districts",
    "names_pseudonymise",
    "prune",
    "record",
    "record_views",
]
