"""What operators see: JSON or text logs with request ids, and Prometheus metrics."""
