"""The signed-in person's summary (accounts/summary.py): one cache read, never out of date."""

import pytest
from django.contrib.auth.models import Group

from accounts import rights
from notifications import services as notification_services
from tests.factories import make_official

pytestmark = pytest.mark.django_db


def _header(client):
    response = client.get("/usulan/")
    assert response.status_code == 200
    return response.content.decode().split("</header>")[0]


def test_the_unread_badge_follows_new_and_read_notifications_at_once(client, warga):
    client.force_login(warga)
    assert "belum dibaca" not in _header(client)
    notification_services.notify(recipients=[warga.pk], kind="proposal", message="Usulan Anda dipublikasikan.", url="/usulan/1/")
    assert '<span class="badge badge-amber">1<span class="visually-hidden"> belum dibaca' in _header(client)
    assert client.post("/notifikasi/dibaca/").status_code == 302
    assert "belum dibaca" not in _header(client)


def test_a_granted_or_removed_role_shows_on_the_next_page(client, warga):
    client.force_login(warga)
    assert "/moderasi/" not in _header(client)
    warga.groups.add(Group.objects.get(name=rights.ROLE_MODERATOR))
    assert "/moderasi/" in _header(client)
    Group.objects.get(name=rights.ROLE_MODERATOR).user_set.remove(warga)
    assert "/moderasi/" not in _header(client)


def test_a_work_unit_right_counts_on_the_next_request(client, warga, dinas_pupr):
    client.force_login(warga)
    client.get("/usulan/")
    make_official(warga, dinas_pupr)
    warga.refresh_from_db()
    client.get("/usulan/")
    response = client.get("/usulan/")
    assert dinas_pupr.pk in rights.work_unit_ids(response.wsgi_request.user)


def test_a_verified_address_opens_participation_on_the_next_request(client, belum_verifikasi, usulan):
    from allauth.account.models import EmailAddress

    client.force_login(belum_verifikasi)
    assert "Konfirmasi alamat email Anda untuk ikut berkomentar" in client.get(usulan.get_absolute_url()).content.decode()
    address = EmailAddress.objects.get(user=belum_verifikasi)
    address.verified = True
    address.save()
    assert "Kirim komentar" in client.get(usulan.get_absolute_url()).content.decode()


def test_one_cache_read_replaces_the_four_queries(client, warga, django_assert_max_num_queries):
    client.force_login(warga)
    client.get("/notifikasi/")
    # session, user, summary, the page of notifications (+ its count for the paginator)
    with django_assert_max_num_queries(5):
        assert client.get("/notifikasi/").status_code == 200
