"""Staff sign-in: one door for everyone (finding 1), and a second factor for staff accounts."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import override_settings

from accounts import second_factor
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/akun/login/"
PASSWORD = "rahasia-kuat-123"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- finding 1: admin's own sign-in form had no throttling ------------------------------------------


def test_admin_sign_in_form_is_gone_and_sends_to_the_one_door(client, admin):
    """Before: admin's form answered every try and the sixteenth, right password opened a session."""
    for _ in range(15):
        response = client.post("/admin/login/", {"username": admin.email, "password": "salah-sekali"})
        assert response.status_code == 302
    response = client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})
    assert signed_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == "/akun/login/?next=%2Fadmin%2F"


def test_admin_pages_send_visitors_to_the_portal_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/akun/login/?next=%2Fadmin%2F"
    assert "Lompat ke konten utama" in response.content.decode()  # the portal's own layout


def test_admin_sign_in_redirect_never_leaves_the_site(client):
    response = client.get("/admin/login/?next=https://penipu.example/admin/")
    assert response["Location"] == "/akun/login/?next=%2Fadmin%2F"


def test_a_signed_in_citizen_gets_403_from_admin_sign_in_not_a_loop(client, warga):
    client.force_login(warga)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_one_door_blocks_the_right_password_after_five_failures(client, admin):
    for _ in range(5):
        client.post(LOGIN, {"login": admin.email, "password": "salah-sekali"})
    response = client.post(LOGIN, {"login": admin.email, "password": PASSWORD})
    assert signed_in_user_id(client) is None
    assert "Terlalu banyak" in response.content.decode()


# --- the staff second factor ------------------------------------------------------------------------


def enrol(user) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    return pyotp.TOTP(secret)


def test_without_the_setting_staff_sign_in_with_a_password_alone(client, moderator, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.post(LOGIN, {"login": moderator.email, "password": PASSWORD})
    assert client.get("/moderasi/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/moderasi/", "/audit/", "/kerja/", "/usulan/", "/"])
def test_staff_without_an_authenticator_are_sent_to_enrol(client, admin, settings, path):
    settings.STAFF_MFA_REQUIRED = True
    client.post(LOGIN, {"login": admin.email, "password": PASSWORD})
    assert signed_in_user_id(client) == str(admin.pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/akun/2fa/totp/activate/"


@pytest.mark.django_db(transaction=True)  # enrolment completes after commit, as in production
def test_staff_enrol_in_indonesian_then_pages_open(client, moderator, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.post(LOGIN, {"login": moderator.email, "password": PASSWORD})
    response = client.get("/moderasi/", follow=True)
    page = response.content.decode()
    assert "Pasang aplikasi autentikator" in page
    assert "Akun petugas wajib memakai verifikasi dua langkah" in page
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code
    secret = response.context["form"].secret

    response = client.post("/akun/2fa/totp/activate/", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert "Kode salah" in response.content.decode()
    assert not Authenticator.objects.filter(user=moderator).exists()

    response = client.post("/akun/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()}, follow=True)
    page = response.content.decode()
    assert "Kode pemulihan" in page
    assert "Saya sudah menyimpan kode ini, lanjutkan" in page
    assert 'href="/moderasi/"' in page
    assert client.get("/moderasi/").status_code == 200
    enrolled = AuditEvent.objects.filter(action=AuditEvent.Action.SECOND_FACTOR_ADDED, actor=moderator)
    assert sorted(event.data["type"] for event in enrolled) == ["recovery_codes", "totp"]


def test_enrolled_staff_need_the_code_to_sign_in_and_wrong_codes_are_throttled(client, petugas_pupr, settings):
    settings.STAFF_MFA_REQUIRED = True
    codes = enrol(petugas_pupr)
    response = client.post(LOGIN, {"login": petugas_pupr.email, "password": PASSWORD})
    assert response["Location"] == "/akun/2fa/authenticate/"
    assert signed_in_user_id(client) is None
    page = client.get("/akun/2fa/authenticate/").content.decode()
    assert "Masukkan kode verifikasi" in page

    wrong = "000000" if codes.now() != "000000" else "111111"
    for _ in range(5):
        response = client.post("/akun/2fa/authenticate/", {"code": wrong})
        assert "Kode salah" in response.content.decode()
    response = client.post("/akun/2fa/authenticate/", {"code": codes.now()})
    assert signed_in_user_id(client) is None
    assert "Terlalu banyak" in response.content.decode()
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SECOND_FACTOR_FAILED, object_id=str(petugas_pupr.pk))
    assert failures.count() == 5


def test_enrolled_staff_sign_in_with_a_code_and_the_use_is_audited(client, petugas_pupr, settings):
    settings.STAFF_MFA_REQUIRED = True
    codes = enrol(petugas_pupr)
    client.post(LOGIN, {"login": petugas_pupr.email, "password": PASSWORD})
    response = client.post("/akun/2fa/authenticate/", {"code": codes.now()})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(petugas_pupr.pk)
    assert client.get("/usulan/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SECOND_FACTOR_USED, actor=petugas_pupr).exists()


def test_a_session_that_has_not_shown_the_code_is_asked_for_it(client, petugas_pupr, settings):
    """E.g. a session from before the requirement was switched on."""
    settings.STAFF_MFA_REQUIRED = True
    codes = enrol(petugas_pupr)
    client.force_login(petugas_pupr)
    response = client.get("/program/")
    assert response["Location"] == "/akun/2fa/reauthenticate/?next=%2Fprogram%2F"
    response = client.post("/akun/2fa/reauthenticate/?next=/program/", {"code": codes.now(), "next": "/program/"})
    assert response["Location"] == "/program/"
    assert client.get("/program/").status_code == 200


def test_the_proof_belongs_to_one_account(client, petugas_pupr, moderator, settings):
    settings.STAFF_MFA_REQUIRED = True
    enrol(moderator)
    client.force_login(petugas_pupr)
    session = client.session
    session[second_factor.SESSION_KEY] = petugas_pupr.pk
    session.save()
    client.force_login(moderator)
    assert client.get("/moderasi/").status_code == 302


def test_citizens_are_never_asked_for_a_second_factor(client, warga, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.post(LOGIN, {"login": warga.email, "password": PASSWORD})
    assert client.get("/usulan/saya/").status_code == 200


def test_staff_cannot_switch_the_required_factor_off(client, moderator, settings):
    settings.STAFF_MFA_REQUIRED = True
    codes = enrol(moderator)
    client.post(LOGIN, {"login": moderator.email, "password": PASSWORD})
    client.post("/akun/2fa/authenticate/", {"code": codes.now()})
    assert "tidak dapat dimatikan" in client.get("/akun/2fa/").content.decode()
    client.post("/akun/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).exists()


@override_settings(DEBUG=False)
def test_the_requirement_is_on_by_default_in_production():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "STAFF_MFA_REQUIRED")}
    env.update({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "contoh.go.id"})
    script = "import django; django.setup(); from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)"
    production = subprocess.run(
        [sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True, check=True
    )
    development = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert production.stdout.strip() == "True"
    assert development.stdout.strip() == "False"
