"""The cast every test can call by name, as in the design brief.

warga / warga_lain: verified citizens; belum_verifikasi: signed up, email not confirmed;
moderator; petugas_pupr / petugas_dikbud: officials of two different work units; admin.
"""

import os
import uuid

import pytest

from accounts import rights
from participation.models import Proposal
from tests import factories


# One name per test run, shared by its xdist workers, so two runs on one PostgreSQL server (two
# checkouts, or CI beside a developer) never drop each other's test databases.
TEST_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    for database in settings.DATABASES.values():
        test_name = database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
        database.setdefault("TEST", {})["NAME"] = f"{test_name}_{TEST_RUN_ID}"


@pytest.fixture(autouse=True)
def _caches_start_healthy():
    """A cache a test made fail is not left resting (config/cache.py) for the next test."""
    from config.cache import reset_health

    reset_health()
    yield
    reset_health()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    from django.core.cache import caches

    # Rendered fragments live in the worker's memory, not in the rolled-back database (config/fragments.py).
    caches["fragments"].clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language. A request with the English cookie activates
    English in this thread (right for that request); the next test in the worker must not
    inherit it (dates in stored change reasons would come out in English)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dinas_pupr(db):
    return factories.WorkUnitFactory(name="Dinas Pekerjaan Umum dan Penataan Ruang", short_name="PUPR")


@pytest.fixture
def dinas_dikbud(db):
    return factories.WorkUnitFactory(name="Dinas Pendidikan dan Kebudayaan", short_name="Disdikbud")


@pytest.fixture
def warga(db):
    return factories.UserFactory(email="siti@contoh.id", full_name="Siti Rahmawati", roles=[rights.ROLE_WARGA])


@pytest.fixture
def warga_lain(db):
    return factories.UserFactory(email="budi@contoh.id", full_name="Budi Santoso", roles=[rights.ROLE_WARGA])


@pytest.fixture
def belum_verifikasi(db):
    return factories.UserFactory(email="baru@contoh.id", full_name="Warga Baru", verified=False, roles=[rights.ROLE_WARGA])


@pytest.fixture
def moderator(db):
    return factories.UserFactory(
        email="moderator@contoh.id", full_name="Dewi Moderator", is_staff=True, roles=[rights.ROLE_MODERATOR]
    )


@pytest.fixture
def petugas_pupr(db, dinas_pupr):
    user = factories.UserFactory(email="agus@pupr.go.id", full_name="Agus PUPR", is_staff=True)
    return factories.make_official(user, dinas_pupr)


@pytest.fixture
def petugas_dikbud(db, dinas_dikbud):
    user = factories.UserFactory(email="rina@dikbud.go.id", full_name="Rina Dikbud", is_staff=True)
    return factories.make_official(user, dinas_dikbud)


@pytest.fixture
def admin(db):
    return factories.UserFactory(
        email="admin@contoh.id", full_name="Admin Portal", is_staff=True, is_superuser=True, roles=[rights.ROLE_ADMIN]
    )


@pytest.fixture
def kabupaten(db):
    from participation.models import Region

    kab = Region.objects.create(code="33.99", name="Kabupaten Contoh", level=Region.Level.KABUPATEN)
    kec = Region.objects.create(code="33.99.01", name="Kecamatan Sukamaju", level=Region.Level.KECAMATAN, parent=kab)
    Region.objects.create(code="33.99.01.2001", name="Desa Sukamaju", level=Region.Level.DESA, parent=kec)
    Region.objects.create(code="33.99.01.2002", name="Desa Mekarsari", level=Region.Level.DESA, parent=kec)
    return kab


@pytest.fixture
def desa(kabupaten):
    from participation.models import Region

    return Region.objects.get(code="33.99.01.2001")


@pytest.fixture
def kategori(db):
    return factories.CategoryFactory(name="Infrastruktur")


@pytest.fixture
def usulan(warga, dinas_pupr, kategori, desa):
    """A published proposal by `warga`, addressed to Dinas PUPR."""
    return factories.ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)


@pytest.fixture
def make_proposal(warga, dinas_pupr, kategori, desa):
    def make(**kwargs):
        defaults = {"author": warga, "work_unit": dinas_pupr, "category": kategori, "region": desa}
        defaults.update(kwargs)
        if defaults.get("status") not in (None, *Proposal.PUBLIC_STATUSES):
            defaults.setdefault("published_at", None)
        return factories.ProposalFactory(**defaults)

    return make
