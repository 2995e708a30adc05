"""Werkzeug's multipart decoder, whose refusals say what was wrong with the form."""

from __future__ import annotations

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Event, MultipartDecoder

from backend.errors import BadRequest

# What one event may buffer: only a boundary or a part's headers that never end grow past it.
FORM_BUFFER_BYTES = 1024 * 1024


class FormDecoder(MultipartDecoder):
    """Werkzeug raises its 413 both for too many parts and for headers that never end; a
    client sees neither as a file that is too large (the file may be tiny)."""

    def __init__(self, boundary: bytes, max_parts: int) -> None:
        super().__init__(boundary, max_form_memory_size=FORM_BUFFER_BYTES, max_parts=max_parts)
        self.part_limit = max_parts

    def receive_data(self, data: bytes | None) -> None:
        try:
            super().receive_data(data)
        except RequestEntityTooLarge:
            raise BadRequest(
                "A part's headers (or the form's boundary) did not end within "
                f"{FORM_BUFFER_BYTES // 1024} KB; the form is malformed.",
                code="part_headers_too_large",
            ) from None

    def next_event(self) -> Event:
        try:
            return super().next_event()
        except RequestEntityTooLarge:
            raise BadRequest(
                f"The form has more than {self.part_limit} parts; send fewer at once.",
                code="too_many_parts",
            ) from None
