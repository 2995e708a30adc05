"""Resumable uploads over tus 1.0.0 at /api/uploads (docs/uploads.md): the views only translate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from backend.api.accepted import accepted_answer
from backend.api.bodies import streams_body
from backend.api.limits import limiter, upload_limit, user_key
from backend.api.openapi import operation
from backend.api.schemas import UploadAccepted
from backend.api.security import auth_required, current_user_id
from backend.api.tus_document import (
    CREATE_REFUSALS,
    IDEMPOTENCY_KEY,
    PATCH_REFUSALS,
    TUS_RESUMABLE,
    UPLOAD_CHECKSUM,
    UPLOAD_LENGTH,
    UPLOAD_METADATA,
    UPLOAD_OFFSET,
    WRONG_VERSION,
)
from backend.errors import ApiError
from backend.services import services
from backend.uploads.tus import protocol as tus
from backend.uploads.tus.resumable import Patch, Progress, ResumableUploads

bp = Blueprint("tus", __name__, url_prefix="/api/uploads")
P = ParamSpec("P")
R = TypeVar("R")


def uploads() -> ResumableUploads:
    return services().tus


def tus_request(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse a request that does not speak our tus version (412); below auth_required."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if request.headers.get("Tus-Resumable") != tus.VERSION:
            raise tus.wrong_version()
        return view(*args, **kwargs)

    return wrapper


@bp.after_request
def tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = tus.VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("", methods=["OPTIONS"])
def discover() -> ResponseReturnValue:
    if request.headers.get("Access-Control-Request-Method"):
        return "", 204  # a browser's CORS preflight carries no token; cors.py answers it
    return _discover()


@auth_required
def _discover() -> ResponseReturnValue:
    return (
        "",
        204,
        {
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": str(services().config.max_upload_bytes),
            "Tus-Checksum-Algorithm": tus.CHECKSUM_ALGORITHMS,
        },
    )


@bp.route("", methods=["POST"], provide_automatic_options=False)
@streams_body
@operation(
    "Create a resumable upload (tus 1.0.0 creation, creation-with-upload); see docs/uploads.md",
    body=tus.OFFSET_CONTENT_TYPE,
    body_required=False,
    headers=(TUS_RESUMABLE, UPLOAD_LENGTH, UPLOAD_METADATA, UPLOAD_CHECKSUM, IDEMPOTENCY_KEY),
    responses={201: None},
    refusals=CREATE_REFUSALS,
)
@auth_required
@limiter.limit(upload_limit, key_func=user_key)
@tus_request
def create() -> ResponseReturnValue:
    user_id = current_user_id()
    length = tus.parse_length(request.headers.get("Upload-Length"), "Upload-Length")
    progress, created = uploads().create(
        user_id,
        length,
        request.headers.get("Upload-Metadata"),
        request.headers.get("Idempotency-Key"),
    )
    location = f"{bp.url_prefix}/{progress.upload_id}"
    if created and request.content_type == tus.OFFSET_CONTENT_TYPE:
        try:
            progress = uploads().patch(user_id, progress.upload_id, _patch(0))
        except ApiError as error:
            # The upload exists whatever happened to its first bytes: say where it is.
            error.headers["Location"] = location
            raise
    return _progress_answer(progress, 201, {"Location": location})


@bp.route("/<upload_id>", methods=["GET", "HEAD"])
@operation(
    "HEAD: where a resumable upload stands (Upload-Offset). GET: once complete, what "
    "POST /api/upload would have answered",
    headers=(TUS_RESUMABLE,),
    responses={202: UploadAccepted, 200: UploadAccepted},
    refusals=WRONG_VERSION,
)
@auth_required
@tus_request
def status(upload_id: str) -> ResponseReturnValue:
    if request.method == "HEAD":
        return _progress_answer(uploads().head(current_user_id(), upload_id), 200)
    return accepted_answer(uploads().answer(current_user_id(), upload_id))


@bp.route("/<upload_id>", methods=["PATCH"])
@streams_body
@operation(
    "Append bytes (application/offset+octet-stream at Upload-Offset, optional Upload-Checksum)",
    body=tus.OFFSET_CONTENT_TYPE,
    headers=(TUS_RESUMABLE, UPLOAD_OFFSET, UPLOAD_CHECKSUM),
    responses={204: None},
    refusals=PATCH_REFUSALS,
)
@auth_required
@tus_request
def append(upload_id: str) -> ResponseReturnValue:
    if request.content_type != tus.OFFSET_CONTENT_TYPE:
        raise tus.unsupported_content_type()
    offset = tus.parse_length(request.headers.get("Upload-Offset"), "Upload-Offset")
    return _progress_answer(uploads().patch(current_user_id(), upload_id, _patch(offset)), 204)


@bp.route("/<upload_id>", methods=["DELETE"])
@operation(
    "Terminate an unfinished resumable upload and remove its bytes",
    headers=(TUS_RESUMABLE,),
    responses={204: None},
    refusals=WRONG_VERSION,
)
@auth_required
@tus_request
def terminate(upload_id: str) -> ResponseReturnValue:
    uploads().terminate(current_user_id(), upload_id)
    return "", 204


def _patch(offset: int) -> Patch:
    return Patch(
        offset=offset,
        content_length=request.content_length,
        checksum=tus.parse_checksum(request.headers.get("Upload-Checksum")),
        stream=request.stream,
    )


def _progress_answer(
    progress: Progress, code: int, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    """tus headers for where the upload stands; the refusal again if its finish was refused."""
    headers = {
        **(headers or {}),
        "Upload-Offset": str(progress.offset),
        "Upload-Length": str(progress.length),
    }
    if progress.upload_metadata and request.method == "HEAD":
        headers["Upload-Metadata"] = progress.upload_metadata
    if progress.answer is None:
        headers["Upload-Expires"] = tus.expires_header(progress.expires_at)
        return "", code, headers
    if isinstance(progress.answer, ApiError):
        progress.answer.headers.update(headers)
        raise progress.answer
    headers[tus.JOB_ID_HEADER] = progress.answer.job_id
    return "", code, headers
