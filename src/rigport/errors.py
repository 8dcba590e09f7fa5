"""Errors every layer understands.

Domain code raises these; the CLI maps them to exit codes (2 for bad input, 1 for failures) and
the API to RFC 9457 problem details (4xx for bad input, 409 for conflicts, 503 when a backing
service is down). Keeping them framework-free lets the pure packages use them.
"""

from __future__ import annotations


class RigportError(Exception):
    """Base class: a failure rigport can explain to a person without a traceback."""

    exit_code = 1
    http_status = 500
    title = "Internal error"


class InputError(RigportError):
    """The user gave something rigport cannot use (file, row, field).

    `field` names the input in domain terms ("type", "threshold", "output"), never as one entry point spells
    it: the message reads "field: detail", the API shows it as is, and the CLI says the flag instead
    (`rigport.entrypoints.cli.errors`).
    """

    exit_code = 2
    http_status = 422
    title = "Invalid input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.detail = message


class NotFoundError(InputError):
    """A named thing (model, shipment, list entry) does not exist."""

    http_status = 404
    title = "Not found"


class TooLargeError(InputError):
    """A value or body is larger than rigport stores or reads (e.g. an event's `data`): 413, exit 2."""

    http_status = 413
    title = "Payload too large"


class ConflictError(RigportError):
    """The change was based on stale data or breaks a rule given the current state."""

    exit_code = 1
    http_status = 409
    title = "Conflict"


class ConcurrentChangeError(ConflictError):
    """Another writer committed first (stale version, or a row it inserted): the same change may be retried."""


class UnavailableError(RigportError):
    """A backing service (database, remote API) cannot be reached right now."""

    exit_code = 1
    http_status = 503
    title = "Service unavailable"
