"""What the OneRoster 1.1 and 1.2 CSV bindings say about the files Proficio reads and writes.

Only the rostering files are read; gradebook and resource files (lineItems, results,
resources, …) are named in a manifest but not imported. The gradebook files are written by
the results export (`oneroster.results`). Columns listed as required must be
in the header and, except for `status` and `dateLastModified` in bulk files, hold a value.
"""

from dataclasses import dataclass

VERSIONS = ("1.1", "1.2")
MODES = ("bulk", "delta", "absent")
STATUSES = ("active", "tobedeleted")


@dataclass(frozen=True)
class FileSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


_TRACKING = ("status", "dateLastModified")

_SESSIONS = FileSpec(
    ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    (*_TRACKING, "parentSourcedId"),
)
_ORGS = FileSpec(("sourcedId", "name", "type"), (*_TRACKING, "identifier", "parentSourcedId"))
_COURSES = FileSpec(
    ("sourcedId", "title", "orgSourcedId"),
    (*_TRACKING, "schoolYearSourcedId", "courseCode", "grades", "subjects", "subjectCodes"),
)
_CLASSES = FileSpec(
    ("sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
    (*_TRACKING, "grades", "classCode", "location", "subjects", "subjectCodes", "periods"),
)
_ENROLLMENTS = FileSpec(
    ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    (*_TRACKING, "primary", "beginDate", "endDate"),
)
_DEMOGRAPHICS = FileSpec(
    ("sourcedId",),
    (
        *_TRACKING,
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
)
_USER_OPTIONAL = (
    *_TRACKING,
    "userIds",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
)

# The files Proficio reads, in the order they are validated (later files refer to earlier).
FILES: dict[str, dict[str, FileSpec]] = {
    "1.1": {
        "orgs": _ORGS,
        "academicSessions": _SESSIONS,
        "users": FileSpec(
            (
                "sourcedId",
                "enabledUser",
                "orgSourcedIds",
                "role",
                "username",
                "givenName",
                "familyName",
            ),
            _USER_OPTIONAL,
        ),
        "courses": _COURSES,
        "classes": _CLASSES,
        "enrollments": _ENROLLMENTS,
        "demographics": _DEMOGRAPHICS,
    },
    "1.2": {
        "orgs": _ORGS,
        "academicSessions": _SESSIONS,
        "users": FileSpec(
            ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
            (
                *_USER_OPTIONAL,
                "userMasterIdentifier",
                "resourceSourcedIds",
                "preferredGivenName",
                "preferredMiddleName",
                "preferredFamilyName",
                "primaryOrgSourcedId",
                "pronouns",
            ),
        ),
        "roles": FileSpec(
            ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
            (*_TRACKING, "beginDate", "endDate", "userProfileSourcedId"),
        ),
        "courses": _COURSES,
        "classes": _CLASSES,
        "enrollments": _ENROLLMENTS,
        "demographics": _DEMOGRAPHICS,
    },
}

ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
USER_ROLES = {
    "1.1": (
        "administrator",
        "aide",
        "guardian",
        "parent",
        "proctor",
        "relative",
        "student",
        "teacher",
    ),
    "1.2": (
        "aide",
        "counselor",
        "districtAdministrator",
        "guardian",
        "parent",
        "principal",
        "proctor",
        "relative",
        "siteAdministrator",
        "student",
        "systemAdministrator",
        "teacher",
    ),
}
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")
# demographics.csv: `sex` (1.2 adds other and unspecified), and its true/false columns by the
# name Proficio keeps them under. Places of birth and residence status are read, not kept.
SEXES = {"1.1": ("female", "male"), "1.2": ("female", "male", "other", "unspecified")}
DEMOGRAPHIC_FLAGS = {
    "americanIndianOrAlaskaNative": "american_indian_or_alaska_native",
    "asian": "asian",
    "blackOrAfricanAmerican": "black_or_african_american",
    "nativeHawaiianOrOtherPacificIslander": "native_hawaiian_or_other_pacific_islander",
    "white": "white",
    "demographicRaceTwoOrMoreRaces": "two_or_more_races",
    "hispanicOrLatinoEthnicity": "hispanic_or_latino",
}
DEMOGRAPHICS_NOT_KEPT = (
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus",
)
GUARDIAN_ROLES = ("parent", "guardian", "relative")

# CEDS grade levels → Proficio's age-grade (0 = kindergarten, -1 = before it, None = unknown).
GRADES: dict[str, int | None] = {
    "IT": -1,
    "PR": -1,
    "PK": -1,
    "TK": -1,
    "KG": 0,
    **{f"{grade:02}": grade for grade in range(1, 13)},
    "13": None,
    "PS": None,
    "UG": None,
    "Other": None,
}


def is_extension(value: str) -> bool:
    """OneRoster lets a source extend any enumeration with values of the form `ext:…`."""
    return value.startswith("ext:") and len(value) > 4


# ---- the gradebook files Proficio writes (the results export; ADR 0042) --------------------
#
# Each file's columns in the order the CSV binding gives them. 1.1 has no learning objectives,
# so a line item carries its CASE identifier in an extension column (`metadata.…`, as the 1.1
# CSV binding names them); 1.2 has lineItemLearningObjectiveIds and resultLearningObjectiveIds.

LEARNING_OBJECTIVE_EXTENSION = "metadata.learningObjectiveIds"

_ROW = ("sourcedId", "status", "dateLastModified")
_SESSION_COLUMNS = (*_ROW, "title", "type", "startDate", "endDate", "parentSourcedId")
_SESSION_COLUMNS += ("schoolYear",)
_LINE_ITEM_START = (*_ROW, "title", "description", "assignDate", "dueDate", "classSourcedId")
_RESULT_START = (*_ROW, "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score")
_LINE_ITEM_END_12 = ("categorySourcedId", "academicSessionSourcedId", "resultValueMin")
_LINE_ITEM_END_12 += ("resultValueMax", "schoolSourcedId")
_RESULT_END_12 = ("scoreDate", "comment", "textScore", "classSourcedId", "inProgress")
_RESULT_END_12 += ("incomplete", "late", "missing")
_OBJECTIVE = ("source", "learningObjectiveId")

GRADEBOOK_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "1.1": {
        "academicSessions": _SESSION_COLUMNS,
        "categories": (*_ROW, "title"),
        "lineItems": (
            *_LINE_ITEM_START,
            *("categorySourcedId", "gradingPeriodSourcedId", "resultValueMin", "resultValueMax"),
            LEARNING_OBJECTIVE_EXTENSION,
        ),
        "results": (*_RESULT_START, "scoreDate", "comment"),
    },
    "1.2": {
        "academicSessions": _SESSION_COLUMNS,
        "categories": (*_ROW, "title", "weight"),
        "lineItems": (*_LINE_ITEM_START, *_LINE_ITEM_END_12),
        "results": (*_RESULT_START, *_RESULT_END_12),
        "lineItemLearningObjectiveIds": (*_ROW, "lineItemSourcedId", *_OBJECTIVE),
        "resultLearningObjectiveIds": (*_ROW, "resultSourcedId", *_OBJECTIVE, "score", "textScore"),
    },
}

# Every data file a manifest of each version names (1.2: 1.1's and the eight it adds).
MANIFEST_FILES: dict[str, tuple[str, ...]] = {
    "1.1": (
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "resources",
        "results",
        "users",
    ),
}
MANIFEST_FILES["1.2"] = (
    *MANIFEST_FILES["1.1"],
    *("lineItemLearningObjectiveIds", "lineItemScoreScales", "resultLearningObjectiveIds"),
    *("resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources"),
)
