"""How the push sender behaves: the Expo host and token from Config, the rest tunables."""

from __future__ import annotations

from dataclasses import dataclass

from backend.config import Config

# Expo's own limits: 100 messages per send request, 1000 ids per receipts request.
MAX_BATCH = 100
MAX_RECEIPT_BATCH = 1000


@dataclass(frozen=True)
class PushSettings:
    host: str = "https://exp.host"
    access_token: str | None = None
    receipt_delay_s: float = 900.0
    # One HTTP call to Expo; the lease below must outlast it.
    timeout_s: float = 10.0
    batch_size: int = MAX_BATCH
    receipt_batch_size: int = MAX_RECEIPT_BATCH
    # Back-off for 429, 5xx and network errors: base * 2**(attempt-1), capped, with jitter.
    # Ten attempts span about 17 minutes: past that a "your video is ready" is stale.
    max_attempts: int = 10
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0
    # How long a claimed batch stays ours; a sender that died frees its rows after this.
    lease_s: float = 60.0
    # The timer sweep for rows written by other processes (or whose wake-up was lost).
    sweep_interval_s: float = 30.0
    # A receipt not ready yet, or a receipts call that failed, is asked for again after this.
    receipt_retry_s: float = 300.0
    # Expo keeps receipts for 24 hours; after that a missing one will never come.
    receipt_ttl_s: float = 24 * 3600.0

    @classmethod
    def from_config(cls, config: Config) -> PushSettings:
        return cls(
            host=config.expo_push_url,
            access_token=config.expo_access_token,
            receipt_delay_s=config.receipt_delay_s,
        )

    def backoff_s(self, attempt: int, jitter: float) -> float:
        """Delay before attempt `attempt + 1`; `jitter` in [0, 1) spreads retries apart."""
        delay = min(self.max_delay_s, self.base_delay_s * 2.0 ** max(0, attempt - 1))
        # "Equal jitter": at least half the delay, so a retry never comes back at once.
        return delay * (0.5 + jitter / 2)
