"""The demo district: a realistic, deterministic district built only through the services."""

from proficio.demo.build import (
    DEMO_LOGINS,
    DatabaseNotEmpty,
    DemoLogin,
    DemoSummary,
    database_has_district,
    demo_is_loaded,
    load_demo,
)

__all__ = [
    "DEMO_LOGINS",
    "DatabaseNotEmpty",
    "DemoLogin",
    "DemoSummary",
    "database_has_district",
    "demo_is_loaded",
    "load_demo",
]
