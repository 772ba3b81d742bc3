"""Mastery policies (a school's design choice) and the mastery they derive from evidence."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine.display import format_score
from proficio.engine.pace import DEFAULT_STALL_RATINGS, DEFAULT_STALL_WEEKS, MAX_STALL_RATINGS


class Method(models.TextChoices):
    LATEST = "latest", _("Most recent")
    HIGHEST = "highest", _("Highest")
    MEAN = "mean", _("Mean")
    MEDIAN_RECENT = "median_recent", _("Median of recent")
    MODE = "mode", _("Mode")
    WEIGHTED_AVERAGE = "weighted_average", _("Weighted average")
    DECAYING_AVERAGE = "decaying_average", _("Decaying average")
    N_MASTERY = "n_mastery", _("N times at mastery")
    POWER_LAW = "power_law", _("Power law")
    KNOWLEDGE_TRACING = "knowledge_tracing", _("Knowledge tracing")


class Rollup(models.TextChoices):
    """How a competency with parts (a domain) is mastered: from its own ratings, or from its
    parts' mastery stage by stage (engine.rules, ADR 0035)."""

    OWN = "", _("From its own ratings")
    ALL = "all", _("Every part mastered")
    POINTS = "points", _("Points from mastered parts")
    MEAN = "mean", _("Average of the parts' results")


