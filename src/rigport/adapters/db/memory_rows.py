"""Rows of the in-memory store: ORM row objects living without a session, copied per unit of work.

What the database does to a row on its way in and out, done by hand: the column defaults of an INSERT, a copy
per reader (one session's changes are not another's until commit), and what tells an UPDATE is due.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from sqlalchemy import inspect

from rigport.adapters.db.tables import Base

Row = TypeVar("Row", bound=Base)


def columns(row: Base) -> dict[str, Any]:
    """The row's column values by attribute name (relationships left out)."""
    return {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}


def copy_columns(row: Row) -> Row:
    """A detached copy of the row's columns; JSON values (dicts, lists) copied deeply, as a new read would."""
    new = type(row)()
    for key, value in columns(row).items():
        setattr(new, key, copy.deepcopy(value) if isinstance(value, dict | list) else value)
    return new


def fingerprint(row: Base, *, leave_out: str = "") -> str:
    """The row's own columns as a string: when it differs from the one taken at read, the row is written."""
    return repr(sorted((k, v) for k, v in columns(row).items() if k != leave_out))


def apply_defaults(row: Base) -> None:
    """The columns' Python-side defaults, as an INSERT applies them (`default=utcnow`, `default=""`, ...)."""
    for attr in inspect(type(row)).column_attrs:
        default = attr.columns[0].default
        if getattr(row, attr.key) is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
            setattr(row, attr.key, value)
