"""Django admin pieces every app shares."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Field, Model, QuerySet
from django.forms import Field as FormField
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are append-only or derived: admins may look, the services do the writing."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def is_operator(request: HttpRequest) -> bool:
    """A Django superuser: the operator who holds the installation, every district's."""
    return bool(request.user.is_active and request.user.is_superuser)


def administered_district_ids(request: HttpRequest) -> list[int]:
    """The districts the signed-in person administers, asked once per request.

    The person model answers (`administered_district_ids`): lib knows no domain model.
    """
    if not hasattr(request, "_administered_district_ids"):
        user = request.user
        # The admin asks before sign-in too (its login page lists nothing to the anonymous).
        signed_in = user.is_authenticated and user.is_active
        request._administered_district_ids = (
            list(user.administered_district_ids()) if signed_in else []
        )
    return request._administered_district_ids


class DistrictScoped:
    """The admin site as a district admin sees it: their districts' rows and nothing else.

    A staff person who is not a superuser may use a model whose admin has this mixin when
    they administer a district; its rows, the choices of its keys and filters, and the
    objects it opens by URL are limited to their districts (another district's object reads
    as missing). Superusers, the operator, see everything. Mixed into ModelAdmins and inlines.
    """

    # The lookup from the model to its district ("district", "student__district"; "pk" for
    # District itself). None: no district admin sees the model.
    district_path: str | None = None

    def _district_admin(self, request: HttpRequest) -> bool:
        return self.district_path is not None and bool(administered_district_ids(request))

    def in_districts(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if is_operator(request):
            return queryset
        if not self._district_admin(request):
            return queryset.none()
        return queryset.filter(**{f"{self.district_path}__in": administered_district_ids(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.in_districts(request, super().get_queryset(request))

    def _allowed(self, request: HttpRequest, obj: Model | None) -> bool:
        if not self._district_admin(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if is_operator(request):
            return super().has_view_permission(request, obj)
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if is_operator(request):
            return super().has_change_permission(request, obj)
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if is_operator(request):
            return super().has_add_permission(request, *args)
        return self._district_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if is_operator(request):
            return super().has_delete_permission(request, obj)
        return self._allowed(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        if is_operator(request):
            return super().has_module_permission(request)
        return self._district_admin(request)

    def _related_in_districts(
        self, db_field: Field, request: HttpRequest, kwargs: dict[str, Any]
    ) -> None:
        """Offer only the related rows of the person's districts (an unscoped one: none)."""
        if is_operator(request):
            return
        related = db_field.related_model
        related_admin = self.admin_site._registry.get(related)
        base = kwargs.get("queryset", related._default_manager.all())
        if isinstance(related_admin, DistrictScoped):
            kwargs["queryset"] = related_admin.in_districts(request, base)
        elif any(field.name == "district" for field in related._meta.concrete_fields):
            # A model with no admin page of its own (a roster's academic sessions).
            kwargs["queryset"] = base.filter(district__in=administered_district_ids(request))
        else:
            kwargs["queryset"] = base.none()

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        self._related_in_districts(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        self._related_in_districts(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DistrictScopedAdmin(DistrictScoped, admin.ModelAdmin):
    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        """Filters by a related row list only the rows in the person's districts."""
        filters = list(super().get_list_filter(request))
        if is_operator(request):
            return filters
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation
            else item
            for item in filters
        ]


class DistrictScopedInline(DistrictScoped):
    """An inline on a district-scoped page, which has checked the object it shows."""

    def _allowed(self, request: HttpRequest, obj: Model | None) -> bool:
        return self._district_admin(request)
