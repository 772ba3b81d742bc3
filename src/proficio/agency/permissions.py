"""Who reads and writes goals and check-ins, each rule once: a yes/no check paired with the
queryset filter it agrees with.

Goals are the student's: they write them; the student, their guardians and the staff who
serve them (teachers, a flexible group's teachers, mentors, admins) read them and comment.
Check-ins belong to the student and their mentor: a current mentor records one; the student,
the mentor who recorded it, the student's current mentors and admins of the student read
them; only the student writes their reflection.
A portfolio is the student's: they add, change and remove pieces; staff who serve them read
every piece, their guardians the pieces the student shared.
"""

from django.db.models import Q, QuerySet

from proficio.agency.models import CheckIn, Conference, Goal, PortfolioPiece
from proficio.people.api import (
    Person,
    children_of,
    is_self,
    is_signed_in,
    mentorships_open,
    students_administered_by,
    students_served_by,
    students_visible_to,
)

NOTHING = Q(pk__in=[])


def goals_visible_to(user: Person) -> QuerySet[Goal]:
    return Goal.objects.filter(student__in=students_visible_to(user))


def may_see_goal(user: Person, goal: Goal) -> bool:
    return goals_visible_to(user).filter(pk=goal.pk).exists()


def may_write_goal(user: Person, goal: Goal) -> bool:
    """Only the student changes their goal: its words, steps and status are theirs."""
    return is_self(user, goal.student)


def mentors_student(user: Person, student: Person) -> bool:
    """Whether `user` mentors `student` now."""
    return mentorships_open(mentor=user, students=[student]).exists()


def check_ins_visible_q(user: Person) -> Q:
    """The check-ins `user` may read (a filter on CheckIn)."""
    if not is_signed_in(user):
        return NOTHING
    mentees = mentorships_open(mentor=user).values("student_id")
    return (
        Q(student_id=user.pk)
        | Q(mentor_id=user.pk)
        | Q(student_id__in=mentees)
        | Q(student__in=students_administered_by(user))
    )


def check_ins_visible_to(user: Person) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(check_ins_visible_q(user))


def may_see_check_in(user: Person, check_in: CheckIn) -> bool:
    return check_ins_visible_to(user).filter(pk=check_in.pk).exists()


def pieces_visible_to(user: Person) -> QuerySet[PortfolioPiece]:
    """Portfolio pieces `user` may see, none removed: the student's own; every piece of the
    students they serve as staff; the pieces the student shared, for their guardians."""
    if not is_signed_in(user):
        return PortfolioPiece.objects.none()
    live = PortfolioPiece.objects.filter(removed_at__isnull=True)
    return live.filter(
        Q(student_id=user.pk, student__in=students_visible_to(user))
        | Q(student__in=students_served_by(user))
        | Q(student__in=children_of(user), shared_with_family=True)
    )


def may_see_piece(user: Person, piece: PortfolioPiece) -> bool:
    return pieces_visible_to(user).filter(pk=piece.pk).exists()


def conferences_visible_to(user: Person) -> QuerySet[Conference]:
    """Conferences `user` may read: the student's own; every one of the students they serve
    as staff; their children's once the student has shared the agenda."""
    if not is_signed_in(user):
        return Conference.objects.none()
    return Conference.objects.filter(
        Q(student_id=user.pk, student__in=students_visible_to(user))
        | Q(student__in=students_served_by(user))
        | Q(student__in=children_of(user), shared_at__isnull=False)
    )
