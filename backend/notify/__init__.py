"""Expo push when a job ends: the outbox, the sender with back-off, receipts, dead tokens."""

from __future__ import annotations

import atexit

from backend.notify.outbox import finish_listener, wake_after_commit
from backend.notify.sender import PushSender
from backend.notify.settings import PushSettings
from backend.notify.tokens import register_token, unregister_token
from backend.services import Services

__all__ = ["PushSender", "PushSettings", "init_notify", "register_token", "unregister_token"]


def init_notify(services: Services) -> PushSender:
    """Queue a push whenever a job ends; start the sender thread if background work is on."""
    sender = PushSender(services.db, PushSettings.from_config(services.config))
    services.store.finish_listeners.append(finish_listener)
    wake_after_commit(services.db, sender.wake)
    services.extras["push"] = sender
    if services.config.start_background:
        sender.start()
        atexit.register(sender.stop)
    return sender
