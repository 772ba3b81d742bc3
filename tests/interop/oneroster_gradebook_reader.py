"""A OneRoster 1.1/1.2 CSV gradebook reader written for the tests, apart from the writer: it
reads the zip with the csv module, checks each file's header against the binding's column
lists written out here (not imported from Proficio), required values, vocabularies, numbers,
dates and every reference, and says which learning objective each result is tied to.

The column lists are those of the OneRoster 1.1 and 1.2 CSV bindings (1EdTech), as ADR 0042
cites them.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

# Each file's columns in the binding's order; a `*` marks a column that must hold a value.
SESSIONS = "sourcedId* status dateLastModified title* type* startDate* endDate* parentSourcedId"
SESSIONS += " schoolYear"
COLUMNS = {
    "1.1": {
        "academicSessions": SESSIONS,
        "categories": "sourcedId* status dateLastModified title*",
        "lineItems": "sourcedId* status dateLastModified title* description assignDate* dueDate*"
        " classSourcedId* categorySourcedId* gradingPeriodSourcedId* resultValueMin resultValueMax",
        "results": "sourcedId* status dateLastModified lineItemSourcedId* studentSourcedId*"
        " scoreStatus* score* scoreDate* comment",
    },
    "1.2": {
        "academicSessions": SESSIONS,
        "categories": "sourcedId* status dateLastModified title* weight",
        "lineItems": "sourcedId* status dateLastModified title* description assignDate* dueDate*"
        " classSourcedId* categorySourcedId* academicSessionSourcedId* resultValueMin"
        " resultValueMax schoolSourcedId",
        "results": "sourcedId* status dateLastModified lineItemSourcedId* studentSourcedId*"
        " scoreStatus* score scoreDate* comment textScore classSourcedId inProgress incomplete"
        " late missing",
        "lineItemLearningObjectiveIds": "sourcedId* status dateLastModified lineItemSourcedId*"
        " source* learningObjectiveId*",
        "resultLearningObjectiveIds": "sourcedId* status dateLastModified resultSourcedId*"
        " source* learningObjectiveId* score textScore",
    },
}
# file → (columns in order, columns that must hold a value)
SPEC = {
    version: {
        name: (
            tuple(c.rstrip("*") for c in columns.split()),
            tuple(c.rstrip("*") for c in columns.split() if c.endswith("*")),
        )
        for name, columns in files.items()
    }
    for version, files in COLUMNS.items()
}
# Extension columns (`metadata.…`) may follow a 1.1 file's own.
EXTENSION = "metadata.learningObjectiveIds"
SCORE_STATUSES = {"exempt", "fully graded", "not submitted", "partially graded", "submitted"}
MANIFEST_FILES = {
    "1.1": 13,
    "1.2": 21,
}


class Invalid(AssertionError):
    pass


@dataclass
class Gradebook:
    version: str
    manifest: dict[str, str]
    files: dict[str, list[dict[str, str]]]

    def rows(self, name: str) -> list[dict[str, str]]:
        return self.files.get(name, [])

    def by_id(self, name: str) -> dict[str, dict[str, str]]:
        return {row["sourcedId"]: row for row in self.rows(name)}

    def line_item_objectives(self) -> dict[str, str]:
        """Line item sourcedId → the CASE identifier it is tied to."""
        if self.version == "1.1":
            return {row["sourcedId"]: row[EXTENSION] for row in self.rows("lineItems")}
        return {
            row["lineItemSourcedId"]: row["learningObjectiveId"]
            for row in self.rows("lineItemLearningObjectiveIds")
        }

    def result_objectives(self) -> dict[str, str]:
        """Result sourcedId → its CASE identifier: through its line item, and (1.2) by its own
        resultLearningObjectiveIds row, which must agree."""
        through = self.line_item_objectives()
        tied = {row["sourcedId"]: through[row["lineItemSourcedId"]] for row in self.rows("results")}
        if self.version == "1.2":
            own = {
                row["resultSourcedId"]: row["learningObjectiveId"]
                for row in self.rows("resultLearningObjectiveIds")
            }
            if own != tied:
                raise Invalid("resultLearningObjectiveIds disagree with the results' line items")
        return tied


def _csv(package: zipfile.ZipFile, name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = package.read(name).decode("utf-8")
    if text.startswith("\ufeff"):
        raise Invalid(f"{name} starts with a byte-order mark")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = []
    for number, values in enumerate(reader, start=2):
        if len(values) != len(header):
            raise Invalid(f"{name}:{number} has {len(values)} cells for {len(header)} columns")
        rows.append(dict(zip(header, values, strict=True)))
    return header, rows


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{where}: {value!r} is not a date") from None


def read_gradebook(data: bytes) -> Gradebook:
    """Read and check the package's files on their own; Invalid says what is wrong."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        if "manifest.csv" not in names:
            raise Invalid("manifest.csv is missing")
        header, rows = _csv(package, "manifest.csv")
        if header != ["propertyName", "value"]:
            raise Invalid(f"manifest.csv header {header}")
        manifest = {row["propertyName"]: row["value"] for row in rows}
        version = manifest.get("oneroster.version")
        if manifest.get("manifest.version") != "1.0" or version not in SPEC:
            raise Invalid(f"manifest versions {manifest}")
        listed = {k[5:]: v for k, v in manifest.items() if k.startswith("file.")}
        if len(listed) != MANIFEST_FILES[version]:
            raise Invalid(f"the manifest names {len(listed)} files, not every file of {version}")
        files: dict[str, list[dict[str, str]]] = {}
        for name, mode in listed.items():
            present = f"{name}.csv" in names
            if mode == "absent":
                if present:
                    raise Invalid(f"{name}.csv is in the zip but marked absent")
                continue
            if mode not in ("bulk", "delta") or not present:
                raise Invalid(f"{name}: mode {mode!r}, in the zip: {present}")
            if name not in SPEC[version]:
                raise Invalid(f"{name}.csv is not a file this reader knows")
            columns, required = SPEC[version][name]
            header, rows = _csv(package, f"{name}.csv")
            own = [c for c in header if not c.startswith("metadata.")]
            if tuple(own) != columns or header[: len(own)] != own:
                raise Invalid(f"{name}.csv header {header} is not {columns}")
            ids = [row["sourcedId"] for row in rows]
            if len(ids) != len(set(ids)):
                raise Invalid(f"{name}.csv repeats a sourcedId")
            for number, row in enumerate(rows, start=2):
                for column in required:
                    if not row[column]:
                        raise Invalid(f"{name}.csv:{number} {column} is empty")
                if mode == "delta" and (row["status"] != "active" or not row["dateLastModified"]):
                    raise Invalid(f"{name}.csv:{number}: a delta row needs status and its date")
                if row["dateLastModified"]:
                    datetime.fromisoformat(row["dateLastModified"].replace("Z", "+00:00"))
            files[name] = rows
    book = Gradebook(version, manifest, files)
    _check_values(book)
    return book


