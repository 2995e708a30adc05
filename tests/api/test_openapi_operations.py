"""The operator and API-client routes are in the OpenAPI document, and answer what it says."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from backend.api.schemas import AuthOut, BatchList, BatchOut
from tests.api.test_batches import post_batch
from tests.helpers import AuthActions, distinct_videos


def test_new_routes_are_documented(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    for path, method in [
        ("/api/auth/logout-all", "post"),
        ("/api/auth/password", "post"),
        ("/api/batches", "post"),
        ("/api/batches", "get"),
        ("/api/batches/{batch_id}", "get"),
        ("/api/batches/{batch_id}", "delete"),
        ("/api/batches/{batch_id}/cancel", "post"),
        ("/api/jobs", "post"),
        ("/metrics", "get"),
    ]:
        assert method in paths[path], (path, method)
        if path != "/metrics":
            assert paths[path][method]["security"] == [{"bearer": []}], path
    assert "security" not in paths["/metrics"]["get"]  # its own token, not a user's
    assert schemas["UrlJobIn"]["properties"]["url"]["maxLength"] == 2048
    assert schemas["PasswordChange"]["properties"]["new_password"]["minLength"] == 8
    assert "fetching" in schemas["JobPhase"]["enum"]
    batch_form = paths["/api/batches"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in batch_form


def test_batch_and_password_answers_match_their_schemas(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    headers = auth.register("schema@example.com", password="first password")
    notes = tmp_path / "notes.txt"
    notes.write_text("words " * 500)
    created = post_batch(client, headers, [*distinct_videos(tmp_path, 1), notes]).get_json()
    BatchOut.model_validate(created)
    BatchList.model_validate(client.get("/api/batches", headers=headers).get_json())
    changed = client.post(
        "/api/auth/password",
        json={"current_password": "first password", "new_password": "second password"},
        headers=headers,
    )
    AuthOut.model_validate(changed.get_json())
