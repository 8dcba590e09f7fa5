"""Use case: simulations started from the API or dashboard run in the background and are stored.

A request is validated at once (a bad field is refused before anything is queued), stored as
`queued`, and run on a small thread pool in the server process, so a long run never blocks the
event loop (numpy releases the GIL in the heavy loops). The row moves queued -> running ->
succeeded | failed; a failure stores its message. A server that stops mid-run leaves rows
queued/running: on startup those whose owning process (host:pid in `runner`) is gone are marked
failed ("interrupted"). Results have the `rigport simulate --json` shape plus the fan chart.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NotRequired, cast

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.errors import InputError, NotFoundError, RigportError, UnavailableError
from rigport.services._unit import unit
from rigport.services.simulation_views import ReportSummary, SimulationReport
from rigport.settings import Settings, get_settings

if TYPE_CHECKING:  # the database's modules load on first use: `rigport simulate` never needs them
    from rigport.adapters.db.protocols import AbstractUnitOfWork

UnitFactory = Callable[[], "AbstractUnitOfWork"]

MAX_PATHS = 200_000  # one request must not exhaust the server: paths x chunk memory and minutes of CPU
MAX_DAYS = 3650
MAX_UNITS = 1_000_000
MAX_PENDING = 16  # queued + running runs per server process
POOL_WORKERS = 2
INTERRUPTED = "interrupted: the server stopped before the run finished"

# name -> (type, minimum, maximum, default); None default with no minimum means optional
NUMBER_FIELDS: dict[str, tuple[type, float | None, float | None, Any]] = {
    "units": (int, 1, MAX_UNITS, None),
    "unit_price": (float, 0, 1e7, None),
    "power_price": (float, 0, 10, None),
    "paths": (int, 1, MAX_PATHS, 10_000),
    "days": (int, 1, MAX_DAYS, 1095),
    "hold_prob": (float, 0, 1, None),
    "hold_days_mean": (float, 0, MAX_DAYS, None),
    "forfeit_prob": (float, 0, 1, 0.0),
    "storage_per_day": (float, 0, 1e5, 0.0),
    "volatility": (float, 0, 5, None),
    "drift": (float, -5, 5, None),
    "difficulty_growth": (float, -1, 10, None),
    "discount_rate": (float, 0, 1, None),
    "seed": (int, 0, 2**63 - 1, None),
}
FIELDS = ("model", "fit_holds", *NUMBER_FIELDS)
# request field -> SimulationParams field, for the overrides params_for_model takes
OVERRIDES = {
    "forfeit_prob": "forfeiture_probability", "storage_per_day": "storage_usd_per_unit_day",
    "volatility": "price_volatility", "drift": "price_drift", "difficulty_growth": "difficulty_growth",
    "discount_rate": "discount_rate",
}  # fmt: skip


class SimulationRequest(TypedDict):
    """A run's parameters once checked: defaults filled in and a seed drawn (what a run stores in `params`)."""

    model: str
    fit_holds: bool
    units: int
    unit_price: float | None  # None: the catalog's reference price
    power_price: float
    paths: int
    days: int
    hold_prob: float | None  # None: fitted (with fit_holds) or the documented default
    hold_days_mean: float | None
    forfeit_prob: float
    storage_per_day: float
    volatility: float | None  # None: the engine's default
    drift: float | None
    difficulty_growth: float | None
    discount_rate: float | None
    seed: int


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _number(name: str, value: Any) -> float | int | None:
    kind, low, high, default = NUMBER_FIELDS[name]
    if value is None:
        return default  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and not isinstance(value, int)):
        raise InputError(f"{name}: expected {'a whole number' if kind is int else 'a number'}, got {value!r}")
    if value != value or (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{name}: expected {low:g} to {high:g}, got {value!r}")
    return kind(value)  # type: ignore[no-any-return]


def validate_params(params: dict[str, Any], settings: Settings) -> SimulationRequest:
    """Normalized parameters (defaults filled, a seed drawn when none given so the run can be repeated)."""
    from rigport.services.catalog import get_catalog

    unknown = sorted(set(params) - set(FIELDS))
    if unknown:
        raise InputError(f"{unknown[0]}: not a simulation parameter; expected {', '.join(FIELDS)}")
    model = params.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InputError("model: expected a catalog model id")
    try:
        get_catalog(settings).get(model.strip().lower())
    except NotFoundError as exc:
        raise InputError(f"model: {exc}") from None
    out: dict[str, Any] = {"model": model.strip().lower(), "fit_holds": bool(params.get("fit_holds", False))}
    for name in NUMBER_FIELDS:
        out[name] = _number(name, params.get(name))
    if out["units"] is None:
        raise InputError("units: expected a whole number of machines, got nothing")
    if out["power_price"] is None:
        out["power_price"] = settings.default_power_price_usd_kwh
    if out["seed"] is None:
        out["seed"] = secrets.randbelow(2**32)
    return cast(SimulationRequest, out)  # built field by field from NUMBER_FIELDS, whose names it declares


def _simulate(
    params: SimulationRequest, settings: Settings, progress: Any = None, uow: AbstractUnitOfWork | None = None
) -> SimulationReport:
    from rigport.services.simulation import simulate_model

    fields: Mapping[str, Any] = params
    overrides = {target: fields[name] for name, target in OVERRIDES.items()}
    return simulate_model(
        params["model"], params["units"], params["unit_price"], params["power_price"], params["paths"],
        params["days"], params["seed"], hold_prob=params["hold_prob"], hold_days_mean=params["hold_days_mean"],
        fit=params["fit_holds"], settings=settings, progress=progress, uow=uow, **overrides,
    )  # fmt: skip


@dataclass
class _Pool:
    """One generation of the worker pool: its stop flag, pending run ids and their progress."""

    executor: ThreadPoolExecutor
    stop: threading.Event = field(default_factory=threading.Event)
    pending: set[str] = field(default_factory=set)
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_POOL: _Pool | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> _Pool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = _Pool(ThreadPoolExecutor(max_workers=POOL_WORKERS, thread_name_prefix="rigport-sim"))
        return _POOL


class _Interrupted(RigportError):
    """Raised from the progress callback when the server is stopping."""


def _units(settings: Settings, uow: AbstractUnitOfWork | None) -> UnitFactory:
    """How a pool thread opens its units of work: on the caller's store when a unit of work was given (the fast
    tests' memory), broker-wide there (the runner updates the run it was handed, whoever started it); else on the
    database, as the thread's own."""
    from rigport.adapters.db.scope import Scope

    if uow is not None:
        given = uow
        return lambda: given.rescoped(Scope())
    return lambda: unit(settings, None)


def _update(run_id: str, units: UnitFactory, **values: Any) -> None:
    with units() as uow:
        row = uow.simulations.get(run_id)
        if row is None:
            return
        for name, value in values.items():
            setattr(row, name, value)
        uow.commit()


def _execute(
    pool: _Pool, run_id: str, params: SimulationRequest, settings: Settings, units: UnitFactory, in_memory: bool
) -> None:
    """Runs on a pool thread: every outcome, including a crash, ends as a stored status."""

    def progress(done: int, total: int) -> None:
        pool.progress[run_id] = (done, total)
        if pool.stop.is_set():
            raise _Interrupted(INTERRUPTED)

    try:
        if pool.stop.is_set():
            raise _Interrupted(INTERRUPTED)
        _update(run_id, units, status="running", started_at=_now())
        report = _simulate(params, settings, progress, units() if in_memory else None)
        _update(run_id, units, status="succeeded", result=_jsonable(report), finished_at=_now())
    except RigportError as exc:
        _update(run_id, units, status="failed", error=str(exc), finished_at=_now())
    except Exception as exc:  # the stored error is what the user sees; never leave a run 'running'
        _update(run_id, units, status="failed", error=f"{type(exc).__name__}: {exc}", finished_at=_now())
    finally:
        with pool.lock:
            pool.pending.discard(run_id)
            pool.progress.pop(run_id, None)


def _jsonable(value: Any) -> Any:
    """Plain JSON for the result column (the report is floats, ints, lists and dicts; NaN becomes null)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


class SimulationProgress(TypedDict):
    chunks_done: int
    chunks_total: int


class SimulationRun(TypedDict):
    """A stored Monte Carlo run. `progress` while running here; `result` when asked for one run, `summary` (the
    result without its fan chart and histogram) in lists."""

    id: str
    status: str  # queued | running | succeeded | failed | interrupted
    params: SimulationRequest
    actor: str
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: NotRequired[SimulationProgress]
    result: NotRequired[SimulationReport | None]  # the report once succeeded, else null
    summary: NotRequired[ReportSummary]  # the report without `fan_chart` and `npv_histogram`


def view(row: Any, *, with_result: bool = True, progress: tuple[int, int] | None = None) -> SimulationRun:
    out: SimulationRun = {
        "id": row.id, "status": row.status, "params": row.params, "actor": row.actor, "error": row.error,
        "created_at": row.created_at.isoformat(), "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }  # fmt: skip
    if progress is not None:
        out["progress"] = {"chunks_done": progress[0], "chunks_total": progress[1]}
    if with_result:
        out["result"] = row.result
    elif row.result is not None:
        summary = {k: v for k, v in row.result.items() if k not in ("fan_chart", "npv_histogram")}
        out["summary"] = cast(ReportSummary, summary)  # the stored report (JSON) less its two bulky keys
    return out


def start_simulation(
    params: dict[str, Any], actor: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> SimulationRun:
    """Validate, store as queued and hand to the pool; returns the stored run (status queued or running)."""
    from rigport.adapters.db.tables import SimulationRow

    settings = settings or get_settings()
    clean = validate_params(params, settings)
    pool = _pool()
    with pool.lock:
        if len(pool.pending) >= MAX_PENDING:
            raise UnavailableError(f"{MAX_PENDING} simulations are already queued or running here; try again later")
        run_id = uuid.uuid4().hex
        pool.pending.add(run_id)
    try:
        units = _units(settings, uow)
        with unit(settings, uow) as store:
            row = SimulationRow(id=run_id, status="queued", params=clean, actor=actor, runner=_runner(),
                                created_at=_now())  # fmt: skip
            store.simulations.add(row)
            store.commit()
            result = view(row)
        pool.executor.submit(_execute, pool, run_id, clean, settings, units, uow is not None)
    except BaseException:
        with pool.lock:
            pool.pending.discard(run_id)
        raise
    return result


def get_simulation(
    run_id: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> SimulationRun:
    """One run: status, parameters, and the result once it succeeded (or the error once it failed)."""
    settings = settings or get_settings()
    with unit(settings, uow) as uow:
        row = uow.simulations.get(run_id)
        if row is None:
            raise NotFoundError(f"simulation {run_id!r} not found")
        progress = _POOL.progress.get(run_id) if _POOL is not None and row.status == "running" else None
        return view(row, progress=progress)


def list_simulations(
    settings: Settings | None = None, limit: int = 50, *, uow: AbstractUnitOfWork | None = None
) -> list[SimulationRun]:
    """Newest first, without the bulky fan chart: each finished run carries its `summary`."""
    if not 1 <= limit <= 500:
        raise InputError(f"limit: expected 1 to 500, got {limit}")
    settings = settings or get_settings()
    with unit(settings, uow) as uow:
        return [view(r, with_result=False) for r in uow.simulations.recent(limit)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _owner_gone(runner: str) -> bool:
    """True when the run's process is known dead: same host, pid not running. Other hosts: cannot tell."""
    host, _, pid = runner.rpartition(":")
    if not host or not pid.isdigit():
        return True
    return host == socket.gethostname() and int(pid) != os.getpid() and not _pid_alive(int(pid))


def mark_interrupted(settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> int:
    """On startup: runs left queued/running by a process that no longer exists become failed (interrupted)."""
    settings = settings or get_settings()
    with unit(settings, uow) as uow:
        stale = [r for r in uow.simulations.unfinished() if _owner_gone(r.runner)]
        for row in stale:
            row.status, row.error, row.finished_at = "failed", INTERRUPTED, _now()
        uow.commit()
        return len(stale)


def shutdown(settings: Settings | None = None) -> None:
    """Server shutdown: running runs stop at their next chunk and queued ones never start; all stored failed."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    pool.stop.set()
    pool.executor.shutdown(wait=True, cancel_futures=True)
    if settings is not None:
        with pool.lock:
            leftover = list(pool.pending)
        for run_id in leftover:  # cancelled before they started: _execute never ran for them
            _update(run_id, _units(settings, None), status="failed", error=INTERRUPTED, finished_at=_now())
