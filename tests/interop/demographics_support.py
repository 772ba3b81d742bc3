"""A crafted OneRoster package: one school, a teacher, and students with the demographics a
test gives them, in OneRoster 1.1 or 1.2."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEMOGRAPHICS_HEADER = (
    "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
    "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
    "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
    "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus"
)
RACE_COLUMNS = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
)


@dataclass(frozen=True)
class Student:
    """One student's demographics row: `races` are the race columns that say true (the
    others say false, or are blank when none does); `listed=False` leaves them out of
    demographics.csv."""

    sex: str = ""
    races: tuple[str, ...] = ()
    hispanic: str = ""
    birth: str = "2014-05-01"
    listed: bool = True

    def row(self, sourced_id: str) -> str:
        flags = [
            ("true" if column in self.races else "false") if self.races else ""
            for column in RACE_COLUMNS
        ]
        return ",".join(
            [sourced_id, "", "", self.birth, self.sex, *flags, self.hispanic, "", "", "", ""]
        )


def student_id(index: int) -> str:
    return f"u-s-{index:03}"


def crafted_roster(folder: Path, students: Sequence[Student], *, version: str = "1.2") -> Path:
    """Write the package into `folder` (made here); returns it."""
    folder.mkdir(parents=True)
    files = ["orgs", "users", "demographics"] + (["roles"] if version == "1.2" else [])
    manifest = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    manifest += [f"file.{name},bulk" for name in files]
    orgs = [
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
        "d-crafted,,,Crafted Unified,district,,",
        "s-crafted,,,Crafted School,school,,d-crafted",
    ]
    people = [("u-t-001", "teacher", "teach", "Tess", "Teacher")] + [
        (student_id(n), "student", f"student{n:03}", "Student", f"Number {n}")
        for n in range(1, len(students) + 1)
    ]
    if version == "1.1":
        users = [
            "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
            "givenName,familyName"
        ]
        users += [
            f"{sid},,,true,s-crafted,{role},{name},{first},{last}"
            for sid, role, name, first, last in people
        ]
    else:
        users = ["sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName"]
        users += [f"{sid},,,true,{name},{first},{last}" for sid, _role, name, first, last in people]
        roles = ["sourcedId,status,dateLastModified,userSourcedId,roleType,role,orgSourcedId"]
        roles += [f"r-{sid},,,{sid},primary,{role},s-crafted" for sid, role, *_ in people]
        (folder / "roles.csv").write_text("\n".join(roles) + "\n", encoding="utf-8")
    demographics = [DEMOGRAPHICS_HEADER] + [
        student.row(student_id(n)) for n, student in enumerate(students, 1) if student.listed
    ]
    for name, lines in (("manifest", manifest), ("orgs", orgs), ("users", users)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "demographics.csv").write_text("\n".join(demographics) + "\n", encoding="utf-8")
    return folder
