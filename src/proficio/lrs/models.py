"""The Learning Record Store's tables: the tools that may write to it, the statements they
sent (append-only; a voiding statement marks its target voided, nothing else changes), what
the filters look statements up by, and the documents tools keep (state and profiles); the
district's rules that turn statements into evidence, and what became of each statement a rule
matched.

Everything belongs to a district: a tool's credential reads and writes its own district's
statements and documents only (ADR 0044)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Credential(models.Model):
    """HTTP Basic credentials for one tool: `key` is its user name; the secret is kept only
    as its SHA-256 (it is random and long, so a slow hash would add nothing but latency)."""

    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="lrs_credentials"
    )
    name = models.CharField(_("tool"), max_length=200)
    key = models.CharField(max_length=40, unique=True)
    secret_digest = models.CharField(max_length=64)
    # Where the tool's xAPI accounts come from when their names are the district's usernames
    # or OneRoster sourcedIds (its sign-in's home page); an account of another home page, or
    # of a tool with none set, is matched to no student.
    account_home_page = models.URLField(_("accounts' home page"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    """One statement as stored (`body`, the JSON the store answers with), with the columns
    the filters and the mapping read."""

    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="+")
    statement_id = models.UUIDField()
    body = models.TextField()
    verb_id = models.TextField()
    actor_key = models.TextField(blank=True, db_index=True)
    target_statement_id = models.UUIDField(null=True, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    stored = models.DateTimeField()
    voided = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "statement_id"], name="lrs_statement_id")
        ]
        indexes = [
            models.Index(fields=["district", "verb_id"], name="lrs_statement_verb"),
            models.Index(fields=["district", "registration"], name="lrs_statement_registration"),
            models.Index(fields=["district", "target_statement_id"], name="lrs_statement_target"),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementAgent(models.Model):
    """An agent a statement names: `primary` when it is the actor or object."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="agents")
    district_pk = models.IntegerField()
    key = models.TextField()
    primary = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["district_pk", "key"], name="lrs_agent_key")]

    def __str__(self) -> str:
        return self.key


class StatementActivity(models.Model):
    """An activity a statement names: `primary` when it is the object."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="activities")
    district_pk = models.IntegerField()
    activity_id = models.TextField()
    primary = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["district_pk", "activity_id"], name="lrs_activity_id")]

    def __str__(self) -> str:
        return self.activity_id


class Activity(models.Model):
    """The definition of an activity as the statements about it last defined it."""

    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    activity_id = models.TextField()
    definition = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "activity_id"], name="lrs_activity_unique")
        ]

    def __str__(self) -> str:
        return self.activity_id


class Attachment(models.Model):
    """An attachment's bytes, once per district however many statements carry it."""

    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    sha2 = models.CharField(max_length=128)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "sha2"], name="lrs_attachment_unique")
        ]

    def __str__(self) -> str:
        return self.sha2


class Document(models.Model):
    """A document a tool keeps: an activity state, an activity profile or an agent profile.
    Keys that a kind does not use are empty strings, so one constraint holds every kind."""

    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"

    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    activity_id = models.TextField(blank=True)
    agent_key = models.TextField(blank=True)
    registration = models.CharField(max_length=36, blank=True)
    document_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "district",
                    "kind",
                    "activity_id",
                    "agent_key",
                    "registration",
                    "document_id",
                ],
                name="lrs_document_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"


class ActivityRule(models.Model):
    """One rule of a district's mapping: a statement about `activity` (its id, or every id
    that starts with it) with `verb` (any verb when blank) is evidence of `stage` of
    `competency`: at `met_level` when its result meets the mastery score (cmi5's
    masteryScore in the statement wins over `mastery_score`), else at `not_met_level`
    (no evidence when that is empty)."""

    EXACT = "exact"
    PREFIX = "prefix"

    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="activity_rules"
    )
    activity = models.TextField(_("activity"))
    match = models.CharField(
        max_length=10, choices=[(EXACT, _("this activity")), (PREFIX, _("every id starting so"))]
    )
    verb = models.TextField(_("verb"), blank=True)
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="activity_rules"
    )
    stage = models.PositiveSmallIntegerField(_("stage"))
    met_level = models.DecimalField(_("level when met"), max_digits=6, decimal_places=2)
    not_met_level = models.DecimalField(
        _("level when not met"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    mastery_score = models.DecimalField(
        _("mastery score"), max_digits=4, decimal_places=3, default=Decimal("0.8")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "verb", "id"]

    def __str__(self) -> str:
        return f"{self.activity} → {self.competency_id}/{self.stage}"


class StatementOutcome(models.Model):
    """What became of a statement a rule matched: waiting for the mapper, evidence, or kept
    aside with the reason (an actor who is no student of the district, a result with
    nothing to rate, a rating the evidence store refused)."""

    PENDING = "pending"
    MAPPED = "mapped"
    UNMATCHED = "unmatched"

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, primary_key=True, related_name="outcome"
    )
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, default=PENDING)
    reason = models.TextField(blank=True)
    ratings = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["district", "state"], name="lrs_outcome_state")]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.state}"
