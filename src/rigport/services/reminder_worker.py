"""The reminder sender inside `rigport serve`: a thread per server worker, one of them sending at a time.

Each pass is `reminders.background_pass` (lock, decide, send); between passes the thread waits
`RIGPORT_NOTIFY_INTERVAL_S` seconds (0 turns it off, for hosts where cron runs `rigport notify run`).
A failing pass is logged and retried on the next; it never takes the server down.
"""

from __future__ import annotations

import logging
import threading

from rigport.settings import Settings

logger = logging.getLogger("uvicorn.error")


class ReminderWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.interval = settings.notify_interval_s
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0 or self.thread is not None:
            return
        self.thread = threading.Thread(target=self._loop, name="rigport-reminders", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def _loop(self) -> None:
        from rigport.services.reminders import background_pass

        while not self.stopping.wait(self.interval):
            try:
                result = background_pass(self.settings)
            except Exception as exc:  # the database is down, a bug: say so, try again next pass
                logger.warning("reminders: pass failed: %s: %s", type(exc).__name__, exc)
                continue
            if result and (result["queued"] or result["sent"] or result["failed"]):
                logger.info("reminders: %d queued, %d sent, %d failed %s", result["queued"], result["sent"],
                            result["failed"], "; ".join(result["errors"]))  # fmt: skip
