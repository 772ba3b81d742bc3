"""The Django admin in the audit trail, like the app's own pages.

District admins use the admin site for their district's setup, and its pages show and change
students' records outside the services that record them. A ModelAdmin of such rows mixes in
`AuditedAdmin` and says where each row's student is: opening a row records `student.viewed`,
a list page `students.listed`, and each addition, change or deletion the admin logs is also
recorded as `admin.changed` about the row's student (or, with none, about the row alone).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from proficio.audit.actions import ADMIN_CHANGED, STUDENT_VIEWED, STUDENTS_LISTED
from proficio.audit.services import record, record_views

VIA_ADMIN = {"via": "admin"}


class AuditedAdmin:
    """Mixed into a ModelAdmin (before it) whose rows belong to a student."""

    # The row's student, as an attribute path ("student", "person"); "" for the row itself.
    student_path: str = "student"

    def students_of(self, rows: Iterable[Model]) -> list[Any]:
        """The students these rows are about (a row about someone else gives none)."""
        students = []
        for row in rows:
            student = row
            for name in filter(None, self.student_path.split(".")):
                student = getattr(student, name)
            if student is not None:
                students.append(student)
        return students

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            row = self.get_object(request, unquote(object_id))
            record_views(
                actor=request.user,
                action=STUDENT_VIEWED,
                students=self.students_of([row] if row is not None else []),
                data=VIA_ADMIN | {"model": self.model._meta.label},
            )
        return response

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if request.method == "GET" and changelist is not None:
            record_views(
                actor=request.user,
                action=STUDENTS_LISTED,
                students=_distinct(self.students_of(changelist.result_list)),
                data=VIA_ADMIN | {"model": self.model._meta.label},
            )
        return response

    def log_addition(self, request: HttpRequest, obj: Model, message: Any):
        self._record_change(request, [obj], "added")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any):
        self._record_change(request, [obj], "changed")
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any):
        self._record_change(request, list(queryset), "deleted")
        return super().log_deletions(request, queryset)

    def _record_change(self, request: HttpRequest, rows: Sequence[Model], change: str) -> None:
        for row in rows:
            students = self.students_of([row])
            record(
                actor=request.user,
                action=ADMIN_CHANGED,
                student=students[0] if students else None,
                target=row,
                data=VIA_ADMIN
                | {"change": change, "model": self.model._meta.label, "row": str(row)},
            )


def _distinct(people: list[Any]) -> list[Any]:
    return list({person.pk: person for person in people}.values())
