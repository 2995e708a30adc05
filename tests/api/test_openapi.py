"""The OpenAPI document is generated from the schemas the views validate with."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from backend.api.schemas import JobList, JobOut, JobResult, JobWithResult, UploadAccepted
from tests.helpers import AuthActions, upload_file


def test_openapi_lists_every_route_with_schemas(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path, method in [
        ("/api/auth/register", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/upload", "post"),
        ("/api/jobs", "get"),
        ("/api/jobs/{job_id}", "get"),
        ("/api/results/job/{job_id}", "get"),
        ("/api/jobs/{job_id}/result", "get"),
        ("/api/jobs/{job_id}/thumbnails/{index}.jpg", "get"),
        ("/api/health", "get"),
    ]:
        assert method in paths[path], (path, method)
    schemas = doc["components"]["schemas"]
    # The request schema is the one that validates: its password rule shows up here.
    assert schemas["Credentials"]["properties"]["password"]["minLength"] == 8
    assert "JobResult" in schemas and "JobOut" in schemas
    assert paths["/api/jobs/{job_id}"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/auth/login"]["post"]


def test_documents_match_their_published_schemas(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    """What the API answers is what the OpenAPI document promises."""
    headers = auth.register()
    accepted = upload_file(client, headers, small_video).get_json()
    UploadAccepted.model_validate(accepted)
    job_id = accepted["job_id"]
    JobOut.model_validate(client.get(f"/api/jobs/{job_id}", headers=headers).get_json())
    polled = client.get(f"/api/results/job/{job_id}", headers=headers).get_json()
    JobWithResult.model_validate(polled)
    result = client.get(f"/api/jobs/{job_id}/result", headers=headers).get_json()
    JobResult.model_validate(result)
    assert result["job_id"] == job_id
    assert all(s["thumbnail_url"].endswith(".jpg") for s in result["scenes"])
    JobList.model_validate(client.get("/api/jobs", headers=headers).get_json())


def test_the_published_result_schema_has_the_analyzer_2_fields(client: FlaskClient) -> None:
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]

    result = schemas["JobResult"]
    assert {"cues", "stability"} <= set(result["required"])
    scene = schemas["SceneOut"]["properties"]
    assert {"kind", "transition_start_s", "transition_end_s"} <= set(scene)
    assert set(schemas["Cue"]["properties"]["kind"]["enum"]) == {"black", "freeze", "silence"}
    assert set(schemas["Loudness"]["required"]) == {
        "integrated_lufs",
        "range_lu",
        "true_peak_dbtp",
        "clipped_samples",
    }
    assert "shake" in schemas["Stability"]["properties"]
    codes = set(schemas["QualityWarning"]["properties"]["code"]["enum"])
    assert {"too_quiet", "clipping", "shaky"} <= codes


def test_every_reference_in_the_document_resolves(client: FlaskClient) -> None:
    """Generators (the app's openapi-typescript) refuse a document with a dangling $ref."""
    doc = client.get("/api/openapi.json").get_json()
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.append(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    schemas = doc["components"]["schemas"]
    dangling = [
        r
        for r in refs
        if not (r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] in schemas)
    ]
    assert dangling == []


def test_the_cleanup_address_answers_for_cleanup_only(
    client: FlaskClient, auth: AuthActions
) -> None:
    # /api/jobs/cleanup is not a job id: its Allow lists POST alone (api/jobs.py).
    options = client.options("/api/jobs/cleanup")
    assert set(options.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    answer = client.get("/api/jobs/cleanup", headers=auth.register())
    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"


def test_the_document_declares_required_query_parameters_and_headers(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    days = paths["/api/jobs/cleanup"]["post"]["parameters"]
    assert {"name": "days", "in": "query", "required": True}.items() <= days[0].items()
    patch = paths["/api/uploads/{upload_id}"]["patch"]
    headers = {p["name"]: p for p in patch["parameters"] if p["in"] == "header"}
    assert headers["Tus-Resumable"]["required"] and headers["Upload-Offset"]["required"]
    assert "application/offset+octet-stream" in patch["requestBody"]["content"]
    assert {"412", "415"} <= set(patch["responses"])
    job = paths["/api/jobs/{job_id}"]["get"]["parameters"][0]
    assert job["schema"]["pattern"] == "^(?!cleanup$)[^/]+$"
