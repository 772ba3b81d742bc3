"""Who may see and write performance tasks, each rule once: a yes/no check paired with the
queryset filter it agrees with.

Staff of a district write tasks. A teacher sees their own tasks, the district's shared
library and the tasks given to sections they serve; a district admin sees every task of the
district. A student sees the tasks given to them or to a section they are in.
"""

from django.db.models import Q, QuerySet

from proficio.people.api import (
    Person,
    Role,
    children_of,
    districts_administered_by,
    is_self,
    is_signed_in,
    roles_of,
    sections_enrolled_in,
    sections_served_by,
    serves_as_staff,
    students_served_by,
)
from proficio.work.models import Submission, Task

STAFF_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})
NOTHING = Q(pk__in=[])


def may_write_tasks(user: Person) -> bool:
    """Whether `user` may write tasks (for their own district) and give them out."""
    return (
        is_signed_in(user)
        and user.district_id is not None
        and bool(STAFF_ROLES & set(roles_of(user)))
    )


def tasks_visible_q(user: Person) -> Q:
    """The tasks `user` may see (a filter on Task)."""
    if not is_signed_in(user):
        return NOTHING
    q = NOTHING
    roles = set(roles_of(user))
    if STAFF_ROLES & roles and user.district_id is not None:
        served = sections_served_by(user).values("pk")
        q |= Q(district_id=user.district_id) & (
            Q(author=user) | Q(shared=True) | Q(assignments__section__in=served)
        )
        q |= Q(district__in=districts_administered_by(user))
    if Role.STUDENT in roles:
        q |= Q(assignments__section__in=sections_enrolled_in(user).values("pk"))
        q |= Q(assignments__students=user)
    return q


def tasks_visible_to(user: Person) -> QuerySet[Task]:
    return Task.objects.filter(tasks_visible_q(user)).distinct()


def may_see_task(user: Person, task: Task) -> bool:
    return tasks_visible_to(user).filter(pk=task.pk).exists()


def tasks_writable_q(user: Person) -> Q:
    """The tasks `user` may change and give out: their own, and any of a district they
    administer (a filter on Task)."""
    if not may_write_tasks(user):
        return NOTHING
    return Q(author=user, district_id=user.district_id) | Q(
        district__in=districts_administered_by(user)
    )


def may_write_task(user: Person, task: Task) -> bool:
    return Task.objects.filter(tasks_writable_q(user), pk=task.pk).exists()


def submissions_visible_q(user: Person) -> Q:
    """The submissions `user` may read (a filter on Submission): their own; those of the
    students they teach or administer; those of their children."""
    if not is_signed_in(user):
        return NOTHING
    return (
        Q(student=user) | Q(student__in=students_served_by(user)) | Q(student__in=children_of(user))
    )


def submissions_visible_to(user: Person) -> QuerySet[Submission]:
    return Submission.objects.filter(submissions_visible_q(user))


def may_see_submission(user: Person, submission: Submission) -> bool:
    return submissions_visible_to(user).filter(pk=submission.pk).exists()


def tasks_reviewed_q(user: Person) -> Q:
    """The tasks whose work `user` reviews (a filter on Task): those they wrote or gave out,
    those given to a section they serve, and every task of a district they administer — not
    a colleague's task given to other students, though they teach them too."""
    if not may_write_tasks(user):
        return NOTHING
    served = sections_served_by(user).values("pk")
    return (
        Q(author=user)
        | Q(assignments__assigned_by=user)
        | Q(assignments__section__in=served)
        | Q(district__in=districts_administered_by(user))
    )


def may_review(user: Person, submission: Submission) -> bool:
    """Staff who serve the student review their work on a task that is theirs to review."""
    return (
        serves_as_staff(user, submission.student)
        and Task.objects.filter(tasks_reviewed_q(user), pk=submission.task_id).exists()
    )


def may_comment(user: Person, submission: Submission) -> bool:
    """The student and the staff who serve them write in the feedback thread; guardians read."""
    return is_self(user, submission.student) or serves_as_staff(user, submission.student)
