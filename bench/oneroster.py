"""Importing a district-sized OneRoster 1.1 package: 5,000 users and 20,000 enrollments.

Times a dry run (read, check, compare), the first import, and a second import of the same
package (which changes nothing). Passwords are hashed with the site's real hasher, so the
few teachers given one show what each costs.
"""

import csv
import random
import tempfile
import time
from pathlib import Path

from django.contrib.auth.hashers import make_password

from proficio.interop.oneroster.writer import import_oneroster

SCHOOLS = 10
TEACHERS = 250
STUDENTS = 4_000
GUARDIANS = 739
CLASSES_PER_SCHOOL = 100
STUDENTS_PER_CLASS = 19
PASSWORDS = 20  # teachers whose password comes in the package

GRADES = ["KG", *(f"{grade:02}" for grade in range(1, 13))]


HEADERS = {
    "manifest.csv": "propertyName value",
    "orgs.csv": "sourcedId status dateLastModified name type identifier parentSourcedId",
    "academicSessions.csv": "sourcedId status dateLastModified title type startDate endDate "
    "parentSourcedId schoolYear",
    "users.csv": "sourcedId status dateLastModified enabledUser orgSourcedIds role username "
    "userIds givenName familyName middleName identifier email sms phone agentSourcedIds grades "
    "password",
    "courses.csv": "sourcedId status dateLastModified schoolYearSourcedId title courseCode grades "
    "orgSourcedId subjects subjectCodes",
    "classes.csv": "sourcedId status dateLastModified title grades courseSourcedId classCode "
    "classType location schoolSourcedId termSourcedIds subjects subjectCodes periods",
    "enrollments.csv": "sourcedId status dateLastModified classSourcedId schoolSourcedId "
    "userSourcedId role primary beginDate endDate",
}


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    """One CSV file; each row names only its non-empty columns."""
    header = HEADERS[name].split()
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, restval="")
        writer.writeheader()
        writer.writerows(rows)


