"""The upload → preview → confirm flow every import page runs on (see `flow`)."""

from proficio.lib.imports.flow import Importer, Steps, Upload, import_paths
from proficio.lib.imports.report import (
    CountTable,
    Link,
    Notes,
    Refused,
    Remedy,
    Summary,
    count_table,
)
from proficio.lib.imports.shelf import UploadShelf

__all__ = [
    "CountTable",
    "Importer",
    "Link",
    "Notes",
    "Refused",
    "Remedy",
    "Steps",
    "Summary",
    "Upload",
    "UploadShelf",
    "count_table",
    "import_paths",
]
