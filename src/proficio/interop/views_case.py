"""CASE pages: a district admin imports a file (upload → preview → confirm), and anyone in
the district reads a framework's tree of standards with their associations.

The uploaded file waits in the home between preview and confirm, named for the person
who uploaded it; the confirm step reads and checks it again, so nothing the browser
sends back is trusted beyond the choice of file and options.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from proficio.frameworks.api import (
    Framework,
    Standard,
    StandardAssociation,
    framework_associations,
    framework_get,
    framework_standards,
    frameworks_visible_to,
)
from proficio.interop.case.writer import import_case
from proficio.interop.permissions import may_import_frameworks
from proficio.interop.uploads import (
    UPLOAD_TOKEN,
    UploadShelf,
    checked_size,
    district_admin_only,
    import_outcome,
)
from proficio.lib.errors import NotVisible

SHELF = UploadShelf(folder="uploads/case", suffix=".upload")
MAX_UPLOAD_MB = 25


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CASE package (JSON)"),
        help_text=gettext_lazy("A CFPackage exported from a CASE server, version 1.0 or 1.1."),
    )
    competency_types = forms.CharField(
        label=gettext_lazy("Item types that become competencies"),
        required=False,
        help_text=gettext_lazy(
            "Optional, separated by commas, e.g. “Competency”. Items of these types also "
            "become competencies aligned to them; every item is kept as a standard."
        ),
    )

    def clean_file(self):
        return checked_size(self.cleaned_data["file"], MAX_UPLOAD_MB)


class ConfirmForm(forms.Form):
    upload = forms.RegexField(regex=UPLOAD_TOKEN, widget=forms.HiddenInput)
    competency_types = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=255, widget=forms.HiddenInput)


def _types(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@login_required
@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; the answer is its preview (a dry run) with a button to import it."""
    district_admin_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        status = 422 if request.method == "POST" else 200
        return render(request, "interop/case_import.html", {"form": form}, status=status)
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = Path(upload.name).name[:255]
    types = _types(form.cleaned_data["competency_types"])
    report, problems = import_outcome(
        import_case, request, data=data, name=name, dry_run=True, competency_types=types
    )
    confirm = None
    if report is not None:
        token = SHELF.keep(upload, owner=str(request.user.pk))
        confirm = ConfirmForm(
            initial={"upload": token, "competency_types": ", ".join(types), "name": name}
        )
    return render(
        request,
        "interop/case_preview.html",
        {"name": name, "report": report, "problems": problems, "confirm": confirm},
        status=200 if report is not None else 422,
    )


@login_required
@require_http_methods(["POST"])
def case_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file for real: read and checked again, then written."""
    district_admin_only(request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404(_("There is no such upload."))
    stored = SHELF.kept(form.cleaned_data["upload"], owner=str(request.user.pk))
    data = stored.read_bytes()
    name = form.cleaned_data["name"]
    types = _types(form.cleaned_data["competency_types"])
    report, problems = import_outcome(
        import_case, request, data=data, name=name, dry_run=False, competency_types=types
    )
    stored.unlink()
    framework = None
    if report is not None:
        framework = framework_get(user=request.user, framework_id=report.extra["framework"]["id"])
    return render(
        request,
        "interop/case_result.html",
        {"name": name, "report": report, "problems": problems, "framework": framework},
        status=200 if report is not None else 422,
    )


@login_required
@require_safe
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = frameworks_visible_to(request.user).order_by("title")
    user = request.user
    return render(
        request,
        "interop/case_frameworks.html",
        {
            "frameworks": frameworks,
            "may_import": may_import_frameworks(user),
        },
    )


@dataclass
class TreeRow:
    """One standard in the tree, with how many lists close before it and its associations."""

    standard: Standard
    depth: int
    closes: range
    has_children: bool
    outgoing: list[StandardAssociation] = field(default_factory=list)
    incoming: list[StandardAssociation] = field(default_factory=list)


# Titles some CASE tools write on every link instead of the node's own title.
PLACEHOLDER_TITLES = frozenset({"", "origin", "destination"})


def _end_label(title: str, identifier: str) -> str:
    return identifier if title.strip().casefold() in PLACEHOLDER_TITLES else title


def tree_rows(framework: Framework) -> list[TreeRow]:
    """The standards depth first, each with the associations that name it (but the one
    isChildOf that places it in the tree)."""
    standards = list(framework_standards(framework))
    children: dict[int | None, list[Standard]] = defaultdict(list)
    for standard in standards:
        children[standard.parent_id].append(standard)
    outgoing: dict[int, list[StandardAssociation]] = defaultdict(list)
    incoming: dict[int, list[StandardAssociation]] = defaultdict(list)
    by_pk = {standard.pk: standard for standard in standards}
    for association in framework_associations(framework):
        association.origin_label = _end_label(
            association.origin_title, association.origin_identifier
        )
        association.destination_label = _end_label(
            association.destination_title, association.destination_identifier
        )
        origin = by_pk.get(association.origin_id)
        if association.association_type == "isChildOf" and origin is not None:
            placed = (origin.parent_id is None and association.destination_id is None) or (
                origin.parent_id == association.destination_id
            )
            if placed:
                continue
        if association.origin_id:
            outgoing[association.origin_id].append(association)
        if association.destination_id:
            incoming[association.destination_id].append(association)
    rows: list[TreeRow] = []
    previous_depth = 0
    pending = [(standard, 0) for standard in reversed(children[None])]
    while pending:
        standard, depth = pending.pop()
        rows.append(
            TreeRow(
                standard=standard,
                depth=depth,
                closes=range(max(0, previous_depth - depth)),
                has_children=bool(children[standard.pk]),
                outgoing=outgoing[standard.pk],
                incoming=incoming[standard.pk],
            )
        )
        previous_depth = depth + 1 if children[standard.pk] else depth
        pending.extend((child, depth + 1) for child in reversed(children[standard.pk]))
    return rows


@login_required
@require_safe
def framework_tree(request: HttpRequest, framework_id: uuid.UUID) -> HttpResponse:
    try:
        framework = framework_get(user=request.user, framework_id=framework_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
    rows = tree_rows(framework)
    last_depth = 0
    if rows:
        last = rows[-1]
        last_depth = last.depth + 1 if last.has_children else last.depth
    types = sorted({row.standard.item_type for row in rows if row.standard.item_type})
    return render(
        request,
        "interop/case_framework.html",
        {
            "framework": framework,
            "rows": rows,
            "final_closes": range(last_depth),
            "item_types": types,
            "association_count": framework.standard_associations.count(),
        },
    )
