"""What the OpenAPI document says about the tus views (api/tus.py): the headers they read and
the refusals a well-formed request can still meet."""

from __future__ import annotations

from backend.api.openapi import Header
from backend.uploads.tus import protocol as tus

_DIGITS = {"type": "string", "pattern": r"^[0-9]{1,19}$"}

TUS_RESUMABLE: Header = ("Tus-Resumable", True, {"type": "string", "enum": [tus.VERSION]})
UPLOAD_LENGTH: Header = ("Upload-Length", True, _DIGITS)
UPLOAD_OFFSET: Header = ("Upload-Offset", True, _DIGITS)
UPLOAD_METADATA: Header = (
    "Upload-Metadata",
    False,
    {
        "type": "string",
        "maxLength": tus.MAX_METADATA_BYTES,
        "pattern": r"^[!-+\--~]+( [A-Za-z0-9+/]*={0,2})?(,[!-+\--~]+( [A-Za-z0-9+/]*={0,2})?)*$",
    },
)
UPLOAD_CHECKSUM: Header = (
    "Upload-Checksum",
    False,
    {"type": "string", "pattern": r"^(sha1|sha256|md5) [A-Za-z0-9+/]*={0,2}$"},
)
# 1 to 255 printable characters, none at either end a space (uploads/idempotency.py).
IDEMPOTENCY_KEY: Header = (
    "Idempotency-Key",
    False,
    {"type": "string", "pattern": r"^[!-~]([ -~]{0,253}[!-~])?$"},
)

WRONG_VERSION = {412: f"Tus-Resumable is missing or not {tus.VERSION}."}
CREATE_REFUSALS = {
    **WRONG_VERSION,
    400: "An Upload-Metadata value is not base64 of UTF-8 text.",
    413: "Upload-Length is more than the server accepts (Tus-Max-Size).",
    415: "The upload's bytes are not a video (creation-with-upload that finished it).",
    422: "The Idempotency-Key was used for another upload.",
    460: "The first bytes did not match their Upload-Checksum.",
}
PATCH_REFUSALS = {
    **WRONG_VERSION,
    400: "The bytes go past the upload's length.",
    410: "The upload expired before its last byte arrived.",
    413: "The upload is larger than the server accepts.",
    415: "The finished upload is not a video.",
    423: "Another request is still sending bytes to this upload.",
    460: "The bytes did not match their Upload-Checksum.",
}
