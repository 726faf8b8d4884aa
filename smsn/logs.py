"""Logging filters for the site's settings.LOGGING."""

from __future__ import annotations

import logging


class WithoutTraceback(logging.Filter):
    """Log an expected refusal as one line: the message and the request, no traceback.

    Django logs every request too large to read (413) or with too many fields with the
    traceback of where the body was read; that is the site working as meant, not a bug.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            record.msg = f"{record.getMessage()} ({request.method} {request.path})"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
