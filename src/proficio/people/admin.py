"""Django admin for district setup: districts, schools, people and their roles, sections."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from proficio.audit.api import AuditedAdmin
from proficio.lib.admin import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    ReadOnlyAdmin,
    is_operator,
)
from proficio.people.models import (
    ApiToken,
    District,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
    TeachingAssignment,
)
from proficio.people.selectors import api_tokens_visible_to
from proficio.people.services import api_token_revoke, person_sign_in_unlock

admin.site.site_header = _("Proficio district setup")
admin.site.site_title = _("Proficio admin")

# A district admin's person page shows these read-only: only the operator changes them.
OPERATOR_FIELDS = [
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
    "last_login",
    "date_joined",
]


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    district_path = "pk"
    list_display = ["name", "uuid"]
    search_fields = ["name"]

    # A district admin keeps their own district; districts come and go by the operator.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj: District | None = None) -> bool:
        return is_operator(request)


@admin.register(School)
class SchoolAdmin(DistrictScopedAdmin):
    district_path = "district"
    list_display = ["name", "district"]
    list_filter = ["district"]
    search_fields = ["name"]


class RoleInline(DistrictScopedInline, admin.TabularInline):
    district_path = "district"
    model = RoleAssignment
    extra = 0
    fields = ["role", "district", "school", "active"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin, DistrictScopedAdmin, UserAdmin):
    district_path = "district"
    inlines = [RoleInline]
    list_display = ["username", "first_name", "last_name", "district", "age_grade", "is_staff"]
    list_filter = ["roles__role", "district", "is_staff", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Proficio"), {"fields": ["district", "preferred_name", "age_grade"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Proficio"), {"fields": ["district", "first_name", "last_name", "age_grade"]}),
    ]
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Unlock the sign-in of the selected people"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        """After too many wrong passwords a person waits out the lockout, or asks an admin."""
        unlocked = sum(
            1 for person in queryset if person_sign_in_unlock(actor=request.user, person=person)
        )
        self.message_user(
            request,
            ngettext("Unlocked %d person's sign-in.", "Unlocked %d people's sign-in.", unlocked)
            % unlocked
            if unlocked
            else _("None of them was locked out."),
            messages.SUCCESS,
        )

    def students_of(self, rows: Iterable[Person]) -> list[Person]:
        """The students among these people (staff and guardians are not a student's record)."""
        return list(
            Person.objects.filter(pk__in=[row.pk for row in rows], roles__role=Role.STUDENT)
            .distinct()
            .order_by("pk")
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        """A district admin never sees a site operator, even one with a district (as district
        admins were before they stopped being superusers): its password, name and address are
        not theirs to change."""
        people = super().get_queryset(request)
        return people if is_operator(request) else people.filter(is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        """Who may use the admin site, and with which rights, is the operator's to say."""
        fields = list(super().get_readonly_fields(request, obj))
        if is_operator(request):
            return fields
        return [*fields, *OPERATOR_FIELDS]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin, DistrictScopedAdmin):
    district_path = "district"

    def students_of(self, rows: Iterable[RoleAssignment]) -> list[Person]:
        return [row.person for row in rows if row.role == Role.STUDENT]

    list_display = ["person", "role", "school", "district", "active"]
    list_filter = ["role", "active", "school"]
    list_select_related = ["person", "school", "district"]
    search_fields = ["person__username", "person__first_name", "person__last_name"]
    autocomplete_fields = ["person", "school"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(AuditedAdmin, DistrictScopedAdmin):
    district_path = "student__district"
    list_display = ["guardian", "student", "relationship"]
    list_select_related = ["guardian", "student"]
    search_fields = ["guardian__last_name", "guardian__first_name", "student__last_name"]
    autocomplete_fields = ["guardian", "student"]


class TeachingInline(DistrictScopedInline, admin.TabularInline):
    district_path = "section__school__district"
    model = TeachingAssignment
    extra = 0
    autocomplete_fields = ["teacher"]


class EnrollmentInline(DistrictScopedInline, admin.TabularInline):
    district_path = "section__school__district"
    model = Enrollment
    extra = 0
    fields = ["student", "active", "enrolled_on"]
    autocomplete_fields = ["student"]


@admin.register(Section)
class SectionAdmin(AuditedAdmin, DistrictScopedAdmin):
    """Its enrolments change here, inline: each save is recorded about the section."""

    district_path = "school__district"

    def students_of(self, rows: Iterable[Section]) -> list[Person]:
        return []

    inlines = [TeachingInline, EnrollmentInline]
    list_display = ["name", "school", "course"]
    list_filter = ["school"]
    list_select_related = ["school", "course"]
    search_fields = ["name"]
    autocomplete_fields = ["school", "course"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, DistrictScopedAdmin):
    """Tokens are issued by signing in to the API; here they are only looked at and revoked."""

    district_path = "person__district"

    list_display = [
        "person",
        "created_at",
        "last_used_at",
        "expires_at",
        "state",
        "revoked_by",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "person__district"]
    search_fields = ["person__username", "person__first_name", "person__last_name"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke_tokens"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        """Only the tokens the signed-in admin may revoke (people/permissions.py)."""
        return api_tokens_visible_to(request.user).select_related("revoked_by")

    @admin.display(description=_("state"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return str(_("revoked"))
        if not token.matches_password():
            return str(_("ended by a password change"))
        if not token.is_live():
            return str(_("expired"))
        return str(_("live"))

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)
            revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %d API token.", "Revoked %d API tokens.", revoked) % revoked,
            messages.SUCCESS,
        )
