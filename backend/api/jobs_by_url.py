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
from backend.uploads.by_url import fetch_settings, submit_url

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
    svc, user_id = services(), current_user_id()
    body = submit_url(
        user_id,
        json_body(UrlJobIn).url,
        store=svc.store,
        runner=svc.runner,
        settings=fetch_settings(svc.config),
        user_max_queued=svc.config.user_max_queued,
    )
    return body, 202, {"Location": body["status_url"], "Retry-After": "2"}
