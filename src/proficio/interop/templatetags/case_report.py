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
    return report.count_rows(KINDS) if report is not None else []
