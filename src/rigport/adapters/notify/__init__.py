"""Channels that carry reminders out: e-mail over SMTP and signed webhooks (issue #29).

Each channel either returns (the other side accepted the message) or raises DeliveryError saying why
not, with `config` set when the cause is rigport's settings rather than the far side.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """The channel did not accept the message; `config` marks a settings problem (exit 2), else an outage.

    `down` says the channel itself is unusable right now (no host, cannot connect, timed out, TLS or login
    refused), not just this message: the sender then leaves the channel's other messages for the next pass
    instead of waiting out a timeout for each of them.
    """

    def __init__(self, message: str, *, config: bool = False, down: bool = False) -> None:
        super().__init__(message)
        self.config = config
        self.down = down or config
