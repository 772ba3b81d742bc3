"""What a district's families see of their children's learning (a design choice, issue 16
item 6): its setting, who may change it, and which children's teacher feedback a guardian
reads. The rule itself is `permissions.feedback_withheld_q`; the pages that show teachers'
words to families ask `sees_teacher_feedback` or `feedback_withheld_ids`."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.models import District, FamilySettings, FamilyVisibility, Person
from proficio.people.permissions import district_admin_of, feedback_withheld_q


def family_visibility_of(district_id: int) -> str:
    """The district's `FamilyVisibility`: Proficio's default (`full`) until someone chose."""
    chosen = FamilySettings.objects.filter(district_id=district_id).values_list(
        "visibility", flat=True
    )
    return next(iter(chosen), FamilyVisibility.FULL)


def feedback_withheld_ids(*, user: Person, students: Iterable[Person]) -> set[int]:
    """The ids of those of `students` (ones `user` may see) whose teachers' written feedback
    `user` does not read; one query, none for someone who is no guardian."""
    ids = [student.pk for student in students]
    if not ids:
        return set()
    q = feedback_withheld_q(user)
    return set(Person.objects.filter(q, pk__in=ids).values_list("pk", flat=True))


@transaction.atomic
def family_visibility_set(*, actor: Person, district: District, visibility: str) -> FamilySettings:
    """A district admin chooses what the district's families see."""
    if not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.uuid} you administer.")
    if visibility not in FamilyVisibility.values:
        raise InvalidInput({"visibility": _("Choose one of the two.")})
    before = family_visibility_of(district.pk)
    settings, _created = FamilySettings.objects.update_or_create(
        district=district, defaults={"visibility": visibility}
    )
    audit.record(
        actor=actor,
        action=audit.FAMILY_VISIBILITY_SET,
        district_id=district.pk,
        target=settings,
        data={"visibility": visibility, "before": before},
    )
    return settings
