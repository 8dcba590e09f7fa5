"""Reads of shipments for views: a shipment by reference, and list pages answered from a per-row cache.

`RowViews` keeps each shipment's list row while its version and the date are the same, so a list page
recomputes only the rows that changed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import ShipmentRow
from rigport.errors import NotFoundError

View = TypeVar("View", bound=Mapping[str, Any])


def get_row(uow: AbstractUnitOfWork, reference: str) -> ShipmentRow:
    """The shipment stored under `reference`, or NotFoundError naming it."""
    row = uow.shipments.get(reference)
    if row is None:
        raise NotFoundError(f"shipment {reference!r} not found")
    return row


class RowViews:
    """List rows by shipment, reused while the shipment's version and the date are the same.

    A list is recomputed whenever any shipment changes (its cache key covers them all); with this only the
    changed rows are, so one event posted does not cost a whole page of clocks (docs/reliability.md).
    Process-wide and bounded; entries are keyed by database, so test databases never mix.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._views: OrderedDict[tuple[str, int], tuple[int, dt.date, Mapping[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], version: int, today: dt.date) -> Mapping[str, Any] | None:
        with self._lock:
            stored = self._views.get(key)
            if stored is None or stored[0] != version or stored[1] != today:
                return None
            self._views.move_to_end(key)
            return stored[2]

    def put(self, key: tuple[str, int], version: int, today: dt.date, view: Mapping[str, Any]) -> None:
        with self._lock:
            self._views[key] = (version, today, view)
            self._views.move_to_end(key)
            while len(self._views) > self.max_entries:
                self._views.popitem(last=False)


row_views = RowViews()


def list_views(
    uow: AbstractUnitOfWork,
    page: Sequence[tuple[int, int]],
    today: dt.date,
    make_view: Callable[[ShipmentRow, dt.date], View],
) -> list[View]:
    """The list rows of `page` ((id, version) pairs, in order): cached ones as stored, the others made by
    `make_view` from rows read in one query, and cached."""
    database = uow.database_key
    found = {i: row_views.get((database, i), v, today) for i, v in page}
    missing = [i for i, view in found.items() if view is None]
    for row in uow.shipments.with_clock_data(missing) if missing else ():
        found[row.id] = view = make_view(row, today)
        row_views.put((database, row.id), row.version, today, view)
    return [cast(View, dict(found[i] or {})) for i, _ in page]  # copies: a caller may change its rows
