"""Set-based generation of bench rows, with every column of the model accounted for.

The scale benches write millions of rows with `INSERT … SELECT`, too many for the
ORM. Listing the columns by hand let them rot: a field added to the model later
(NOT NULL, with only a Python default) broke `make bench` on the first insert.
Here the column list comes from the model itself, so a new field takes its
default, or fails at once with its name if it has none.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import NOT_PROVIDED, DateTimeField


class UnfilledColumn(Exception):
    """A NOT NULL column with no default and no value in the bench's SQL."""


def insert_select(model, values, source):
    """Return (sql, params) inserting into MODEL's table one row per row of SOURCE.

    VALUES maps column names to SQL expressions over SOURCE (a FROM clause and
    whatever follows it). Every other column gets what the ORM would store
    for it: the time of the insert when it is set automatically, else its
    field's default as a parameter ("" for text), else NULL where allowed; a
    NOT NULL column with none of these raises UnfilledColumn. Parameters
    are named (``%(name)s``), so literal percent signs in VALUES and SOURCE are
    written ``%%``.
    """
    fields = {field.column: field for field in model._meta.concrete_fields}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    ops = connection.ops
    columns, expressions, params = [], [], {}
    for column, field in fields.items():
        if column in values:
            expression = values[column]
        elif field.primary_key or field.db_default is not NOT_PROVIDED:
            continue  # the database fills it
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expression = "CURRENT_TIMESTAMP" if isinstance(field, DateTimeField) else "CURRENT_DATE"
        else:
            # What the ORM would store for a field left unset ("" for text).
            default = field.get_default()
            if default is None and field.null:
                continue
            if default is None:
                raise UnfilledColumn(
                    f"{model.__name__}.{field.name} is NOT NULL and has no default: "
                    "give it a value in the bench's SQL"
                )
            name = f"default_{column}"
            params[name] = field.get_db_prep_save(default, connection)
            expression = f"%({name})s"
        columns.append(ops.quote_name(column))
        expressions.append(expression)
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {source}"
    )
    return sql, params
