"""Cached fragments (config/fragments.py): the same HTML as rendering afresh, and never stale.

Every page is compared rendered with the fragment cache off, on and empty, and on and full, for
an anonymous visitor, a citizen and a moderator (whose comments carry hide buttons and CSRF
tokens). Then each kind of change a cached fragment shows is made through the real endpoints or
services, and the very next request shows it.
"""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils.html import escape

from participation import services as participation_services
from participation.models import Comment
from programs import services as program_services
from programs.models import Phase
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


@pytest.fixture(autouse=True)
def empty_fragment_cache(settings):
    settings.FRAGMENT_CACHE_SECONDS = 3600
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


@pytest.fixture
def thread(usulan, warga, warga_lain):
    """The proposal with top-level comments, a reply, an edited and a hidden one."""
    first = participation_services.post_comment(actor=warga_lain, target=usulan, body="Setuju, jalannya rusak parah.")
    participation_services.post_comment(actor=warga, target=usulan, body="Terima kasih dukungannya.", parent=first)
    edited = participation_services.post_comment(actor=warga, target=usulan, body="Ada foto di https://contoh.id/foto")
    participation_services.edit_comment(actor=warga, comment=edited, body="Foto ada di https://contoh.id/foto.")
    return usulan


def _page(client, url, token_value="TOKEN"):
    response = client.get(url)
    assert response.status_code == 200
    # The token is masked anew for every request; its place and presence must match, not its value.
    return CSRF_VALUE.sub(rf"\g<1>{token_value}\g<2>", response.content.decode())


def _pages(thread, program):
    return ["/", "/usulan/", "/usulan/?urut=dukungan&kategori=" + str(thread.category_id), thread.get_absolute_url(), "/program/", program.get_absolute_url()]


@pytest.mark.parametrize("who", [None, "warga", "warga_lain", "moderator"])
def test_every_page_is_the_same_html_with_and_without_cached_fragments(client, settings, request, thread, program, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    for url in _pages(thread, program):
        settings.FRAGMENT_CACHE_SECONDS = 0
        fresh = _page(client, url)
        settings.FRAGMENT_CACHE_SECONDS = 3600
        filling = _page(client, url)
        from_cache = _page(client, url)
        assert fresh == filling == from_cache, url
    assert len(caches["fragments"]._cache) > 0  # the fragments were really stored and read


def test_a_cached_comment_carries_the_readers_own_csrf_token(client, thread, warga_lain, warga):
    client.force_login(warga_lain)
    client.get(thread.get_absolute_url())  # the fragments are now cached with warga_lain's rights
    client.force_login(warga)
    response = client.get(thread.get_absolute_url())
    page = response.content.decode()
    tokens = set(CSRF_VALUE.findall(page))
    assert "csrf-placeholder" not in page
    assert len(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)) > 3
    # Every form on the page carries the same token, the one Django issued for this request.
    assert len(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))) == 1
    assert tokens


def test_the_card_shows_a_new_support_at_once(client, usulan, warga_lain):
    assert "<strong>0</strong> dukungan" in _page(client, "/usulan/")
    client.force_login(warga_lain)
    assert client.post(reverse("participation:proposal_support", args=[usulan.pk])).status_code == 302
    client.logout()
    assert "<strong>1</strong> dukungan" in _page(client, "/usulan/")


def test_a_new_comment_shows_on_the_card_and_in_the_thread_at_once(client, thread, warga_lain):
    before_list, before_detail = _page(client, "/usulan/"), _page(client, thread.get_absolute_url())
    assert "3 komentar" in before_list
    client.force_login(warga_lain)
    response = client.post(reverse("participation:proposal_comment", args=[thread.pk]), {"body": "Kapan mulai dikerjakan?"})
    assert response.status_code == 302
    client.logout()
    assert "4 komentar" in _page(client, "/usulan/")
    assert "Kapan mulai dikerjakan?" in _page(client, thread.get_absolute_url())
    assert "Kapan mulai dikerjakan?" not in before_detail


