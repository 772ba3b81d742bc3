"""The framework spreadsheet template for district admins: what its columns hold, and the file
to download. (Importing a filled-in spreadsheet: `importers.SpreadsheetImporter`.)"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.interop.permissions import may_import_frameworks
from proficio.interop.spreadsheet.template import (
    FILE_NAME,
    SPREADSHEET_TYPES,
    template_csv,
    template_xlsx,
)
from proficio.interop.spreadsheet.trajectories import COLUMNS

DOWNLOADS = {
    "xlsx": (template_xlsx, SPREADSHEET_TYPES["xlsx"]),
    "csv": (template_csv, SPREADSHEET_TYPES["csv"]),
}


def _district_admin_only(request: HttpRequest) -> None:
    if not may_import_frameworks(request.user):
        raise Http404(_("This page is for district admins."))


@login_required
@require_safe
def template_page(request: HttpRequest) -> HttpResponse:
    """What the template's columns hold, and the template to download."""
    _district_admin_only(request)
    return render(request, "interop/spreadsheet_template.html", {"columns": COLUMNS})


@login_required
@require_safe
def template_download(request: HttpRequest, extension: str) -> HttpResponse:
    _district_admin_only(request)
    if extension not in DOWNLOADS:
        raise Http404(_("There is no such template."))
    build, content_type = DOWNLOADS[extension]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.{extension}"'
    return response
