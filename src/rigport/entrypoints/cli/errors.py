"""How the command line words an error: services name the input in domain terms, the CLI names its flag.

A service raises `InputError("expected org or person, got 'x'", field="type")`; the API shows
"type: expected ..." and the terminal shows "--type: expected ...". The mapping lives here, in one place.
"""

from __future__ import annotations

import re

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
    "lab_name": "--lab",
    "file": "FILE",
    "entity": "--entity",
    "since": "--since",
    "until": "--until",
    "client": "--client",
    "new_name": "NEW_NAME",
    "days": "--days",
    "rotate_and_revoke": "--rotate and --revoke",
    "unit_price_usd": "--unit-price",
    "difficulty": "--difficulty",
    "price_usd": "--price",
    "fees_btc_per_block": "--fees-btc",
    # the shipment list's filters (issue #30)
    "q": "--search", "port": "--port", "state": "--state", "importer": "--importer", "due_within": "--due-within",
    "sort": "--sort", "order": "--order", "limit": "--limit", "offset": "--offset", "format": "--format",
    "table": "TABLE",
}  # fmt: skip
# how a warning names the inputs that would avoid it: "(unit_price_usd)", "(or give difficulty, price_usd and ...)"
_FIELD_LIST = re.compile(r"\((or give )?([a-z_]+(?:(?:, | and )[a-z_]+)*)\)")
_FIELD = re.compile(r"\b(?!and\b)[a-z_]+")


def worded_warning(message: str) -> str:
    """A service's warning for the terminal: the fields it names in parentheses as flags, when all have one."""

    def flags(match: re.Match[str]) -> str:
        names = _FIELD.findall(match[2])
        if not all(name in FLAGS for name in names):
            return match[0]
        return f"({match[1] or ''}{_FIELD.sub(lambda m: FLAGS[m[0]], match[2])})"

    return _FIELD_LIST.sub(flags, message)


def worded(exc: RigportError) -> str:
    """The message for the terminal: the flag instead of the field name when the field has one."""
    if isinstance(exc, InputError) and exc.field in FLAGS:
        return f"{FLAGS[exc.field]}: {exc.detail}"
    return str(exc)
