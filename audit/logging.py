"""Structured request logging: a request id on every line, one JSON object per line in production."""

import json
import logging
import re
import time
import uuid

from audit.middleware_state import current_request, reset_current_request, set_current_request

request_log = logging.getLogger("portal.request")

_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """Assigns a request id (from X-Request-ID when well-formed), times the request, logs one line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        token = set_current_request(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
        finally:
            reset_current_request(token)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        response["X-Request-ID"] = request.request_id
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        request_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.request_id,
                "user_id": _user_id(request),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


def _user_id(request):
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to records logged while a request is served."""

    def filter(self, record):
        request = current_request()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", "-") if request is not None else "-"
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request) if request is not None else None
        return True


_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given to the logger become keys."""

    def format(self, record):
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)
