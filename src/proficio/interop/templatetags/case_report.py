"""The counts of an import report as table rows, one per kind of record."""

from django import template
from django.utils.translation import gettext_lazy as _

from proficio.interop.report import ImportReport

register = template.Library()

KINDS = {
    "frameworks": _("Framework"),
    "items": _("Standards"),
    "associations": _("Associations"),
    "scales": _("Scales from rubrics"),
    "competencies": _("Competencies"),
}


@register.simple_tag
def case_counts(report: ImportReport | None) -> list[tuple[str, int, int, int]]:
    if report is None:
        return []
    kinds = [
        kind
        for kind in KINDS
        if report.created[kind] or report.updated[kind] or report.unchanged[kind]
    ]
    return [
        (KINDS[kind], report.created[kind], report.updated[kind], report.unchanged[kind])
        for kind in kinds
    ]