class MasteryPolicy(models.Model):
    """How mastery is computed, scoped district → school → framework → competency.

    Policies are versioned rows: a change adds a new version with its own
    effective date instead of editing the old one. Within one scope the latest version in
    force stands; when that version `inherits`, the scope has no policy of its own.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="mastery_policies"
    )
    school = models.ForeignKey(
        "people.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=30, choices=Method.choices)
    parameters = models.JSONField(default=dict, blank=True)
    minimum_evidence = models.PositiveSmallIntegerField(default=1)
    threshold = models.DecimalField(max_digits=6, decimal_places=2)
    higher_implies_lower = models.BooleanField(
        default=True, help_text=_("Mastering a stage also counts every lower stage as mastered.")
    )
    include_self_assessment = models.BooleanField(default=False)
    # For a competency with parts: how its stages follow from theirs (ignored for a
    # competency without parts). `rollup_base` is the points rule's base; `rollup_parts`
    # the points and whether required, by part code ({"W1": {"points": 2, "required":
    # true}}): a part left out is worth one point and not required.
    rollup = models.CharField(max_length=10, choices=Rollup.choices, default="", blank=True)
    rollup_base = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rollup_parts = models.JSONField(default=dict, blank=True)
    # A version that removes the scope's own policy: from its effective day the scope follows
    # the broader one again. Its other settings repeat the version it replaces, unused.
    inherits = models.BooleanField(default=False)
    # The earlier version of the same scope whose settings this one re-applies, if any.
    restores = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = _("mastery policies")
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0), name="policy_threshold_positive"),
            # Two simultaneous changes of one scope cannot both become the same version.
            models.UniqueConstraint(
                fields=["district", "school", "framework", "competency", "version"],
                name="policy_version_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.competency or self.framework or self.school or self.district
        return f"{self.get_method_display()} for {scope} (v{self.version})"

    @property
    def rollup_summary(self) -> str:
        """How a competency with parts is mastered under this policy, in a few words."""
        if self.rollup == Rollup.POINTS:
            terms = ", ".join(
                f"{code} {format_score(float(t.get('points', 1)))}"
                + (" " + str(_("required")) if t.get("required") else "")
                for code, t in self.rollup_parts.items()
            )
            base = format_score(float(self.rollup_base or 0))
            summary = _("%(base)s points from mastered parts") % {"base": base}
            return f"{summary} ({terms})" if terms else str(summary)
        return str(self.get_rollup_display())

    @property
    def scope_label(self) -> str:
        """Whose policy this is, in words: "the district's", "North's", "Writing's"."""
        if self.competency_id:
            return _("%(code)s's policy") % {"code": self.competency.code}
        if self.framework_id:
            return _("%(title)s's policy") % {"title": self.framework.title}
        if self.school_id:
            return _("%(school)s's policy") % {"school": self.school.name}
        return _("The district's policy")


class MasteryRecord(models.Model):
    """Derived mastery of one stage for one student; rebuildable from evidence and policy.

    Only the indexes its reads need: a district recompute rewrites hundreds of thousands
    of these rows, and every extra index makes each write slower (ADR 0005).
    """

    # Covered by the (student, stage) and (student, competency) indexes below.
    student = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage = models.ForeignKey(
        "frameworks.Stage", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    value = models.FloatField(null=True)
    mastered = models.BooleanField(default=False)
    # Mastered only because a higher stage was (policy's higher_implies_lower).
    implied = models.BooleanField(default=False)
    evidence_count = models.PositiveIntegerField(default=0)
    sufficient = models.BooleanField(default=False)
    # The policy version that produced this value; policies are never deleted, so no index.
    policy = models.ForeignKey(
        MasteryPolicy, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    computed_at = models.DateTimeField()
    # Empty when the bulk recompute wrote the row: pages and the API then explain the value
    # from its evidence and policy on read (mastery.selectors, ADR 0005).
    explanation = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "stage"], name="mastery_record_unique")
        ]
        indexes = [models.Index(fields=["student", "competency"])]

    def __str__(self) -> str:
        return f"{self.student} {self.stage}: {'mastered' if self.mastered else 'not yet'}"


class WorkingStage(models.Model):
    """Where a student works on a competency: the lowest stage not yet mastered.

    `ordinal` is null once every stage is mastered. The latest rating is kept
    beside it so a gradebook is one query.
    """

    # Covered by the (student, competency) constraint; fewer indexes, faster recomputes.
    student = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ordinal = models.PositiveSmallIntegerField(null=True)
    latest_level = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    latest_stage_ordinal = models.PositiveSmallIntegerField(null=True)
    latest_observed_at = models.DateTimeField(null=True)
    # What pace reads of the ratings, whatever the day (`mastery.pace.facts_from_ratings`);
    # null on rows from before it was stored (pace reads their ratings until rewritten).
    pace_facts = models.JSONField(null=True, blank=True)
    # What the teacher home asks of the facts in SQL (`mastery.pace.pace_columns`), written
    # with them: the policy and stages they hold for, their latest rating's day, and the
    # window starts in which the student is stalled (`engine.pace.StallSpan`).
    facts_key = models.CharField(max_length=255, blank=True)
    facts_last_day = models.DateField(null=True)
    stall_start = models.DateField(null=True)
    stall_ends = models.JSONField(null=True, blank=True)
    # One more on every write of the pace columns, whatever order writes commit in: the
    # teacher home's summary digests the sum over a section (`StalledSummary`).
    revision = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="working_stage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.competency.code}: stage {self.ordinal}"


class PaceExpectation(models.Model):
    """A school's pacing expectations (a design choice): one district-wide row, optionally
    overridden per school. Without any row the documented defaults apply.

    The expected stage follows from the student's age-grade and the stages' typical
    grades (see docs/decisions/0006-pace.md); these fields tune how it is read.
    """

    district = models.ForeignKey(
        "people.District", on_delete=models.CASCADE, related_name="pace_expectations"
    )
    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stall_weeks = models.PositiveSmallIntegerField(
        default=DEFAULT_STALL_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_(
            "Weeks without a new stage, with recent work below mastery, before a "
            "student is flagged as stalled."
        ),
    )
    stall_ratings = models.PositiveSmallIntegerField(
        default=DEFAULT_STALL_RATINGS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STALL_RATINGS)],
        help_text=_("Ratings in those weeks needed before a stall is flagged."),
    )
    stages_below_on_pace = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(5)],
        help_text=_(
            "Stages below the one typical for a student's age-grade that still count as on pace."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school"], name="pace_expectation_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(stall_weeks__gte=1), name="pace_stall_weeks_min"),
            models.CheckConstraint(
                condition=Q(stall_ratings__gte=1), name="pace_stall_ratings_min"
            ),
        ]

    def __str__(self) -> str:
        return f"Pace expectations for {self.school or self.district}"

    def clean(self) -> None:
        if self.school_id and self.school.district_id != self.district_id:
            raise ValidationError({"school": _("Choose a school of this district.")})


class MasteryRecordHistory(models.Model):
    """A stage's mastery as an earlier policy version produced it, kept when a new one took over.

    Written whenever a record's producing policy changes (a policy change, a future-dated
    version taking effect), never for new evidence under the same policy: "as of" a past
    day answers that.
    """

    student = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage = models.ForeignKey(
        "frameworks.Stage", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    value = models.FloatField(null=True)
    mastered = models.BooleanField()
    implied = models.BooleanField()
    evidence_count = models.PositiveIntegerField()
    sufficient = models.BooleanField()
    policy = models.ForeignKey(
        MasteryPolicy, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    computed_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("mastery record history")
        indexes = [models.Index(fields=["student", "competency", "stage", "replaced_at"])]

    def __str__(self) -> str:
        return f"{self.student} {self.stage}: {self.value} until {self.replaced_at:%Y-%m-%d}"


class RecomputeState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecomputeRun(models.Model):
    """One recompute of a district's mastery: what a saved policy governs, run by the
    background worker, or the whole district (`proficio recompute`, no policy).

    The page that saved the policy polls this row, whichever task backend runs the work. A run
    in progress beats (`heartbeat_at`) after each chunk of students; one not heard from for
    the lease has lost its worker and is tried again, a bounded number of times (ADR 0018).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.CASCADE, related_name="+")
    # None: every policy in force in the district (`proficio recompute`).
    policy = models.ForeignKey(
        MasteryPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=RecomputeState.choices, default=RecomputeState.QUEUED
    )
    enqueued_at = models.DateTimeField()
    # A future-dated policy waits for its day; the worker starts it then.
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Starts so far: the number of the attempt in progress, which fences off a worker that
    # was given up for dead and wakes up after another took its place.
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    students_done = models.PositiveIntegerField(default=0)
    students_total = models.PositiveIntegerField(default=0)
    # The task row of the attempt in progress, failed in its name when its worker died.
    task_id = models.CharField(max_length=64, blank=True)
    evidence_rows = models.PositiveIntegerField(default=0)
    records_changed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # why it failed, or why the last attempt ended
    # Set by the selectors: queued, and no worker has taken its task for the lease.
    no_worker = False

    class Meta:
        ordering = ["-enqueued_at", "-id"]

    def __str__(self) -> str:
        what = self.policy or _("every policy in force")
        return f"Recompute for {what} ({self.get_state_display()})"

    @property
    def unfinished(self) -> bool:
        return self.state in {RecomputeState.QUEUED, RecomputeState.RUNNING}

    @property
    def waits_for_its_day(self) -> bool:
        """Queued for a policy that takes effect later: nothing happens before that day."""
        return (
            self.state == RecomputeState.QUEUED
            and self.run_after is not None
            and self.run_after > timezone.now()
        )


