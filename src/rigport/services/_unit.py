"""The one choice every service makes: the caller's unit of work, else one on the database."""

from __future__ import annotations

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.uow import UnitOfWork
from rigport.settings import Settings


def unit(settings: Settings | None, uow: AbstractUnitOfWork | None) -> AbstractUnitOfWork:
    """`uow` when given (a fast test's in-memory one, tests/services/memory/), else a database unit of work on the
    store `settings` names. Services take `uow` as an optional keyword so entry points call them as before."""
    return uow if uow is not None else UnitOfWork(settings)
