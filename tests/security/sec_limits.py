"""The limits the security tests' server runs with (set low so the tests stay quick)."""

MAX_FILE_BYTES = 1024 * 1024  # SUPPORT_MAX_ATTACHMENT_BYTES: Gradio's per-file cap too
UPLOAD_QUOTA_BYTES = 4 * 1024 * 1024  # SUPPORT_UPLOAD_QUOTA_BYTES_PER_HOUR, per client
STALE_NAME = "stale-upload.txt"  # planted in the upload folder, two days old, before the server starts
