"""Structured request logging: a request id on every line, one JSON object per line in production.

No secret reaches a line: paths are logged with their token arguments masked, and query strings
only with the values of known harmless keys (see `loggable_path`, `loggable_query`).
"""

import json
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

from django.http import Http404
from django.urls import NoReverseMatch, resolve, reverse

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
        path = loggable_path(request)
        extra = {
            "request_id": request.request_id,
            "user_id": _user_id(request),
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        }
        query = loggable_query(request)
        if query:
            extra["query"] = query
        request_log.log(level, "%s %s %s", request.method, path, response.status_code, extra=extra)
        return response


# --- what never reaches a log line: secrets in paths and query strings ---------------------------

MASK = "MASKED"
# URL arguments that carry a secret in every route that has them: allauth's password-reset and
# email-confirmation keys (and the account id beside the reset key), our unsubscribe tokens.
SECRET_URL_ARGUMENTS = frozenset({"key", "token", "uidb36", "uidb64", "signature"})
# Query-string values kept in the log; any other key is logged with its value masked (search words
# and email addresses are personal data, and a link may one day carry a token in its query).
PLAIN_QUERY_KEYS = frozenset({"halaman", "urut", "kategori", "satker", "wilayah", "status", "tahap", "tahun", "format", "language"})


def loggable_path(request) -> str:
    """The request's path with every secret URL argument replaced by MASKED."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Http404:
            # No route claims it (a mistyped or truncated link): mask whatever looks like a token.
            return "/".join(MASK if _looks_like_token(segment) else segment for segment in request.path.split("/"))
    if not SECRET_URL_ARGUMENTS & set(match.kwargs):
        return request.path
    kwargs = {name: MASK if name in SECRET_URL_ARGUMENTS else value for name, value in match.kwargs.items()}
    try:
        return reverse(match.view_name, args=match.args, kwargs=kwargs)
    except NoReverseMatch:
        return "/".join(MASK if _looks_like_token(segment) else segment for segment in request.path.split("/"))


def _looks_like_token(segment: str) -> bool:
    """Long and either signed (a colon) or mixing letters and digits, as keys and tokens do."""
    if len(segment) >= 12 and ":" in segment:
        return True
    return len(segment) >= 20 and any(c.isdigit() for c in segment) and any(c.isalpha() for c in segment)


def loggable_query(request) -> str:
    """The query string with the value of every key outside PLAIN_QUERY_KEYS masked."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    return urlencode([(key[:50], value[:100] if key in PLAIN_QUERY_KEYS else MASK) for key, value in pairs])


def _user_id(request):
    from django.db import DatabaseError

    try:
        user = getattr(request, "user", None)  # may load the user now: a query
        if user is not None and getattr(user, "is_authenticated", False):
            return user.pk
    except DatabaseError:
        pass  # the database is down: the line is still logged, without the user
    return None


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to records logged while a request is served.

    Django's own request and security loggers hand over the request object and its raw path;
    both are replaced by the masked path, so a 500 on a reset link does not log the key.
    """

    def filter(self, record):
        logged_request = getattr(record, "request", None)
        if logged_request is not None and hasattr(logged_request, "path"):
            masked = loggable_path(logged_request)
            record.request = f"{logged_request.method} {masked}"
            if isinstance(record.args, tuple):
                record.args = tuple(masked if arg == logged_request.path else arg for arg in record.args)
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
