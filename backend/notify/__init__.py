"""Expo push when a job ends: the outbox, the sender with back-off, receipts, dead tokens."""

from __future__ import annotations

from backend.notify.sender import PushSender
from backend.notify.settings import PushSettings
from backend.notify.tokens import register_token, unregister_token

__all__ = ["PushSender", "PushSettings", "register_token", "unregister_token"]