def test_an_edited_comment_shows_its_new_text_at_once(client, thread, warga):
    comment = Comment.objects.get(body__startswith="Foto ada")
    _page(client, thread.get_absolute_url())
    participation_services.edit_comment(actor=warga, comment=comment, body="Foto sudah saya ganti.")
    page = _page(client, thread.get_absolute_url())
    assert "Foto sudah saya ganti." in page and "Foto ada di" not in page


def test_a_hidden_comment_and_a_hidden_proposal_disappear_at_once(client, thread, moderator):
    comment = Comment.objects.get(body__startswith="Setuju")
    assert "Setuju, jalannya rusak parah." in _page(client, thread.get_absolute_url())
    participation_services.set_comment_hidden(actor=moderator, comment=comment, hidden=True, reason="Tidak relevan")
    assert "Setuju, jalannya rusak parah." not in _page(client, thread.get_absolute_url())
    # The moderator sees it, marked hidden, from a fragment keyed apart from the public one.
    client.force_login(moderator)
    assert "disembunyikan" in _page(client, thread.get_absolute_url())
    client.logout()
    card_link = f'href="{thread.get_absolute_url()}"'
    assert card_link in _page(client, "/usulan/")
    participation_services.set_proposal_hidden(actor=moderator, proposal=thread, hidden=True, reason="Duplikat")
    assert card_link not in _page(client, "/usulan/")


def test_a_phase_move_shows_on_the_program_card_at_once(client, program, petugas_pupr):
    before = _page(client, "/program/")
    assert "Belum dimulai" in before and "Berjalan" not in before
    first = program.phases.get(order=1)
    program_services.start_phase(actor=petugas_pupr, phase=first)
    after = _page(client, "/program/")
    assert "Berjalan · 0%" in after


def test_a_renamed_category_shows_in_the_cached_filter_form_at_once(client, usulan, django_capture_on_commit_callbacks):
    category = usulan.category
    assert category.name in _page(client, "/usulan/")
    category.name = "Jalan dan Jembatan"
    with django_capture_on_commit_callbacks(execute=True):
        category.save()
    assert "Jalan dan Jembatan" in _page(client, "/usulan/")


def test_the_fragment_cache_can_be_turned_off(client, settings, usulan):
    settings.FRAGMENT_CACHE_SECONDS = 0
    _page(client, "/usulan/")
    assert len(caches["fragments"]._cache) == 0


def test_the_home_sections_show_a_new_proposal_and_a_support_at_once(client, usulan, warga, warga_lain, moderator, dinas_pupr, kategori, desa):
    """The home's sections are one fragment per public-data version: any change builds them anew."""
    assert escape(usulan.title) in _page(client, "/")
    newer = ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa, title="Sumur bor untuk dusun")
    assert "Sumur bor untuk dusun" in _page(client, "/")
    assert "<strong>0</strong> dukungan" in _page(client, "/")
    participation_services.support_proposal(actor=warga_lain, proposal=newer)
    assert "<strong>1</strong> dukungan" in _page(client, "/")


def test_the_notification_list_is_the_same_html_and_shows_reading_at_once(client, settings, warga):
    from notifications import services as notification_services

    for n in range(3):
        notification_services.notify(recipients=[warga.pk], kind="proposal", message=f"Kabar ke-{n}.", url="/usulan/")
    client.force_login(warga)
    settings.FRAGMENT_CACHE_SECONDS = 0
    fresh = _page(client, "/notifikasi/")
    settings.FRAGMENT_CACHE_SECONDS = 3600
    assert _page(client, "/notifikasi/") == _page(client, "/notifikasi/") == fresh
    assert fresh.count("card unread") == 3
    assert client.post(reverse("notifications:mark_read")).status_code == 302
    assert "card unread" not in _page(client, "/notifikasi/")
