"""Production settings and the home folder."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from proficio import home

ROOT = Path(__file__).resolve().parents[1]


def test_deploy_check_passes_behind_https(tmp_path):
    env = {**os.environ, "PROFICIO_HOME": str(tmp_path), "PROFICIO_HTTPS": "1"}
    for variable in ("PROFICIO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PROFICIO_SECRET_KEY", raising=False)
    first = home.secret_key()
    assert home.secret_key() == first and len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "home" / home.SECRET_KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_database_defaults_to_sqlite_in_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path))
    monkeypatch.delenv("PROFICIO_DATABASE_URL", raising=False)
    assert home.database_url() == f"sqlite:///{tmp_path / 'proficio.sqlite3'}"
    monkeypatch.setenv("PROFICIO_DATABASE_URL", "postgres://u@h/db")
    assert home.database_url() == "postgres://u@h/db"


def test_sqlite_is_tuned_for_concurrent_use(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("runs on SQLite")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_a_bucket_moves_handed_in_files_to_s3_and_keeps_them_private(tmp_path):
    env = {**os.environ, "PROFICIO_HOME": str(tmp_path), "PROFICIO_S3_BUCKET": "district-work"}
    env["PROFICIO_S3_ENDPOINT_URL"] = "https://minio.example.org"
    script = (
        "import json; from proficio.config import settings as s; "
        "print(json.dumps(s.STORAGES['default']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "district-work"
    assert default["OPTIONS"]["endpoint_url"] == "https://minio.example.org"
    assert default["OPTIONS"]["default_acl"] == "private"
    assert default["OPTIONS"]["file_overwrite"] is False
    assert default["OPTIONS"]["max_memory_size"] == 2 * 1024 * 1024