def _check_values(book: Gradebook) -> None:
    items = book.by_id("lineItems")
    for row in items.values():
        where = f"lineItems {row['sourcedId']}"
        if _date(row["assignDate"], where) > _date(row["dueDate"], where):
            raise Invalid(f"{where}: assigned after it is due")
        low, high = float(row["resultValueMin"]), float(row["resultValueMax"])
        if low > high:
            raise Invalid(f"{where}: resultValueMin above resultValueMax")
    for row in book.rows("results"):
        where = f"results {row['sourcedId']}"
        if row["scoreStatus"] not in SCORE_STATUSES:
            raise Invalid(f"{where}: scoreStatus {row['scoreStatus']!r}")
        _date(row["scoreDate"], where)
        item = items.get(row["lineItemSourcedId"])
        if item is None:
            raise Invalid(f"{where}: no line item {row['lineItemSourcedId']}")
        score = float(row["score"])
        if not float(item["resultValueMin"]) <= score <= float(item["resultValueMax"]):
            raise Invalid(f"{where}: score {score} outside its line item's range")
    for name in ("lineItemLearningObjectiveIds", "resultLearningObjectiveIds"):
        for row in book.rows(name):
            if row["source"] not in ("case", "unknown") and not row["source"].startswith("ext:"):
                raise Invalid(f"{name} {row['sourcedId']}: source {row['source']!r}")


def check_references(
    book: Gradebook, *, classes: set[str], students: set[str], sessions: set[str]
) -> None:
    """Every reference resolves: to the package's own records, or (classes, students and the
    roster's sessions, which the SIS holds) to those given."""
    categories = book.by_id("categories")
    items = book.by_id("lineItems")
    results = book.by_id("results")
    known_sessions = sessions | set(book.by_id("academicSessions"))
    period = "gradingPeriodSourcedId" if book.version == "1.1" else "academicSessionSourcedId"
    for row in items.values():
        where = f"lineItems {row['sourcedId']}"
        if row["classSourcedId"] not in classes:
            raise Invalid(f"{where}: no class {row['classSourcedId']}")
        if row["categorySourcedId"] not in categories:
            raise Invalid(f"{where}: no category {row['categorySourcedId']}")
        if row[period] not in known_sessions:
            raise Invalid(f"{where}: no academic session {row[period]}")
    for row in results.values():
        where = f"results {row['sourcedId']}"
        if row["lineItemSourcedId"] not in items:
            raise Invalid(f"{where}: no line item {row['lineItemSourcedId']}")
        if row["studentSourcedId"] not in students:
            raise Invalid(f"{where}: no student {row['studentSourcedId']}")
        if book.version == "1.2" and row["classSourcedId"] not in (
            "",
            items[row["lineItemSourcedId"]]["classSourcedId"],
        ):
            raise Invalid(f"{where}: its class is not its line item's")
    objectives = book.line_item_objectives()
    if set(objectives) != set(items):
        raise Invalid("not every line item is tied to exactly one learning objective")
    for row in book.rows("resultLearningObjectiveIds"):
        if row["resultSourcedId"] not in results:
            raise Invalid(f"resultLearningObjectiveIds {row['sourcedId']}: no such result")
    book.result_objectives()
