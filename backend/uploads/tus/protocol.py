"""tus 1.0.0 vocabulary: versions, extensions, headers, their parsing, and the refusals."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.http import http_date

from backend.errors import ApiError, BadRequest

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "md5": hashlib.md5,
}
CHECKSUM_ALGORITHMS = ",".join(CHECKSUMS)
MAX_METADATA_BYTES = 4096
JOB_ID_HEADER = "Clipscope-Job-Id"
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes

    def hasher(self) -> Any:
        return CHECKSUMS[self.algorithm]()


def wrong_version() -> ApiError:
    return ApiError(
        f"Send 'Tus-Resumable: {VERSION}': this server speaks tus {VERSION}.",
        code="tus_version_unsupported",
        status=412,
        headers={"Tus-Version": VERSION},
    )


def checksum_mismatch() -> ApiError:
    return ApiError(
        "The bytes did not match their Upload-Checksum; they were not kept, send them again.",
        code="checksum_mismatch",
        status=460,
    )


def offset_mismatch(actual: int) -> ApiError:
    return ApiError(
        f"The server has {actual} bytes of this upload; send from there.",
        code="upload_offset_mismatch",
        status=409,
        headers={"Upload-Offset": str(actual)},
    )


def locked() -> ApiError:
    return ApiError(
        "Another request is still sending bytes to this upload; ask for the offset again soon.",
        code="upload_locked",
        status=423,
        headers={"Retry-After": "1"},
    )


def gone() -> ApiError:
    return ApiError(
        "This upload expired before its last byte arrived; start it again.",
        code="upload_expired",
        status=410,
    )


def not_found() -> ApiError:
    # The same answer for a missing upload and another user's: ids are not probeable.
    return ApiError("No upload with that id was found.", code="not_found", status=404)


def unsupported_content_type() -> ApiError:
    return ApiError(
        f"Send the bytes of a PATCH as {OFFSET_CONTENT_TYPE}.",
        code="unsupported_media_type",
        status=415,
    )


def check_upload_id(upload_id: str) -> str:
    """Ids are ours (uuid4 hex); anything else is no upload, and never reaches a path."""
    if not UPLOAD_ID.fullmatch(upload_id):
        raise not_found()
    return upload_id


def parse_length(raw: str | None, name: str) -> int:
    # ASCII digits only: str.isdigit() and int() also take "²" or "٣", and int("²") raises.
    # Only HTTP's own whitespace around them (RFC 9110 OWS): str.strip() would also take
    # Unicode spaces such as a no-break space (\xa0), which no client sends by mistake.
    value = None if raw is None else raw.strip(" \t")
    if value is None or not re.fullmatch(r"[0-9]{1,19}", value):
        raise BadRequest(f"Send {name} as a whole number of bytes.")
    return int(value)


def parse_metadata(raw: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs; a value may be absent."""
    if not raw:
        return {}
    if len(raw) > MAX_METADATA_BYTES:
        raise BadRequest(f"Upload-Metadata is longer than {MAX_METADATA_BYTES} bytes.")
    found: dict[str, str] = {}
    for pair in raw.split(","):
        key, _, value = pair.strip().partition(" ")
        if not key or not key.isascii() or " " in value.strip():
            raise BadRequest("Upload-Metadata must be 'key base64value' pairs, comma-separated.")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(f"The Upload-Metadata value of '{key}' is not base64.") from None
    return found


def parse_checksum(raw: str | None) -> Checksum | None:
    if not raw:
        return None
    algorithm, _, encoded = raw.strip().partition(" ")
    if algorithm.lower() not in CHECKSUMS:
        raise BadRequest(f"Upload-Checksum algorithms are {CHECKSUM_ALGORITHMS}.")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise BadRequest("The Upload-Checksum digest is not base64.") from None
    return Checksum(algorithm.lower(), digest)


def expires_header(expires_at: datetime) -> str:
    return http_date(expires_at.replace(tzinfo=UTC))
