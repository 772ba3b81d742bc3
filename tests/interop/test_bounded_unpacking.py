"""Imports unpack within limits (issue 9, finding 2: a 0.3 MB zip held a 300 MB users.csv).

The limits are set low here (1 MB a file, 2 MB a package, 12 files) so that a few megabytes
of line breaks, which compress to a few kilobytes, stand for a zip bomb."""

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from proficio.interop.case.reader import read_case
from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.report import ImportRefused
from proficio.interop.spreadsheet.table import read_sheet
from tests.interop.oneroster_support import PACKAGE_1_1, copy_package, row_counts, zip_package

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
LOW = {
    "PROFICIO_IMPORT_FILE_MAX_MB": 1,
    "PROFICIO_IMPORT_TOTAL_MAX_MB": 2,
    "PROFICIO_IMPORT_MAX_FILES": 12,
}
FILE_LIMIT = "larger than 1 MB once unpacked, the most one file may be"
TOTAL_LIMIT = "unpacks to more than 2 MB in all"


@pytest.fixture(autouse=True)
def low_limits():
    with override_settings(**LOW):
        yield


def refusals(package: Path) -> list[tuple[str, str]]:
    """The import's problems as (file, message); it must refuse and write nothing."""
    before = row_counts()
    with pytest.raises(ImportRefused) as refused:
        import_oneroster(package)
    assert row_counts() == before
    return [(problem.file, problem.message) for problem in refused.value.problems]


def bomb(tmp_path: Path, **extra: bytes) -> Path:
    """The test roster zipped, with `extra` members (name → bytes) beside its files."""
    archive = zip_package(copy_package(PACKAGE_1_1, tmp_path), tmp_path / "roster.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in extra.items():
            zipped.writestr(name, data)
    return archive


def padded_users(tmp_path: Path, size: int, blank_line: bytes = b"\n") -> Path:
    """A package folder whose users.csv ends in about `size` bytes of blank lines."""
    package = copy_package(PACKAGE_1_1, tmp_path)
    with (package / "users.csv").open("ab") as users:
        users.write(blank_line * (size // len(blank_line)))
    return package


def test_a_member_that_unpacks_past_the_limit_is_refused_by_name(tmp_path):
    package = padded_users(tmp_path, 3 * MB)
    archive = zip_package(package, tmp_path / "roster.zip")
    assert archive.stat().st_size < 100_000, "a few kilobytes that unpack to 3 MB"

    [(file, message)] = refusals(archive)

    assert file == "users.csv" and FILE_LIMIT in message
    assert "PROFICIO_IMPORT_FILE_MAX_MB" in message


def test_members_that_unpack_past_the_total_are_refused(tmp_path):
    half = b"\n" * (MB - 1)
    archive = bomb(tmp_path, **{"a.txt": half, "b.txt": half, "c.txt": half})

    [(file, message)] = refusals(archive)

    assert file == "package" and TOTAL_LIMIT in message
    assert "PROFICIO_IMPORT_TOTAL_MAX_MB" in message


def test_the_roster_page_lists_the_refusal_and_keeps_nothing(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path / "home"))
    archive = zip_package(padded_users(tmp_path, 3 * MB), tmp_path / "roster.zip")
    client = Client()
    client.force_login(world.district_admin)
    before = row_counts()

    uploaded = client.post(
        "/imports/oneroster/", {"package": SimpleUploadedFile("roster.zip", archive.read_bytes())}
    )
    page = client.get(uploaded["Location"])

    html = page.content.decode()
    assert page.status_code == 422
    assert "users.csv" in html and FILE_LIMIT in html
    assert row_counts() == before


def test_a_file_of_a_folder_is_counted_as_it_is_read(tmp_path):
    """A folder's files have no header to believe: the bytes read are counted."""
    [(file, message)] = refusals(padded_users(tmp_path, 3 * MB))
    assert file == "users.csv" and FILE_LIMIT in message


def test_a_header_that_understates_a_members_size_is_not_believed(tmp_path):
    """The zip's directory says users.csv is small; reading stops there and the member, which
    then fails its checksum, is refused rather than unpacked."""
    archive = zip_package(padded_users(tmp_path, 3 * MB), tmp_path / "roster.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo("users.csv")
    understated = (1000).to_bytes(4, "little")
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) == 2, "the local header and the directory entry give its size"
    archive.write_bytes(bytes(data).replace(real, understated))

    [(file, message)] = refusals(archive)

    assert file == "users.csv" and "cannot be read from the package" in message


def test_too_many_members_are_refused_before_any_is_read(tmp_path):
    extra = {f"notes/{number}.txt": b"" for number in range(10)}

    [(file, message)] = refusals(bomb(tmp_path, **extra))

    assert file == "package"
    assert "holds 18 files, more than the 12" in message and "PROFICIO_IMPORT_MAX_FILES" in message


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/cron.d/users.csv", "climbs out of the package"),
        ("/etc/passwd", "has an absolute path"),
        ("C:\\Windows\\users.csv", "has an absolute path"),
        ("more.zip", "is a zip inside the zip"),
    ],
)
def test_a_member_named_outside_the_package_or_a_nested_zip_is_refused(tmp_path, name, reason):
    [(file, message)] = refusals(bomb(tmp_path, **{name: b"sourcedId\n"}))
    assert file == name and reason in message


