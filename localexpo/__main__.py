"""`python -m localexpo --port 8181`: run the local Expo push service until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import logging

from localexpo.server import LocalExpo
from localexpo.state import ExpoState, Received

log = logging.getLogger("localexpo")


def _print_requests(state: ExpoState) -> None:
    """Log each request as it arrives, so a developer sees the pushes the backend sends."""
    seen = 0
    while True:
        with state.changed:
            while len(state.requests) <= seen:
                state.changed.wait()
            fresh: list[Received] = state.requests[seen:]
            seen = len(state.requests)
        for request in fresh:
            log.info(
                "%s -> %s %s",
                request.endpoint,
                request.status or "dropped",
                json.dumps(request.body),
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m localexpo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument(
        "--access-token", default=None, help="require 'Authorization: Bearer <this>', as Expo does"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    service = LocalExpo(args.host, args.port, access_token=args.access_token)
    log.info(
        "Expo-compatible push service on %s (CLIPSCOPE_EXPO_PUSH_URL=%s)", service.url, service.url
    )
    service.start()
    try:
        _print_requests(service.state)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


if __name__ == "__main__":
    main()
