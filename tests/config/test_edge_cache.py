"""What a reverse proxy or CDN in front may keep (config/middleware.py SecurityHeaders), and conditional GET."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def edge_cache(settings):
    settings.EDGE_CACHE_SECONDS = 30


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/usulan/", "/program/", "/uji-publik/", "/data/feed/usulan/"])
def test_public_pages_and_feeds_may_be_kept_by_a_shared_cache_for_visitors_without_a_session(client, usulan, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _directives(response) == {"public", "max-age=0", "s-maxage=30"}
    assert "Cookie" in response["Vary"]
    assert response["ETag"]


def test_a_browser_revalidating_a_public_page_gets_304_without_a_body(client, usulan):
    first = client.get(usulan.get_absolute_url())
    again = client.get(usulan.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get(usulan.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and changed.content == first.content


def test_a_signed_in_person_gets_no_shared_copy_and_no_etag(client, warga, usulan):
    client.force_login(warga)
    response = client.get("/usulan/")
    assert "public" not in _directives(response)
    assert {"private", "no-store"} <= _directives(response)
    assert not response.has_header("ETag")


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_visitor_holding_a_session_or_a_message_gets_no_shared_copy(client, usulan, cookie):
    client.cookies[cookie] = "x"
    assert "public" not in _directives(client.get("/usulan/"))


def test_private_paths_errors_and_redirects_are_never_shared(client, usulan):
    assert "public" not in _directives(client.get("/akun/login/"))
    assert "public" not in _directives(client.get("/notifikasi/"))
    missing = client.get("/usulan/999999/")
    assert missing.status_code == 404 and "public" not in _directives(missing)


def test_no_shared_caching_when_turned_off(client, settings, usulan):
    settings.EDGE_CACHE_SECONDS = 0
    assert "public" not in _directives(client.get("/usulan/"))
