"""Shared pages for signed-in people (config/shared_pages.py): the same HTML as building the page,
each person's own header, never a page of another standing, and never stale after a change.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from notifications import services as notification_services
from participation import services as participation_services
from programs import services as program_services
from tests.consultations.conftest import ConsultationFactory, ResponseFactory
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
SHARED_PATHS = ["/", "/usulan/", "/usulan/?urut=dukungan", "/program/", "/uji-publik/"]


@pytest.fixture(autouse=True)
def shared_pages_on(settings):
    settings.SHARED_PAGE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def content(usulan, program, dinas_pupr, kategori):
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Uji publik rancangan perda parkir")
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Draf tarif retribusi pasar", is_published=False)
    return usulan


def _get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response


def _html(response):
    # The token is masked anew for every request; its place and presence must match, not its value.
    return CSRF_VALUE.sub(r"\g<1>TOKEN\g<2>", response.content.decode())


@pytest.mark.parametrize(
    "first, second",
    [("warga", "warga_lain"), ("moderator", "moderator"), ("petugas_pupr", "petugas_pupr")],
)
def test_a_shared_page_is_the_page_the_reader_would_have_been_built(client, settings, request, content, first, second):
    """Built for `first`, served to `second` of the same standing: byte for byte what `second` gets
    with sharing off, their own name, unread count and CSRF token included."""
    reader = request.getfixturevalue(second)
    notification_services.notify(recipients=[reader.pk], kind="proposal", message="Ada kabar.", url="/usulan/")
    for path in SHARED_PATHS:
        settings.SHARED_PAGE_SECONDS = 0
        client.force_login(reader)
        built = _html(_get(client, path))
        settings.SHARED_PAGE_SECONDS = 3600
        client.force_login(request.getfixturevalue(first))
        _get(client, path)  # built for `first` and stored
        client.force_login(reader)
        shared = _get(client, path)
        assert shared["X-Page-Cache"] == "shared", path
        assert _html(shared) == built, path
        assert escape(reader.display_name) in built


def test_the_stored_page_holds_nobodys_name_token_or_count(client, warga, content):
    notification_services.notify(recipients=[warga.pk], kind="proposal", message="Ada kabar.", url="/usulan/")
    client.force_login(warga)
    page = _get(client, "/usulan/").content.decode()
    token = CSRF_VALUE.search(page)
    assert token and escape(warga.display_name) in page
    keys = _shared_keys()
    assert keys, "the page was stored"
    for key in keys:
        _version, html = cache.get(key)
        assert escape(warga.display_name) not in html
        assert token.group(0) not in html
        assert "badge-amber" not in html  # the unread badge is the reader's own


def _shared_keys():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_cache WHERE cache_key LIKE %s", ["%shared-page:%"])
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]


@pytest.mark.parametrize("filler", ["petugas_pupr", "moderator"])
def test_a_page_built_for_one_standing_is_never_served_to_another(client, request, content, filler, warga, belum_verifikasi, petugas_dikbud, moderator, petugas_pupr):
    """Roles, work units and a verified address decide what a page may show, so each has pages of its own."""
    client.force_login(request.getfixturevalue(filler))
    for path in SHARED_PATHS:
        _get(client, path)
    for other in (warga, belum_verifikasi, petugas_dikbud, moderator, petugas_pupr):
        if other.pk == request.getfixturevalue(filler).pk:
            continue
        client.force_login(other)
        for path in SHARED_PATHS:
            assert _get(client, path).get("X-Page-Cache") != "shared", (other, path)


def test_a_support_shows_at_once_to_the_next_reader(client, usulan, warga, warga_lain):
    client.force_login(warga)
    assert "<strong>0</strong> dukungan" in _get(client, "/usulan/").content.decode()
    assert _get(client, "/usulan/")["X-Page-Cache"] == "shared"
    client.force_login(warga_lain)
    assert client.post(reverse("participation:proposal_support", args=[usulan.pk])).status_code == 302
    client.force_login(warga)
    assert "<strong>1</strong> dukungan" in _get(client, "/usulan/").content.decode()


def test_a_new_comment_a_hidden_proposal_and_a_phase_move_show_at_once(client, usulan, program, warga, warga_lain, moderator, petugas_pupr):
    client.force_login(warga)
    assert "0 komentar" in _get(client, "/usulan/").content.decode()
    participation_services.post_comment(actor=warga_lain, target=usulan, body="Kapan mulai dikerjakan?")
    assert "1 komentar" in _get(client, "/usulan/").content.decode()
    participation_services.set_proposal_hidden(actor=moderator, proposal=usulan, hidden=True, reason="Duplikat")
    assert f'href="{usulan.get_absolute_url()}"' not in _get(client, "/usulan/").content.decode()
    assert "Belum dimulai" in _get(client, "/program/").content.decode()
    program_services.start_phase(actor=petugas_pupr, phase=program.phases.get(order=1))
    assert "Berjalan · 0%" in _get(client, "/program/").content.decode()


def test_a_change_committed_while_a_page_was_built_is_not_hidden_by_it(client, usulan, warga, django_capture_on_commit_callbacks):
    """The version is renewed again on commit, so a page built from the data before the commit is
    never served under the version that follows it."""
    client.force_login(warga)
    _get(client, "/usulan/")
    with django_capture_on_commit_callbacks(execute=True):
        usulan.title = "Perbaikan drainase pasar"
        usulan.save()
    assert "Perbaikan drainase pasar" in _get(client, "/usulan/").content.decode()


def test_a_message_after_an_action_is_shown_and_never_shared(client, usulan, warga, warga_lain):
    client.force_login(warga)
    _get(client, "/usulan/")
    response = client.post(reverse("participation:proposal_support", args=[usulan.pk]), follow=False)
    assert response.status_code == 302
    after = client.get("/usulan/")
    assert after.get("X-Page-Cache") != "shared"
    message = re.search(r'<p class="message[^"]*">([^<]+)</p>', after.content.decode())
    assert message, "the confirmation is on the page"
    client.force_login(warga_lain)
    assert message.group(1) not in _get(client, "/usulan/").content.decode()


def test_the_token_of_a_shared_page_is_the_readers_own(client, usulan, warga, warga_lain):
    client.force_login(warga)
    _get(client, "/usulan/")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(warga_lain)
    page = _get(csrf_client, "/usulan/")
    assert page["X-Page-Cache"] == "shared"
    token = CSRF_VALUE.search(page.content.decode()).group(0).split('value="')[1].rstrip('"')
    response = csrf_client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the sign-out form of the shared page works for its reader


@pytest.mark.parametrize("path", SHARED_PATHS)
def test_a_shared_page_costs_four_queries(client, content, warga, warga_lain, django_assert_max_num_queries, path):
    client.force_login(warga)
    _get(client, path)
    client.force_login(warga_lain)
    _get(client, path)  # stores warga_lain's summary
    # session, user, the person's summary, the data version and the page (one read)
    with django_assert_max_num_queries(4):
        assert _get(client, path)["X-Page-Cache"] == "shared"


def test_sharing_can_be_turned_off(client, settings, usulan, warga):
    settings.SHARED_PAGE_SECONDS = 0
    client.force_login(warga)
    _get(client, "/usulan/")
    assert "X-Page-Cache" not in _get(client, "/usulan/")
    assert not _shared_keys()


# --- pages about one item: shared by readers in the same relation to it ------------------------------


@pytest.fixture
def readers(warga, warga_lain, moderator, petugas_pupr):
    """Readers in every relation to the items: the author who also comments (warga, who also wrote
    the program's source proposal), a commenter (warga_lain), a supporter who follows (Ani), two
    citizens who did nothing, one who rated the program (Rina), a moderator and the unit's official."""
    from tests import factories

    others = [factories.UserFactory(full_name=name, roles=[rights_role()]) for name in ("Ani Lestari", "Joko Susilo", "Tono Wijaya", "Rina Marlina")]
    return [warga, warga_lain, *others, moderator, petugas_pupr]


def rights_role():
    from accounts import rights

    return rights.ROLE_WARGA


@pytest.fixture
def items(content, program, readers, warga, warga_lain, petugas_pupr, dinas_pupr, kategori):
    from notifications.services import follow, unfollow

    usulan, supporter = content, readers[2]
    participation_services.support_proposal(actor=supporter, proposal=usulan)
    unfollow(actor=supporter, target=usulan)  # supporting alone must tell the pages apart
    follow(actor=supporter, target=program)
    participation_services.post_comment(actor=warga_lain, target=usulan, body="Setuju, jalannya rusak parah.")
    participation_services.post_comment(actor=warga, target=usulan, body="Terima kasih dukungannya.")
    participation_services.post_comment(actor=warga_lain, target=program, body="Kapan mulai dikerjakan?")
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Rancangan perda pasar rakyat")
    follow(actor=supporter, target=consultation)
    for phase in program.phases.order_by("order"):  # to Monitoring & Evaluasi, where citizens rate
        program_services.start_phase(actor=petugas_pupr, phase=phase)
        if phase.kind != phase.Kind.MONEV:
            program_services.complete_phase(actor=petugas_pupr, phase=phase)
    program_services.rate_program(actor=readers[5], program=program, score=4)
    ResponseFactory(consultation=consultation, author=warga_lain, comment="Setuju, asal pedagang lama didahulukan.")
    ResponseFactory(consultation=consultation, comment="Tolong jam buka diperpanjang.")
    return [usulan.get_absolute_url(), program.get_absolute_url(), consultation.get_absolute_url()]


def test_an_items_page_is_the_page_each_reader_would_have_been_built(client, settings, items, readers):
    """Every reader, whatever was stored before them, gets byte for byte the page built for them:
    the author's actions, a supporter's "Batalkan dukungan", a follower's "Berhenti mengikuti", a
    commenter's edit links and the staff's forms never reach anyone else."""
    for path in items:
        built = {}
        settings.SHARED_PAGE_SECONDS = 0
        for reader in readers:
            client.force_login(reader)
            built[reader.pk] = _html(_get(client, path))
        settings.SHARED_PAGE_SECONDS = 3600
        for order in (readers, list(reversed(readers))):
            cache.clear()
            for reader in order:
                client.force_login(reader)
                assert _html(_get(client, path)) == built[reader.pk], (path, reader.display_name)
        # The two citizens who did nothing share one copy.
        client.force_login(readers[3])
        _get(client, path)
        client.force_login(readers[4])
        assert _get(client, path)["X-Page-Cache"] == "shared", path
    assert built  # the pages differ by reader, or the test would prove nothing:
    client.force_login(readers[2])
    assert "Batalkan dukungan" in _get(client, items[0]).content.decode()
    client.force_login(readers[3])
    assert "Batalkan dukungan" not in _get(client, items[0]).content.decode()


def test_supporting_an_item_changes_the_readers_own_page_at_once(client, items, readers):
    reader = readers[3]
    client.force_login(reader)
    usulan_path = items[0]
    _get(client, usulan_path)
    assert _get(client, usulan_path)["X-Page-Cache"] == "shared"
    pk = int(usulan_path.strip("/").split("/")[-1])
    assert client.post(reverse("participation:proposal_support", args=[pk])).status_code == 302
    _get(client, usulan_path)  # shows the confirmation, built
    assert "Batalkan dukungan" in _get(client, usulan_path).content.decode()


@pytest.mark.parametrize("index, limit", [(0, 5), (1, 5), (2, 5)])
def test_an_items_shared_page_costs_five_queries(client, items, readers, django_assert_max_num_queries, index, limit):
    path = items[index]
    client.force_login(readers[3])
    _get(client, path)
    client.force_login(readers[4])
    _get(client, path)  # stores this reader's summary
    # session, user, the person's summary, the reader's relation to the item, version and page
    with django_assert_max_num_queries(limit):
        assert _get(client, path)["X-Page-Cache"] == "shared"


def test_a_new_name_and_a_deleted_account_show_at_once_on_shared_pages(client, items, readers):
    """A commenter's name is on every reader's copy: renaming or deleting the account renews them."""
    from accounts import services as account_services

    path, commenter, reader = items[0], readers[1], readers[3]
    client.force_login(reader)
    _get(client, path)
    assert _get(client, path)["X-Page-Cache"] == "shared"
    assert escape(commenter.display_name) in _get(client, path).content.decode()
    commenter.full_name = "Budi Santoso Putra"
    commenter.save()
    assert "Budi Santoso Putra" in _get(client, path).content.decode()
    account_services.delete_account(actor=commenter, password="rahasia-kuat-123")
    page = _get(client, path).content.decode()
    assert "Budi Santoso" not in page


def test_signing_in_does_not_rebuild_the_shared_pages(client, content, warga, warga_lain):
    client.force_login(warga)
    _get(client, "/usulan/")
    client.post(reverse("account_logout"))
    assert client.post("/akun/login/", {"login": warga_lain.email, "password": "rahasia-kuat-123"}).status_code == 302
    assert _get(client, "/")  # after the sign-in redirect, a page of its own to settle messages
    client.force_login(warga)
    assert _get(client, "/usulan/")["X-Page-Cache"] == "shared"


def test_the_item_pages_answer_only_get(client, items, readers):
    client.force_login(readers[3])
    for path in items[1:]:
        assert client.post(path).status_code == 405, path
