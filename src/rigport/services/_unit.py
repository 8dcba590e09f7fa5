"""The unit of work a service call runs in: the caller's (a fast test's in-memory one), else the database's."""

from __future__ import annotations

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.uow import UnitOfWork
from rigport.settings import Settings


def unit(settings: Settings | None, uow: AbstractUnitOfWork | None) -> AbstractUnitOfWork:
    """`uow` when given (every service takes an optional `uow=`), else a new one on the database `settings` name."""
    return uow if uow is not None else UnitOfWork(settings)
