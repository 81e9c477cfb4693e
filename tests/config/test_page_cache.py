import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def test_anonymous_visitors_get_the_cached_page_until_it_expires(client, page_cache, usulan):
    first = client.get("/usulan/")
    assert first["X-Page-Cache"] == "miss"
    usulan.title = "Judul yang baru saja berubah"
    usulan.save()
    second = client.get("/usulan/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["X-Frame-Options"] == "DENY" and second["Content-Type"].startswith("text/html")
    cache.clear()  # as when the few seconds have passed
    assert "Judul yang baru saja berubah" in client.get("/usulan/").content.decode()


def test_people_with_a_session_always_get_a_fresh_page(client, page_cache, usulan, warga):
    client.get("/usulan/")
    client.force_login(warga)
    response = client.get("/usulan/")
    assert "X-Page-Cache" not in response
    assert warga.display_name in response.content.decode()


def test_each_language_has_its_own_copy(client, page_cache):
    indonesian = client.get("/")
    client.cookies["django_language"] = "en"
    english = client.get("/")
    assert english["X-Page-Cache"] == "miss" and 'lang="en"' in english.content.decode()
    assert 'lang="id"' in indonesian.content.decode()


def test_pages_that_set_cookies_or_are_not_public_are_never_stored(client, page_cache):
    client.get("/akun/login/")  # sets the CSRF cookie; not under a cached prefix either
    assert "X-Page-Cache" not in client.get("/akun/login/")
    response = client.get("/usulan/baru/")  # anonymous: a redirect to login, not a 200
    assert response.status_code == 302 and "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.get("/usulan/baru/")


def test_off_when_set_to_zero(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in client.get("/usulan/")


def test_public_pages_set_no_cookie_for_anonymous_visitors(client, usulan, dinas_pupr, kategori, desa, petugas_pupr):
    """A page that set a cookie (a CSRF token, a session) could not be cached and would carry
    one visitor's token to the next; public pages must be the same for every anonymous visitor."""
    from programs import services as programs
    from tests.consultations.conftest import ConsultationFactory

    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Jalan", "description": "Aspal", "work_unit": dinas_pupr, "category": kategori,
              "region": desa, "budget": 1, "fiscal_year": 2026},
        proposals=[usulan],
    )
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    for path in ("/", "/usulan/", usulan.get_absolute_url(), "/program/", program.get_absolute_url(),
                 "/uji-publik/", consultation.get_absolute_url(), "/statistik/", "/data/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, (path, list(response.cookies))
