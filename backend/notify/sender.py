"""The push sender: drains the outbox to Expo in batches and checks receipts later.

It runs in its own thread, woken when a job's end commits outbox rows and on a timer
sweep; every HTTP call happens outside any database transaction. `drain_once()` and
`check_receipts_once()` are the same steps, callable synchronously from tests.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from backend.db import Database
from backend.models import OutboxStatus
from backend.notify import claims
from backend.notify.claims import ReceiptClaim, SendClaim
from backend.notify.expo import ExpoClient, ExpoMessage, Verdict, classify
from backend.notify.settings import MAX_BATCH, MAX_RECEIPT_BATCH, PushSettings
from backend.notify.tokens import deactivate_token
from backend.observability import metrics
from backend.timeutil import utcnow

log = logging.getLogger(__name__)

_MESSAGE_FIELDS = frozenset(ExpoMessage._fields) - {"to"}
# Never spin: even when something is due "now" (held by another sender), pause this much.
_MIN_WAIT_S = 0.05


class PushSender:
    def __init__(self, db: Database, settings: PushSettings) -> None:
        self.db = db
        self.settings = settings
        self.client = ExpoClient(settings)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._random = random.Random()
        self.passes = 0  # loop iterations finished: lets a test know the sender went idle

    # --- lifecycle ----------------------------------------------------------------------

    def reconfigure(self, **changes: Any) -> None:
        """Replace settings (tests: a short back-off); call before start()."""
        self.settings = replace(self.settings, **changes)
        self.client.close()
        self.client = ExpoClient(self.settings)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="clipscope-push", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.client.close()

    def wake(self) -> None:
        """Outbox rows were committed: look now rather than at the next sweep."""
        self._wake.set()

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stopping.is_set():
            self._wake.clear()
            wait = min(5.0, self.settings.sweep_interval_s)
            try:
                self.drain_once()
                # Receipts are due minutes after a send: the timer sweep is soon enough, and
                # the wake-up for a fresh row does not wait on their query.
                if time.monotonic() >= next_sweep:
                    self.check_receipts_once()
                    next_sweep = time.monotonic() + self.settings.sweep_interval_s
                wait = self._seconds_to_next(next_sweep)
            except Exception:
                log.exception("push sender step failed; trying again shortly")
            self.passes += 1
            self._wake.wait(wait)

    def _seconds_to_next(self, next_sweep: float) -> float:
        """Until the sweep, or sooner when a retry (or a lease held elsewhere) falls due."""
        until_sweep = max(0.0, next_sweep - time.monotonic())
        due = claims.next_send_due(self.db)
        if due is None:
            return until_sweep
        return min(until_sweep, max(_MIN_WAIT_S, (due - utcnow()).total_seconds()))

    # --- sending ------------------------------------------------------------------------

    def drain_once(self, now: datetime | None = None) -> int:
        """Send every row due now, batch by batch; returns how many rows were tried."""
        tried = 0
        limit = max(1, min(self.settings.batch_size, MAX_BATCH))
        while not self._stopping.is_set():
            at = now or utcnow()
            claim_id, batch = claims.claim_for_send(self.db, at, limit, self.settings.lease_s)
            if batch:
                self._send(claim_id, batch)
                tried += len(batch)
            if not batch or len(batch) < limit:
                break
        return tried

    def _send(self, claim_id: str, batch: Sequence[SendClaim]) -> None:
        messages = [
            ExpoMessage(
                to=claim.token, **{k: v for k, v in claim.message.items() if k in _MESSAGE_FIELDS}
            )
            for claim in batch
        ]
        changes: list[dict[str, Any]] = []
        gone: list[tuple[int, str]] = []
        try:
            answers = self.client.send(messages)  # no transaction is open during the call
        except Exception as error:
            failure = classify(error)
            log.warning("push batch of %d failed: %s", len(batch), failure.reason)
            now = utcnow()
            for claim in batch:
                if failure.retryable:
                    changes.append(self._retry(claim, now, failure.reason, failure.retry_after_s))
                else:
                    changes.append(claims.dead(claim.row_id, now, failure.reason))
        else:
            now = utcnow()
            receipt_due = now + timedelta(seconds=self.settings.receipt_delay_s)
            for claim, answer in zip(batch, answers, strict=True):
                if answer.verdict == Verdict.OK:
                    changes.append(claims.sent(claim.row_id, now, answer.ticket_id, receipt_due))
                elif answer.verdict == Verdict.RETRY:
                    changes.append(self._retry(claim, now, answer.reason, None))
                else:
                    log.warning("push to token %d refused: %s", claim.token_id, answer.reason)
                    changes.append(claims.dead(claim.row_id, now, answer.reason))
                    if answer.verdict == Verdict.DEVICE_GONE:
                        gone.append((claim.token_id, answer.reason))
        with self.db.session() as session:
            claims.apply(session, claim_id, changes)
            for token_id, reason in gone:
                deactivate_token(session, token_id, reason, registered_before=now)
        metrics.observe_push(changes, len(gone))

    def _retry(
        self, claim: SendClaim, now: datetime, reason: str, retry_after_s: float | None
    ) -> dict[str, Any]:
        if claim.attempt >= self.settings.max_attempts:
            reason = f"gave up after {claim.attempt} attempts: {reason}"
            return claims.dead(claim.row_id, now, reason)
        delay = self.settings.backoff_s(claim.attempt, self._random.random())
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.settings.max_delay_s))
        return claims.retry(claim.row_id, now, now + timedelta(seconds=delay), reason)

    # --- receipts -----------------------------------------------------------------------

    def check_receipts_once(self, now: datetime | None = None) -> int:
        """Fetch the receipts that are due, in chunks of at most 1000; returns rows checked."""
        checked = 0
        limit = max(1, min(self.settings.receipt_batch_size, MAX_RECEIPT_BATCH))
        while not self._stopping.is_set():
            at = now or utcnow()
            claim_id, batch = claims.claim_receipts(self.db, at, limit, self.settings.lease_s)
            if batch:
                self._check(claim_id, batch, at)
                checked += len(batch)
            if not batch or len(batch) < limit:
                break
        return checked

    def _check(self, claim_id: str, batch: Sequence[ReceiptClaim], now: datetime) -> None:
        retry_at = now + timedelta(seconds=self.settings.receipt_retry_s)
        changes: list[dict[str, Any]] = []
        gone: list[tuple[ReceiptClaim, str]] = []
        try:
            found = self.client.receipts([claim.ticket_id for claim in batch])
        except Exception as error:
            failure = classify(error)
            log.warning("push receipts request failed: %s", failure.reason)
            changes = [self._missing(claim, now, retry_at, failure.reason) for claim in batch]
        else:
            for claim in batch:
                answer = found.get(claim.ticket_id)
                if answer is None:
                    changes.append(self._missing(claim, now, retry_at, None))
                elif answer.verdict == Verdict.OK:
                    changes.append(claims.receipt_done(claim.row_id, now, OutboxStatus.DELIVERED))
                else:
                    log.warning("push receipt for token %d: %s", claim.token_id, answer.reason)
                    status = OutboxStatus.FAILED
                    changes.append(claims.receipt_done(claim.row_id, now, status, answer.reason))
                    if answer.verdict == Verdict.DEVICE_GONE:
                        gone.append((claim, answer.reason))
        with self.db.session() as session:
            claims.apply(session, claim_id, changes)
            for claim, reason in gone:
                # Only if the app has not registered the token again since this was sent.
                deactivate_token(session, claim.token_id, reason, registered_before=claim.sent_at)
        metrics.observe_push([], len(gone))

    def _missing(
        self, claim: ReceiptClaim, now: datetime, retry_at: datetime, note: str | None
    ) -> dict[str, Any]:
        """No receipt (yet): ask again later, until Expo would have forgotten it."""
        if now - claim.sent_at >= timedelta(seconds=self.settings.receipt_ttl_s):
            note = note or "no receipt before Expo's receipts expired"
            return claims.receipt_done(claim.row_id, now, OutboxStatus.UNCONFIRMED, note)
        return claims.receipt_later(claim.row_id, now, retry_at, note)
