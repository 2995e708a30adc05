"""A multipart body read as a sequence of streamed `video` parts (for batches)."""

from __future__ import annotations

from collections.abc import Iterator

from werkzeug.sansio.multipart import Data, Epilogue, Event, Field, File, NeedData

from backend.errors import ApiError, BadRequest
from backend.uploads.multipart import FormDecoder
from backend.uploads.receive import BodyReader


class BodyFailure(Exception):
    """The request body itself failed (malformed, cut short, too large): the whole request ends.

    Not an ApiError, so that a part's own checks cannot mistake it for a refusal of that part.
    """

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


class PartStream:
    """One part's bytes, read like a request stream; `read` returns b"" at the part's end."""

    def __init__(self, parts: VideoParts) -> None:
        self._parts = parts
        self.ended = False

    def read(self, _size: int = -1) -> bytes:
        while not self.ended:
            event = self._parts.next_event()
            if not isinstance(event, Data):
                raise BodyFailure(BadRequest("The multipart body is malformed."))
            self.ended = not event.more_data
            if event.data:
                return bytes(event.data)
        return b""

    def drain(self) -> None:
        while self.read():
            pass


class VideoParts:
    """Yields (file name, stream) for each `video` file part; other parts are skipped."""

    def __init__(self, body: BodyReader, boundary: bytes, max_parts: int) -> None:
        self.body = body
        self.decoder = FormDecoder(boundary, max_parts=max_parts * 2 + 4)
        self.ended = False

    def next_event(self) -> Event:
        try:
            while True:
                event = self.decoder.next_event()
                if not isinstance(event, NeedData):
                    return event
                if self.ended:
                    raise BadRequest("The upload ended before the whole form arrived.")
                chunk = self.body.read()
                self.ended = not chunk
                self.decoder.receive_data(chunk or None)
        except ApiError as error:
            raise BodyFailure(error) from None
        except ValueError:
            raise BodyFailure(BadRequest("The multipart body is malformed.")) from None

    def __iter__(self) -> Iterator[tuple[str | None, PartStream]]:
        while True:
            event = self.next_event()
            if isinstance(event, Epilogue):
                return
            if isinstance(event, File | Field):
                stream = PartStream(self)
                if isinstance(event, File) and event.name == "video":
                    yield event.filename, stream
                # Whatever the caller left unread (a refused part) is skipped here.
                stream.drain()
