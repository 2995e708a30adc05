"""Resumable uploads over tus 1.0.0 (docs/uploads.md): protocol, rows, bytes on disk, finish."""
