"""Districts, schools, people with scoped roles, guardian links, sections and enrollments."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sourced_id"],
                condition=~Q(sourced_id=""),
                name="district_sourced_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_name_unique"),
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="school_sourced_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(AbstractUser):
    """Anyone who signs in: staff, students and guardians alike."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    preferred_name = models.CharField(max_length=150, blank=True)
    # The language the person chose for Proficio's pages ("" : their browser's).
    language = models.CharField(max_length=10, blank=True)
    # Age-grade only feeds age-based reporting; placement follows readiness, not this.
    age_grade = models.SmallIntegerField(
        null=True, blank=True, help_text=_("Grade by age (0 = kindergarten); for reporting only.")
    )
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="person_sourced_id_unique",
            )
        ]

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip() or self.username

    def __str__(self) -> str:
        return self.display_name

    def administered_district_ids(self) -> list[int]:
        """The districts this person administers: what the admin site shows them
        (lib.admin.DistrictScoped asks the user model, as it knows no domain model)."""
        from proficio.people.permissions import administered_districts_q

        return list(
            District.objects.filter(administered_districts_q(self)).values_list("pk", flat=True)
        )


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District admin")
    SCHOOL_ADMIN = "school_admin", _("School admin")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    GUARDIAN = "guardian", _("Guardian")


class RoleAssignment(models.Model):
    """One role a person holds, scoped to a district or to one of its schools."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    active = models.BooleanField(default=True)
    # The roster row that granted the role; roles granted by hand have none.
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "district", "school"],
                name="role_assignment_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(role="district_admin") | Q(role="guardian") | Q(school__isnull=False),
                name="role_school_scoped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} ({self.school or self.district})"


class GuardianLink(models.Model):
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardian_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"


class AcademicSession(models.Model):
    """A school year, semester, term or grading period, as a roster names it; kept for dates."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="academic_sessions"
    )
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300)
    # schoolYear, semester, term, gradingPeriod, or a roster's own "ext:…" kind.
    kind = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    school_year = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"], name="academic_session_sourced_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A group a teacher teaches; students are placed by readiness, so ages may mix."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=200)
    course = models.ForeignKey(
        "frameworks.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
    )
    teachers = models.ManyToManyField(Person, through="TeachingAssignment", related_name="teaches")
    students = models.ManyToManyField(
        Person, through="Enrollment", related_name="enrolled_sections"
    )
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    # A roster's course, kept as information: a frameworks course is linked only by its code.
    course_sourced_id = models.CharField(max_length=255, blank=True)
    course_code = models.CharField(max_length=100, blank=True)
    course_title = models.CharField(max_length=300, blank=True)
    terms = models.ManyToManyField(AcademicSession, blank=True, related_name="sections")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeachingAssignment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE)
    teacher = models.ForeignKey(Person, on_delete=models.CASCADE)
    active = models.BooleanField(default=True)
    primary = models.BooleanField(default=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "teacher"], name="teaching_unique")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} teaches {self.section}"


class Enrollment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE)
    student = models.ForeignKey(Person, on_delete=models.CASCADE)
    active = models.BooleanField(default=True)
    enrolled_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # The identifier a student information system gives this record (OneRoster sourcedId).
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "student"], name="enrollment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.section}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored.

    A token works while it is unexpired, unrevoked, its person is active and
    `password_fingerprint` still matches the person's password: changing the password in any
    way (ADR 0016) ends every token issued before.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Refreshed at most every few minutes, so reading the API does not write on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token of {self.person} until {self.expires_at:%Y-%m-%d}"

    @staticmethod
    def fingerprint_of(person: Person) -> str:
        """A digest of the person's password hash, keyed by the secret key: every new password
        (and a new secret key) gives another, and it reveals nothing of the hash."""
        return salted_hmac(
            "proficio.people.ApiToken.password_fingerprint", person.password, algorithm="sha256"
        ).hexdigest()

    def matches_password(self) -> bool:
        """Issued under the person's current password."""
        return constant_time_compare(self.password_fingerprint, self.fingerprint_of(self.person))

    def is_live(self) -> bool:
        """Opens the API: unrevoked, unexpired, its person active and their password unchanged."""
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.person.is_active
            and self.matches_password()
        )


class StudentGroup(models.Model):
    """A flexible group across sections and ages (pathways forms them by working stage): its
    teachers see and rate its students, like a section's (people.permissions)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    teachers = models.ManyToManyField(Person, related_name="groups_taught", blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A student in a group from when to when: the history stays as groups change."""

    group = models.ForeignKey(StudentGroup, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "joined_at", "pk"]

    def __str__(self) -> str:
        return f"{self.student} in {self.group}"


class Mentorship(models.Model):
    """A teacher who mentors a student: they check in on the student's goals (agency). Like
    teaching, it lets the mentor see and rate the student while it lasts
    (people.permissions); an ended one keeps its dates."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentorships")
    student = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentored_by")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "student"],
                condition=models.Q(ended_on__isnull=True),
                name="mentorship_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.student}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Sex(models.TextChoices):
    """OneRoster's sex values (1.1 has the first two; 1.2 adds the others)."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNSPECIFIED = "unspecified", _("Unspecified")


class Demographics(models.Model):
    """What the student information system says of a student's birth date, sex, race and
    ethnicity (OneRoster demographics.csv), kept for equity reports only, which never show a
    group of fewer than ten students (reports.equity). One row per student, written by the
    roster import alone; blank or None is "not reported". Places of birth and residence
    status are not kept: no report needs them. Erasure deletes the row."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="demographics")
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    american_indian_or_alaska_native = models.BooleanField(null=True, blank=True)
    asian = models.BooleanField(null=True, blank=True)
    black_or_african_american = models.BooleanField(null=True, blank=True)
    native_hawaiian_or_other_pacific_islander = models.BooleanField(null=True, blank=True)
    white = models.BooleanField(null=True, blank=True)
    two_or_more_races = models.BooleanField(null=True, blank=True)
    hispanic_or_latino = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("demographics")
        verbose_name_plural = _("demographics")

    def __str__(self) -> str:
        return f"Demographics of {self.person}"


class FamilyVisibility(models.TextChoices):
    """What families read of their children's learning: a district's design choice."""

    FULL = "full", _("Progress, work and teachers' feedback")
    PROGRESS = "progress", _("Progress, work, goals and what the student shares")


class FamilySettings(models.Model):
    """A district's choice of what its families see (people owns it because the pages that
    apply it lie in several apps — the student page, the work, next steps, the family page
    and email — and all of them stand above people). Without a row, Proficio's default:
    `full`. Who changed it, and when, is in the audit trail."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(
        max_length=20, choices=FamilyVisibility.choices, default=FamilyVisibility.FULL
    )

    class Meta:
        verbose_name = _("family settings")
        verbose_name_plural = _("family settings")

    def __str__(self) -> str:
        return f"Family settings of {self.district}"
