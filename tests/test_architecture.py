"""The layers and public surfaces of docs/architecture.md hold, and `make lint` would catch a
breach: these tests break the rules on purpose in a copy of the code."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "proficio"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# Other apps may name a model an app's api.py exports as a type, but they read it through that
# app's selectors. Each place that still queries another app's table says why.
QUERIES_ACROSS_APPS = {
    # The bulk recompute and the fast rating path read evidence rows in plain SQL.
    ("mastery/recompute.py", "Evidence._meta"),
    ("mastery/storage.py", "Evidence._meta"),
    ("mastery/storage.py", "Stage._meta"),
}


def _lint_imports_in_copy(tmp_path: Path, module: str, text: str) -> subprocess.CompletedProcess:
    copy = tmp_path / "src"
    shutil.copytree(SOURCE, copy / "proficio", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "proficio" / Path(*module.split("."))).with_suffix(".py").write_text(text)
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_the_contracts_hold_on_the_code_as_it_is(tmp_path):
    result = _lint_imports_in_copy(
        tmp_path, "interop.harmless", "from proficio.people import api\n"
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_lint_fails_when_an_app_imports_another_apps_models(tmp_path):
    result = _lint_imports_in_copy(
        tmp_path, "interop.bad", "from proficio.people.models import Person\n"
    )
    assert result.returncode != 0
    assert "people is reached only through its api.py and data.py BROKEN" in result.stdout
    assert "proficio.interop.bad -> proficio.people.models" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_lint_fails_when_a_lower_layer_imports_a_higher_one(tmp_path):
    result = _lint_imports_in_copy(tmp_path, "people.bad", "from proficio.mastery import api\n")
    assert result.returncode != 0
    assert "Layers: apps sit on the domain, the engine sits on nothing BROKEN" in result.stdout


def _apps() -> set[str]:
    return {path.parent.name for path in SOURCE.glob("*/apps.py")}


def _queries_of_other_apps_models(path: Path, app: str) -> set[str]:
    """`Model.objects`, `Model._meta` or `Model.DoesNotExist` on a name imported from another
    app."""
    tree = ast.parse(path.read_text())
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("proficio."):
            parts = node.module.split(".")
            if parts[1] in _apps() and parts[1] != app:
                foreign.update(alias.asname or alias.name for alias in node.names)
    return {
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in foreign
        and node.attr in {"objects", "_meta", "DoesNotExist"}
    }


def test_no_app_queries_another_apps_tables_but_the_listed_exceptions():
    found = set()
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        if "migrations" in relative.parts or len(relative.parts) < 2:
            continue
        for use in _queries_of_other_apps_models(path, relative.parts[0]):
            found.add((relative.as_posix(), use))
    assert found <= QUERIES_ACROSS_APPS, sorted(found - QUERIES_ACROSS_APPS)