def write_package(
    folder: Path,
    *,
    schools: int = SCHOOLS,
    teachers: int = TEACHERS,
    students: int = STUDENTS,
    guardians: int = GUARDIANS,
    classes_per_school: int = CLASSES_PER_SCHOOL,
    students_per_class: int = STUDENTS_PER_CLASS,
    passwords: int = PASSWORDS,
    seed: int = 7,
) -> dict[str, int]:
    """Write a package into `folder`; returns how many rows of each kind it holds."""
    chance = random.Random(seed)
    school_ids = [f"s-{n:02}" for n in range(schools)]
    files = ("orgs", "academicSessions", "users", "courses", "classes", "enrollments")
    _write(
        folder,
        "manifest.csv",
        [
            {"propertyName": "manifest.version", "value": "1.0"},
            {"propertyName": "oneroster.version", "value": "1.1"},
            *({"propertyName": f"file.{name}", "value": "bulk"} for name in files),
        ],
    )
    _write(
        folder,
        "orgs.csv",
        [{"sourcedId": "d-bench", "name": "Bench Unified", "type": "district"}]
        + [
            {
                "sourcedId": sid,
                "name": f"School {sid}",
                "type": "school",
                "parentSourcedId": "d-bench",
            }
            for sid in school_ids
        ],
    )
    year = {"type": "semester", "parentSourcedId": "y", "schoolYear": "2027"}
    _write(
        folder,
        "academicSessions.csv",
        [
            {
                **year,
                "sourcedId": "y",
                "title": "2026–2027",
                "type": "schoolYear",
                "startDate": "2026-08-24",
                "endDate": "2027-06-11",
                "parentSourcedId": "",
            },
            {
                **year,
                "sourcedId": "t1",
                "title": "Fall",
                "startDate": "2026-08-24",
                "endDate": "2027-01-15",
            },
            {
                **year,
                "sourcedId": "t2",
                "title": "Spring",
                "startDate": "2027-01-19",
                "endDate": "2027-06-11",
            },
        ],
    )

    def user(sid: str, org: str, role: str, **more: str) -> dict[str, str]:
        return {
            "sourcedId": sid,
            "enabledUser": "true",
            "orgSourcedIds": org,
            "role": role,
            "username": f"bench-{sid}",
            "givenName": "Given",
            "familyName": sid,
            "email": f"{sid}@bench.example.org",
            **more,
        }

    teacher_ids = [f"t-{n:04}" for n in range(teachers)]
    student_ids = [f"st-{n:05}" for n in range(students)]
    guardian_ids = [f"g-{n:04}" for n in range(guardians)]
    school_of = {sid: school_ids[n % schools] for n, sid in enumerate(teacher_ids + student_ids)}
    children: dict[str, list[str]] = {guardian: [] for guardian in guardian_ids}
    for n, student in enumerate(student_ids):
        children[guardian_ids[n % guardians]].append(student)
    users = [user("a-district", "d-bench", "administrator")]
    users += [user(f"a-{school}", school, "administrator") for school in school_ids]
    users += [
        user(t, school_of[t], "teacher", password=f"bench-pass-{n}" if n < passwords else "")
        for n, t in enumerate(teacher_ids)
    ]
    users += [user(s, school_of[s], "student", grades=chance.choice(GRADES)) for s in student_ids]
    users += [
        user(g, school_of[kids[0]], "parent", agentSourcedIds=",".join(kids))
        for g, kids in children.items()
    ]
    _write(folder, "users.csv", users)
    _write(
        folder,
        "courses.csv",
        [
            {
                "sourcedId": "c-1",
                "title": "Studio",
                "courseCode": "STUDIO",
                "orgSourcedId": "d-bench",
            }
        ],
    )
    classes, enrollments = [], []
    for school in school_ids:
        teaching = [t for t in teacher_ids if school_of[t] == school]
        pupils = [s for s in student_ids if school_of[s] == school]
        for n in range(classes_per_school):
            sid = f"cl-{school}-{n:03}"
            classes.append(
                {
                    "sourcedId": sid,
                    "title": f"Studio {n}",
                    "courseSourcedId": "c-1",
                    "classType": "scheduled",
                    "schoolSourcedId": school,
                    "termSourcedIds": "t1,t2",
                }
            )
            member = {"classSourcedId": sid, "schoolSourcedId": school}
            enrollments.append(
                {
                    **member,
                    "sourcedId": f"e-{sid}-t",
                    "userSourcedId": teaching[n % len(teaching)],
                    "role": "teacher",
                    "primary": "true",
                }
            )
            enrollments += [
                {
                    **member,
                    "sourcedId": f"e-{sid}-{k:02}",
                    "userSourcedId": pupil,
                    "role": "student",
                    "beginDate": "2026-08-24",
                }
                for k, pupil in enumerate(chance.sample(pupils, students_per_class))
            ]
    _write(folder, "classes.csv", classes)
    _write(folder, "enrollments.csv", enrollments)
    return {"users": len(users), "classes": len(classes), "enrollments": len(enrollments)}


def _timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder)
        sizes = write_package(package)
        dry_seconds, _ = _timed(lambda: import_oneroster(package, dry_run=True))
        first_seconds, first = _timed(lambda: import_oneroster(package))
        second_seconds, second = _timed(lambda: import_oneroster(package))
    hash_seconds, _ = _timed(lambda: make_password("one-password-for-timing"))
    assert not second.created and not second.updated, "a second import changes nothing"
    return {
        **sizes,
        "passwords": PASSWORDS,
        "dry_run_s": round(dry_seconds, 2),
        "first_import_s": round(first_seconds, 2),
        "second_import_s": round(second_seconds, 2),
        "one_password_hash_s": round(hash_seconds, 3),
        "first_import_created": dict(first.created),
        "enrollments_per_s_first_import": round(sizes["enrollments"] / first_seconds),
    }
