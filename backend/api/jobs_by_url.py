"""POST /api/jobs {"url"}: the server fetches the video, then analyses it like an upload."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from backend.api.limits import limiter, upload_limit, user_key
from backend.api.openapi import operation
from backend.api.schemas import UploadAccepted, UrlJobIn
from backend.api.security import auth_required, current_user_id
from backend.api.validation import json_body
from backend.services import services
from backend.uploads.by_url import submit_url

bp = Blueprint("jobs_by_url", __name__, url_prefix="/api")


@bp.post("/jobs")
@operation(
    "Submit a video by URL: the job downloads it (phase `fetching`), then analyses it",
    body=UrlJobIn,
    responses={202: UploadAccepted},
)
@auth_required
@limiter.limit(upload_limit, key_func=user_key)
def create_from_url() -> ResponseReturnValue:
    body = submit_url(services(), current_user_id(), json_body(UrlJobIn).url)
    return body, 202, {"Location": body["status_url"], "Retry-After": "2"}
