"""E-mail reminders over SMTP (smtplib): STARTTLS when asked, AUTH when a user is set, text and HTML parts.

The Message-ID carries the reminder's key, so a mailbox or a filter can drop a repeat (a repeat happens
only when the sender stopped between the server's acceptance and the outbox recording it).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate


@dataclass(frozen=True)
class SmtpConfig:
    host: str | None
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    timeout_s: float


def build_email(config: SmtpConfig, to: str, subject: str, text: str, html: str, key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{key}@rigport>"
    message["X-Rigport-Key"] = key
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(config: SmtpConfig, to: str, subject: str, text: str, html: str, key: str) -> None:
    """Hand one message to the SMTP server; DeliveryError (from rigport.adapters.notify) when it does not take it."""
    from rigport.adapters.notify import DeliveryError

    if not config.host:
        raise DeliveryError("RIGPORT_SMTP_HOST is not set: e-mail reminders wait in the outbox", config=True)
    where = f"SMTP {config.host}:{config.port}"
    message = build_email(config, to, subject, text, html, key)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as server:
            if config.starttls:
                server.starttls(context=ssl.create_default_context())
            if config.user:
                server.login(config.user, config.password or "")
            refused = server.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: {exc} (set RIGPORT_SMTP_STARTTLS=0 only for a server on this host)",
                            config=True) from None  # fmt: skip
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: login refused for RIGPORT_SMTP_USER: {exc.smtp_code} {_text(exc.smtp_error)}",
                            config=True) from None  # fmt: skip
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where}: recipient {to} refused: {_refusals(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except (socket.gaierror, ConnectionRefusedError) as exc:
        raise DeliveryError(f"{where}: cannot connect ({exc.strerror or exc}); check RIGPORT_SMTP_HOST and "
                            "RIGPORT_SMTP_PORT", down=True) from None  # fmt: skip
    except OSError as exc:  # disconnects, timeouts, TLS failures (smtplib's own errors are OSErrors too)
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}", down=True) from None
    if refused:
        raise DeliveryError(f"{where}: recipient {to} refused: {_refusals(refused)}")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {_text(reason)}" for code, reason in refused.values())
