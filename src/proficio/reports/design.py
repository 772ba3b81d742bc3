"""The school's design choices and its implementation plan, read from the other apps' public
surfaces (issue 16, item 6).

Ten decisions a leadership team makes when it implements competency-based education, each
with the value in force for the district (and the school, where the setting is a school's),
Proficio's default, the trade-off in plain words, who changed it last and when, and where it
is set. Beside them, the three-year plan of the source documents (explore; big ideas;
trajectories; trajectory-aligned tasks; pilot two competencies; scale up), each step with the
district's progress counted from its data.

Nothing here names a student: the page reads settings, their history and counts. The audit
entries it reads are those of settings changes, which concern no student's record.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from proficio.agency.api import check_in_days
from proficio.audit import api as audit
from proficio.calibration.api import calibration_counts, calibration_settings_of
from proficio.engine import POLICY_PARAMETERS, format_score
from proficio.engine.bkt import MASTERY_THRESHOLD
from proficio.engine.display import format_chance
from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.engine.pace import DEFAULT_STALL_RATINGS, DEFAULT_STALL_WEEKS
from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.frameworks.api import (
    district_competencies,
    district_frameworks,
    district_stages,
)
from proficio.lib.errors import NotVisible
from proficio.mastery.api import (
    ScopePolicies,
    default_policy,
    expectation_for,
    narrower_policies,
    scope_policies,
)
from proficio.pathways.api import gate_of
from proficio.people.api import (
    District,
    FamilyVisibility,
    Person,
    Role,
    School,
    district_admin_of,
    family_visibility_of,
    roles_of,
    school_admin_of,
    staff_schools,
    teachers_of_district,
)
from proficio.reports.models import TranscriptFormat
from proficio.reports.transcripts import transcript_format_of
from proficio.work.api import RevisionPolicy, task_summary

STAFF_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER})

# Proficio's defaults where the owning app keeps them on a model it does not export: the
# tests check each against a fresh district, so they cannot drift apart unnoticed.
DEFAULT_SCALE = ((Decimal(1), False), (Decimal(2), False), (Decimal(3), True), (Decimal(4), True))
DEFAULT_GROUP_SIZES = (3, 6)
DEFAULT_STAGES_BELOW_ON_PACE = 0
# The source documents' pilot: "Ask teachers to pilot two competencies."
PILOT_COMPETENCIES = 2


# ---- who may read it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who reads the page, and what of it is theirs: the district, the schools they may
    choose between, the one chosen (None: the district as a whole) and whether they
    administer the district or the chosen school."""

    person: Person
    district: District
    schools: list[School]
    school: School | None
    district_admin: bool
    school_admin: bool


def viewer_of(user: Person, school_id: str | None = None) -> Viewer:
    """The staff member's view of their district's design choices: district admins, school
    admins and teachers read it; anyone else (students, guardians, the signed-out) does not.

    `school_id` chooses one of the viewer's schools; without it a district admin reads the
    district, anyone else their first school. NotVisible for anyone else, or a school that
    is not theirs.
    """
    if not STAFF_ROLES & set(roles_of(user)) or user.district_id is None:
        raise NotVisible("The design choices are for a district's staff.")
    district = user.district
    schools = [s for s in staff_schools(user) if s.district_id == district.pk]
    district_admin = district_admin_of(user, district)
    if not district_admin and not schools:
        raise NotVisible("The design choices are for a district's staff.")
    school = None if district_admin else schools[0]
    if school_id:
        school = next((s for s in schools if str(s.uuid) == school_id), None)
        if school is None:
            raise NotVisible(f"No school {school_id}.")
    return Viewer(
        person=user,
        district=district,
        schools=schools,
        school=school,
        district_admin=district_admin,
        school_admin=school is not None and school_admin_of(user, school),
    )


# ---- the ten decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Who last changed a setting, and when (a moment or a day)."""

    who: str
    at: datetime | date
    what: str = ""


@dataclass(frozen=True)
class Place:
    """Where a setting is set: a page, linked only for those who may open it."""

    label: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Line:
    """One line of a decision's current value: for whom it holds, and what it is."""

    scope: str
    value: str
    note: str = ""


@dataclass
class Decision:
    key: str
    number: int
    title: str
    question: str
    trade_off: str
    default: str
    current: list[Line] = field(default_factory=list)
    exceptions: list[Line] = field(default_factory=list)
    # False: the product has no setting for it yet; the default behaviour applies.
    has_setting: bool = True
    # The value in force is Proficio's default: nobody has chosen otherwise.
    is_default: bool = True
    changed: Change | None = None
    # False: the setting is made item by item (each task's own), so no one change is shown.
    tracks_changes: bool = True
    changed_note: str = ""
    place: Place | None = None


