import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User, WorkUnit
from participation.models import Category

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deploy_check():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SILENCED_SYSTEM_CHECKS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="k8#Qz!2mV9pL@4xR7tN1wE6yU3iO0aS5dF8gH2jK4lZ7xC9vB1nM6qW3eR5tY8uI",
        ALLOWED_HOSTS="partisipasi.example.go.id",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# /healthz and the 503 during a database outage: tests/config/test_resilience.py


def test_home_page_renders_in_indonesian_with_navigation(client):
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    for label in ("Beranda", "Usulan", "Program", "Uji Publik", "Masuk", "Daftar"):
        assert label in content
    assert "X-Request-ID" in response


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    response = client.get("/bahasa/", {"language": "xx", "next": "https://jahat.example.com/"})
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies
    assert 'lang="id"' in client.get("/").content.decode()


def test_unknown_page_gives_the_indonesian_404(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_english_is_available_through_the_language_switch(client):
    response = client.get("/bahasa/", {"language": "en", "next": "/usulan/"})
    assert response.status_code == 302 and response["Location"] == "/usulan/"
    content = client.get("/").content.decode()
    assert 'lang="en"' in content
    assert "Home" in content


def test_history_rows_carry_the_acting_user(client, admin, kategori):
    client.force_login(admin)
    url = reverse("admin:participation_category_change", args=[kategori.pk])
    response = client.post(url, {"name": "Infrastruktur Desa", "slug": kategori.slug, "description": "", "is_active": "on"})
    assert response.status_code == 302
    latest = kategori.history.latest()
    assert latest.name == "Infrastruktur Desa"
    assert latest.history_user == admin


def test_user_history_keeps_no_password_hash(warga):
    warga.set_password("sandi-baru-yang-kuat")
    warga.save()
    record = warga.history.latest()
    assert not hasattr(record, "password")


def test_admin_pages_are_in_indonesian_and_searchable(client, admin, dinas_pupr):
    client.force_login(admin)
    for name in ("accounts_workunit", "accounts_user", "participation_region", "participation_category", "audit_auditevent"):
        response = client.get(reverse(f"admin:{name}_changelist"), {"q": "PUPR"})
        assert response.status_code == 200, name
    assert "Satuan kerja" in client.get(reverse("admin:index")).content.decode()


def test_seed_demo_twice_changes_nothing(settings, media_root):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    counts = (User.objects.count(), WorkUnit.objects.count(), Category.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert (User.objects.count(), WorkUnit.objects.count(), Category.objects.count()) == counts
    assert counts[0] == 7  # one account per role, the Musrenbang operator included


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
