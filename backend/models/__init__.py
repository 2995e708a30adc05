"""All models, imported together so that the metadata is complete."""

from backend.models.base import Base
from backend.models.batch import Batch
from backend.models.idempotency import IdempotencyKey
from backend.models.job import Job
from backend.models.push import OutboxStatus, PushOutbox, PushToken
from backend.models.tus_upload import TusUpload
from backend.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Base",
    "Batch",
    "IdempotencyKey",
    "Job",
    "OutboxStatus",
    "PushOutbox",
    "PushToken",
    "TusUpload",
    "User",
]
