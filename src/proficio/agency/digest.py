"""The weekly email to families: per child what they mastered this week, the work they
shared, their teachers' newest words (unless the district keeps them between the teacher and
the student), their goals and their next conference — only what the guardian may read on the
family page, and only to guardians who have not turned it off.

`digests_send` is run once a week (`proficio family-digest`, from cron or a timer); each
email is a view of the children's records, so it joins the audit trail like the page.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from proficio.agency.conferences import family_agency, mastered_since
from proficio.agency.models import DigestChoice, PortfolioPiece
from proficio.agency.permissions import pieces_visible_to
from proficio.audit import api as audit
from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.lib.errors import NotVisible
from proficio.people.api import (
    Person,
    Role,
    children_of,
    guardian_of,
    guardians_active,
    is_signed_in,
    roles_of,
    sees_teacher_feedback,
)

WEEK = timedelta(days=7)


@dataclass
class ChildWeek:
    child: Person
    mastered: list[tuple[str, str, int]] = field(default_factory=list)  # code, title, stage
    pieces: list[PortfolioPiece] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # competency code, words
    goals: list = field(default_factory=list)
    conference: object | None = None

    @property
    def news(self) -> bool:
        return bool(self.mastered or self.pieces or self.feedback)


def week_of(*, guardian: Person, child: Person, today: date, agency: dict) -> ChildWeek:
    """What the guardian reads about one of their children for the week up to `today`."""
    since = today - WEEK
    week = ChildWeek(child=child, goals=agency["goals"], conference=agency["conference"])
    week.mastered = [
        (status.competency.code, status.competency.title, stage.stage.ordinal)
        for status, stage in mastered_since(child, since, today)
    ]
    week.pieces = list(
        pieces_visible_to(guardian)
        .filter(student=child, created_at__date__gt=since)
        .order_by("created_at")
    )
    if sees_teacher_feedback(guardian, child):
        week.feedback = _teachers_words(child, since)
    return week


def _teachers_words(child: Person, since: date) -> list[tuple[str, str]]:
    """The newest "what is needed next" teachers wrote this week: (competency code, words)."""
    words = (
        evidence_standing()
        .filter(student=child, observed_at__date__gt=since)
        .exclude(source=EvidenceSource.SELF)
        .exclude(feedback_next="")
        .select_related("competency")
        .order_by("-observed_at")[:3]
    )
    return [(e.competency.code, e.feedback_next) for e in words]


def wants_digest(guardian: Person) -> bool:
    choice = DigestChoice.objects.filter(person=guardian).values_list("weekly", flat=True)
    return next(iter(choice), True)


@transaction.atomic
def digest_choose(*, guardian: Person, weekly: bool) -> DigestChoice:
    """A guardian turns the weekly email on or off."""
    if not is_signed_in(guardian) or Role.GUARDIAN not in roles_of(guardian):
        raise NotVisible("Only a guardian chooses the weekly family email.")
    choice, _ = DigestChoice.objects.update_or_create(person=guardian, defaults={"weekly": weekly})
    return choice


def digest_message(
    *, guardian: Person, today: date
) -> tuple[EmailMultiAlternatives, list[Person]] | None:
    """The week's email for one guardian, in the language they chose (else the site's), with
    the children it tells of; None when they have no child, no address, or nothing happened
    this week."""
    with translation.override(guardian.language or settings.LANGUAGE_CODE):
        return _message(guardian, today)


def _message(guardian: Person, today: date) -> tuple[EmailMultiAlternatives, list[Person]] | None:
    children = list(children_of(guardian))
    if not children or not guardian.email:
        return None
    agency = family_agency(user=guardian, students=children)
    weeks = [
        week_of(guardian=guardian, child=child, today=today, agency=agency[child.pk])
        for child in children
        if guardian_of(guardian, child)
    ]
    if not any(week.news for week in weeks):
        return None
    context = {"guardian": guardian, "weeks": weeks, "site": settings.SITE_URL, "today": today}
    names = ", ".join(week.child.first_name for week in weeks)
    message = EmailMultiAlternatives(
        subject=str(translation.gettext("This week: %(names)s") % {"names": names}),
        body=render_to_string("agency/digest.txt", context),
        to=[guardian.email],
    )
    message.attach_alternative(render_to_string("agency/digest.html", context), "text/html")
    return message, [week.child for week in weeks]


def digests_send(*, today: date | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Send this week's email to every guardian who wants it: (sent, guardians considered).
    A guardian already sent one in the last six days is skipped, so running it twice in a
    week sends nothing twice."""
    today = today or timezone.localdate()
    guardians = guardians_active()
    recent = today - timedelta(days=6)
    sent = considered = 0
    for guardian in guardians.order_by("pk").iterator():
        considered += 1
        if not wants_digest(guardian):
            continue
        choice = DigestChoice.objects.filter(person=guardian).first()
        if choice and choice.last_sent_at and timezone.localdate(choice.last_sent_at) > recent:
            continue
        found = digest_message(guardian=guardian, today=today)
        if found is None:
            continue
        message, children = found
        if not dry_run:
            message.send()
            DigestChoice.objects.update_or_create(
                person=guardian, defaults={"last_sent_at": timezone.now()}
            )
            audit.record_views(
                actor=guardian,
                action=audit.STUDENT_VIEWED,
                students=children,
                data={"via": "weekly email"},
            )
        sent += 1
    return sent, considered
