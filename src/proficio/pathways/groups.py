"""Flexible groups (issue 13, item 4): Proficio suggests groups of students at the same
working stage of a competency across sections and ages (engine.grouping, within the
district's sizes); a teacher adjusts, names the group, attaches teachers or a support and
meeting times. The group's teachers then see and rate its students (people.permissions);
members who leave keep their ended membership (the history)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.engine.grouping import Suggestion, suggest_groups
from proficio.frameworks.api import Competency, Stage
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.visibility import visible_get
from proficio.mastery.api import students_mastery
from proficio.pathways.advancement import gate_of
from proficio.pathways.models import AdvancementGate, FlexibleGroup
from proficio.pathways.permissions import may_write_playlists
from proficio.people.api import (
    Person,
    Role,
    districts_administered_by,
    roles_of,
    student_group_disband,
    student_group_members,
    student_group_write,
    students_served_by,
)

NAME_MAX = 200
# The sizes a district may choose for suggested groups: a group is at least a pair, and past
# thirty it is a class, not a group.
GROUP_SIZE_LEAST = 2
GROUP_SIZE_MOST = 30


@dataclass(frozen=True)
class Suggested:
    stage: Stage
    students: list[Person]


def group_sizes(district_id: int) -> tuple[int, int]:
    """The district's sizes for suggested groups (a design choice, beside the gate)."""
    gate = gate_of(district_id)
    return gate.group_size_min, gate.group_size_max


@transaction.atomic
def group_sizes_set(
    *, actor: Person, district_id: int, minimum: int, maximum: int
) -> AdvancementGate:
    """A district admin sets the sizes of the flexible groups Proficio suggests, from
    GROUP_SIZE_LEAST to GROUP_SIZE_MOST students. They are kept beside the advancement gate,
    whose own choice (and who made it) they leave as it was."""
    if not districts_administered_by(actor).filter(pk=district_id).exists():
        raise NotVisible("No district to set here.")
    errors = {}
    bounds = {"least": GROUP_SIZE_LEAST, "most": GROUP_SIZE_MOST}
    if not GROUP_SIZE_LEAST <= minimum <= GROUP_SIZE_MOST:
        errors["group_size_min"] = (
            _("The smallest group has from %(least)d to %(most)d students.") % bounds
        )
    if not GROUP_SIZE_LEAST <= maximum <= GROUP_SIZE_MOST:
        errors["group_size_max"] = (
            _("The largest group has from %(least)d to %(most)d students.") % bounds
        )
    elif "group_size_min" not in errors and maximum < minimum:
        errors["group_size_max"] = _(
            "The largest group cannot be smaller than the smallest (%(minimum)d students)."
        ) % {"minimum": minimum}
    if errors:
        raise InvalidInput(errors)
    gate = AdvancementGate.objects.select_for_update().filter(district_id=district_id).first()
    before = (gate.group_size_min, gate.group_size_max) if gate else None
    if gate is None:
        gate = AdvancementGate.objects.create(
            district_id=district_id, group_size_min=minimum, group_size_max=maximum
        )
    else:
        # An update, not a save: the gate's changed_at and changed_by are the gate's own.
        AdvancementGate.objects.filter(pk=gate.pk).update(
            group_size_min=minimum, group_size_max=maximum
        )
        gate.group_size_min, gate.group_size_max = minimum, maximum
    audit.record(
        actor=actor,
        action=audit.GROUP_SIZES_SET,
        district_id=district_id,
        target=gate,
        data={
            "group_size_min": minimum,
            "group_size_max": maximum,
            "before": list(before) if before else None,
        },
    )
    return gate


