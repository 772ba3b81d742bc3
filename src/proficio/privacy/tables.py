"""Every table that holds rows about a person, found by walking the installed models.

A row is about a person when one of its foreign keys (or one-to-one keys) points at them,
or at a row that is about them, up to three steps away (a file of a revision of the
student's submission; a file kept with a rating of the student); many-to-many links are
tables of such keys, so they are walked too. Two kinds of row point
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
    # Attribute names of the keys ("student_id"), or paths through the rows they point at
    # ("revision__submission__student_id"); the person's own table has "pk".
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


STEPS = 3  # RevisionFile → Revision → Submission → the student


def _key_paths(person_model: type[Model]) -> dict[type[Model], tuple[str, ...]]:
    """For each model, the lookups from its rows to a person: its own keys to the person,
    then keys to rows that hold such a key, up to STEPS steps away."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model is not person_model
    ]
    found: dict[type[Model], list[str]] = {model: [] for model in models}
    keys = {
        model: [
            field
            for field in model._meta.concrete_fields
            if field.is_relation and (field.many_to_one or field.one_to_one)
        ]
        for model in models
    }
    reached = {model: [] for model in models}
    for model in models:
        for field in keys[model]:
            if field.related_model is person_model:
                reached[model].append(field.attname)
        found[model] += reached[model]
    for _step in range(1, STEPS):
        nearer = reached
        reached = {model: [] for model in models}
        for model in models:
            for field in keys[model]:
                target = field.related_model
                # A row pointing at another row of its own table (a correction) is about the
                # same person through its own keys already.
                if target in (person_model, ContentType, model) or target not in nearer:
                    continue
                reached[model] += [f"{field.name}__{path}" for path in nearer[target]]
            reached[model] = [path for path in reached[model] if path not in found[model]]
            found[model] += reached[model]
    return {model: tuple(paths) for model, paths in found.items()}


def person_tables() -> list[PersonTable]:
    """The person's own table first, then every table that points at them, by name."""
    person_model = get_user_model()
    tables = [PersonTable(person_model, ("pk",))]
    pointing: list[PersonTable] = []
    paths = _key_paths(person_model)
    for model, keys in paths.items():
        fields = {field.name: field for field in model._meta.concrete_fields}
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
