"""Job routes: auth on every one, another user's job is 404, listing, result states."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import AppFactory
from tests.helpers import AuthActions, distinct_videos, idle_app, upload_file

JOB_ROUTES = [
    ("get", "/api/jobs/{id}"),
    ("get", "/api/results/job/{id}"),
    ("get", "/api/jobs/{id}/result"),
    ("get", "/api/jobs/{id}/thumbnails/0.jpg"),
]


@pytest.fixture
def owned_job(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> tuple[str, dict[str, str]]:
    headers = auth.register("owner@example.com")
    response = upload_file(client, headers, small_video)
    assert response.status_code == 202
    return response.get_json()["job_id"], headers


@pytest.mark.parametrize(("method", "route"), JOB_ROUTES)
def test_job_routes_need_a_token(
    client: FlaskClient, owned_job: tuple[str, dict[str, str]], method: str, route: str
) -> None:
    job_id, _ = owned_job
    response = getattr(client, method)(route.format(id=job_id))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "route"), JOB_ROUTES)
def test_another_users_job_is_404(
    client: FlaskClient,
    auth: AuthActions,
    owned_job: tuple[str, dict[str, str]],
    method: str,
    route: str,
) -> None:
    job_id, owner = owned_job
    stranger = auth.register("stranger@example.com")
    theirs = getattr(client, method)(route.format(id=job_id), headers=stranger)
    missing = getattr(client, method)(route.format(id="no-such-job"), headers=stranger)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json() == missing.get_json()
    assert getattr(client, method)(route.format(id=job_id), headers=owner).status_code == 200


def test_list_is_per_user_newest_first_with_cursor(
    client: FlaskClient, auth: AuthActions, small_video: Path, tmp_path: Path
) -> None:
    mine = auth.register()
    other = auth.register()
    videos = distinct_videos(tmp_path, 5, seconds=0.5)
    ids = [upload_file(client, mine, video).get_json()["job_id"] for video in videos]
    upload_file(client, other, small_video)

    first = client.get("/api/jobs?limit=2", headers=mine).get_json()
    assert [j["id"] for j in first["jobs"]] == ids[::-1][:2]
    seen = [j["id"] for j in first["jobs"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/jobs?limit=2&cursor={cursor}", headers=mine).get_json()
        seen += [j["id"] for j in page["jobs"]]
        cursor = page["next_cursor"]
    assert seen == ids[::-1]

    completed = client.get("/api/jobs?status=completed", headers=mine).get_json()
    assert len(completed["jobs"]) == 5
    assert client.get("/api/jobs?status=queued", headers=mine).get_json()["jobs"] == []


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "status=exploded", "cursor=%%%"])
def test_list_rejects_bad_queries(client: FlaskClient, auth: AuthActions, query: str) -> None:
    response = client.get(f"/api/jobs?{query}", headers=auth.register())
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_result_is_409_until_completed(make_app: AppFactory, small_video: Path) -> None:
    # No runner threads: the job stays queued.
    _app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    response = client.get(f"/api/jobs/{job_id}/result", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "job_not_finished"
    polled = client.get(f"/api/results/job/{job_id}", headers=headers).get_json()
    assert polled["status"] == "queued" and polled["result"] is None


def test_missing_thumbnail_is_404(
    client: FlaskClient, owned_job: tuple[str, dict[str, str]]
) -> None:
    job_id, headers = owned_job
    response = client.get(f"/api/jobs/{job_id}/thumbnails/99.jpg", headers=headers)
    assert response.status_code == 404
