"""Finding 5: a Content-Security-Policy on every page, and no copy of personal data in any cache.

The browser test (tests/browser/test_content_security_policy.py) loads every page under the
policy; these tests pin the headers themselves and keep inline code out of the templates.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", ["/", "/usulan/", "/akun/login/", "/statistik/", "/halaman-yang-tidak-ada/"])
def test_every_page_carries_a_strict_policy(client, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in client.get(path)["Content-Security-Policy"]


def test_admin_carries_the_policy_too(client, admin):
    client.force_login(admin)
    assert directives(client.get("/admin/"))["script-src"] == "script-src 'self'"


@pytest.mark.parametrize("path", ["/akun/profil/", "/akun/email/", "/akun/password/change/", "/akun/data-saya/", "/notifikasi/"])
def test_account_pages_are_never_stored(client, warga, path):
    client.force_login(warga)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_personal_data_export_and_audit_csv_are_never_stored(client, warga, admin):
    client.force_login(warga)
    export = client.post("/akun/data-saya/")
    assert export["Content-Type"].startswith("application/json") and "no-store" in export["Cache-Control"]
    client.force_login(admin)
    audit_csv = client.get("/audit/unduh.csv")
    assert audit_csv["Content-Type"].startswith("text/csv")
    assert "no-store" in audit_csv["Cache-Control"] and "private" in audit_csv["Cache-Control"]


def test_whatever_a_signed_in_person_gets_is_not_stored(client, warga, usulan):
    client.force_login(warga)
    assert "no-store" in client.get(usulan.get_absolute_url())["Cache-Control"]


def test_sign_in_pages_are_not_stored_even_for_visitors(client):
    assert "no-store" in client.get("/akun/login/")["Cache-Control"]


def test_public_pages_for_visitors_stay_cacheable(client, usulan):
    response = client.get(usulan.get_absolute_url())
    assert "no-store" not in response.get("Cache-Control", "")


# --- no inline code in templates (the policy would block it) ------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_hold_no_inline_script_or_style():
    """Other engineers' new templates are held to the rule too (TEAM.md item 5)."""
    offences = []
    for template in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text()
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", text, flags=re.S)
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not offences, "\n".join(offences)


def test_the_policy_is_set_in_one_place():
    assert settings.MIDDLEWARE.index("config.middleware.SecurityHeaders") < settings.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
