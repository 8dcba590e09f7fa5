"""What a person asks of the shipment list: which shipments (filters, a search), in which order, which page.

One value serves the dashboard's URL, `GET /api/v1/shipments` and `rigport shipments list` (issue #30), so a
view bookmarked in the browser, an API query and a command line give the same rows. The store turns it into
one query with bound parameters (`adapters.db.shipment_search`); only the sort keys named in `SORT_KEYS` ever
reach an ORDER BY. Adding a filter (a client, issue #28) is one field here, one line in `check`, one `where`
in the store and one parameter at each entry point.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rigport.domain.customs.model import State
from rigport.errors import InputError

# The list's columns a person may sort by, by their names in the JSON rows ("next_deadline": the soonest open
# clock's due date; shipments without an open clock come last either way). Ties go by reference, so pages
# never overlap or skip a row.
SORT_KEYS = (
    "reference", "arrival_date", "port", "state", "importer_of_record", "mode", "carrier", "transport_doc",
    "entry_number", "total_units", "declared_value_usd", "next_deadline",
)  # fmt: skip
DEFAULT_SORT = "arrival_date"
ORDERS = ("asc", "desc")
MAX_TEXT = 200  # a search or filter longer than any stored value is a mistake, not a query
MAX_DUE_WITHIN_DAYS = 3650
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class ShipmentFilter:
    """Filters (all must hold), a free-text search, and the order. Empty text means "any".

    - `q`: part of the reference, transport document (bill of lading / air waybill), entry number, importer,
      carrier, a party's name or a serial number; case does not matter.
    - `port`, `importer`: the whole value, case does not matter.
    - `client`: a client's id or name (issue #28); within what the identity's scope sees.
    - `state`: shipments with units in that state (a split shipment is in several).
    - `due_within`: the soonest open clock is due within that many days from today (overdue ones included).
    """

    q: str = ""
    port: str = ""
    state: str = ""
    importer: str = ""
    client: str = ""
    due_within: int | None = None
    sort: str = DEFAULT_SORT
    order: str = "asc"

    def checked(self) -> ShipmentFilter:
        """The same filter tidied (text trimmed, state upper case), or InputError naming the field at fault."""
        texts = {name: " ".join(str(getattr(self, name) or "").split()) for name in ("q", "port", "importer", "client")}
        for name, text in texts.items():
            if len(text) > MAX_TEXT:
                raise InputError(f"expected at most {MAX_TEXT} characters, got {len(text)}", field=name)
        state = (self.state or "").strip().upper()
        if state and state not in State.__members__:
            raise InputError(f"expected one of {', '.join(State.__members__)}, got {self.state!r}", field="state")
        due = self.due_within
        if due is not None and not 0 <= due <= MAX_DUE_WITHIN_DAYS:
            raise InputError(f"expected 0 to {MAX_DUE_WITHIN_DAYS} days, got {due}", field="due_within")
        sort = (self.sort or DEFAULT_SORT).strip()
        if sort not in SORT_KEYS:
            raise InputError(f"expected one of {', '.join(SORT_KEYS)}, got {self.sort!r}", field="sort")
        order = (self.order or "asc").strip().lower()
        if order not in ORDERS:
            raise InputError(f"expected asc or desc, got {self.order!r}", field="order")
        return dataclasses.replace(self, **texts, state=state, due_within=due, sort=sort, order=order)

    def as_query(self) -> dict[str, str]:
        """The filter as URL query parameters, leaving out defaults: what a shared link or a download carries."""
        out = {name: str(getattr(self, name)) for name in ("q", "port", "state", "importer", "client")
               if getattr(self, name)}
        if self.due_within is not None:
            out["due_within"] = str(self.due_within)
        if self.sort != DEFAULT_SORT:
            out["sort"] = self.sort
        if self.order != "asc":
            out["order"] = self.order
        return out


def check_page(limit: int, offset: int) -> None:
    """Page bounds, as every entry point states them."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InputError(f"expected 1 to {MAX_PAGE_SIZE}, got {limit}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InputError(f"expected 0 to {MAX_OFFSET}, got {offset}", field="offset")
