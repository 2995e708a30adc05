"""Jobs: status, result, thumbnails, listing, cancel, retry and delete."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.routing import BaseConverter

from backend.api.caching import private_file
from backend.api.etags import document_answer
from backend.api.live import prefer_wait, sse_frames
from backend.api.openapi import CURSOR_REFUSAL, EVENT_STREAM, operation
from backend.api.schemas import (
    CleanupOut,
    CleanupQuery,
    ErrorOut,
    JobList,
    JobListQuery,
    JobOut,
    JobResult,
    JobWithResult,
)
from backend.api.security import (
    auth_checked_by_view,
    auth_required,
    bearer_token,
    current_user_id,
    signed_in,
)
from backend.api.validation import query_args
from backend.errors import ApiError, Conflict, NotFound, job_not_found
from backend.jobs import lifecycle
from backend.jobs.documents import job_document, result_document
from backend.jobs.listing import list_jobs
from backend.jobs.poll import poll_job
from backend.jobs.watch import job_stream, read_document, wait_for_change, waiting_slot
from backend.models.status import JobStatus
from backend.services import services
from backend.timeutil import utcnow

bp = Blueprint("jobs", __name__, url_prefix="/api")


class JobIdConverter(BaseConverter):
    """A job id in /api/jobs/<job_id>: anything but `cleanup`, which is an operation of its own.

    Without it /api/jobs/cleanup also matched the job's GET and DELETE: its OPTIONS and 405
    answers listed them in Allow, and a GET of it looked for a job called "cleanup".
    """

    regex = r"(?!cleanup$)[^/]+"


def _add_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["job_id"] = JobIdConverter


bp.record_once(_add_converter)  # before the routes below are added: they name it


@bp.get("/jobs")
@operation(
    "The user's jobs, newest first",
    query=JobListQuery,
    responses={200: JobList},
    refusals=CURSOR_REFUSAL,
)
@auth_required
def index() -> ResponseReturnValue:
    args = query_args(JobListQuery)
    with services().db.session() as session:
        jobs, cursor = list_jobs(session, current_user_id(), args.status, args.limit, args.cursor)
        return {"jobs": [job_document(job) for job in jobs], "next_cursor": cursor}, 200


@bp.get("/jobs/<job_id:job_id>")
@operation(
    "A job's status, phase and progress (`Prefer: wait=N` long-polls for a change; "
    "`If-None-Match` with its ETag answers 304 while it is unchanged; 503 `overloaded` with "
    "`Retry-After` past the server's capacity)",
    responses={200: JobOut, 304: None, 503: ErrorOut},
)
@auth_checked_by_view
def show(job_id: str) -> ResponseReturnValue:
    return _job_answer(job_id, with_result=False)


@bp.get("/results/job/<job_id>")
@operation(
    "The job, with its result once completed (the path clients poll)",
    responses={200: JobWithResult, 304: None, 503: ErrorOut},
)
@auth_checked_by_view
def show_with_result(job_id: str) -> ResponseReturnValue:
    return _job_answer(job_id, with_result=True)


def _job_answer(job_id: str, *, with_result: bool) -> ResponseReturnValue:
    # The token and the job in one plain query (backend/jobs/poll.py): the hot path.
    svc = services()
    idle_days = svc.config.token_idle_days
    poll = poll_job(svc.db, bearer_token(), job_id, idle_days, with_result=with_result)
    user_id = signed_in(poll.signed_in)
    if poll.document is None:
        raise job_not_found()
    doc = poll.document
    wait = prefer_wait(request.headers.get("Prefer"))
    if wait is None:
        return document_answer(doc)
    with waiting_slot(svc.store) as free:
        if not free:  # too many requests already waiting here: answer now, as a plain poll
            return document_answer(doc, {"Vary": "Prefer"})
        doc = wait_for_change(svc.store, job_id, user_id, doc, wait, with_result=with_result)
    return document_answer(doc, {"Preference-Applied": f"wait={wait:g}", "Vary": "Prefer"})


@bp.get("/jobs/<job_id>/result")
@operation("The analysis of a completed job", responses={200: JobResult})
@auth_required
def result(job_id: str) -> ResponseReturnValue:
    with services().db.session() as session:
        job = services().store.get_for_user(session, job_id, current_user_id())
        if job.status != JobStatus.COMPLETED:
            raise Conflict(
                f"The job is {job.status}; the result exists once it has completed.",
                code="job_not_finished",
                headers={"Retry-After": "2"},
            )
        return result_document(job), 200


@bp.get("/jobs/<job_id>/thumbnails/<int:index>.jpg")
@operation("A scene thumbnail", responses={200: "image/jpeg"})
@auth_required
def thumbnail(job_id: str, index: int) -> ResponseReturnValue:
    svc = services()
    with svc.db.session() as session:
        job = svc.store.get_for_user(session, job_id, current_user_id())
    path = svc.storage.thumbnails_dir(job.user_id, job.id) / f"{index}.jpg"
    if not path.is_file():
        raise NotFound("This job has no thumbnail with that number.")
    return private_file(path, "image/jpeg", max_age=86400)


@bp.post("/jobs/<job_id>/cancel")
@operation("Cancel a queued or running job", responses={202: JobOut})
@auth_required
def cancel(job_id: str) -> ResponseReturnValue:
    svc = services()
    job = svc.store.cancel(job_id, current_user_id())
    svc.runner.cancel(job_id)
    return job_document(job), 202


@bp.post("/jobs/<job_id>/retry")
@operation(
    "Run a failed or cancelled job again (409 otherwise; 410 once an uploaded video is "
    "removed, a URL job fetches its URL again; "
    "429 when the user's queue is full)",
    responses={202: JobOut},
)
@auth_required
def retry(job_id: str) -> ResponseReturnValue:
    svc = services()
    job = lifecycle.retry(
        svc.store,
        svc.storage,
        job_id,
        current_user_id(),
        max_queued=svc.config.user_max_queued,
    )
    svc.runner.submit(job_id)
    return job_document(job), 202


@bp.delete("/jobs/<job_id:job_id>")
@operation("Delete a job and its files (a running job is stopped)", responses={204: None})
@auth_required
def destroy(job_id: str) -> ResponseReturnValue:
    svc = services()
    lifecycle.delete_job(svc.store, svc.storage, job_id, current_user_id())
    svc.runner.cancel(job_id)
    return "", 204


@bp.post("/jobs/cleanup")
@operation(
    "Delete the user's finished jobs older than N days",
    query=CleanupQuery,
    responses={200: CleanupOut},
)
@auth_required
def cleanup() -> ResponseReturnValue:
    args = query_args(CleanupQuery)
    svc = services()
    older_than = utcnow() - timedelta(days=args.days)
    deleted = lifecycle.cleanup(svc.store, svc.storage, older_than, current_user_id())
    return {"deleted": deleted}, 200


@bp.get("/jobs/<job_id>/events")
@operation("Server-Sent Events: the job document on every change", responses={200: EVENT_STREAM})
@auth_required
def events(job_id: str) -> ResponseReturnValue:
    store, user_id = services().store, current_user_id()
    read_document(store, job_id, user_id)  # 404 before the stream starts
    if not store.changes.waiters.acquire(blocking=False):  # the stream releases it
        raise ApiError(
            "Too many live streams on this server right now; poll the job instead.",
            code="too_many_streams",
            status=503,
            headers={"Retry-After": "5"},
        )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(
        sse_frames(job_stream(store, job_id, user_id)), 200, headers, mimetype="text/event-stream"
    )