def groups_suggested(
    *, user: Person, competency: Competency
) -> tuple[list[Suggested], list[Person]]:
    """Groups of the students `user` serves, by their working stage of `competency`, across
    sections and ages; and those left out (too few at their stage)."""
    students = list(students_served_by(user).order_by("last_name", "first_name"))
    statuses = students_mastery(students=students, explained=False)
    working: dict[int, Stage] = {}
    for student in students:
        for status in statuses[student.pk]:
            if status.competency.pk == competency.pk and status.working is not None:
                working[student.pk] = status.working.stage
    stages = {stage.pk: stage for stage in working.values()}
    people = {student.pk: student for student in students}
    minimum, maximum = group_sizes(user.district_id)
    found, left_out = suggest_groups(
        {pk: stage.pk for pk, stage in working.items()}, minimum=minimum, maximum=maximum
    )
    by_ordinal = sorted(found, key=lambda s: (stages[s.stage].ordinal, len(s.students)))
    return (
        [_suggested(s, stages, people) for s in by_ordinal],
        [people[pk] for pk in left_out],
    )


def _suggested(suggestion: Suggestion, stages, people) -> Suggested:
    return Suggested(stages[suggestion.stage], [people[pk] for pk in suggestion.students])


@transaction.atomic
def group_write(
    *,
    actor: Person,
    stage: Stage,
    name: str,
    students: Sequence[Person],
    teachers: Sequence[Person] = (),
    support: str = "",
    meets: str = "",
    meeting_days: Sequence[int] = (),
    group: FlexibleGroup | None = None,
) -> FlexibleGroup:
    """Form or change a flexible group of students the actor serves, all at `stage` now or
    moved on from it (a group changes as students move, by the teacher's hand)."""
    if not may_write_playlists(actor):
        raise NotVisible("No groups to form here.")
    if group is not None and not group.group.teachers.filter(pk=actor.pk).exists():
        raise NotVisible(f"No group {group.uuid}.")
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Name the group."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name under {NAME_MAX} characters."
    if stage.competency.framework.district_id != actor.district_id:
        errors["stage"] = "That stage is not your district's."
    served = set(
        students_served_by(actor)
        .filter(pk__in=[s.pk for s in students])
        .values_list("pk", flat=True)
    )
    if any(student.pk not in served for student in students):
        raise NotVisible("No such student.")
    if not students:
        errors["students"] = "Put at least one student in the group."
    if any(t.district_id != actor.district_id or Role.TEACHER not in roles_of(t) for t in teachers):
        errors["teachers"] = "Teachers of your district only."
    if any(not 0 <= day <= 6 for day in meeting_days):
        errors["meeting_days"] = "Days of the week only."
    if errors:
        raise InvalidInput(errors)
    people_group = student_group_write(
        district=actor.district,
        name=name,
        teachers=[actor, *[t for t in teachers if t.pk != actor.pk]],
        students=students,
        group=group.group if group else None,
        actor=actor,
    )
    days = ",".join(str(day) for day in sorted(set(meeting_days)))
    if group is None:
        group = FlexibleGroup.objects.create(
            group=people_group,
            stage=stage,
            support=support.strip(),
            meets=meets.strip(),
            meeting_days=days,
            created_by=actor,
        )
    else:
        group.support, group.meets, group.meeting_days = support.strip(), meets.strip(), days
        group.save(update_fields=["support", "meets", "meeting_days"])
    return group


def groups_taught_by(user: Person) -> QuerySet[FlexibleGroup]:
    return (
        FlexibleGroup.objects.filter(group__teachers=user, group__active=True)
        .select_related("group", "stage__competency")
        .order_by("stage__competency__code", "stage__ordinal", "group__name")
    )


def group_members(group: FlexibleGroup) -> list[Person]:
    return list(student_group_members(group.group))


def group_get(*, user: Person, group_id) -> FlexibleGroup:
    """A flexible group `user` teaches, or NotVisible."""
    return visible_get(groups_taught_by(user), group_id, "group")


@transaction.atomic
def group_disband(*, actor: Person, group: FlexibleGroup) -> None:
    if not group.group.teachers.filter(pk=actor.pk).exists():
        raise NotVisible(f"No group {group.uuid}.")
    student_group_disband(group=group.group, actor=actor)