class PreviewState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PolicyPreviewRun(models.Model):
    """A policy preview too large to work out inside the request (more evidence rows in its
    scope than PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS), worked out by the task worker while
    the page that asked polls this row. Seen only by the admin who asked; kept a day."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("people.District", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The checked, unsaved policy's fields (`mastery.preview.proposal_json`).
    proposal = models.JSONField()
    state = models.CharField(
        max_length=10, choices=PreviewState.choices, default=PreviewState.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    students_done = models.PositiveIntegerField(default=0)
    students_total = models.PositiveIntegerField(default=0)
    # The counts and a few examples (`mastery.preview.PreviewResult.as_json`).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Policy preview {self.uuid} ({self.get_state_display()})"

    @property
    def stopped(self) -> bool:
        """Unfinished and not heard from for PROFICIO_POLICY_PREVIEW_TIMEOUT_SECONDS: its worker
        died, or none took it. A preview is not retried: the admin asks again."""
        if self.state == PreviewState.FAILED:
            return True
        if self.state == PreviewState.DONE:
            return False
        last_sign = self.heartbeat_at or self.created_at
        limit = settings.PROFICIO_POLICY_PREVIEW_TIMEOUT_SECONDS
        return (timezone.now() - last_sign).total_seconds() > limit

    @property
    def polling(self) -> bool:
        return self.state in {PreviewState.QUEUED, PreviewState.RUNNING} and not self.stopped


class StalledSummary(models.Model):
    """Who was found stalled in a teacher's sections, kept for their home page until what
    it was worked out from changes (`mastery.pace.stalled_in_sections`).

    `fingerprint` digests the day, the sections and their enrolments, those students'
    working stages (how many, whose, their revisions), the competencies and their stages,
    the policies in force and the stall settings; `sections` maps each section id to its stalled
    (student id, competency id) pairs, students by name.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    fingerprint = models.CharField(max_length=64)
    sections = models.JSONField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Stalled in {self.person}'s sections, {self.computed_at:%Y-%m-%d %H:%M}"


class TracingFit(models.Model):
    """Knowledge tracing's parameters for one competency, fitted from its district's right and
    wrong answers by `proficio fit-bkt` (ADR 0045); replaced by each new fit, the old values
    kept in the audit trail. A competency without one is traced with the engine's defaults."""

    district = models.ForeignKey("people.District", on_delete=models.CASCADE, related_name="+")
    competency = models.OneToOneField(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )
    prior = models.FloatField()
    learn = models.FloatField()
    guess = models.FloatField()
    slip = models.FloatField()
    forget = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField()
    students = models.PositiveIntegerField()
    fitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Knowledge tracing for {self.competency} ({self.answers} answers)"

    @property
    def parameters(self) -> dict[str, float]:
        """The engine's names for the fitted values."""
        return {
            "prior": self.prior,
            "learn": self.learn,
            "guess": self.guess,
            "slip": self.slip,
            "forget": self.forget,
        }
