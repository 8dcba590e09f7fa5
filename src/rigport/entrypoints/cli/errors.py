"""How the command line words an error: services name the input in domain terms, the CLI names its flag.

A service raises `InputError("expected org or person, got 'x'", field="type")`; the API shows
"type: expected ..." and the terminal shows "--type: expected ...". The mapping lives here, in one place.
"""

from __future__ import annotations

from rigport.errors import InputError, RigportError

# field (as services and the API name it) -> how the command line spells it
FLAGS = {
    "name": "NAME",
    "type": "--type",
    "threshold": "--threshold",
    "reason": "--reason",
    "entry_ids": "--entry-id",
    "kind": "--kind",
    "list_name": "--name",
    "lists": "--list",
    "paths": "--paths",
    "plot": "--plot",
    "output": "--output",
    # the shipment list's filters (issue #30)
    "q": "--search", "port": "--port", "state": "--state", "importer": "--importer", "due_within": "--due-within",
    "sort": "--sort", "order": "--order", "limit": "--limit", "offset": "--offset", "format": "--format",
    "table": "TABLE",
}  # fmt: skip


def worded(exc: RigportError) -> str:
    """The message for the terminal: the flag instead of the field name when the field has one."""
    if isinstance(exc, InputError) and exc.field in FLAGS:
        return f"{FLAGS[exc.field]}: {exc.detail}"
    return str(exc)
