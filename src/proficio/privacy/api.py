"""The privacy app's public surface. It sits above every app whose rows it exports, so
nothing below it calls it; the command line and the URLs are its callers."""

from proficio.privacy.services import Erasure, ExportSummary, student_erase, student_export
from proficio.privacy.tables import PersonTable, person_tables

__all__ = [
    "Erasure",
    "ExportSummary",
    "PersonTable",
    "person_tables",
    "student_erase",
    "student_export",
]