TEXTS = {
    "scale": (
        gettext_lazy("Rating scale"),
        gettext_lazy("How many levels does a rating have, and which of them count as mastery?"),
        gettext_lazy(
            "A short scale is quick to learn and keeps teachers' ratings close together; more "
            "levels show finer growth but are harder to read the same way across schools. "
            "Whatever the levels, the district needs a shared interpretation of high-quality "
            "student work: exemplars and calibration sessions build it."
        ),
    ),
    "method": (
        gettext_lazy("Mastery method and parameters"),
        gettext_lazy("How do a student's ratings on a stage become one mastery value?"),
        gettext_lazy(
            "If a student is not initially successful, later demonstrations of competency can "
            "serve as evidence: methods that favour recent work, such as a decaying average, "
            "honour that growth. Methods that weigh every attempt alike are steadier but keep "
            "early struggles in the result; the threshold says which level counts as mastered."
        ),
    ),
    "minimum": (
        gettext_lazy("Minimum evidence"),
        gettext_lazy("How many ratings before a stage can count as mastered?"),
        gettext_lazy(
            "One strong piece of work can be a good day rather than a steady skill. Asking for "
            "more evidence makes mastery more trustworthy, but slows advancement and asks "
            "teachers for more assessments; two or three pieces, ideally of different kinds of "
            "work, is a common balance."
        ),
    ),
    "pacing": (
        gettext_lazy("Pacing expectations"),
        gettext_lazy("When is a student behind, and when is a student stalled?"),
        gettext_lazy(
            "Students move at their own pace, so pace is read against the stage typical for a "
            "student's age-grade, and a student is stalled after weeks without a new stage "
            "while recent work stays below mastery. Tight settings flag students for timely "
            "support sooner but flag more of them; loose ones give more time and risk noticing "
            "too late."
        ),
    ),
    "gate": (
        gettext_lazy("Advancement gate"),
        gettext_lazy("Does a standardized measure confirm a student's readiness to advance?"),
        gettext_lazy(
            "When teachers and a student believe the student is ready to exit, standardized "
            "measures can confirm or disconfirm that collaborative judgment. Requiring one "
            "guards against uneven judgments across classrooms; keeping it advisory leaves "
            "advancement with the people who know the student's work, without waiting for a "
            "test date."
        ),
    ),
    "revision": (
        gettext_lazy("Revision policy"),
        gettext_lazy("How often may a student revise work in response to feedback?"),
        gettext_lazy(
            "Students should have chances to revise their work in response to feedback, and a "
            "later demonstration can serve as evidence. Unlimited revision honours that fully "
            "but can keep a task open without end; a limit, or revising until the stages are "
            "mastered, keeps work moving while still rewarding revision."
        ),
    ),
    "self": (
        gettext_lazy("Self-assessment use"),
        gettext_lazy("Do students' self-assessments count toward mastery?"),
        gettext_lazy(
            "With clear expectations, formative practices like self-assessment can flourish and "
            "build self-directed learners. Kept apart from mastery, a self-assessment stays an "
            "honest reflection with nothing at stake; counted in, it gives students a voice in "
            "their record but blurs what a teacher's judgment says."
        ),
    ),
    "family": (
        gettext_lazy("Family visibility"),
        gettext_lazy("What do families see of their child's learning, and when?"),
        gettext_lazy(
            "A school decides what relationship centred on student learning it will establish "
            "with parents. Showing families progress and next steps as they happen invites them "
            "in; letting the student choose which work to share, and lead the conference, gives "
            "the student ownership of how their learning is reported."
        ),
    ),
    "grouping": (
        gettext_lazy("Grouping size"),
        gettext_lazy("How large are the flexible groups Proficio suggests?"),
        gettext_lazy(
            "Students are grouped by the stage they work at, across sections and ages, rather "
            "than by birthday. Small groups give each student more of a teacher's attention but "
            "mean more groups to run; larger groups are easier to schedule but mix more needs."
        ),
    ),
    "transcript": (
        gettext_lazy("Transcript format"),
        gettext_lazy("How is a student's mastery reported to colleges, employers and the state?"),
        gettext_lazy(
            "A competency transcript shows each competency area with the stage reached and "
            "when, linked to the evidence behind it, instead of grades. It says more about what "
            "a student can do than a grade average, but readers used to grades may need a short "
            "guide, and the state may still ask for standing by age-grade beside it."
        ),
    ),
}
ORDER = (
    "scale",
    "method",
    "minimum",
    "pacing",
    "gate",
    "revision",
    "self",
    "family",
    "grouping",
    "transcript",
)


def _decision(key: str, default: str) -> Decision:
    title, question, trade_off = TEXTS[key]
    return Decision(
        key=key,
        number=ORDER.index(key) + 1,
        title=str(title),
        question=str(question),
        trade_off=str(trade_off),
        default=default,
    )


def _place(label: str, url_name: str, may_open: bool, who: str) -> Place:
    """A page linked for those who may open it; for others, its name and who sets it."""
    if may_open:
        return Place(label, reverse(url_name))
    return Place(label, note=who)


