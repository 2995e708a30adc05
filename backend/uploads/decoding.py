"""A fetched body's Content-Encoding undone a bounded piece at a time (no decompression bomb)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from backend.analysis.errors import AnalysisError

FETCH_FAILED = "fetch_failed"


class Decoder:
    """Identity, or gzip/deflate unpacked at most `size` bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self.identity = encoding == "identity"
        # 32 + MAX_WBITS: gzip or zlib, told apart by their header.
        self._zlib = None if self.identity else zlib.decompressobj(32 + zlib.MAX_WBITS)

    def decode(self, data: bytes, size: int, *, final: bool = False) -> Iterator[bytes]:
        if self._zlib is None:
            if data:
                yield data
            return
        try:
            pending = data
            while True:
                piece = self._zlib.decompress(pending, size)
                if piece:
                    yield piece
                pending = self._zlib.unconsumed_tail
                if not pending:
                    break
            if final and not self._zlib.eof:
                raise AnalysisError(
                    FETCH_FAILED, "The server's compressed video ended before its end."
                )
        except zlib.error:
            raise AnalysisError(
                FETCH_FAILED, "The server sent a compressed video that could not be unpacked."
            ) from None


def decoder_for(content_encoding: str | None) -> Decoder:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return Decoder("identity")
    if encoding in ("gzip", "x-gzip", "deflate"):
        return Decoder(encoding)
    raise AnalysisError(
        FETCH_FAILED,
        f"The server sent the video compressed as {encoding[:20]!r}, which we do not unpack.",
    )
