"""The one choice every service makes: the caller's unit of work, else one on the database.

Importing this module loads no database code: the database's unit of work is imported when `unit` opens one, so a
use case that never touches the store (screening a name, `rigport simulate`) never loads SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rigport.settings import Settings, get_settings

if TYPE_CHECKING:
    from rigport.adapters.db.protocols import AbstractUnitOfWork


def unit(settings: Settings | None, uow: AbstractUnitOfWork | None) -> AbstractUnitOfWork:
    """`uow` when given (a fast test's in-memory one, tests/services/memory/), else a database unit of work on the
    store `settings` names. Services take `uow` as an optional keyword so entry points call them as before."""
    if uow is not None:
        return uow
    from rigport.adapters.db.uow import UnitOfWork

    return UnitOfWork(settings)


def settings_of(settings: Settings | None, uow: AbstractUnitOfWork | None) -> Settings:
    """The settings given, else the unit of work's (a fast test passes only `uow`), else the environment's."""
    if settings is not None:
        return settings
    return uow.settings if uow is not None else get_settings()
