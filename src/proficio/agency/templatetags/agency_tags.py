"""Reading an agenda kept as plain values: its days and the source of a rating, shown in the
reader's language and date format."""

from datetime import date

from django import template

from proficio.evidence.api import EvidenceSource

register = template.Library()


@register.filter
def as_date(value: str) -> date | None:
    """An ISO day ("2026-11-09") as a date, for the `date` filter to format."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def source_label(code: str) -> str:
    """A rating's source in words ("observation" → "Observation")."""
    try:
        return str(EvidenceSource(code).label)
    except ValueError:
        return code
