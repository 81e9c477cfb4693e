import threading

import pytest
from django.db import connection, connections
from django.test import Client

from participation import services
from participation.exceptions import AlreadyDone
from participation.models import Proposal, Support
from tests import factories

SUPPORT = "/usulan/{}/dukung/"


@pytest.mark.django_db
def test_verified_citizen_supports_once_and_can_withdraw(client, usulan, warga_lain):
    client.force_login(warga_lain)
    client.post(SUPPORT.format(usulan.pk))
    client.post(SUPPORT.format(usulan.pk))  # a second click changes nothing
    usulan.refresh_from_db()
    assert usulan.support_count == 1 and Support.objects.count() == 1
    client.post(SUPPORT.format(usulan.pk), {"aksi": "batal"})
    usulan.refresh_from_db()
    assert usulan.support_count == 0 and Support.objects.count() == 0


@pytest.mark.django_db
def test_support_writes_no_history_row(usulan, warga_lain):
    before = usulan.history.count()
    services.support_proposal(actor=warga_lain, proposal=usulan)
    assert usulan.history.count() == before


@pytest.mark.django_db
def test_author_cannot_support_own_proposal(client, usulan, warga):
    client.force_login(warga)
    response = client.post(SUPPORT.format(usulan.pk), follow=True)
    assert "pengusul tidak dapat mendukung usulannya sendiri" in response.content.decode()
    assert Support.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_and_unverified_cannot_support(client, usulan, belum_verifikasi):
    response = client.post(SUPPORT.format(usulan.pk))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    client.force_login(belum_verifikasi)
    response = client.post(SUPPORT.format(usulan.pk), follow=True)
    assert "Konfirmasi alamat email" in response.content.decode()
    assert Support.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["submitted", "draft", "declined"])
def test_non_published_proposals_cannot_be_supported(client, make_proposal, warga_lain, status):
    proposal = make_proposal(status=status)
    client.force_login(warga_lain)
    response = client.post(SUPPORT.format(proposal.pk))
    assert response.status_code in (302, 404)
    assert Support.objects.count() == 0


@pytest.mark.django_db
def test_get_does_not_support(client, usulan, warga_lain):
    client.force_login(warga_lain)
    assert client.get(SUPPORT.format(usulan.pk)).status_code == 405
    assert Support.objects.count() == 0


@pytest.mark.django_db
def test_service_refuses_a_second_support(usulan, warga_lain):
    services.support_proposal(actor=warga_lain, proposal=usulan)
    with pytest.raises(AlreadyDone):
        services.support_proposal(actor=warga_lain, proposal=usulan)
    usulan.refresh_from_db()
    assert usulan.support_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_count_stays_exact_when_many_citizens_support_at_once(live_server, dinas_pupr, kategori, desa):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrency are a PostgreSQL matter")
    author = factories.UserFactory()
    proposal = factories.ProposalFactory(author=author, work_unit=dinas_pupr, category=kategori, region=desa)
    citizens = [factories.UserFactory() for _ in range(12)]
    clients = []
    for citizen in citizens:
        citizen_client = Client()
        citizen_client.force_login(citizen)
        clients.append(citizen_client)
    barrier = threading.Barrier(len(clients) * 2)
    errors = []

    def press(citizen_client):
        try:
            barrier.wait()
            citizen_client.post(SUPPORT.format(proposal.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # Each citizen double-clicks: two simultaneous posts, one support.
    threads = [threading.Thread(target=press, args=(c,)) for c in clients for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    proposal.refresh_from_db()
    assert Support.objects.filter(proposal=proposal).count() == len(citizens)
    assert proposal.support_count == len(citizens)
    assert Proposal.objects.get(pk=proposal.pk).support_count == len(citizens)
