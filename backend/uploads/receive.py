"""Receive an upload (multipart field `video`, or the raw body) as a stream, in chunks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    Data,
    Epilogue,
    Field,
    File,
    NeedData,
)

from backend.errors import (
    ApiError,
    BadRequest,
    FileTooLarge,
    UnsupportedMediaType,
    body_cut_short,
    body_stalled,
)
from backend.uploads.multipart import FormDecoder
from backend.uploads.sniff import Container
from backend.uploads.writer import VideoWriter

# What is buffered when the last byte arrives is hashed and written before the answer: at
# 256 KiB that is about a millisecond (1 MiB cost 3-4 ms), and uploads stream faster too.
CHUNK = 256 * 1024
FORM_FIELDS = {"push_token", "platform"}
MAX_FIELD_BYTES = 4096


@dataclass
class ReceivedVideo:
    path: Path
    filename: str
    size: int
    sha256: str
    container: Container
    fields: dict[str, str] = field(default_factory=dict)


def clean_filename(raw: str | None, fallback: str = "video") -> str:
    """A display name only: never used to build a path."""
    name = unquote(raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.strip().strip(".") or fallback
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def header_filename(raw: str | None) -> str | None:
    """X-Filename as sent: percent-encoded, RFC 8187 (`UTF-8''...`, also as `filename*=`), or
    raw UTF-8 (which WSGI hands over decoded as Latin-1)."""
    if raw is None:
        return None
    value = raw.strip()
    if "filename*=" in value.lower():
        value = value[value.lower().index("filename*=") + len("filename*=") :].split(";")[0]
    charset, quote, rest = value.partition("''")
    if quote and charset.lower() in ("utf-8", "iso-8859-1"):
        return unquote(rest, encoding=charset.lower())
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def read_failure(error: BaseException, idle_timeout_s: float) -> ApiError:
    """The refusal for a body read that failed: stalled (408), or cut short or malformed (400)."""
    # Werkzeug reports a failed read of the server's stream as ClientDisconnected, raised
    # while handling the server's own error (a socket timeout for a stalled client).
    cause = error.__context__ if isinstance(error, ClientDisconnected) else error
    if isinstance(cause, TimeoutError):
        return body_stalled(idle_timeout_s)
    return body_cut_short()


class BodyReader:
    """Reads the request body in chunks, refusing one too large or cut short.

    Behind gunicorn a client that disconnects mid-body just looks like the end of the body,
    so the bytes received are checked against the announced Content-Length.
    """

    def __init__(
        self,
        stream: IO[bytes],
        content_length: int | None,
        limit_bytes: int,
        idle_timeout_s: float,
    ) -> None:
        self.stream = stream
        self.expected = content_length
        self.limit = limit_bytes
        self.idle_timeout_s = idle_timeout_s
        self.received = 0

    def read(self) -> bytes:
        try:
            chunk = self.stream.read(CHUNK)
        except (OSError, ClientDisconnected) as error:
            raise read_failure(error, self.idle_timeout_s) from None
        self.received += len(chunk)
        if self.received > self.limit:
            raise FileTooLarge(
                f"The upload is larger than the limit of {self.limit // (1024 * 1024)} MB."
            )
        if not chunk and self.expected is not None and self.received < self.expected:
            raise body_cut_short()
        return chunk


def receive(
    body: BodyReader,
    content_type: str,
    headers_filename: str | None,
    directory: Path,
    limit_bytes: int,
) -> ReceivedVideo:
    """Stream the video into `directory`; the caller removes it if this raises."""
    mimetype, options = parse_options_header(content_type)
    if mimetype == "multipart/form-data":
        boundary = options.get("boundary")
        if not boundary:
            raise BadRequest("The multipart body has no boundary.")
        return _receive_multipart(body, boundary.encode(), directory, limit_bytes)
    if mimetype.startswith("video/") or mimetype == "application/octet-stream":
        writer = VideoWriter(directory, limit_bytes)
        try:
            while chunk := body.read():
                writer.write(chunk)
            path, digest, container = writer.finish()
        except BaseException:
            writer.discard()
            raise
        name = clean_filename(header_filename(headers_filename), "video" + container.extension)
        return ReceivedVideo(path, name, writer.size, digest, container)
    raise UnsupportedMediaType(
        "Send the video as multipart/form-data (field 'video') or as the raw body "
        "with a video/* or application/octet-stream Content-Type."
    )


def _receive_multipart(
    body: BodyReader, boundary: bytes, directory: Path, limit_bytes: int
) -> ReceivedVideo:
    # Events are drained after every chunk, so the decoder's buffer only outgrows a few chunks
    # when a boundary or a part's headers never end: that is refused (400), not buffered.
    decoder = FormDecoder(boundary, max_parts=20)
    fields: dict[str, str] = {}
    writer: VideoWriter | None = None
    video: ReceivedVideo | None = None
    part: Field | File | None = None
    buffer = bytearray()
    finished = False
    try:
        while not finished:
            chunk = body.read()
            decoder.receive_data(chunk or None)
            try:
                event = decoder.next_event()
            except ValueError:
                raise BadRequest("The multipart body is malformed.") from None
            while not isinstance(event, NeedData):
                if isinstance(event, Epilogue):
                    finished = True
                    break
                if isinstance(event, File | Field):
                    part, buffer = event, bytearray()
                    if isinstance(event, File) and event.name == "video":
                        if video is not None or writer is not None:
                            raise BadRequest("Send one video per upload (one 'video' part).")
                        writer = VideoWriter(directory, limit_bytes)
                elif isinstance(event, Data) and part is not None:
                    if writer is not None:
                        writer.write(event.data)
                    elif part.name in FORM_FIELDS and len(buffer) <= MAX_FIELD_BYTES:
                        buffer += event.data
                    if not event.more_data:
                        if writer is not None:
                            assert isinstance(part, File)
                            path, digest, container = writer.finish()
                            name = clean_filename(part.filename, "video" + container.extension)
                            video = ReceivedVideo(path, name, writer.size, digest, container)
                            writer = None
                        elif part.name in FORM_FIELDS:
                            fields[part.name] = buffer.decode("utf-8", "replace").strip()
                        part = None
                try:
                    event = decoder.next_event()
                except ValueError:
                    raise BadRequest("The multipart body is malformed.") from None
            if not chunk and not finished:
                raise BadRequest("The upload ended before the whole form arrived.")
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if video is None:
        raise BadRequest("Attach the video in the form field named 'video'.")
    video.fields = fields
    return video
