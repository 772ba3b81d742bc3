"""Every table that holds rows about a person, found by walking the installed models.

A row is about a person when one of its foreign keys (or one-to-one keys) points at them;
many-to-many links are tables of such keys, so they are walked too. Two kinds of row point
at a person without a key: a log kept by username (django-axes' sign-in attempts and
accesses), and a row naming any object by content type and id (the admin's change log).
Walking the app registry instead of listing tables means a model added later, in any app,
is exported and has its files erased without a change here (docs/decisions/0015).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import FileField, Model, Q, QuerySet


@dataclass(frozen=True)
class PersonTable:
    """One table, and the columns by which its rows point at a person."""

    model: type[Model]
    # Attribute names of the keys ("student_id"); the person's own table has "pk".
    keys: tuple[str, ...]
    # A column holding the person's username, in a table kept by username ("username").
    username_fields: tuple[str, ...] = ()
    # (content type, object id) attribute pairs naming any object, the person among them.
    object_keys: tuple[tuple[str, str], ...] = ()

    @property
    def about_through(self) -> tuple[str, ...]:
        """The columns by which rows point at the person, as the export names them."""
        objects = tuple(
            f"{content_type}+{object_id}" for content_type, object_id in self.object_keys
        )
        return self.keys + self.username_fields + objects

    @property
    def kept_by_username(self) -> bool:
        """Only a username ties the rows to the person: sign-in logs, which erasure deletes."""
        return bool(self.username_fields) and not self.keys and not self.object_keys

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def title(self) -> str:
        """What a person calls the rows: "Profile" for the person's own, else the plural."""
        if self.keys == ("pk",):
            return "Profile"
        return str(self.model._meta.verbose_name_plural).capitalize()

    @property
    def file_fields(self) -> tuple[str, ...]:
        """Columns that name a stored file (uploads), whose content is the person's too."""
        return tuple(
            field.name for field in self.model._meta.concrete_fields if isinstance(field, FileField)
        )

    def rows_about(self, person: Model) -> QuerySet:
        person_type = ContentType.objects.get_for_model(person, for_concrete_model=True)
        about = [Q(**{key: person.pk}) for key in self.keys]
        about += [Q(**{field: person.username}) for field in self.username_fields]
        about += [
            Q(**{content_type: person_type.pk, object_id: str(person.pk)})
            for content_type, object_id in self.object_keys
        ]
        return self.model._base_manager.filter(reduce(or_, about)).order_by("pk")


def person_tables() -> list[PersonTable]:
    """The person's own table first, then every table that points at them, by name."""
    person_model = get_user_model()
    tables = [PersonTable(person_model, ("pk",))]
    pointing: list[PersonTable] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model is person_model:
            continue
        fields = {field.name: field for field in model._meta.concrete_fields}
        keys = tuple(
            field.attname
            for field in fields.values()
            if field.is_relation
            and (field.many_to_one or field.one_to_one)
            and field.related_model is person_model
        )
        username_fields = ("username",) if "username" in fields else ()
        content_type = fields.get("content_type")
        object_keys = (
            ((content_type.attname, fields["object_id"].attname),)
            if content_type is not None
            and content_type.related_model is ContentType
            and "object_id" in fields
            else ()
        )
        if keys or username_fields or object_keys:
            pointing.append(PersonTable(model, keys, username_fields, object_keys))
    return tables + sorted(pointing, key=lambda table: table.name)
