"""Batches: several videos in one request, one aggregate status, one push at the end."""