def test_a_bomb_is_refused_within_a_little_memory(tmp_path):
    """20 MB of blank lines in a zip of a few kilobytes, and 8 MB of them in a folder's file,
    each refused having held far less (blank lines are not kept as they are read)."""
    archive = zip_package(padded_users(tmp_path, 20 * MB), tmp_path / "roster.zip")
    folder = padded_users(tmp_path / "folder", 8 * MB, blank_line=b" " * 63 + b"\n")

    for package in (archive, folder):
        tracemalloc.start()
        try:
            with pytest.raises(ImportRefused):
                import_oneroster(package)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 3 * MB, f"{package.name}: {peak / MB:.1f} MB at most"


def xlsx_with(part: str, data: bytes) -> bytes:
    """A minimal workbook's zip with one more part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("xl/workbook.xml", "<workbook/>")
        workbook.writestr(part, data)
    return buffer.getvalue()


def test_a_workbook_part_that_unpacks_past_the_limit_is_refused_before_openpyxl_reads_it():
    workbook = xlsx_with("xl/worksheets/sheet1.xml", b" " * (3 * MB))

    with pytest.raises(ImportRefused) as refused:
        read_sheet(workbook, "frameworks.xlsx")

    [problem] = refused.value.problems
    assert problem.file == "frameworks.xlsx"
    assert problem.message.startswith("Its part xl/worksheets/sheet1.xml is larger than 1 MB")


def test_a_workbook_with_too_many_parts_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        for number in range(20):
            workbook.writestr(f"xl/worksheets/sheet{number}.xml", "<worksheet/>")

    with pytest.raises(ImportRefused) as refused:
        read_sheet(buffer.getvalue(), "frameworks.xlsx")

    assert "holds 20 files, more than the 12" in refused.value.problems[0].message


def test_a_csv_or_case_file_past_the_limit_is_refused():
    with pytest.raises(ImportRefused) as csv_refused:
        read_sheet(b"code,title\n" + b"W1,Writing\n" * MB, "frameworks.csv")
    with pytest.raises(ImportRefused) as case_refused:
        read_case(json.dumps({"CFDocument": {}, "padding": " " * (2 * MB)}).encode(), "case.json")

    for refused, name in ((csv_refused, "frameworks.csv"), (case_refused, "case.json")):
        [problem] = refused.value.problems
        assert problem.file == name and FILE_LIMIT in problem.message


def test_case_json_nested_past_what_python_parses_is_refused_not_a_crash():
    with pytest.raises(ImportRefused) as refused:
        read_case(b"[" * 100_000, "deep.json")
    assert "nested too deeply" in refused.value.problems[0].message
