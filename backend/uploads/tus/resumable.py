"""Resumable uploads (tus 1.0.0): create, where it stands, append, answer, terminate."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from backend.errors import ApiError, BadRequest, Conflict, FileTooLarge, InsufficientStorage
from backend.jobs.quota import check_queue_room
from backend.timeutil import utcnow
from backend.uploads import idempotency
from backend.uploads.accepted import Accepted
from backend.uploads.intake import UploadParts
from backend.uploads.receive import BodyReader
from backend.uploads.sniff import SNIFF_BYTES, require_video
from backend.uploads.tus import finish, protocol, store
from backend.uploads.tus.files import UploadFile, UploadFiles
from backend.uploads.tus.hashes import RunningHashes
from backend.uploads.tus.store import UploadState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Patch:
    offset: int
    content_length: int | None
    checksum: protocol.Checksum | None
    stream: IO[bytes]


@dataclass(frozen=True)
class Progress:
    """Where an upload stands after a request; `answer` once it is finished (job or refusal)."""

    upload_id: str
    offset: int
    length: int
    expires_at: datetime
    answer: Accepted | ApiError | None = None
    upload_metadata: str | None = None


class ResumableUploads:
    def __init__(self, svc: UploadParts) -> None:
        self.svc = svc
        self.files = UploadFiles(svc.config.upload_dir)
        self.hashes = RunningHashes()
        self.expiry = timedelta(hours=svc.config.upload_expiry_h)

    def create(
        self, user_id: int, length: int, upload_metadata: str | None, key: str | None
    ) -> tuple[Progress, bool]:
        """A new upload (True), or the one an earlier creation with this key made (False)."""
        limit = self.svc.config.max_upload_bytes
        if length > limit:
            raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
        if length == 0:
            raise BadRequest("The uploaded file is empty.")
        described = protocol.parse_metadata(upload_metadata)  # refuse a malformed header now
        with self.svc.db.session() as session:  # not after the user has sent every byte
            check_queue_room(session, user_id, self.svc.config.user_max_queued)
        key = idempotency.check_key(key) if key else None
        upload_id = uuid.uuid4().hex
        self.files.make(user_id, upload_id)
        state: UploadState | None = None
        try:
            state = store.create(
                self.svc.db,
                upload_id,
                user_id,
                length,
                upload_metadata,
                key,
                utcnow() + self.expiry,
            )
        finally:
            if state is None or state.id != upload_id:
                self.files.remove(user_id, upload_id)
        if state.id != upload_id and (
            state.length != length or protocol.parse_metadata(state.upload_metadata) != described
        ):
            # The same key for another video (another length, name or type), as POST
            # /api/upload says of another body; a retried creation sends the same headers.
            raise ApiError(
                "This Idempotency-Key was already used for another upload (another length, "
                "name or type); use a new key.",
                code="idempotency_key_reused",
                status=422,
            )
        return self._progress(state), state.id == upload_id

    def head(self, user_id: int, upload_id: str) -> Progress:
        state = self._live(store.owned(self.svc.db, user_id, upload_id))
        return self._progress(state)

    def patch(self, user_id: int, upload_id: str, request: Patch) -> Progress:
        with self.files.locked(user_id, upload_id) as upload:
            state = self._live(store.owned(self.svc.db, user_id, upload_id))
            if upload is None and not state.answered:
                raise protocol.gone()
            if upload is None or state.answered:
                # Finished already: a repeated final PATCH gets the same answer.
                if request.offset == state.length and not request.content_length:
                    return self._progress(state)
                raise protocol.offset_mismatch(state.length)
            start = upload.size
            if request.offset != start:
                raise protocol.offset_mismatch(start)
            if request.content_length is not None and start + request.content_length > state.length:
                raise _past_the_length()
            end, hasher = self._append(state, upload, start, request)
            if end == state.length:
                return self._finish(state, upload, hasher)
            if start < SNIFF_BYTES <= end:
                self._sniff(state, upload)
            return Progress(state.id, end, state.length, utcnow() + self.expiry)

    def answer(self, user_id: int, upload_id: str) -> Accepted:
        """What POST /api/upload would have answered (its refusal raised); makes the job if due."""
        with self.files.locked(user_id, upload_id) as upload:
            state = self._live(store.owned(self.svc.db, user_id, upload_id))
            if isinstance(state.answer, ApiError):
                raise state.answer
            if state.answer is not None:
                return state.answer
            if upload is not None and upload.size == state.length:
                hasher = self.hashes.take(state.id, upload, upload.size)
                progress = self._finish(state, upload, hasher)
                assert isinstance(progress.answer, Accepted)
                return progress.answer
            if upload is None:
                raise protocol.gone()
            offset = upload.size
        raise Conflict(
            f"The upload has {offset} of {state.length} bytes; send the rest with PATCH.",
            code="upload_incomplete",
            headers={"Upload-Offset": str(offset)},
        )

    def terminate(self, user_id: int, upload_id: str) -> None:
        with self.files.locked(user_id, upload_id):
            state = store.owned(self.svc.db, user_id, upload_id)
            store.remove(self.svc.db, state.id)
            self.files.remove(user_id, state.id)
            self.hashes.forget(state.id)

    def _append(
        self, state: UploadState, upload: UploadFile, start: int, request: Patch
    ) -> tuple[int, Any]:
        """Write the body at `start`; keep what arrived unless its checksum cannot be proved."""
        hasher = self.hashes.take(state.id, upload, start)
        running = hasher.copy() if request.checksum else hasher
        check = request.checksum.hasher() if request.checksum else None
        if request.checksum:
            upload.mark_unverified(start)
        # The same reader as POST /api/upload: a stalled body ends after the idle timeout.
        body = BodyReader(
            request.stream,
            request.content_length,
            state.length - start,
            self.svc.config.body_idle_timeout_s,
        )
        position = start
        failure: BaseException | None = None
        try:
            while chunk := body.read():
                written = upload.write(position, chunk)
                kept = memoryview(chunk)[:written]
                running.update(kept)
                if check is not None:
                    check.update(kept)
                position += written
                if written < len(chunk):
                    raise InsufficientStorage(
                        "The server has no room for this video right now; the bytes received "
                        "so far are kept, try again later."
                    )
        except FileTooLarge:
            failure = _past_the_length()
        except BaseException as error:  # cut off, idle, disk full: keep what came
            failure = error
        upload.sync()
        if request.checksum is not None:
            assert check is not None
            if failure is None and check.digest() == request.checksum.digest:
                upload.verified()
            else:
                upload.truncate(start)
                upload.sync()
                upload.verified()
                position, running = start, hasher
                failure = failure or protocol.checksum_mismatch()
        self.hashes.keep(state.id, position, running)
        store.record_progress(self.svc.db, state.id, position, utcnow() + self.expiry)
        if failure is not None:
            log.info(
                "upload %s: kept %d of %d bytes: %r", state.id, position, state.length, failure
            )
            raise failure
        return position, running

    def _sniff(self, state: UploadState, upload: UploadFile) -> None:
        """A non-video is refused as soon as its first bytes are here, not after all of them."""
        try:
            require_video(upload.read_at(SNIFF_BYTES, 0))
        except ApiError as error:
            self._refuse(state, error)
            raise

    def _finish(self, state: UploadState, upload: UploadFile, hasher: Any) -> Progress:
        expires_at = utcnow() + self.expiry
        try:
            accepted = finish.finish(self.svc, state, upload.path, hasher.hexdigest(), expires_at)
        except ApiError as error:
            if error.status not in finish.TRANSIENT:
                self._refuse(state, error)
            raise
        self.files.remove(state.user_id, state.id)
        self.hashes.forget(state.id)
        return Progress(
            state.id, state.length, state.length, expires_at, accepted, state.upload_metadata
        )

    def _refuse(self, state: UploadState, error: ApiError) -> None:
        """Keep the refusal as the upload's answer; its bytes go."""
        store.record_refusal(self.svc.db, state.id, error, utcnow() + self.expiry)
        self.files.remove(state.user_id, state.id)
        self.hashes.forget(state.id)

    def _live(self, state: UploadState) -> UploadState:
        if not state.answered and state.expires_at < utcnow():
            raise protocol.gone()
        return state

    def _progress(self, state: UploadState) -> Progress:
        if state.answered:
            return Progress(
                state.id,
                state.length,
                state.length,
                state.expires_at,
                state.answer,
                state.upload_metadata,
            )
        offset = self.files.offset(state.user_id, state.id)
        return Progress(
            state.id, offset, state.length, state.expires_at, None, state.upload_metadata
        )


def _past_the_length() -> FileTooLarge:
    return FileTooLarge("These bytes go past the Upload-Length given at creation.")
