"""Webhook reminders: a JSON POST signed with HMAC-SHA256 over the timestamp and the body (httpx).

Headers: `X-Rigport-Id` (the reminder's key, also the body's `id`), `X-Rigport-Timestamp` (Unix seconds)
and `X-Rigport-Signature: v1=<hex HMAC-SHA256 of "<timestamp>." + body, keyed with the endpoint's secret>`.
A receiver recomputes the HMAC, compares in constant time, refuses a timestamp older than a few minutes
(replay) and drops an `id` it has seen (a repeat after a crash). docs/reminders.md shows the check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Rigport-Signature"
TIMESTAMP_HEADER = "X-Rigport-Timestamp"
ID_HEADER = "X-Rigport-Id"
TOLERANCE_S = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signed: str, now: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent (TOLERANCE_S)."""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE_S:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signed)


def slack_payload(data: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook body: `text` with a link; the key stays in `id`."""
    url = data.get("url")
    text = str(data.get("text", ""))
    return {"id": data["id"], "text": f"{text} <{url}|open>" if url else text}


def post_webhook(url: str, secret: str | None, data: dict[str, Any], *, slack: bool, timeout_s: float) -> None:
    """POST one reminder; DeliveryError unless the endpoint answers 2xx."""
    from rigport.adapters.notify import DeliveryError

    payload = slack_payload(data) if slack else data
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", ID_HEADER: str(data["id"]), TIMESTAMP_HEADER: timestamp,
               "User-Agent": "rigport-reminders"}  # fmt: skip
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout_s, follow_redirects=False)
    except httpx.UnsupportedProtocol:
        raise DeliveryError(f"webhook {url}: expected an http:// or https:// URL", config=True) from None
    except httpx.InvalidURL as exc:
        raise DeliveryError(f"webhook {url}: invalid URL ({exc})", config=True) from None
    except (httpx.ConnectError, httpx.TimeoutException) as exc:
        raise DeliveryError(f"webhook {url}: {type(exc).__name__}: {exc}", down=True) from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {url}: {type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"webhook {url}: HTTP {response.status_code} {response.text[:200]!r}")
