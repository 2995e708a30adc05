"""`flask --app backend.app jobs ...`: list, cancel, retry, cleanup."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from backend.jobs.outcome import Outcome
from backend.models import Job, User
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import AuthActions, services_of, upload_file


def test_jobs_commands(make_app: AppFactory, small_video: Path) -> None:
    app = make_app(executor="thread", start_background=False)
    client = app.test_client()
    headers = AuthActions(client).register("cli@example.com")
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    cli = app.test_cli_runner()

    listed = cli.invoke(args=["jobs", "list", "--user", "cli@example.com", "--status", "queued"])
    assert listed.exit_code == 0 and job_id in listed.output and "queued" in listed.output

    cancelled = cli.invoke(args=["jobs", "cancel", job_id])
    assert cancelled.exit_code == 0
    assert client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["status"] == "cancelled"
    again = cli.invoke(args=["jobs", "cancel", job_id])
    assert again.exit_code != 0 and "already ended" in again.output

    retried = cli.invoke(args=["jobs", "retry", job_id])
    assert retried.exit_code == 0
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "queued" and job["error"] is None

    assert cli.invoke(args=["jobs", "retry", job_id]).exit_code != 0  # queued: nothing to retry
    assert "No job" in cli.invoke(args=["jobs", "cancel", "nope"]).output

    services_of(app).store.claim(job_id, "me")
    services_of(app).store.finish(job_id, "me", Outcome.failed("invalid_video", "Bad file."))
    with services_of(app).db.session() as session:
        session.execute(update(Job).values(finished_at=utcnow().replace(year=2000)))
    cleaned = cli.invoke(args=["jobs", "cleanup", "--days", "30"])
    assert cleaned.exit_code == 0 and "Deleted 1 job" in cleaned.output
    assert client.get(f"/api/jobs/{job_id}", headers=headers).status_code == 404


def test_jobs_list_never_prints_control_characters(make_app: AppFactory, small_video: Path) -> None:
    """An account made before emails were checked may hold an escape sequence that would
    rewrite the operator's terminal: the listing shows it spelt out."""
    app = make_app(executor="thread", start_background=False)
    client = app.test_client()
    headers = AuthActions(client).register("plain@example.com")
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    with services_of(app).db.session() as session:
        session.execute(update(User).values(email="\x1b[2J\x1b]0;pwned\x07x\u202e@example.com"))
    listed = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert listed.exit_code == 0 and job_id in listed.output
    assert not any(ord(char) < 32 and char != "\n" for char in listed.output)
    assert "\u202e" not in listed.output
    assert "\\x1b[2J\\x1b]0;pwned\\x07x\\u202e@example.com" in listed.output
