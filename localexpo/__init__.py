"""A local Expo-compatible push service, for development and for the tests."""

from localexpo.server import RECEIPTS_PATH, SEND_PATH, LocalExpo
from localexpo.state import ExpoState, Received

__all__ = ["RECEIPTS_PATH", "SEND_PATH", "ExpoState", "LocalExpo", "Received"]
