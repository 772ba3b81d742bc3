"""Framework pages: anyone in the district lists its frameworks, reads a framework whole
(its competencies and trajectories, and a CASE document's tree of standards with their
associations) and downloads it as CASE. (Importing a CASE package: `importers.CaseImporter`.)"""

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from proficio.frameworks.api import (
    Framework,
    Standard,
    StandardAssociation,
    framework_associations,
    framework_competencies,
    framework_get,
    framework_standards,
    frameworks_visible_to,
    may_open_framework,
    may_write_framework,
)
from proficio.interop.case.export import case_package
from proficio.interop.permissions import may_import_frameworks
from proficio.interop.spreadsheet.export import framework_spreadsheet
from proficio.interop.spreadsheet.template import SPREADSHEET_TYPES
from proficio.lib.errors import NotVisible


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
    """A framework whole: its competencies with their full trajectories, and the standards
    of a CASE document as the document arranges them."""
    framework = _visible_framework(request, framework_id)
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
            "competencies": list(framework_competencies(framework)),
            "may_write": may_write_framework(request.user, framework),
            "may_open": may_open_framework(request.user, framework),
        },
    )


@login_required
@require_safe
def framework_case_download(request: HttpRequest, framework_id: uuid.UUID) -> HttpResponse:
    """The framework as a CASE 1.1 CFPackage, to keep or share with other tools."""
    framework = _visible_framework(request, framework_id)
    package = case_package(framework, base_uri=request.build_absolute_uri("/ims/case/v1p1"))
    response = HttpResponse(
        json.dumps(package, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(framework.code)}.case.json"'
    return response


@login_required
@require_safe
def framework_spreadsheet_download(
    request: HttpRequest, framework_id: uuid.UUID, extension: str
) -> HttpResponse:
    """The framework as the trajectories spreadsheet (XLSX or CSV), to edit and import again."""
    framework = _visible_framework(request, framework_id)
    if extension not in SPREADSHEET_TYPES:
        raise Http404("There is no such file.")
    response = HttpResponse(
        framework_spreadsheet(framework, extension), content_type=SPREADSHEET_TYPES[extension]
    )
    name = f"{slugify(framework.code)}-trajectories.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _visible_framework(request: HttpRequest, framework_id: uuid.UUID) -> Framework:
    try:
        return framework_get(user=request.user, framework_id=framework_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
