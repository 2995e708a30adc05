"""Log set-up: one line per event, JSON for collectors or text for a terminal, no secrets."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from typing import Any

# Set for the length of a request, so every line logged while serving it carries them.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)

# A bearer token, an Expo push token, a password field: never written to a log.
_SECRETS = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"
    r"|(Expo(?:nent)?PushToken\[)[^\]]*(\])"
    r"|((?:password|token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"
)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_HANDLER_NAME = "clipscope"


def redact(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        if match.group(2):
            return f"{match.group(2)}…{match.group(3)}"
        return f"{match.group(1) or match.group(4)}[redacted]"

    return _SECRETS.sub(hide, text)


class ContextFilter(logging.Filter):
    """Adds the request id and user id of the request being served; redacts secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id_var.get()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class TextFormatter(logging.Formatter):
    """The classic line, followed by the event's fields as key=value for a human."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and v is not None}
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, process, message, then the event's fields.

    Built by hand with one json.dumps: python-json-logger's formatter cost 2-3x as much per line,
    and every request writes one (docs/performance.md, "Where a poll's CPU goes").
    """

    def format(self, record: logging.LogRecord) -> str:
        # process: which gunicorn worker or Celery child wrote the line; time: ISO 8601 UTC, ms.
        seconds = int(record.created)
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
            + f".{int((record.created - seconds) * 1000):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def _json_formatter() -> logging.Formatter:
    return JsonLineFormatter()


def resolve_format(setting: str) -> str:
    """`json` or `text`; `auto` is text on a terminal and JSON everywhere else."""
    if setting in ("json", "text"):
        return setting
    return "text" if sys.stderr.isatty() else "json"


def configure_logging(setting: str, level: int = logging.INFO) -> None:
    """Install (once) the one root handler on stderr with the chosen format."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    formatter: logging.Formatter
    if resolve_format(setting) == "json":
        formatter = _json_formatter()
    else:
        formatter = TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    handler.setFormatter(formatter)
    root.setLevel(level)


def event(logger: logging.Logger, message: str, **fields: Any) -> None:
    """Log one structured event at INFO: `fields` become JSON keys (or key=value in text)."""
    logger.info(message, extra={k: v for k, v in fields.items() if v is not None})
