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


# --- finding 4: secret tokens in the request log ----------------------------------------------------


def test_a_full_reset_and_confirmation_round_trip_leaves_no_key_in_the_log(client, json_log_lines, warga):
    """Before: `GET /akun/password/reset/key/2-.../` and `/akun/confirm-email/<key>/` were logged whole."""
    import re

    from django.core import mail

    # Sign-up and email confirmation.
    client.post(
        "/akun/signup/",
        {"full_name": "Nyoman Arta", "email": "nyoman@contoh.id", "password1": "Sawah-Hijau-2026",
         "password2": "Sawah-Hijau-2026", "phone": "", "region": "", "privacy_consent": "on"},
    )
    confirm_path = re.search(r"(/akun/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    confirm_key = confirm_path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(confirm_path).status_code == 200
    assert client.post(confirm_path).status_code == 302
    client.logout()

    # Password reset, from the emailed link to the new password.
    client.post("/akun/password/reset/", {"email": warga.email})
    reset_path = re.search(r"(/akun/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)
    reset_secret = reset_path.rstrip("/").rsplit("/", 1)[1]
    form_page = client.get(reset_path, follow=True)
    set_password_path = form_page.redirect_chain[-1][0]
    response = client.post(set_password_path, {"password1": "Kopi-Tubruk-2027", "password2": "Kopi-Tubruk-2027"})
    assert response.status_code == 302

    # A mistyped link that no route claims, and a query string with a token in it.
    client.get(f"/akun/konfirmasi/{confirm_key}/")
    client.get(f"/usulan/?q=Nyoman+Arta&halaman=2&token={confirm_key}")

    text = "\n".join(json_log_lines)
    assert confirm_key not in text
    assert reset_secret not in text and reset_secret.split("-", 1)[1] not in text
    assert "Nyoman" not in text  # a search for a person's name is personal data
    paths = [json.loads(line)["path"] for line in json_log_lines if '"portal.request"' in line]
    assert "/akun/confirm-email/MASKED/" in paths
    assert "/akun/password/reset/key/MASKED-MASKED/" in paths
    queries = [json.loads(line).get("query") for line in json_log_lines if '"portal.request"' in line]
    assert "q=MASKED&halaman=2&token=MASKED" in queries


def test_unsubscribe_tokens_are_masked(client, json_log_lines, warga):
    from notifications.unsubscribe import make_token

    token = make_token(warga.pk, "proposal")
    client.get(f"/notifikasi/berhenti/{token}/")
    text = "\n".join(json_log_lines)
    assert token not in text
    assert "/notifikasi/berhenti/MASKED/" in text


def test_django_error_lines_carry_the_masked_path_not_the_request(json_log_lines, rf):
    """Django's own request logger hands the request object over; its repr holds the raw path."""
    request = rf.get("/akun/confirm-email/MTUzNA:1xXkRh:sb6TKyEb3gSlZ8e1pOWNbpEsBTOB2jusiAzYOV4PqfM/")
    logging.getLogger("django.request").error("Internal Server Error: %s", request.path, extra={"request": request, "status_code": 500})
    text = "\n".join(json_log_lines)
    assert "sb6TKyEb3gSlZ8e1pOWNbpEsBTOB2jusiAzYOV4PqfM" not in text
    assert "/akun/confirm-email/MASKED/" in text
