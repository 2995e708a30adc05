"""The served OpenAPI document tells the truth: schemathesis, every check, finds nothing.

schemathesis reads /api/openapi.json from the app (served on a local port, as tests build it),
generates requests from it, valid and invalid, and checks every answer against it: a valid
request refused, an invalid one accepted, an answer off its schema, a method `Allow` lists that
the document does not, and so on. It runs signed in, with the seed fixed and a few examples per
operation, so that a run takes a minute or two and always sends the same requests.

A refusal the document declares for an operation (a 415 for bytes that are not a video, a 422
for a cursor this server did not hand out) is accepted as an answer to a valid request: those
rules are about content a schema cannot describe, and the document names them.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from backend.config import PROJECT_ROOT
from tests.conftest import AppFactory
from tests.helpers import upload_file

pytestmark = pytest.mark.timeout(900)

SCHEMATHESIS = PROJECT_ROOT / ".venv" / "bin" / "schemathesis"
PASSWORD = "correct horse battery staple 42"
MAX_EXAMPLES = 8
SEED = 24

# Operations left out, and why.
EXCLUDED = {
    # It downloads the URL it is given (from the internet) and analyses what it fetched: a
    # test of its own (tests/api/test_url_jobs.py) runs it against a local server instead.
    "jobs_by_url.create_from_url",
}
# Each of these, once it succeeds, ends the sessions of the account it runs as, or deletes its
# jobs: each runs as an account of its own, so that the other operations keep theirs.
OWN_ACCOUNT = ("auth.logout", "auth.logout_all", "auth.change_password", "jobs.cleanup")
# The one operation on a job that does not get the real one (it would take it from the others).
DELETES_THE_JOB = "jobs.destroy"

# schemathesis' own defaults (config/_checks.py), widened per operation by what it documents.
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
MISSING_HEADER_REFUSED = ["400", "401", "403", "406", "415", "422"]
NEGATIVE_REFUSED = [
    "400",
    "401",
    "403",
    "404",
    "405",
    "406",
    "409",
    "415",
    "422",
    "428",
    "429",
    "5xx",
]


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="openapi-conformance")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _register(app: Flask, name: str) -> str:
    answer = app.test_client().post(
        "/api/auth/register", json={"email": f"{name}@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["token"])


def _toml(value: Any) -> str:
    return json.dumps(value)  # strings and lists of strings: JSON's spelling is TOML's


def config_file(document: dict[str, Any], tokens: dict[str, str], job_id: str, path: Path) -> Path:
    """schemathesis' configuration: every check, tokens, and each operation's own refusals."""
    lines = [
        f"seed = {SEED}",
        f"hooks = {_toml('tests.api.openapi_hooks')}",
        "workers = 1",
        "request-timeout = 30",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "deterministic = true",
        'database = "none"',
        # JSON travels as UTF-8 (RFC 8259): no lone surrogates, which no client can send.
        'codec = "utf-8"',
        "[checks]",
        "enabled = true",
        "[headers]",
        f"Authorization = {_toml('Bearer ' + tokens['main'])}",
    ]
    for operation_id in EXCLUDED:
        lines += ["[[operations]]", f"include-operation-id = {_toml(operation_id)}"]
        lines += ["enabled = false"]
    path_of = {
        operation["operationId"]: path
        for path, methods in document["paths"].items()
        for operation in methods.values()
    }
    for methods in document["paths"].values():
        for operation in methods.values():
            operation_id = operation["operationId"]
            refusals = sorted(s for s in operation["responses"] if s.startswith("4"))
            lines += ["[[operations]]", f"include-operation-id = {_toml(operation_id)}"]
            lines += [
                "checks.positive_data_acceptance.expected-statuses = "
                + _toml(sorted(set(POSITIVE_ACCEPTED) | set(refusals))),
                "checks.missing_required_header.expected-statuses = "
                + _toml(sorted(set(MISSING_HEADER_REFUSED) | set(refusals))),
                "checks.negative_data_rejection.expected-statuses = "
                + _toml(sorted(set(NEGATIVE_REFUSED) | set(refusals))),
            ]
            # A real, completed job for every operation on one but its deletion (which would
            # take it from the others): their answers are then checked, not only their 404s.
            if "{job_id}" in path_of[operation_id] and operation_id != DELETES_THE_JOB:
                lines.append(f"parameters.job_id = {_toml(job_id)}")
            if operation_id in OWN_ACCOUNT:
                lines.append(f"headers.Authorization = {_toml('Bearer ' + tokens[operation_id])}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_schemathesis_finds_nothing_the_document_does_not_say(
    make_app: AppFactory, tmp_path: Path, small_video: Path
) -> None:
    app = make_app()  # jobs run inline: the upload below answers once its job has ended
    tokens = {name: _register(app, name.replace(".", "-")) for name in ("main", *OWN_ACCOUNT)}
    client = app.test_client()
    main = {"Authorization": f"Bearer {tokens['main']}"}
    job_id = upload_file(client, main, small_video).get_json()["job_id"]
    assert client.get(f"/api/jobs/{job_id}", headers=main).get_json()["status"] == "completed"
    document = client.get("/api/openapi.json").get_json()
    assert DELETES_THE_JOB in {
        op["operationId"] for ops in document["paths"].values() for op in ops.values()
    }
    config = config_file(document, tokens, job_id, tmp_path / "schemathesis.toml")
    with serving(app) as base:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{base}/api/openapi.json",
                "--no-color",
                "--output-truncate",
                "true",
                "--output-sanitize",
                "false",  # test accounts' tokens: a failure shows what was sent
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            timeout=800,
        )
    assert run.returncode == 0, run.stdout[-30000:] + run.stderr[-5000:]
