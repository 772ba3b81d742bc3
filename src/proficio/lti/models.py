"""Proficio as an LTI 1.3 tool: which district each platform registration belongs to, which
section an LMS course is, what a deep link placed, the launch data between the steps of a
launch, and every score sent back.

django-lti keeps the registrations, deployments, contexts, users, memberships, resource links
and line items (its `lti_tool` tables; ADR 0046); these tables tie them to the district."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """An LMS registration (issuer + client id, django-lti's LtiRegistration) of one district:
    its launches sign in that district's people only."""

    registration = models.OneToOneField(
        "lti_tool.LtiRegistration", on_delete=models.CASCADE, related_name="proficio_platform"
    )
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    # The LMS pages that may show Proficio in a frame (its issuer's and sign-in's origins
    # unless the admin gives others, e.g. a school's own Canvas domain).
    frame_origins = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.registration.name


class RegistrationInvite(models.Model):
    """A one-time dynamic registration address a district admin gave an LMS admin."""

    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_by = models.OneToOneField(
        Platform, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Registration address until {self.expires_at:%Y-%m-%d}"


class SectionLink(models.Model):
    """The section an LMS course (django-lti's LtiContext) stands for."""

    class How(models.TextChoices):
        ROSTER = "roster", _("Matched by the course's roster")
        TEACHER = "teacher", _("Chosen by the teacher")

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="proficio_section"
    )
    section = models.ForeignKey("people.Section", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=10, choices=How.choices)
    linked_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    # When the course's roster was last read (NRPS): its learners' LMS ids, for their scores.
    roster_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.context} → {self.section}"


class Placement(models.Model):
    """What a deep-linked resource link opens: a performance task or a competency's view."""

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="proficio_placement"
    )
    task = models.ForeignKey("work.Task", null=True, on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(
        "frameworks.Competency", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The platform's line item for the link itself (AGS claim `lineitem`), which receives
    # the task's overall score where the tool may not add one per competency.
    lineitem_url = models.URLField(max_length=1000, blank=True)

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.task or self.competency}"


class LaunchData(models.Model):
    """pylti1p3's state, nonce and launch data between the steps of a launch: in the
    database, because the login and the launch may reach different server processes."""

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class ScoreSent(models.Model):
    """One score sent back to a platform through AGS (or the reason it could not be)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="scores")
    student = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    review_id = models.BigIntegerField()
    lineitem_url = models.URLField(max_length=1000)
    label = models.CharField(max_length=600)
    score_given = models.DecimalField(max_digits=8, decimal_places=4)
    score_maximum = models.DecimalField(max_digits=8, decimal_places=4)
    sent_at = models.DateTimeField(auto_now_add=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.score_given}/{self.score_maximum}"
