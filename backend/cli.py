"""Operator commands: `flask --app backend.app jobs list|cleanup|retry|cancel`."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from backend.errors import ApiError
from backend.jobs import lifecycle
from backend.models import Job, User
from backend.models.status import JobStatus
from backend.services import services
from backend.timeutil import isoformat, utcnow


def printable(text: str) -> str:
    """Control and format characters spelt as escapes: a terminal must show, not obey, them.

    Accounts made before emails were checked may hold an escape sequence that would
    rewrite the operator's screen.
    """
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char).startswith("C")
        else char
        for char in text
    )


jobs_cli = AppGroup("jobs", help="Inspect and manage analysis jobs.")


@jobs_cli.command("list")
@click.option("--user", "email", help="Only this user's jobs (email).")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]))
@click.option("--limit", default=50, show_default=True)
def list_command(email: str | None, status: str | None, limit: int) -> None:
    """List jobs, newest first."""
    with services().db.session() as session:
        query = select(Job, User.email).join(User, User.id == Job.user_id)
        if email:
            query = query.where(User.email == email.lower())
        if status:
            query = query.where(Job.status == status)
        rows = session.execute(query.order_by(Job.created_at.desc()).limit(limit)).all()
    for job, owner in rows:
        click.echo(
            f"{job.id}  {job.status:<10} {job.progress:>3}%  {printable(owner):<30} "
            f"{isoformat(job.created_at)}  {printable(job.filename)}"
            + (f"  [{job.error_code}]" if job.error_code else "")
        )
    if not rows:
        click.echo("No jobs.")


@jobs_cli.command("cleanup")
@click.option("--days", type=click.IntRange(min=0), required=True)
def cleanup_command(days: int) -> None:
    """Delete every user's finished jobs older than N days, with their files."""
    svc = services()
    deleted = lifecycle.cleanup(svc.store, svc.storage, utcnow() - timedelta(days=days), None)
    click.echo(f"Deleted {deleted} job(s).")


@jobs_cli.command("retry")
@click.argument("job_id")
def retry_command(job_id: str) -> None:
    """Put a failed or cancelled job back in the queue."""
    svc = services()
    _run(lambda: lifecycle.retry(svc.store, svc.storage, job_id))
    click.echo(f"Job {job_id} is queued again.")


@jobs_cli.command("cancel")
@click.argument("job_id")
def cancel_command(job_id: str) -> None:
    """Cancel a queued or running job."""
    _run(lambda: services().store.cancel(job_id, None))
    click.echo(f"Job {job_id} is cancelled.")


def _run(action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except ApiError as error:
        raise click.ClickException(error.message) from None