def _place_at(label: str, url_name: str, anchor: str, may_open: bool, who: str) -> Place:
    """`_place` of one part of a page: its address ends with the part's anchor."""
    place = _place(label, url_name, may_open, who)
    return Place(place.label, f"{place.url}#{anchor}") if place.url else place


def _day(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return f"{moment.day} {moment:%b %Y}"


def _settings_entries(district: District, actions: Iterable[str]) -> list[audit.AuditEntry]:
    """The district's audit entries of these settings actions, newest first. Settings
    changes concern no student: the entries read here name none."""
    return list(
        audit.entries_for_districts([district.pk])
        .filter(action__in=list(actions), student__isnull=True)
        .only("at", "actor_name", "action", "data")[:20]
    )


def _entry_change(entry: audit.AuditEntry | None) -> Change | None:
    if entry is None:
        return None
    return Change(entry.actor_name or _("Proficio"), entry.at)


def _policy_words(policy) -> str:
    """A policy's method, its parameters and its threshold in one line."""
    parts = [str(policy.get_method_display())]
    for name, spec in POLICY_PARAMETERS.get(policy.method, {}).items():
        # The n-times rule's own threshold is the mastery threshold unless it says otherwise.
        fallback = policy.threshold if name == "threshold" else spec.default
        value = policy.parameters.get(name, fallback)
        parts.append(f"{_(spec.label).lower()} {format_score(float(value))}")
    if policy.method == KNOWLEDGE_TRACING:
        parts.append(
            _("mastered at a %(chance)s chance") % {"chance": format_chance(MASTERY_THRESHOLD)}
        )
    else:
        parts.append(_("mastered at %(level)s") % {"level": format_score(float(policy.threshold))})
    return " · ".join(parts)


def _minimum_words(policy) -> str:
    return ngettext(
        "At least %(count)d rating", "At least %(count)d ratings", policy.minimum_evidence
    ) % {"count": policy.minimum_evidence}


def _self_words(policy) -> str:
    if policy.include_self_assessment:
        return _("Counted toward mastery beside teachers' ratings")
    return _("Kept apart from mastery: shown to the student and teacher, never counted")


@dataclass(frozen=True)
class PolicyFacts:
    """The policies the page reads: the district's, the chosen school's, the exceptions for
    frameworks and competencies, and Proficio's default."""

    district: ScopePolicies | None
    school: ScopePolicies | None
    narrower: list
    default: object | None


def _policy_facts(viewer: Viewer) -> PolicyFacts:
    competency = (
        district_competencies(viewer.district.pk)
        .select_related("framework__scale", "scale")
        .order_by("pk")
        .first()
    )
    return PolicyFacts(
        district=scope_policies(district=viewer.district),
        school=(
            scope_policies(district=viewer.district, school=viewer.school)
            if viewer.school is not None
            else None
        ),
        narrower=narrower_policies(district=viewer.district),
        default=(
            default_policy(district_id=viewer.district.pk, competency=competency)
            if competency is not None
            else None
        ),
    )


def _last_change(entry: ScopePolicies | None, key: Callable) -> Change | None:
    """The newest version in force whose `key` differs from the version before it (or the
    first version someone saved): who chose the value in force, and when. None when the
    value is still the one Proficio saved as the default."""
    if entry is None:
        return None
    chain = sorted(
        (v for v in entry.versions if v.effective_from <= entry.today),
        key=lambda v: (v.effective_from, v.version),
    )
    chosen = None
    previous = None
    for version in chain:
        if version.inherits:
            previous = None
            chosen = version if version.created_by_id else chosen
            continue
        if previous is None or key(version) != key(previous):
            chosen = version
        previous = version
    if chosen is None or chosen.created_by_id is None:
        return None
    return Change(
        chosen.created_by.display_name,
        chosen.created_at,
        _("Version %(version)s, in force since %(day)s")
        % {"version": chosen.version, "day": _day(chosen.effective_from)},
    )


def _policy_lines(
    viewer: Viewer, facts: PolicyFacts, words: Callable, key: Callable
) -> tuple[list[Line], list[Line], Change | None, bool]:
    """A policy setting's lines (district, then school), the framework and competency
    exceptions whose value differs, who chose the value in force, and whether it is the
    default."""
    lines: list[Line] = []
    change = None
    is_default = True
    if facts.district is not None:
        policy = facts.district.in_force
        upcoming = [v for v in facts.district.versions if v.effective_from > facts.district.today]
        note = ""
        if upcoming:
            nxt = upcoming[-1]
            note = _("Version %(version)s takes effect on %(day)s: %(words)s") % {
                "version": nxt.version,
                "day": _day(nxt.effective_from),
                "words": words(nxt),
            }
        lines.append(Line(_("District"), words(policy), note))
        change = _last_change(facts.district, key)
        is_default = facts.default is None or key(policy) == key(facts.default)
    if facts.school is not None and viewer.school is not None:
        own = not facts.school.inherited
        policy = facts.school.in_force
        lines.append(
            Line(viewer.school.name, words(policy), _("Its own policy"))
            if own
            else Line(viewer.school.name, _("Follows the district's policy"))
        )
        if own:
            change = _last_change(facts.school, key) or change
            is_default = is_default and (facts.default is None or key(policy) == key(facts.default))
    district_value = key(facts.district.in_force) if facts.district else None
    exceptions = [
        Line(_scope_name(policy), words(policy))
        for policy in facts.narrower
        if key(policy) != district_value
    ]
    return lines, exceptions, change, is_default and not exceptions


def _scope_name(policy) -> str:
    if policy.competency_id:
        return f"{policy.competency.code} {policy.competency.title}"
    return _("%(title)s (framework)") % {"title": policy.framework.title}


def _method_key(policy) -> tuple:
    specs = POLICY_PARAMETERS.get(policy.method, {})
    params = tuple(float(policy.parameters.get(n, s.default)) for n, s in specs.items())
    return (policy.method, params, Decimal(policy.threshold))


def _policies_place(viewer: Viewer) -> Place:
    return _place(
        _("Mastery policies"),
        "mastery:policies",
        viewer.district_admin or viewer.school_admin,
        _("Set by the district's admins (a school's own policy by its admins)."),
    )


def _scale_decision(viewer: Viewer) -> Decision:
    decision = _decision(
        "scale",
        _(
            "Four levels: 1 Beginning, 2 Developing, 3 Proficient, 4 Advanced; 3 and 4 count "
            "as mastery."
        ),
    )
    frameworks = list(
        district_frameworks(viewer.district.pk).prefetch_related("scale__levels").order_by("title")
    )
    for framework in frameworks:
        levels = sorted(framework.scale.levels.all(), key=lambda level: level.value)
        decision.current.append(
            Line(
                framework.title,
                _scale_words(levels),
                framework.scale.name,
            )
        )
        if tuple((level.value, level.is_mastery) for level in levels) != DEFAULT_SCALE:
            decision.is_default = False
    own = (
        district_competencies(viewer.district.pk)
        .filter(scale__isnull=False)
        .select_related("scale")
        .prefetch_related("scale__levels")
        .order_by("code")
    )
    for competency in own:
        levels = sorted(competency.scale.levels.all(), key=lambda level: level.value)
        decision.exceptions.append(
            Line(f"{competency.code} {competency.title}", _scale_words(levels))
        )
    if decision.exceptions:
        decision.is_default = False
    if not frameworks:
        decision.current.append(Line(_("District"), _("No framework yet: no scale in use.")))
    entries = _settings_entries(
        viewer.district, [audit.SCALE_WRITTEN, audit.FRAMEWORK_WRITTEN, audit.DISTRICT_SET_UP]
    )
    decision.changed = _entry_change(entries[0] if entries else None)
    decision.changed_note = _(
        "A framework's scale is chosen when the framework is made; a competency may have its own."
    )
    decision.place = _place(
        _("Rating scales"),
        "frameworks:scales",
        viewer.district_admin,
        _("Set by the district's admins."),
    )
    return decision


def _scale_words(levels: Sequence) -> str:
    words = [
        f"{format_score(float(level.value))} {level.label}" + (" ✓" if level.is_mastery else "")
        for level in levels
    ]
    return ", ".join(words) if words else _("no levels")


def _policy_decision(
    viewer: Viewer, facts: PolicyFacts, key: str, words: Callable, compare: Callable
) -> Decision:
    default = (
        words(facts.default)
        if facts.default is not None
        else _("Proficio's default policy, once the district has a competency to rate.")
    )
    if key == "method" and facts.default is not None:
        default = _("%(words)s (the scale's mastery level)") % {"words": default}
    decision = _decision(key, default)
    lines, exceptions, change, is_default = _policy_lines(viewer, facts, words, compare)
    decision.current = lines or [Line(_("District"), default)]
    decision.exceptions = exceptions
    decision.changed = change
    decision.is_default = is_default
    decision.place = _policies_place(viewer)
    return decision


def _pace_words(row) -> str:
    """Pace expectations in two sentences: when a student is stalled, when on pace."""
    stalled = ngettext(
        "Stalled after %(weeks)d week without a new stage",
        "Stalled after %(weeks)d weeks without a new stage",
        row.stall_weeks,
    ) % {"weeks": row.stall_weeks}
    rated = ngettext(
        "with at least %(count)d rating in those weeks.",
        "with at least %(count)d ratings in those weeks.",
        row.stall_ratings,
    ) % {"count": row.stall_ratings}
    below = row.stages_below_on_pace
    if below == 0:
        on_pace = _("On pace at the stage typical for the age-grade or above.")
    else:
        on_pace = ngettext(
            "On pace down to %(count)d stage below the one typical for the age-grade.",
            "On pace down to %(count)d stages below the one typical for the age-grade.",
            below,
        ) % {"count": below}
    return f"{stalled}, {rated} {on_pace}"


def _admin_change(row) -> Change | None:
    """The newest change the Django admin logged of a settings row (where pace expectations
    are set), or its last save when the log has none."""
    if row.pk is None:
        return None
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(row), object_id=str(row.pk)
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    if entry is not None:
        return Change(entry.user.display_name, entry.action_time, _("In the admin site"))
    return Change("", row.updated_at, _("In the admin site"))


def _pacing_decision(viewer: Viewer) -> Decision:
    default_words = _pace_words(
        _Pace(DEFAULT_STALL_WEEKS, DEFAULT_STALL_RATINGS, DEFAULT_STAGES_BELOW_ON_PACE)
    )
    decision = _decision("pacing", default_words)
    district_row = expectation_for(district_id=viewer.district.pk, school_id=None)
    decision.current.append(Line(_("District"), _pace_words(district_row)))
    rows = [district_row]
    if viewer.school is not None:
        school_row = expectation_for(district_id=viewer.district.pk, school_id=viewer.school.pk)
        own = school_row.school_id == viewer.school.pk
        decision.current.append(
            Line(viewer.school.name, _pace_words(school_row), _("Its own expectations"))
            if own
            else Line(viewer.school.name, _("Follows the district's expectations"))
        )
        rows.append(school_row)
    changes = [change for change in (_admin_change(row) for row in rows) if change]
    decision.changed = max(changes, key=lambda c: c.at, default=None)
    decision.is_default = all(
        (row.stall_weeks, row.stall_ratings, row.stages_below_on_pace)
        == (DEFAULT_STALL_WEEKS, DEFAULT_STALL_RATINGS, DEFAULT_STAGES_BELOW_ON_PACE)
        for row in rows
    )
    decision.changed_note = _(
        "The expected stage follows from each student's age-grade and the stages' typical grades."
    )
    may_open = viewer.district_admin and viewer.person.is_staff
    decision.place = _place(
        _("Admin site: pace expectations"),
        "admin:mastery_paceexpectation_changelist",
        may_open,
        _("Set by the district's admins in the admin site."),
    )
    return decision


@dataclass(frozen=True)
class _Pace:
    stall_weeks: int
    stall_ratings: int
    stages_below_on_pace: int


def _gate_decision(viewer: Viewer, gate) -> Decision:
    decision = _decision(
        "gate",
        _("No standardized measure: the teacher and the student confirm readiness together."),
    )
    words = str(gate.get_mode_display())
    if gate.threshold is not None and gate.mode != "none":
        words += " · " + _("a result at level %(level)s or above") % {
            "level": format_score(float(gate.threshold))
        }
    decision.current.append(Line(_("District"), words))
    decision.is_default = gate.pk is None or gate.mode == "none"
    if gate.pk is not None and gate.changed_by is not None:
        decision.changed = Change(gate.changed_by.display_name, gate.changed_at)
    else:
        entries = _settings_entries(viewer.district, [audit.ADVANCEMENT_GATE_SET])
        decision.changed = _entry_change(entries[0] if entries else None)
    decision.place = _place(
        _("Advancement gate"),
        "pathways:gate",
        viewer.district_admin,
        _("Set by the district's admins."),
    )
    return decision


def _revision_decision(viewer: Viewer, tasks) -> Decision:
    decision = _decision(
        "revision", _("%(label)s, on every new task.") % {"label": RevisionPolicy.UNLIMITED.label}
    )
    if tasks.tasks:
        for value, label in RevisionPolicy.choices:
            count = tasks.by_revision_policy.get(value, 0)
            if count:
                decision.current.append(
                    Line(
                        str(label),
                        ngettext("%(count)d task", "%(count)d tasks", count) % {"count": count},
                    )
                )
    else:
        decision.current.append(Line(_("District"), _("No performance task written yet.")))
    decision.is_default = set(tasks.by_revision_policy) <= {RevisionPolicy.UNLIMITED}
    decision.tracks_changes = False
    decision.changed_note = _(
        "Chosen task by task: each task's author sets it when writing the task. There is no "
        "district-wide setting yet."
    )
    decision.place = Place(_("Tasks"), reverse("work:tasks"))
    return decision


FAMILY_WORDS = {
    FamilyVisibility.FULL: gettext_lazy(
        "Families see each child's progress on every competency in plain words, the latest "
        "work and the teacher's feedback, and the goals the child is working on. Portfolio "
        "pieces and a conference agenda reach them only once the student shares them."
    ),
    FamilyVisibility.PROGRESS: gettext_lazy(
        "Families see each child's progress on every competency in plain words, their work, "
        "the goals they are working on, and the portfolio pieces and conference agendas the "
        "student shares. Teachers' written feedback stays between the student and their "
        "teachers."
    ),
}


def _family_decision(viewer: Viewer) -> Decision:
    decision = _decision("family", str(FAMILY_WORDS[FamilyVisibility.FULL]))
    visibility = family_visibility_of(viewer.district.pk)
    decision.is_default = visibility == FamilyVisibility.FULL
    decision.current.append(
        Line(
            _("District"),
            str(FAMILY_WORDS[visibility]),
            _("Proficio's default") if decision.is_default else "",
        )
    )
    entries = _settings_entries(viewer.district, [audit.FAMILY_VISIBILITY_SET])
    decision.changed = _entry_change(entries[0] if entries else None)
    decision.changed_note = _(
        "Either way, students choose, piece by piece, what of their portfolio their family sees."
    )
    decision.place = _place(
        _("What families see"),
        "agency:family_settings",
        viewer.district_admin,
        _("Set by the district's admins."),
    )
    return decision


def _grouping_decision(viewer: Viewer, gate) -> Decision:
    low, high = DEFAULT_GROUP_SIZES
    decision = _decision(
        "grouping", _("Groups of %(low)d to %(high)d students.") % {"low": low, "high": high}
    )
    sizes = (gate.group_size_min, gate.group_size_max)
    decision.is_default = sizes == DEFAULT_GROUP_SIZES
    decision.current.append(
        Line(
            _("District"),
            _("Groups of %(low)d to %(high)d students.") % {"low": sizes[0], "high": sizes[1]},
            _("Proficio's default") if decision.is_default else "",
        )
    )
    entries = _settings_entries(viewer.district, [audit.GROUP_SIZES_SET])
    decision.changed = _entry_change(entries[0] if entries else None)
    decision.changed_note = _(
        "Proficio suggests groups this size; teachers adjust each group on the flexible "
        "groups page."
    )
    decision.place = _place_at(
        _("Group sizes"),
        "pathways:gate",
        "groups",
        viewer.district_admin,
        _("Set by the district's admins."),
    )
    return decision


def _transcript_words(appendix: bool, typical_stage: bool) -> str:
    appendix_words = (
        _("with an appendix of the evidence behind each credit")
        if appendix
        else _("without the appendix of evidence (each credit links to it)")
    )
    typical_words = (
        _("the stage typical for the student's age-grade beside each competency")
        if typical_stage
        else _("no stage by age-grade beside it")
    )
    return _(
        "A competency transcript: each competency area with the stage reached and when, and "
        "the mastery credits, with no grades; %(appendix)s; %(typical)s. Issued as a dated "
        "snapshot that can be verified."
    ) % {"appendix": appendix_words, "typical": typical_words}


def _transcript_decision(viewer: Viewer) -> Decision:
    default = TranscriptFormat(district_id=viewer.district.pk)
    decision = _decision("transcript", _transcript_words(default.appendix, default.typical_stage))
    form = transcript_format_of(viewer.district.pk)
    decision.is_default = (form.appendix, form.typical_stage) == (
        default.appendix,
        default.typical_stage,
    )
    decision.current.append(
        Line(
            _("District"),
            _transcript_words(form.appendix, form.typical_stage),
            _("Proficio's default") if decision.is_default else "",
        )
    )
    entries = _settings_entries(viewer.district, [audit.TRANSCRIPT_FORMAT_SET])
    decision.changed = _entry_change(entries[0] if entries else None)
    decision.changed_note = _("A transcript already issued keeps the format it was issued in.")
    decision.place = _place(
        _("Transcript format"),
        "reports:transcript_format",
        viewer.district_admin,
        _("Set by the district's admins."),
    )
    return decision


def decisions(viewer: Viewer) -> list[Decision]:
    """The ten decisions, in the order the brief on competency education lists them."""
    facts = _policy_facts(viewer)
    gate = gate_of(viewer.district.pk)
    tasks = task_summary(district_id=viewer.district.pk)
    return [
        _scale_decision(viewer),
        _policy_decision(viewer, facts, "method", _policy_words, _method_key),
        _policy_decision(viewer, facts, "minimum", _minimum_words, lambda p: p.minimum_evidence),
        _pacing_decision(viewer),
        _gate_decision(viewer, gate),
        _revision_decision(viewer, tasks),
        _policy_decision(viewer, facts, "self", _self_words, lambda p: p.include_self_assessment),
        _family_decision(viewer),
        _grouping_decision(viewer, gate),
        _transcript_decision(viewer),
    ]


# ---- the settings beside the ten ---------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    title: str
    value: str
    changed: Change | None
    place: Place


def related_settings(viewer: Viewer) -> list[Setting]:
    """The district's other design settings: calibration and mentors' check-ins."""
    calibration = calibration_settings_of(viewer.district.pk)
    drift = _(
        "A teacher is flagged when their ratings differ from consensus by %(levels)s levels on "
        "average over at least %(count)d ratings"
    ) % {
        "levels": format_score(float(calibration.drift_threshold)),
        "count": calibration.drift_minimum,
    }
    if calibration.calibrate_first:
        drift += "; " + _("teachers new to a competency rate its exemplars first")
    calibrated = _settings_entries(viewer.district, [audit.CALIBRATION_SETTINGS_CHANGED])
    cadence = [
        entry
        for entry in _settings_entries(viewer.district, [audit.MENTORSHIP_CHANGED])
        if "check_in_days" in (entry.data or {})
    ]
    days = check_in_days(viewer.district.pk)
    admins = viewer.district_admin or viewer.school_admin
    return [
        Setting(
            _("Calibration"),
            drift,
            _entry_change(calibrated[0] if calibrated else None),
            _place(
                _("Everyone's drift"),
                "calibration:everyone_drift",
                admins,
                _("Set by the district's admins."),
            ),
        ),
        Setting(
            _("Mentor check-ins"),
            ngettext(
                "Each mentor checks in with each student every %(days)d day",
                "Each mentor checks in with each student every %(days)d days",
                days,
            )
            % {"days": days},
            _entry_change(cadence[0] if cadence else None),
            _place(_("Mentors"), "agency:mentors", admins, _("Set by the district's admins.")),
        ),
    ]


# ---- the implementation plan -------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One checklist line of a step: a count, out of a total (a share) or toward a goal."""

    label: str
    count: int
    total: int | None = None
    goal: int | None = None
    detail: str = ""

    @property
    def share(self) -> float:
        if self.total is not None:
            return min(1.0, self.count / self.total) if self.total else 0.0
        return min(1.0, self.count / (self.goal or 1))

    @property
    def done(self) -> bool:
        return self.share >= 1.0

    @property
    def percent(self) -> int:
        return int(self.share * 100)


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    when: str
    title: str
    summary: str
    measures: list[Measure]
    # What the plan asks that Proficio cannot see: the team ticks these off itself.
    offline: list[str]
    links: list[Place] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if not self.measures:
            return 0
        return int(sum(m.share for m in self.measures) / len(self.measures) * 100)

    @property
    def state(self) -> str:
        if self.percent >= 100:
            return "done"
        return "started" if self.percent > 0 else "not_started"

    @property
    def state_label(self) -> str:
        return {
            "done": _("Done"),
            "started": _("Under way"),
            "not_started": _("Not started"),
        }[self.state]


@dataclass(frozen=True)
class PilotCompetency:
    code: str
    title: str
    evidence: int
    from_tasks: int


@dataclass(frozen=True)
class Plan:
    steps: list[Step]
    pilot: list[PilotCompetency]

    @property
    def percent(self) -> int:
        return int(sum(step.percent for step in self.steps) / len(self.steps)) if self.steps else 0


def plan(viewer: Viewer, decided: Sequence[Decision] | None = None) -> Plan:
    """The three-year plan with the district's progress on each step, counted from its data."""
    district = viewer.district
    competencies = district_competencies(district.pk)
    competency_count = competencies.count()
    aligned_to_standards = competencies.filter(aligned_standards__isnull=False).distinct().count()
    with_trajectory = (
        competencies.annotate(live=Count("stages", filter=Q(stages__retired=False)))
        .filter(live__gte=2)
        .count()
    )
    stages = district_stages(district.pk).filter(retired=False)
    stage_count = stages.count()
    with_statements = stages.filter(evidence_statements__isnull=False).distinct().count()
    with_grade = stages.filter(typical_grade__isnull=False).count()
    tasks = task_summary(district_id=district.pk)
    live_stage_ids = set(stages.values_list("pk", flat=True))
    calibration = calibration_counts(district_id=district.pk)

    rated = (
        evidence_standing()
        .filter(student__district_id=district.pk)
        .exclude(source=EvidenceSource.SELF)
    )
    per_competency = list(
        rated.order_by()
        .values("competency_id", "competency__code", "competency__title")
        .annotate(n=Count("pk"), tasks=Count("pk", filter=Q(source=EvidenceSource.TASK)))
        .order_by("-n", "competency__code")
    )
    pilot = [
        PilotCompetency(row["competency__code"], row["competency__title"], row["n"], row["tasks"])
        for row in per_competency[:PILOT_COMPETENCIES]
    ]
    pilot_ids = [row["competency_id"] for row in per_competency[:PILOT_COMPETENCIES]]
    pilot_stage_ids = set(stages.filter(competency_id__in=pilot_ids).values_list("pk", flat=True))
    teachers = {teacher.pk for teacher in teachers_of_district(district_id=district.pk)}
    assessors = set(rated.order_by().values_list("assessor_id", flat=True).distinct())
    rating_teachers = teachers & assessors

    decided = decided if decided is not None else decisions(viewer)
    settable = [d for d in decided if d.has_setting]
    chosen = [d for d in settable if not d.is_default or d.changed is not None]

    def link(label: str, url_name: str, may: bool = True) -> list[Place]:
        return [Place(label, reverse(url_name))] if may else []

    admin = viewer.district_admin
    steps = [
        Step(
            "explore",
            1,
            _("Year 1, first semester"),
            _("Explore and learn"),
            _(
                "Staff build deep knowledge of standards alignment and of interpreting student "
                "work, read over the summer and start the year writing a theory of action together."
            ),
            [
                Measure(
                    _("Design choices your team has made (the rest follow Proficio's defaults)"),
                    len(chosen),
                    total=len(settable),
                ),
                Measure(_("Teachers with an account in Proficio"), len(teachers), goal=1),
            ],
            [
                _("Read together and write a theory of action for the school or district"),
                _("Meet others in the field engaged in this work"),
                _(
                    "Answer the vision questions: our commitment to each child's learning, our "
                    "response when some students don't learn, our relationship with parents"
                ),
            ],
            [Place(_("Design choices"), reverse("reports:design"))],
        ),
        Step(
            "big_ideas",
            2,
            _("Year 1, second semester"),
            _("Big ideas"),
            _(
                "Develop big ideas — competencies that consolidate related standards — and begin "
                "a repository of exemplars of authentic, independent student work."
            ),
            [
                Measure(_("Competencies written"), competency_count, goal=1),
                Measure(
                    _("Competencies aligned to the standards they consolidate"),
                    aligned_to_standards,
                    total=competency_count,
                ),
                Measure(
                    _("Exemplars of student work published"),
                    calibration.exemplars,
                    goal=1,
                    detail=(
                        ngettext(
                            "%(count)d more awaiting a second person",
                            "%(count)d more awaiting a second person",
                            calibration.exemplars_awaiting,
                        )
                        % {"count": calibration.exemplars_awaiting}
                        if calibration.exemplars_awaiting
                        else ""
                    ),
                ),
            ],
            [],
            link(_("Frameworks"), "interop:frameworks")
            + link(_("Exemplars"), "calibration:library"),
        ),
        Step(
            "trajectories",
            3,
            _("Year 2, first semester"),
            _("Competency trajectories"),
            _(
                "Build a trajectory for each competency across the targeted grades: the shared "
                "understanding of proficiency across the system."
            ),
            [
                Measure(
                    _("Competencies with a trajectory of two stages or more"),
                    with_trajectory,
                    total=competency_count,
                ),
                Measure(_("Stages with evidence statements"), with_statements, total=stage_count),
                Measure(_("Stages with a typical age-grade"), with_grade, total=stage_count),
            ],
            [],
            link(_("Frameworks"), "interop:frameworks"),
        ),
        Step(
            "tasks",
            4,
            _("Year 2, second semester"),
            _("Trajectory-aligned performance tasks"),
            _(
                "Use the trajectories' evidence statements to write authentic performance tasks; "
                "teacher teams explore curriculum resources and technologies."
            ),
            [
                Measure(
                    _("Performance tasks aligned to trajectory stages"),
                    tasks.aligned,
                    goal=1,
                    detail=ngettext("%(count)d task in all", "%(count)d tasks in all", tasks.tasks)
                    % {"count": tasks.tasks},
                ),
                Measure(
                    _("Stages with at least one aligned task"),
                    len(tasks.stage_ids & live_stage_ids),
                    total=stage_count,
                ),
                Measure(_("Tasks shared in the district's library"), tasks.shared, goal=1),
            ],
            [],
            link(_("Tasks"), "work:tasks"),
        ),
        Step(
            "pilot",
            5,
            _("Year 3"),
            _("Pilot two competencies"),
            _(
                "Teachers pilot two competencies. Train for calibrating expectations of student "
                "work, and collect and archive examples of student work along each trajectory."
            ),
            [
                Measure(
                    _("Competencies with evidence collected"),
                    len(per_competency),
                    goal=PILOT_COMPETENCIES,
                ),
                Measure(
                    _("Calibration sessions held"),
                    calibration.sessions_held,
                    goal=1,
                    detail=(
                        ngettext(
                            "%(count)d opened in all",
                            "%(count)d opened in all",
                            calibration.sessions_opened,
                        )
                        % {"count": calibration.sessions_opened}
                    ),
                ),
                Measure(
                    _("Stages of the pilot competencies with a published exemplar"),
                    len(calibration.exemplar_stage_ids & pilot_stage_ids),
                    total=len(pilot_stage_ids),
                ),
            ],
            [
                _(
                    "A professional development framework: student-paced learning, student-led "
                    "conferences, mentor check-ins"
                ),
            ],
            link(_("Calibration"), "calibration:home"),
        ),
        Step(
            "scale_up",
            6,
            _("Then"),
            _("Scale up"),
            _(
                "Use lessons learned to scale up: more competencies, more teachers, tight on "
                "achievement expectations and loose on instructional approaches."
            ),
            [
                Measure(
                    _("Competencies in use (with evidence)"),
                    len(per_competency),
                    total=competency_count,
                ),
                Measure(
                    _("Teachers recording evidence"), len(rating_teachers), total=len(teachers)
                ),
            ],
            [_("A self-assessment of which organisational shifts to tackle next")],
            link(_("Everyone's drift"), "calibration:everyone_drift", admin or viewer.school_admin),
        ),
    ]
    return Plan(steps=steps, pilot=pilot)
