import json
import logging

import pytest

from audit.logging import JsonFormatter, RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log_lines():
    """Capture what the console handler would print with LOG_FORMAT=json."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_each_request_logs_one_json_line_with_its_request_id(client, json_log_lines, warga):
    client.force_login(warga)
    response = client.get("/usulan/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    request_lines = [json.loads(line) for line in json_log_lines if '"portal.request"' in line]
    assert len(request_lines) == 1
    entry = request_lines[0]
    assert entry["request_id"] == "abc-123" and entry["user_id"] == warga.pk
    assert entry["method"] == "GET" and entry["path"] == "/usulan/" and entry["status"] == 200
    assert entry["duration_ms"] >= 0 and entry["level"] == "INFO" and "time" in entry


def test_a_malformed_request_id_is_replaced(client, json_log_lines):
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline" and len(response["X-Request-ID"]) == 32


def test_failed_login_logs_a_warning_and_no_secrets(client, json_log_lines, warga):
    client.get("/akun/login/")
    csrf = client.cookies["csrftoken"].value
    client.post("/akun/login/", {"login": warga.email, "password": "Sandi-Rahasia-XYZ", "csrfmiddlewaretoken": csrf})
    text = "\n".join(json_log_lines)
    security = [json.loads(line) for line in json_log_lines if '"portal.security"' in line]
    assert any(entry["level"] == "WARNING" and entry["audit_action"] == "login_failed" for entry in security)
    assert "Sandi-Rahasia-XYZ" not in text
    assert csrf not in text
    assert warga.email not in text  # personal data stays in the audit table, not in logs
    session_id = client.cookies.get("sessionid")
    if session_id is not None:
        assert session_id.value not in text


def test_permission_denied_is_logged_as_a_security_warning(client, json_log_lines, warga):
    client.force_login(warga)
    assert client.get("/moderasi/").status_code == 403
    assert any('"permission denied"' in line and '"WARNING"' in line for line in json_log_lines)
