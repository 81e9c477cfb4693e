import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts import rights
from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = "/akun/signup/"
LOGIN = "/akun/login/"


def signup_data(**overrides):
    data = {
        "full_name": "Wayan Sudarsana",
        "email": "wayan@contoh.id",
        "password1": "Sawah-Hijau-2026",
        "password2": "Sawah-Hijau-2026",
        "phone": "",
        "region": "",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/akun/confirm-email/[^\s]+/)", message.body).group(1)


def test_citizen_signs_up_confirms_email_then_logs_in(client):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="wayan@contoh.id")
    assert user.full_name == "Wayan Sudarsana"
    assert user.groups.filter(name=rights.ROLE_WARGA).exists()
    assert not rights.is_verified(user)
    assert len(mail.outbox) == 1

    # Until the address is confirmed, logging in only leads back to the verification notice.
    client.logout()
    response = client.post(LOGIN, {"login": "wayan@contoh.id", "password": "Sawah-Hijau-2026"})
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 2  # the confirmation mail is sent again

    link = confirmation_link(mail.outbox[-1])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="wayan@contoh.id").verified
    assert client.session["_auth_user_id"] == str(user.pk)

    client.logout()
    response = client.post(LOGIN, {"login": "wayan@contoh.id", "password": "Sawah-Hijau-2026"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert rights.is_verified(User.objects.get(pk=user.pk))


def test_signup_page_is_in_indonesian_and_uses_the_portal_layout(client):
    response = client.get(SIGNUP)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nama lengkap" in content
    assert "Lompat ke konten utama" in content  # our base template, not allauth's bare one
    assert 'lang="id"' in content


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"password1": "123", "password2": "123"}, "terlalu pendek"),
        ({"password1": "password", "password2": "password"}, "terlalu umum"),
        ({"password2": "Sawah-Lain-2026"}, "sama"),
        ({"email": "bukan-email"}, "alamat email yang valid"),
        ({"full_name": ""}, "tidak boleh kosong"),
    ],
    ids=["short-password", "common-password", "mismatch", "malformed-email", "missing-name"],
)
def test_signup_errors_are_shown_in_indonesian_and_create_nothing(client, overrides, expected):
    response = client.post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    assert expected in response.content.decode().lower()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_duplicate_email_signup_reveals_nothing_and_creates_nothing(client, warga):
    response = client.post(SIGNUP, signup_data(email=warga.email.upper()))
    # Same answer as a fresh signup, so the form cannot be used to discover accounts.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=warga.email).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [warga.email]


def test_login_is_rate_limited_after_repeated_failures(client, warga):
    for _ in range(5):
        response = client.post(LOGIN, {"login": warga.email, "password": "salah-sandi"})
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(LOGIN, {"login": warga.email, "password": "rahasia-kuat-123"})
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_error_does_not_say_whether_the_account_exists(client, warga):
    known = client.post(LOGIN, {"login": warga.email, "password": "salah-sandi"}).content.decode()
    unknown = client.post(LOGIN, {"login": "tidak-ada@contoh.id", "password": "salah-sandi"}).content.decode()
    assert "tidak benar" in known.lower() or "salah" in known.lower()

    def error_text(html):
        return re.findall(r'<div class="form-errors".*?</div>', html, re.S)

    assert error_text(known) == error_text(unknown)


def test_password_reset_answers_the_same_for_unknown_addresses(client, warga):
    known = client.post("/akun/password/reset/", {"email": warga.email})
    unknown = client.post("/akun/password/reset/", {"email": "tidak-ada@contoh.id"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_profile_needs_login_and_saves_changes(client, warga, desa):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and LOGIN in response["Location"]
    client.force_login(warga)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Siti R.", "phone": "0812 3456 7890", "region": desa.pk}
    )
    assert response.status_code == 302
    warga.refresh_from_db()
    assert (warga.full_name, warga.phone, warga.region) == ("Siti R.", "0812 3456 7890", desa)


def test_profile_rejects_bad_phone_and_changes_nothing(client, warga):
    client.force_login(warga)
    response = client.post(reverse("accounts:profile"), {"full_name": "Siti", "phone": "telepon saya", "region": ""})
    assert response.status_code == 200
    assert "nomor telepon yang valid" in response.content.decode()
    warga.refresh_from_db()
    assert warga.full_name == "Siti Rahmawati"
