"""A job's source video, for the app's player: owner-only, with HTTP Range requests.

A browser's <video> cannot send a bearer token, so the app first asks for a signed link (one job,
one user, an hour) and gives that URL to the player, which then streams with Range requests like a
phone does instead of downloading the whole clip before playing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from backend.api.caching import private_file
from backend.api.openapi import Header, operation
from backend.api.schemas import SignedVideoQuery, VideoLinkOut
from backend.api.security import auth_required, current_user_id
from backend.errors import Unauthorized
from backend.jobs.lifecycle import source_expired
from backend.services import services

RANGE: Header = ("Range", False, {"type": "string", "examples": ["bytes=0-1023"]})
FILE_REFUSALS = {
    410: "The server no longer keeps this video.",
    416: "The one range asked for starts past the end of the file.",
}

bp = Blueprint("video", __name__, url_prefix="/api")

# Long enough to watch a long clip with pauses; short enough that a copied link soon stops working.
VIDEO_LINK_SECONDS = 3600


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="video-link")


def _send_video(job_id: str, user_id: int) -> ResponseReturnValue:
    svc = services()
    with svc.db.session() as session:
        job = svc.store.get_for_user(session, job_id, user_id)
    path = svc.storage.source_path(job.user_id, job.id, job.source_name)
    if job.source_deleted_at is not None or not path.is_file():
        raise source_expired()
    # Werkzeug answers a Range with 206 and Content-Range, If-None-Match with 304.
    return private_file(path, job.content_type, max_age=3600)


@bp.get("/jobs/<job_id>/video")
@operation(
    "The uploaded video while the server keeps it (Range requests answer 206; 410 once removed)",
    headers=(RANGE,),
    responses={200: "video/*", 206: "video/*"},
    refusals=FILE_REFUSALS,
)
@auth_required
def video(job_id: str) -> ResponseReturnValue:
    return _send_video(job_id, current_user_id())


@bp.post("/jobs/<job_id>/video-link")
@operation(
    "A signed URL of the video for players that cannot send a token (browsers), valid an hour",
    responses={200: VideoLinkOut},
)
@auth_required
def video_link(job_id: str) -> ResponseReturnValue:
    user_id = current_user_id()
    svc = services()
    with svc.db.session() as session:
        svc.store.get_for_user(session, job_id, user_id)  # 404 for another user's job
    signed = _signer().dumps({"job": job_id, "user": user_id})
    url = f"/api/jobs/{job_id}/video/signed?access={signed}"
    return VideoLinkOut(url=url, expires_in=VIDEO_LINK_SECONDS).model_dump(), 200


@bp.get("/jobs/<job_id>/video/signed")
@operation(
    "The video through a link from POST /api/jobs/{job_id}/video-link (Range requests answer 206)",
    query=SignedVideoQuery,
    headers=(RANGE,),
    responses={200: "video/*", 206: "video/*"},
    refusals=FILE_REFUSALS,
)
def signed_video(job_id: str) -> ResponseReturnValue:
    try:
        claims = _signer().loads(request.args.get("access", ""), max_age=VIDEO_LINK_SECONDS)
    except SignatureExpired:
        raise Unauthorized("This video link has expired; open the results again.") from None
    except BadSignature:
        raise Unauthorized("This video link is not valid; open the results again.") from None
    if not isinstance(claims, dict) or claims.get("job") != job_id:
        raise Unauthorized("This video link is for another video; open the results again.")
    return _send_video(job_id, int(claims["user"]))
