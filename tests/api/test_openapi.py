"""The OpenAPI document is generated from the schemas the views validate with."""

from __future__ import annotations

from flask.testing import FlaskClient


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
    assert "AnalysisResult" in schemas and "JobOut" in schemas
    assert paths["/api/jobs/{job_id}"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/auth/login"]["post"]
