"""Batches: several videos in one request, followed and cancelled together."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from backend.api.bodies import streams_body
from backend.api.limits import limiter, upload_limit, user_key
from backend.api.openapi import CURSOR_REFUSAL, UPLOAD_REFUSALS, operation
from backend.api.schemas import BatchForm, BatchList, BatchListQuery, BatchOut
from backend.api.security import auth_required, current_user_id
from backend.api.validation import query_args
from backend.batches.accept import accept_batch
from backend.batches.documents import batch_document
from backend.batches.store import cancel_batch, delete_batch, get_batch, list_batches
from backend.services import services

bp = Blueprint("batches", __name__, url_prefix="/api")


def _document(batch_id: str) -> dict[str, object]:
    with services().db.session() as session:
        return batch_document(*get_batch(session, batch_id, current_user_id()))


@bp.post("/batches")
@operation(
    "Upload several videos as one batch; a refused part is reported in `parts`, the rest go on",
    body=BatchForm,
    body_content_type="multipart/form-data",
    responses={202: BatchOut},
    refusals={
        400: "The form holds no part named `video`, or its one file is empty.",
        413: UPLOAD_REFUSALS[413],
        415: "The request is not multipart/form-data, or its one file is not a video.",
        422: "None of the files was accepted (each part's refusal is in the message).",
    },
)
@streams_body
@auth_required
@limiter.limit(upload_limit, key_func=user_key)
def create_batch() -> ResponseReturnValue:
    batch_id = accept_batch(
        services(),
        current_user_id(),
        request.stream,
        request.content_type or "",
        request.content_length,
    )
    headers = {"Location": f"/api/batches/{batch_id}", "Retry-After": "2"}
    return _document(batch_id), 202, headers


@bp.get("/batches")
@operation(
    "The user's batches, newest first",
    query=BatchListQuery,
    responses={200: BatchList},
    refusals=CURSOR_REFUSAL,
)
@auth_required
def index() -> ResponseReturnValue:
    args = query_args(BatchListQuery)
    with services().db.session() as session:
        found, cursor = list_batches(session, current_user_id(), args.limit, args.cursor)
        return {"batches": [batch_document(*pair) for pair in found], "next_cursor": cursor}, 200


@bp.get("/batches/<batch_id>")
@operation("A batch: aggregate status and progress, its parts and jobs", responses={200: BatchOut})
@auth_required
def show(batch_id: str) -> ResponseReturnValue:
    return _document(batch_id), 200


@bp.post("/batches/<batch_id>/cancel")
@operation("Cancel every queued or running job of the batch", responses={202: BatchOut})
@auth_required
def cancel(batch_id: str) -> ResponseReturnValue:
    svc = services()
    cancel_batch(svc.store, svc.runner, batch_id, current_user_id())
    return _document(batch_id), 202


@bp.delete("/batches/<batch_id>")
@operation("Delete the batch, its jobs and their files", responses={204: None})
@auth_required
def destroy(batch_id: str) -> ResponseReturnValue:
    svc = services()
    delete_batch(svc.store, svc.storage, svc.runner, batch_id, current_user_id())
    return "", 204
