"""What Clipscope adds to gunicorn: idle timeouts, errors in our shape, a guarded body stream."""
