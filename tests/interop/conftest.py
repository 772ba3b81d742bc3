"""Fixtures for imports and exports: the shared test data, row counts, and the CLI."""

import argparse
import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

from proficio.interop.cli import register

SCHEMAS = ("case", "schemas")


@pytest.fixture(scope="session")
def case_files(testdata) -> list[Path]:
    return sorted((testdata / "case" / "frameworks").glob("*.json"))


@pytest.fixture(scope="session")
def case_schema(testdata):
    """A validator for the official CASE 1.1 package schema, formats (uuid, date-time) checked."""
    from jsonschema import Draft201909Validator

    schema = json.loads((testdata / "case" / "schemas" / "case-v1p1-cfpackage.json").read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def row_counts() -> dict[str, int]:
    """Rows in every table, join tables included; not the audit trail, which grows by design
    (tests/audit/test_recorded.py checks what an import writes to it)."""
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table != "audit_auditentry"
    }


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run `proficio import|export …` in this process, on the test database."""

    def run(*argv: str) -> CliResult:
        parser = argparse.ArgumentParser(prog="proficio")
        register(parser.add_subparsers(required=True))
        args = parser.parse_args(argv)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = args.command(args)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
