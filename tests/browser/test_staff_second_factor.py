"""A new official's first days with the required second factor, in Chromium (issue 11).

The official opens admin, signs in at the portal's one door, is sent to enrol an authenticator
app, types the code the app shows (computed here with pyotp from the secret on the page, as the
phone would), keeps the recovery codes and reaches admin. Next time the code is asked after the
password; after five wrong codes even the right one is refused for a while.
"""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from tests import factories
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Sandi", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("navigation", name="Akun").get_by_role("link", name="Masuk")).to_be_visible()


def test_new_official_enrols_totp_signs_in_with_it_and_is_throttled(new_page, journey, dinas_pupr, settings):
    settings.STAFF_MFA_REQUIRED = True
    official = factories.make_official(
        factories.UserFactory(email="yudi@pupr.go.id", full_name="Yudi Petugas Baru", is_staff=True), dinas_pupr
    )
    steps = journey("petugas-baru-verifikasi-dua-langkah")
    page = new_page()

    # 1. First sign-in: admin sends to the one door; the password alone opens nothing.
    page.goto("/admin/")
    sign_in_with_password(page, official.email)
    expect(page.locator("main h1")).to_have_text("Pasang aplikasi autentikator")
    expect(page.locator("main")).to_contain_text("wajib memakai verifikasi dua langkah")
    steps.step(page, "wajib pasang autentikator")
    page.goto("/admin/")
    expect(page.locator("main h1")).to_have_text("Pasang aplikasi autentikator")  # still nothing else opens

    # 2. Enrol: the phone app reads the secret (QR or typed key) and shows a code.
    authenticator = pyotp.TOTP(page.locator("code.secret-key").inner_text().strip())
    enrol_code = authenticator.now()
    page.get_by_role("textbox", name="Kode autentikator").fill(enrol_code)
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.locator("main h1")).to_have_text("Kode pemulihan")
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    steps.step(page, "kode pemulihan")
    page.get_by_role("link", name="Saya sudah menyimpan kode ini, lanjutkan").click()
    page.wait_for_url("**/admin/")
    steps.step(page, "admin terbuka")
    sign_out(page)

    # 3. Next sign-in: password, then a fresh code from the app (a used code is never accepted twice).
    page.goto("/admin/")
    sign_in_with_password(page, official.email)
    expect(page.locator("main h1")).to_have_text("Masukkan kode verifikasi")
    steps.step(page, "minta kode")
    next_code = authenticator.at(time.time() + 30)
    page.get_by_role("textbox", name="Kode").fill(next_code)
    page.locator("main").get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/")
    sign_out(page)

    # 4. Someone with the password but not the phone: five wrong codes, then even a right one waits.
    page.goto("/akun/login/")
    sign_in_with_password(page, official.email)
    expect(page.locator("main h1")).to_have_text("Masukkan kode verifikasi")
    wrong = "000000" if "000000" not in {authenticator.at(time.time() + s) for s in (-30, 0, 30)} else "111111"
    for attempt in range(5):
        page.get_by_role("textbox", name="Kode").fill(wrong)
        page.locator("main").get_by_role("button", name="Masuk").click()
        expect(page.locator("main")).to_contain_text("Kode salah")
    page.get_by_role("textbox", name="Kode").fill(authenticator.at(time.time() - 30))
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page.locator("main")).to_contain_text("Terlalu banyak")
    steps.step(page, "terlalu banyak percobaan")
    page.goto("/admin/")  # admin does not open: still the code form, and nobody is signed in
    expect(page.locator("main h1")).to_have_text("Masukkan kode verifikasi")
    expect(page.get_by_role("navigation", name="Akun").get_by_role("link", name="Masuk")).to_be_visible()

    events = AuditEvent.objects.filter(object_id=str(official.pk))
    assert events.filter(action=AuditEvent.Action.SECOND_FACTOR_ADDED).count() == 2  # app and recovery codes
    assert events.filter(action=AuditEvent.Action.SECOND_FACTOR_USED).count() == 1
    assert events.filter(action=AuditEvent.Action.SECOND_FACTOR_FAILED).count() == 5
