"""Plain inserts for high-volume, append-only rows: one statement prepared once and run over
every row (executemany), where bulk_create compiles an INSERT for every few dozen rows and
that costs more than the insert itself (bench/xapi_statements.py: an xAPI store's index rows,
a batch of ratings). Each value is prepared by its field as bulk_create would, so UUIDs,
moments, decimals and booleans are written alike on SQLite and PostgreSQL. The rows get no
keys back: for tables whose callers need none."""

from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Fields whose values the database drivers take as Python gives them: no preparing needed.
_NUMBERS = frozenset(
    {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "AutoField",
        "BigAutoField",
    }
)
_TEXTS = frozenset({"CharField", "TextField"})


def _preparer(column: models.Field, connection: BaseDatabaseWrapper):
    """How to prepare a column's values: None when they go as they are."""
    field = column.target_field if column.is_relation else column
    kind = field.get_internal_type()
    if kind in _NUMBERS:
        return None

    def prepare(value: object) -> object:
        return column.get_db_prep_save(value, connection)

    if kind in _TEXTS:  # plain strings go as they are; choices and the like are prepared
        return lambda value: value if type(value) is str else prepare(value)
    return prepare


def _prepared(columns: list, values: Iterable[tuple], connection: BaseDatabaseWrapper) -> list:
    preparers = [_preparer(column, connection) for column in columns]
    return [
        tuple(
            value if prepare is None or value is None else prepare(value)
            for prepare, value in zip(preparers, row, strict=True)
        )
        for row in values
    ]


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert `rows`, each a tuple of the values of `fields` (model field names), in order."""
    columns = [model._meta.get_field(name) for name in fields]
    connection = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy for every value
    _execute(model, columns, _prepared(columns, rows, connection))


def instances_insert(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """Insert unsaved instances: every concrete column but an automatic key, each value as
    its field would save it (defaults, `auto_now_add`)."""
    columns = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]
    connection = connections[DEFAULT_DB_ALIAS]
    values = (
        tuple(column.pre_save(instance, True) for column in columns) for instance in instances
    )
    _execute(model, columns, _prepared(columns, values, connection))


def _execute(model: type[models.Model], columns: list, prepared: list[tuple]) -> None:
    if not prepared:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column.column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
