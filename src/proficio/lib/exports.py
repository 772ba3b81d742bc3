"""A table a person sees, downloaded as CSV or XLSX: the same headers and rows the page
shows them, never more. Views build the rows from what their scoped selectors returned and
hand them here; `?format=csv` or `?format=xlsx` on the page's own address asks for it."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell that starts like a formula is written as text, so a spreadsheet never runs it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | None


def export_format(request: HttpRequest) -> str | None:
    """The format asked for (`?format=csv|xlsx`), or None for the page itself."""
    wanted = request.GET.get("format", "")
    return wanted if wanted in FORMATS else None


def _text_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, datetime):
        # In the site's time, to the second: what a page shows, and what a spreadsheet reads.
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return value


def table_response(
    *, name: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], format: str
) -> HttpResponse:
    """The table as a download named after `name` and today's date."""
    filename = f"{slugify(name) or 'table'}-{timezone.localdate().isoformat()}.{format}"
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else _text_safe(v) for v in row])
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel reads UTF-8 with a BOM
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(name[:31] or "Table").replace("/", "-"))
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_text_safe(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
