"""The push sender: drains the outbox to Expo in batches and checks receipts later.

It runs in its own thread, woken when a job's end commits outbox rows and on a timer
sweep; every HTTP call happens outside any database transaction. `drain_once()` and
`check_receipts_once()` are the same steps, callable synchronously from tests.
"""

from __future__ import annotations

import logging
import random
import threading
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
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.drain_once()
                self.check_receipts_once()
                wait = self._seconds_to_next_due()
            except Exception:
                log.exception("push sender step failed; trying again shortly")
                wait = min(5.0, self.settings.sweep_interval_s)
            self.passes += 1
            self._wake.wait(wait)

    def _seconds_to_next_due(self) -> float:
        due = claims.next_due(self.db)
        sweep = self.settings.sweep_interval_s
        if due is None:
            return sweep
        return min(sweep, max(_MIN_WAIT_S, (due - utcnow()).total_seconds()))

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
        try:
            answers = self.client.send(messages)  # no transaction is open during the call
        except Exception as error:
            failure = classify(error)
            log.warning("push batch of %d failed: %s", len(batch), failure.reason)
            now = utcnow()
            with self.db.session() as session:
                for claim in batch:
                    if failure.retryable:
                        self._retry(
                            session, claim, claim_id, now, failure.reason, failure.retry_after_s
                        )
                    else:
                        claims.record_dead(session, claim, claim_id, now, failure.reason)
            return
        now = utcnow()
        receipt_due = now + timedelta(seconds=self.settings.receipt_delay_s)
        with self.db.session() as session:
            for claim, answer in zip(batch, answers, strict=True):
                if answer.verdict == Verdict.OK:
                    claims.record_sent(session, claim, claim_id, answer.ticket_id, now, receipt_due)
                elif answer.verdict == Verdict.RETRY:
                    self._retry(session, claim, claim_id, now, answer.reason, None)
                else:
                    gone = answer.verdict == Verdict.DEVICE_GONE
                    log.warning("push to token %d refused: %s", claim.token_id, answer.reason)
                    claims.record_dead(
                        session, claim, claim_id, now, answer.reason, device_gone=gone
                    )

    def _retry(
        self,
        session: Any,
        claim: SendClaim,
        claim_id: str,
        now: datetime,
        reason: str,
        retry_after_s: float | None,
    ) -> None:
        if claim.attempt >= self.settings.max_attempts:
            claims.record_dead(
                session, claim, claim_id, now, f"gave up after {claim.attempt} attempts: {reason}"
            )
            return
        delay = self.settings.backoff_s(claim.attempt, self._random.random())
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.settings.max_delay_s))
        claims.record_retry(session, claim, claim_id, now, now + timedelta(seconds=delay), reason)

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
        try:
            found = self.client.receipts([claim.ticket_id for claim in batch])
        except Exception as error:
            failure = classify(error)
            log.warning("push receipts request failed: %s", failure.reason)
            with self.db.session() as session:
                for claim in batch:
                    self._receipt_missing(session, claim, claim_id, now, retry_at, failure.reason)
            return
        with self.db.session() as session:
            for claim in batch:
                answer = found.get(claim.ticket_id)
                if answer is None:
                    self._receipt_missing(session, claim, claim_id, now, retry_at, None)
                elif answer.verdict == Verdict.OK:
                    claims.record_receipt(session, claim, claim_id, now, OutboxStatus.DELIVERED)
                else:
                    log.warning("push receipt for token %d: %s", claim.token_id, answer.reason)
                    claims.record_receipt(
                        session,
                        claim,
                        claim_id,
                        now,
                        OutboxStatus.FAILED,
                        error=answer.reason,
                        device_gone=answer.verdict == Verdict.DEVICE_GONE,
                    )

    def _receipt_missing(
        self,
        session: Any,
        claim: ReceiptClaim,
        claim_id: str,
        now: datetime,
        retry_at: datetime,
        note: str | None,
    ) -> None:
        if now - claim.sent_at >= timedelta(seconds=self.settings.receipt_ttl_s):
            claims.record_receipt(
                session,
                claim,
                claim_id,
                now,
                OutboxStatus.UNCONFIRMED,
                error=note or "no receipt before Expo's receipts expired",
            )
        else:
            claims.receipt_later(session, claim, claim_id, now, retry_at, note)
