"""A citizen without an account claims a proposal an operator entered, with the one-time receipt code;
or the operator links it to the account registered with the same phone after calling the number."""

import pytest
from django.core.cache import cache
from django.test import Client

from audit.models import AuditEvent
from musrenbang import services
from musrenbang.models import OfflineEntry
from participation.models import Proposal
from tests import factories


@pytest.fixture(autouse=True)
def _clear_throttle(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def entered(cycle, regions, kategori, dinas_pupr, today, operator_sukamaju):
    proposal, code = services.enter_offline_proposal(
        actor=operator_sukamaju, region=regions["sukamaju"], gathered_on=today, proposer_name="Bu Sri", name_consent=False,
        proposer_phone="+62 812-3456-7890",
        data={"title": "Lampu jalan Sukamaju", "description": "Gelap", "category": kategori, "work_unit": dinas_pupr},
    )
    return proposal, code


def test_the_receipt_code_claims_the_proposal_once(client, entered, warga, warga_lain):
    proposal, code = entered
    client.force_login(warga)
    response = client.post("/musrenbang/klaim/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    proposal.refresh_from_db()
    assert proposal.author == warga
    assert OfflineEntry.objects.get().claimed_by == warga
    # Now the author sees it in their own list, in moderation like any other.
    assert "Lampu jalan Sukamaju" in client.get("/usulan/saya/").content.decode()

    other = Client()
    other.force_login(warga_lain)
    again = other.post("/musrenbang/klaim/", {"code": code})
    assert "sudah dipakai" in again.content.decode()
    proposal.refresh_from_db()
    assert proposal.author == warga
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED, data__reason="claim_code_reused").count() == 1


def test_guessed_codes_are_refused_recorded_and_throttled(client, entered, warga):
    proposal, code = entered
    client.force_login(warga)
    for attempt in range(services.CLAIM_MAX_FAILURES):
        response = client.post("/musrenbang/klaim/", {"code": f"AAAA-AAAA-AAA{attempt}"})
        assert "tidak dikenal" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED, data__reason="claim_code_unknown").count() == 5
    # Even the right code waits now.
    blocked = client.post("/musrenbang/klaim/", {"code": code})
    assert "Terlalu banyak percobaan" in blocked.content.decode()
    proposal.refresh_from_db()
    assert proposal.author is None


def test_codes_are_long_random_and_stored_only_as_a_digest(entered):
    proposal, code = entered
    codes = {services.new_claim_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c.replace("-", "")) == services.CLAIM_CODE_LENGTH for c in codes)
    entry = OfflineEntry.objects.get()
    assert code.replace("-", "") not in entry.claim_code_digest
    assert entry.claim_code_digest == services.claim_code_digest(code)


def test_claiming_needs_a_confirmed_account(client, entered, belum_verifikasi):
    proposal, code = entered
    assert client.post("/musrenbang/klaim/", {"code": code}).status_code == 302  # to the login page
    client.force_login(belum_verifikasi)
    assert client.post("/musrenbang/klaim/", {"code": code}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.author is None


def test_the_receipt_shows_the_code_once_to_the_operator_who_entered_it(client, cycle, regions, kategori, dinas_pupr, today, operator_sukamaju, operator_mekarsari):
    client.force_login(operator_sukamaju)
    response = client.post("/kerja/musrenbang/usulan/baru/", {
        "proposer_name": "Bu Sri", "proposer_phone": "", "title": "Posyandu", "description": "Butuh posyandu",
        "region": regions["sukamaju"].pk, "category": kategori.pk, "work_unit": dinas_pupr.pk, "source": "desa",
        "gathered_on": today.isoformat(), "location_text": "", "estimated_cost": "", "volume": "",
    })
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/kerja/musrenbang/usulan/{proposal.pk}/tanda-terima/"
    receipt = client.get(response["Location"]).content.decode()
    code = receipt.split('id="kode-klaim">')[1].split("<")[0]
    assert OfflineEntry.objects.get().claim_code_digest == services.claim_code_digest(code)
    client.post(f"/kerja/musrenbang/usulan/{proposal.pk}/tanda-terima/selesai/")
    assert code not in client.get(response["Location"]).content.decode()
    other = Client()
    other.force_login(operator_mekarsari)
    assert other.get(response["Location"]).status_code == 403


def test_the_operator_links_the_proposal_to_the_account_with_the_same_phone(client, entered, operator_sukamaju, operator_mekarsari):
    proposal, _code = entered
    citizen = factories.UserFactory(email="sri@contoh.id", full_name="Sri Wahyuni", phone="0812 3456 7890")
    stranger_operator = Client()
    stranger_operator.force_login(operator_mekarsari)
    entry = OfflineEntry.objects.get()
    assert stranger_operator.post(f"/kerja/musrenbang/usulan-tatap-muka/{entry.pk}/hubungkan/{citizen.pk}/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.author is None

    client.force_login(operator_sukamaju)
    workspace = client.get("/kerja/musrenbang/").content.decode()
    assert "Sri Wahyuni" in workspace and "nomor telepon yang sama" in workspace
    client.post(f"/kerja/musrenbang/usulan-tatap-muka/{entry.pk}/hubungkan/{citizen.pk}/")
    proposal.refresh_from_db()
    assert proposal.author == citizen


def test_a_different_phone_is_not_linked(client, entered, operator_sukamaju):
    proposal, _code = entered
    someone = factories.UserFactory(email="lain@contoh.id", phone="0813 0000 0000")
    client.force_login(operator_sukamaju)
    response = client.post(f"/kerja/musrenbang/usulan-tatap-muka/{OfflineEntry.objects.get().pk}/hubungkan/{someone.pk}/", follow=True)
    assert "tidak sama" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.author is None
