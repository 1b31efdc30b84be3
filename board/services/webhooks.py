"""The council webhook: an outbox written with each change, sent by a background task.

``enqueue`` adds a delivery in the caller's transaction, so a change and its delivery are
committed together or not at all. ``send_due`` POSTs every delivery whose time has come,
signed with HMAC-SHA256 over ``"{timestamp}.{body}"``; a 2xx marks it delivered, anything
else (or no answer) schedules a retry with exponential backoff. Delivery is at least once:
the receiver drops repeats by the ``Idempotency-Key`` header. Pending deliveries live in
the database, so a restart loses none: the sender picks them up when it starts again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from board.events import iso
from board.models import Board, Proposal, WebhookDelivery, utcnow
from board.services import Actor
from board.services.commands import board_read
from board.services.rules import require_facilitator
from board.storage import read_snapshot, write_transaction

log = logging.getLogger(__name__)

#: How long one sender holds a delivery it is sending before another may try it.
LEASE = timedelta(seconds=30)
MAX_WAIT = 3600.0
TIMEOUT = 10


def enqueue(
    session: so.Session, board: Board, proposal: Proposal, event: str, payload: dict[str, Any]
) -> WebhookDelivery | None:
    """Add a delivery of ``payload`` to the outbox (nothing when no webhook is configured)."""
    if not current_app.config.get("BOARD_WEBHOOK_URL"):
        return None
    delivery = WebhookDelivery(
        board_id=board.id,
        proposal_id=proposal.id,
        event=event,
        idempotency_key=uuid.uuid4().hex,
        payload={"event": event, "proposal": payload},
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    return delivery


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-CommonGround-Signature`` value: ``sha256=`` and the hex HMAC of
    ``timestamp + "." + body`` with the shared secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send_due(app: Flask) -> int:
    """Send every delivery that is due now; return how many were delivered."""
    url = app.config.get("BOARD_WEBHOOK_URL")
    if not url:
        return 0
    delivered = 0
    with app.app_context():
        for delivery_id in _claim(app):
            delivered += _send_one(app, delivery_id, url)
    return delivered


def _claim(app: Flask) -> list[int]:
    """Take the due deliveries for this sender: their next attempt moves a lease ahead, so
    a second process does not send them at the same time."""
    now = utcnow()
    with write_transaction() as session:
        due = session.scalars(
            sa.select(WebhookDelivery.id)
            .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(50)
            .with_for_update(skip_locked=True)
        ).all()
        if due:
            session.execute(
                sa.update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(due))
                .values(next_attempt_at=now + LEASE)
            )
    return list(due)


def _send_one(app: Flask, delivery_id: int, url: str) -> int:
    with read_snapshot() as session:
        delivery = session.get_one(WebhookDelivery, delivery_id)
        body = json.dumps(delivery.payload, sort_keys=True).encode()
        key, event = delivery.idempotency_key, delivery.event
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CommonGround-Webhook/1",
        "X-CommonGround-Event": event,
        "X-CommonGround-Timestamp": timestamp,
        "Idempotency-Key": key,
    }
    secret = app.config.get("BOARD_WEBHOOK_SECRET")
    if secret:
        headers["X-CommonGround-Signature"] = signature(secret, timestamp, body)
    status: int | None = None
    error = ""
    try:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    ok = status is not None and 200 <= status < 300
    with write_transaction() as session:
        delivery = session.get_one(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        delivery.last_status = status
        delivery.last_error = "" if ok else (error or f"HTTP {status}")
        if ok:
            delivery.delivered_at = utcnow()
        else:
            base = float(app.config.get("BOARD_WEBHOOK_BACKOFF", 5.0))
            wait = min(base * 2 ** (delivery.attempts - 1), MAX_WAIT)
            delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
            log.warning("webhook %s attempt %s failed: %s", key, delivery.attempts, error)
    return 1 if ok else 0


def run_sender(app: Flask, sleep: Any, interval: float = 1.0) -> None:
    """The background task: send what is due, forever (``sleep`` is the server's)."""
    while True:
        try:
            send_due(app)
        except Exception:
            log.exception("webhook sender failed; trying again")
        sleep(interval)


@board_read("webhooks.log", who="facilitator")
def deliveries(actor: Actor) -> list[dict[str, Any]]:
    """The board's webhook delivery log, newest first (facilitators)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        rows = session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.board_id == actor.board_id)
            .order_by(WebhookDelivery.id.desc())
        ).all()
        return [
            {
                "id": d.id,
                "proposal_id": d.proposal_id,
                "event": d.event,
                "idempotency_key": d.idempotency_key,
                "attempts": d.attempts,
                "delivered": d.delivered_at is not None,
                "delivered_at": iso(d.delivered_at),
                "next_attempt_at": None if d.delivered_at else iso(d.next_attempt_at),
                "last_status": d.last_status,
                "last_error": d.last_error,
                "created_at": iso(d.created_at),
            }
            for d in rows
        ]
