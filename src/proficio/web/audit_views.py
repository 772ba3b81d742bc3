"""The audit log page: a district admin reads who changed or viewed their students' records,
filters it, and downloads it as CSV (each download is itself audited). Anyone else gets the
same 404 as a wrong address (docs/decisions/0004)."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from proficio.audit.api import (
    AUDIT_EXPORTED,
    CSV_HEADER,
    action_label,
    actions_in_districts,
    entries_csv,
    entries_for_districts,
    entries_rows,
    record,
)
from proficio.lib.exports import export_format, table_response
from proficio.people.api import districts_administered_by

PAGE_SIZE = 50
# A worksheet holds 1,048,576 rows, the header one of them; the CSV has no such limit.
XLSX_MAX_ENTRIES = 1_048_575


class AuditFilterForm(forms.Form):
    student = forms.CharField(
        label=gettext_lazy("Student"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Part of the name or username"),
    )
    actor = forms.CharField(
        label=gettext_lazy("Done by"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Part of the name or username"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), required=False, help_text=gettext_lazy("What was done")
    )
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        help_text=gettext_lazy("The first day to show"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        help_text=gettext_lazy("The last day to show, included"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, *, actions: list[str]):
        super().__init__(data, label_suffix="")
        self.fields["action"].choices = [("", _("Any action"))] + [
            (action, action_label(action)) for action in actions
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters, ready for entries_for_districts; an invalid one is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("student", "actor", "action", "since", "until")
            if data.get(name) not in (None, "")
        }


def _details(data: Any, limit: int = 60) -> str:
    """An entry's data in one short line: "competency: W1 · level: 3"."""
    if not isinstance(data, dict):
        return str(data)[:limit]
    parts = []
    for key, value in data.items():
        if isinstance(value, dict):
            shown = _details(value, limit).replace(" · ", ", ") or _("none")
        else:
            shown = str(value)
            if len(shown) > limit:
                shown = shown[: limit - 1] + "…"
        parts.append(f"{str(key).replace('_', ' ')}: {shown}")
    return " · ".join(parts)


def _district_ids(request: HttpRequest) -> list[int]:
    ids = list(districts_administered_by(request.user).values_list("pk", flat=True))
    if not ids:
        raise Http404(_("This page is for district admins."))
    return ids


def _filtered(request: HttpRequest) -> tuple[list[int], AuditFilterForm, QuerySet]:
    district_ids = _district_ids(request)
    form = AuditFilterForm(request.GET, actions=actions_in_districts(district_ids))
    filters = form.filters()
    return district_ids, form, entries_for_districts(district_ids, **filters)


@login_required
@require_safe
def audit_page(request: HttpRequest) -> HttpResponse:
    """The district's audit log, newest first, 50 entries a page."""
    _ids, form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (entry, action_label(entry.action), _details(entry.data))
                for entry in page.object_list
            ],
            "query": query.urlencode(),
            "filtered": bool(form.filters()),
        },
    )


@login_required
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    """The same entries as the page shows, every page of them, as CSV (streamed) or XLSX
    (`?format=xlsx`, up to a worksheet's rows); the download is recorded in the log it
    downloads."""
    district_ids, form, entries = _filtered(request)
    format = export_format(request) or "csv"
    for district_id in district_ids:
        record(
            actor=request.user,
            action=AUDIT_EXPORTED,
            district_id=district_id,
            data={
                "filters": {key: str(value) for key, value in form.filters().items()},
                **({"format": format} if format != "csv" else {}),
            },
        )
    if format == "xlsx":
        return table_response(
            name="audit",
            headers=CSV_HEADER,
            rows=entries_rows(entries[:XLSX_MAX_ENTRIES]),
            format=format,
        )
    response = StreamingHttpResponse(entries_csv(entries), content_type="text/csv; charset=utf-8")
    name = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
