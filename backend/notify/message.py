"""The notification a job's end produces: title, body and data, within Expo's 4096 bytes."""

from __future__ import annotations

import json
from typing import Any

from backend.models import Job
from backend.models.status import JobStatus

MAX_PAYLOAD_BYTES = 4096
# Phones show about two lines; a longer body is cut on screen anyway.
MAX_BODY_CHARS = 240
# Room for `"to": "ExponentPushToken[…]"`, added per device at send time.
TO_ALLOWANCE = 300
COMPLETED_TITLE = "Your video is analysed"
FAILED_TITLE = "We couldn't analyse your video"


def format_duration(seconds: float) -> str:
    """0:42, 12:05, 1:02:03."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _summary(result: dict[str, Any] | None) -> str | None:
    """The "4 scenes, 0:42" of a result document, or None when it lacks the figures."""
    if not isinstance(result, dict):
        return None
    scenes = result.get("scenes")
    video = result.get("video")
    duration = video.get("duration_s") if isinstance(video, dict) else None
    if not isinstance(scenes, list) or not isinstance(duration, int | float):
        return None
    noun = "scene" if len(scenes) == 1 else "scenes"
    return f"{len(scenes)} {noun}, {format_duration(float(duration))}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def build_message(job: Job) -> dict[str, Any]:
    """The message (PushMessage fields but `to`) for a job that ended completed or failed."""
    if job.status == JobStatus.COMPLETED:
        title = COMPLETED_TITLE
        detail = _summary(job.result) or "ready to view"
    else:
        title = FAILED_TITLE
        detail = job.error_message or "The analysis failed."
    message: dict[str, Any] = {
        "title": title,
        "body": _clip(f"{job.filename}: {detail}", MAX_BODY_CHARS),
        "data": {"job_id": job.id, "status": str(job.status), "url": f"/results/{job.id}"},
        "sound": "default",
        "channel_id": "jobs",
        "priority": "high",
    }
    return fit_payload(message)


def payload_bytes(message: dict[str, Any]) -> int:
    # The SDK sends json.dumps() output (ASCII-escaped): measure what goes on the wire.
    return len(json.dumps(message).encode())


def fit_payload(message: dict[str, Any], limit: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Shorten the body, then the title, until the message and a `to` fit in `limit` bytes."""
    fitted = dict(message)
    budget = limit - TO_ALLOWANCE
    for field in ("body", "title"):
        text = str(fitted.get(field) or "")
        while payload_bytes(fitted) > budget and text:
            excess = payload_bytes(fitted) - budget
            # An escaped character costs up to 12 bytes; cut at least that much per step.
            text = text[: max(0, len(text) - max(1, excess // 6))]
            fitted[field] = (text.rstrip() + "…") if text else ""
    if payload_bytes(fitted) > budget:
        raise ValueError("push message data alone exceeds the payload limit")
    return fitted
