"""Messages from the services, worded for a person in the dashboard (issue #30).

The services' warnings end with what to do next in terminal terms ("run `rigport lists update`"), which is
right for the CLI and the API's users. A dashboard reader cannot run a command from the page, so the same
warning there says what to do in the dashboard's terms. The CLI keeps its wording.
"""

from __future__ import annotations

from rigport.services.horizons import PRICE_HINT, REFRESH_HINT
from rigport.services.screening import UPDATE_HINT

WEB_HINTS = {
    UPDATE_HINT: "ask your rigport operator to update the screening lists (until then, results may miss "
    "parties listed since that date)",
    REFRESH_HINT: "ask your rigport operator to refresh the network snapshot, or use figures you trust",
    PRICE_HINT: "give the price you pay in Unit price",
}


def for_web(message: str) -> str:
    """The message with any terminal instruction replaced by the dashboard's wording."""
    for hint, web in WEB_HINTS.items():
        message = message.replace(hint, web)
    return message
