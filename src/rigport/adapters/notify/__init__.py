"""Channels that carry reminders out: e-mail over SMTP and signed webhooks (issue #29).

Each channel either returns (the other side accepted the message) or raises DeliveryError saying why
not, with `config` set when the cause is rigport's settings rather than the far side.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """The channel did not accept the message; `config` marks a settings problem (exit 2), else an outage."""

    def __init__(self, message: str, *, config: bool = False) -> None:
        super().__init__(message)
        self.config = config
