"""The reports app's public surface: what other apps may use (the demo defines credits and
issues a transcript through it). Nothing else of reports/ is imported from outside it."""

from proficio.reports.transcripts import credit_add, transcript_issue

__all__ = ["credit_add", "transcript_issue"]
