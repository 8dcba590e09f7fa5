"""Unit of work: one transaction per use case; commit all or nothing (cosmicpython pattern)."""

from __future__ import annotations

from functools import lru_cache
from types import TracebackType

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from rigport.adapters.db import scope as client_scope
from rigport.adapters.db import writers
from rigport.adapters.db.engine import as_unavailable, ensure_schema, get_engine
from rigport.adapters.db.reminder_repository import ReminderRepository
from rigport.adapters.db.repository import (
    AuditRepository,
    ClientRepository,
    ShipmentRepository,
    TokenRepository,
    UserRepository,
)
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.screening_repository import ScreeningRepository
from rigport.adapters.db.simulation_repository import SimulationRepository
from rigport.errors import ConcurrentChangeError, InputError, UnavailableError
from rigport.settings import Settings, get_settings


class UnitOfWork:
    """`with UnitOfWork() as uow: ...; uow.commit()` — leaving without commit rolls back.

    Bound to a client scope (issue #28): the one given, else the one the entry point bound for this request
    (`adapters.db.scope.bind`), else broker-wide. Everything its session reads or writes is limited to that
    scope (adapters/db/scope.py); on PostgreSQL the transaction also carries it for row-level security.
    """

    session: Session
    shipments: ShipmentRepository
    tokens: TokenRepository
    audit: AuditRepository
    users: UserRepository
    clients: ClientRepository
    screening: ScreeningRepository
    reminders: ReminderRepository
    simulations: SimulationRepository

    def __init__(self, settings: Settings | None = None, scope: Scope | None = None) -> None:
        self.settings = settings or get_settings()
        self.scope = scope if scope is not None else client_scope.current()
        self.engine = get_engine(self.settings)
        ensure_schema(self.engine)
        self._factory = _session_factory(self.engine)

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        client_scope.apply(self.session, self.scope)
        if not self.scope.broker_wide and self.engine.dialect.name == "postgresql":
            setting = self.scope.setting or "-1"  # scoped to no client: matches no row
            event.listen(self.session, "after_begin", lambda _s, _tx, connection: connection.execute(
                text("SELECT set_config('rigport.client_ids', :ids, true)"), {"ids": setting}
            ))  # fmt: skip
        self.shipments = ShipmentRepository(self.session)
        self.tokens = TokenRepository(self.session)
        self.audit = AuditRepository(self.session, self.scope.label)
        self.users = UserRepository(self.session)
        self.clients = ClientRepository(self.session)
        self.screening = ScreeningRepository(self.session)
        self.reminders = ReminderRepository(self.session)
        self.simulations = SimulationRepository(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            writers.release(self.session)
        if isinstance(exc, StaleDataError | IntegrityError):  # e.g. raised by an autoflush in a concurrent race
            raise _conflict(exc) from None
        if isinstance(exc, DataError):  # a value the column cannot hold that validation let through: bad input
            reason = str(exc.orig).strip().splitlines()
            raise InputError(f"value does not fit the database: {reason[0] if reason else 'out of range'}") from None
        if exc is not None and not isinstance(exc, UnavailableError):
            unavailable = as_unavailable(exc)
            if unavailable is not None:
                raise unavailable from None

    @property
    def database_key(self) -> str:
        """The database's URL: process-wide caches keyed by row id keep test databases apart by it."""
        return self.settings.effective_database_url

    def rescoped(self, scope: Scope) -> UnitOfWork:
        return UnitOfWork(self.settings, scope)

    def flush(self) -> None:
        try:
            self.session.flush()
        except (StaleDataError, IntegrityError) as exc:
            raise _conflict(exc) from None

    def commit(self) -> None:
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError) as exc:
            self.session.rollback()
            raise _conflict(exc) from None
        finally:
            writers.release(self.session)


@lru_cache(maxsize=8)
def _session_factory(engine: Engine) -> sessionmaker[Session]:
    """One factory per engine: building a sessionmaker sets up a Session subclass and its event dispatch,
    which cost more than the query itself on a cheap read (measured: docs/reliability.md 8)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    client_scope.install(factory)  # every session's statements filtered by the client scope it is given
    if engine.dialect.name == "sqlite":  # every flush, autoflush included, writes: queue for the writer slot first
        event.listen(factory, "before_flush", lambda session, _context, _instances: writers.hold(session))
    return factory


def _conflict(exc: StaleDataError | IntegrityError) -> ConcurrentChangeError:
    """A concurrent writer got there first (stale version or a row it just inserted): 409, reload and retry."""
    if isinstance(exc, StaleDataError):
        return ConcurrentChangeError("the record was changed by someone else; reload it and try again")
    return ConcurrentChangeError(f"conflicts with stored data: {exc.orig}")
