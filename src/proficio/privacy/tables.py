"""Every table that holds rows about a person, found by walking the installed models.

A row is about a person when one of its foreign keys (or one-to-one keys) points at them;
many-to-many links are tables of such keys, so they are walked too. Walking the app
registry instead of listing tables means a model added later, in any app, is exported and
has its files erased without a change here (docs/decisions/0015).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import FileField, Model, Q, QuerySet


@dataclass(frozen=True)
class PersonTable:
    """One table, and the columns by which its rows point at a person."""

    model: type[Model]
    # Attribute names of the keys ("student_id"); the person's own table has "pk".
    keys: tuple[str, ...]

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
        about = reduce(or_, (Q(**{key: person.pk}) for key in self.keys))
        return self.model._base_manager.filter(about).order_by("pk")


def person_tables() -> list[PersonTable]:
    """The person's own table first, then every table with a key to it, by name."""
    person_model = get_user_model()
    tables = [PersonTable(person_model, ("pk",))]
    pointing: list[PersonTable] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        keys = tuple(
            field.attname
            for field in model._meta.concrete_fields
            if field.is_relation
            and (field.many_to_one or field.one_to_one)
            and field.related_model is person_model
        )
        if keys:
            pointing.append(PersonTable(model, keys))
    return tables + sorted(pointing, key=lambda table: table.name)
