"""Expired resumable uploads lose their bytes and their row; so do files no upload owns."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from backend.db import Database
from backend.errors import ApiError
from backend.models import TusUpload
from backend.uploads.tus import store
from backend.uploads.tus.files import UPLOADS_DIR, UploadFiles

# A directory with no row is an upload being created (file first, row next) until this old.
ORPHAN_AGE = timedelta(hours=1)


def remove_expired(db: Database, root: Path, now: datetime) -> int:
    """Remove uploads past their expiry; one still receiving bytes is left for next time."""
    files = UploadFiles(root)
    removed = 0
    for upload_id, user_id in store.expired(db, now):
        try:
            with files.locked(user_id, upload_id):
                # Bytes first: a row left by a crash here is still expired (410) and goes next time.
                files.remove(user_id, upload_id)
                store.remove(db, upload_id)
                removed += 1
        except ApiError:
            continue  # a PATCH holds it: it is alive, and its end moves the expiry on
    return removed + _remove_orphans(db, root)


def _remove_orphans(db: Database, root: Path) -> int:
    base = root / UPLOADS_DIR
    if not base.is_dir():
        return 0
    cutoff = time.time() - ORPHAN_AGE.total_seconds()
    candidates = [
        upload_dir
        for user_dir in base.iterdir()
        if user_dir.is_dir()
        for upload_dir in user_dir.iterdir()
        if upload_dir.is_dir() and upload_dir.stat().st_mtime < cutoff
    ]
    if not candidates:
        return 0
    with db.session() as session:
        known = set(
            session.scalars(
                select(TusUpload.id).where(TusUpload.id.in_([d.name for d in candidates]))
            )
        )
    orphans = [d for d in candidates if d.name not in known]
    for upload_dir in orphans:
        shutil.rmtree(upload_dir, ignore_errors=True)
    return len(orphans)
