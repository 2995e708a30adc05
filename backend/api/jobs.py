"""Jobs: status, result, thumbnails, listing, cancel and delete."""

from __future__ import annotations

from flask import Blueprint, send_file
from flask.typing import ResponseReturnValue

from backend.analysis.schema import AnalysisResult
from backend.api.openapi import operation
from backend.api.schemas import JobList, JobListQuery, JobOut, JobWithResult
from backend.api.security import auth_required, current_user_id
from backend.api.validation import query_args
from backend.errors import ApiError, NotFound
from backend.jobs.documents import job_document, result_document
from backend.jobs.listing import list_jobs
from backend.jobs.status import JobStatus
from backend.services import services

bp = Blueprint("jobs", __name__, url_prefix="/api")


@bp.get("/jobs")
@operation("The user's jobs, newest first", query=JobListQuery, responses={200: JobList})
@auth_required
def index() -> ResponseReturnValue:
    args = query_args(JobListQuery)
    with services().db.session() as session:
        jobs, cursor = list_jobs(session, current_user_id(), args.status, args.limit, args.cursor)
        return {"jobs": [job_document(job) for job in jobs], "next_cursor": cursor}, 200


@bp.get("/jobs/<job_id>")
@operation("A job's status, phase and progress", responses={200: JobOut})
@auth_required
def show(job_id: str) -> ResponseReturnValue:
    with services().db.session() as session:
        job = services().store.get_for_user(session, job_id, current_user_id())
        return job_document(job), 200


@bp.get("/results/job/<job_id>")
@operation(
    "The job, with its result once completed (the path clients poll)",
    responses={200: JobWithResult},
)
@auth_required
def show_with_result(job_id: str) -> ResponseReturnValue:
    with services().db.session() as session:
        job = services().store.get_for_user(session, job_id, current_user_id())
        return job_document(job, with_result=True), 200


@bp.get("/jobs/<job_id>/result")
@operation("The analysis of a completed job", responses={200: AnalysisResult})
@auth_required
def result(job_id: str) -> ResponseReturnValue:
    with services().db.session() as session:
        job = services().store.get_for_user(session, job_id, current_user_id())
        if job.status != JobStatus.COMPLETED:
            raise ApiError(
                f"The job is {job.status}; the result exists once it has completed.",
                code="job_not_finished",
                status=409,
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
    return send_file(path, mimetype="image/jpeg", max_age=86400, conditional=True)
