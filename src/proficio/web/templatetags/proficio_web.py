"""Template helpers for the layout: navigation by role and plain wording of small facts."""

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from proficio.people.api import Role, roles_of
from proficio.web.views import STAFF_ROLES

register = template.Library()


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


@register.simple_tag
def nav_links(request: HttpRequest | None) -> list[NavLink]:
    """The top-bar links for the roles the signed-in person holds."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = set(roles_of(user))
    links: list[tuple[str, str]] = []
    if roles & STAFF_ROLES:
        links.append((reverse("home"), _("My sections")))
        # Where district admins import CASE standards, and staff read the frameworks.
        links.append((reverse("interop:frameworks"), _("Frameworks")))
        links.append((reverse("pathways:today"), _("Today")))
        links.append((reverse("work:tasks"), _("Tasks")))
        links.append((reverse("pathways:playlists"), _("Playlists")))
        links.append((reverse("calibration:home"), _("Calibration")))
    if Role.TEACHER in roles:
        links.append((reverse("agency:mentoring"), _("Mentoring")))
    if Role.GUARDIAN in roles:
        links.append((reverse("guardian_home"), _("My children")))
    if Role.STUDENT in roles:
        links.append((reverse("pathways:next_steps"), _("Next steps")))
        links.append((reverse("work:home"), _("My work")))
        links.append((reverse("agency:goals"), _("My goals")))
        links.append((reverse("agency:portfolio"), _("My portfolio")))
        links.append((reverse("mastery:student", args=[user.uuid]), _("My progress")))
    if roles & {Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN}:
        links.append((reverse("mastery:policies"), _("Mastery policies")))
        links.append((reverse("agency:mentors"), _("Mentors")))
        links.append((reverse("reports:dashboard"), _("Dashboard")))
        links.append((reverse("reports:design"), _("Design choices")))
    if Role.DISTRICT_ADMIN in roles:
        links.append((reverse("interop:oneroster_upload"), _("Rosters")))
    if user.is_staff:
        links.append((reverse("admin:index"), _("Admin")))
    return [NavLink(url, label, request.path == url) for url, label in links]


@register.filter
def age_grade(grade: int | None) -> str:
    """0 is kindergarten; below that, pre-kindergarten."""
    if grade is None:
        return ""
    if grade == 0:
        return _("Kindergarten")
    if grade < 0:
        return _("Pre-kindergarten")
    return _("Grade %(grade)s") % {"grade": grade}


@register.filter
def grade_short(grade: int | None) -> str:
    """A stage's typical grade in a few characters: "K", "Gr 3"."""
    if grade is None:
        return ""
    if grade == 0:
        return _("K")
    if grade < 0:
        return _("Pre-K")
    return _("Gr %(grade)s") % {"grade": grade}
