"""Bad input is refused with a clear message, writes nothing, and forbidden attempts leave a security event."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from audit.models import AuditEvent
from musrenbang import services
from musrenbang.admin import CeilingInline  # noqa: F401  (admin registered)
from musrenbang.models import Ceiling, CycleProposal, Decision, Forum, OfflineEntry, PriorityEntry, Stage
from participation.models import Proposal
from tests.musrenbang.conftest import DAY
from tests.musrenbang.test_cycle_walk import forum_data

Row = services.Row


def posted(data):
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}


def denied(reason):
    return AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED, data__reason=reason).count()


@pytest.fixture
def desa_forum(cycle, regions, today, operator_sukamaju):
    return services.record_forum(actor=operator_sukamaju, cycle=cycle, stage=Stage.DESA, region=regions["sukamaju"],
                                 data=forum_data(today), day=today)


@pytest.fixture
def proposals(submit_online, warga, regions):
    return {
        "road": submit_online(warga, regions["sukamaju"], title="Jalan", cost=10),
        "hall": submit_online(warga, regions["sukamaju"], title="Balai", cost=20),
        "school": submit_online(warga, regions["mekarsari"], title="Sekolah", cost=30),
    }


def member(proposal):
    return CycleProposal.objects.get(proposal=proposal).pk


def test_a_forum_for_a_region_outside_the_operators_is_refused_and_recorded(cycle, regions, today, operator_sukamaju):
    with pytest.raises(PermissionDenied):
        services.record_forum(actor=operator_sukamaju, cycle=cycle, stage=Stage.DESA, region=regions["mekarsari"],
                              data=forum_data(today), day=today)
    assert not Forum.objects.exists()
    assert denied("forum_outside_operator_regions") == 1


def test_the_forum_page_of_another_desa_is_forbidden_and_its_post_writes_nothing(cycle, regions, today, operator_sukamaju):
    client = Client()
    client.force_login(operator_sukamaju)
    url = f"/kerja/musrenbang/{cycle.year}/desa/{regions['mekarsari'].pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, posted(forum_data(today))).status_code == 403
    assert not Forum.objects.exists()


def test_ranking_a_proposal_of_another_region_is_refused_and_recorded(desa_forum, proposals, operator_sukamaju, today):
    with pytest.raises(PermissionDenied):
        services.save_priority_list(actor=operator_sukamaju, forum=desa_forum, day=today, rows=[
            Row(member(proposals["road"]), 1, Decision.ADVANCE), Row(member(proposals["school"]), 2, Decision.ADVANCE),
        ])
    assert not PriorityEntry.objects.exists()
    assert denied("proposal_not_of_this_forum") == 1


def test_ranking_a_proposal_of_another_cycle_is_refused(desa_forum, proposals, operator_sukamaju, today, cycle):
    from musrenbang.models import Cycle

    other = Cycle.objects.create(year=cycle.year + 1, title="Lain", is_published=True,
                                 **{f: getattr(cycle, f).replace(year=getattr(cycle, f).year + 1) for f in (
                                     "collect_start", "desa_start", "desa_end", "kecamatan_start", "kecamatan_end",
                                     "kabupaten_start", "kabupaten_end")})
    CycleProposal.objects.filter(proposal=proposals["hall"]).update(cycle=other)
    with pytest.raises(PermissionDenied):
        services.save_priority_list(actor=operator_sukamaju, forum=desa_forum, day=today,
                                    rows=[Row(member(proposals["hall"]), 1, Decision.ADVANCE)])
    assert not PriorityEntry.objects.exists()


def test_two_proposals_with_the_same_rank_are_refused_through_the_page(desa_forum, proposals, operator_sukamaju, cycle, regions, today):
    client = Client()
    client.force_login(operator_sukamaju)
    url = f"/kerja/musrenbang/{cycle.year}/desa/{regions['sukamaju'].pk}/"
    road, hall = member(proposals["road"]), member(proposals["hall"])
    response = client.post(url, {**posted(forum_data(today)), "place": "Tempat lain",
                                 f"rank-{road}": "1", f"decision-{road}": "advance", f"rank-{hall}": "1", f"decision-{hall}": "declined"})
    assert response.status_code == 200
    assert "Peringkat 1 dipakai lebih dari satu usulan" in response.content.decode()
    assert not PriorityEntry.objects.exists()
    assert Forum.objects.get().place == "Balai Desa"  # the forum's own fields were not changed either


def test_gaps_in_ranks_and_missing_decisions_are_refused(desa_forum, proposals, operator_sukamaju, today):
    with pytest.raises(services.MusrenbangError, match="berurutan"):
        services.save_priority_list(actor=operator_sukamaju, forum=desa_forum, day=today,
                                    rows=[Row(member(proposals["road"]), 2, Decision.ADVANCE)])
    with pytest.raises(services.MusrenbangError, match="keputusan"):
        services.save_priority_list(actor=operator_sukamaju, forum=desa_forum, day=today,
                                    rows=[Row(member(proposals["road"]), 1, "maybe")])
    assert not PriorityEntry.objects.exists()


def test_advancing_outside_the_stage_window_is_refused(desa_forum, proposals, operator_sukamaju, today):
    with pytest.raises(services.MusrenbangError, match="berlangsung"):
        services.save_priority_list(actor=operator_sukamaju, forum=desa_forum, day=today + 11 * DAY,
                                    rows=[Row(member(proposals["road"]), 1, Decision.ADVANCE)])
    assert not PriorityEntry.objects.exists()
    assert CycleProposal.objects.get(proposal=proposals["road"]).reached == 0


def test_a_kecamatan_forum_cannot_be_recorded_during_the_desa_stage(cycle, regions, today, operator_kecamatan):
    with pytest.raises(services.MusrenbangError):
        services.record_forum(actor=operator_kecamatan, cycle=cycle, stage=Stage.KECAMATAN, region=regions["kecamatan"],
                              data=forum_data(today), day=today)
    assert not Forum.objects.exists()


def test_a_negative_ceiling_is_refused_in_admin(client, admin, cycle, regions):
    client.force_login(admin)
    url = f"/admin/musrenbang/cycle/{cycle.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "year": cycle.year, "title": cycle.title, "intro": "", "is_published": "on",
        **{f: getattr(cycle, f).isoformat() for f in ("collect_start", "desa_start", "desa_end", "kecamatan_start",
                                                        "kecamatan_end", "kabupaten_start", "kabupaten_end")},
        "ceilings-TOTAL_FORMS": "3", "ceilings-INITIAL_FORMS": "2", "ceilings-MIN_NUM_FORMS": "0", "ceilings-MAX_NUM_FORMS": "1000",
    }
    for index, ceiling in enumerate(Ceiling.objects.filter(cycle=cycle).order_by("pk")):
        data.update({f"ceilings-{index}-id": ceiling.pk, f"ceilings-{index}-cycle": cycle.pk,
                     f"ceilings-{index}-kecamatan": ceiling.kecamatan_id or "", f"ceilings-{index}-work_unit": ceiling.work_unit_id or "",
                     f"ceilings-{index}-amount": ceiling.amount})
    data.update({"ceilings-2-cycle": cycle.pk, "ceilings-2-kecamatan": regions["cibening_kec"].pk, "ceilings-2-amount": "-5000"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Pagu indikatif tidak boleh kurang dari nol." in response.content.decode()
    assert not Ceiling.objects.filter(kecamatan=regions["cibening_kec"]).exists()


def test_the_database_refuses_a_negative_ceiling_too(cycle, regions):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Ceiling.objects.create(cycle=cycle, kecamatan=regions["cibening_kec"], amount=-1)


def offline_form(regions, kategori, dinas_pupr, today, **overrides):
    values = {
        "proposer_name": "Bu Sri", "name_consent": "on", "proposer_phone": "081234567890",
        "title": "Lampu jalan", "description": "Gelap di malam hari", "region": regions["sukamaju"].pk,
        "category": kategori.pk, "work_unit": dinas_pupr.pk, "source": "desa", "gathered_on": today.isoformat(),
        "location_text": "", "estimated_cost": "", "volume": "",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("field, value", [
    ("description", "Hubungi saya di sri.warga@contoh.id"),
    ("title", "Lampu jalan, kabari 0812 3456 7890"),
    ("proposer_name", "sri@contoh.id"),
])
def test_an_operator_cannot_publish_the_proposers_email_or_phone(client, cycle, regions, kategori, dinas_pupr, today, operator_sukamaju, field, value):
    client.force_login(operator_sukamaju)
    response = client.post("/kerja/musrenbang/usulan/baru/", offline_form(regions, kategori, dinas_pupr, today, **{field: value}))
    assert response.status_code == 200
    assert "hapus alamat email dan nomor telepon" in response.content.decode()
    assert not Proposal.objects.exists() and not OfflineEntry.objects.exists()


def test_the_service_refuses_contact_details_too_and_records_it(cycle, regions, kategori, dinas_pupr, today, operator_sukamaju):
    with pytest.raises(services.MusrenbangError):
        services.enter_offline_proposal(
            actor=operator_sukamaju, region=regions["sukamaju"], gathered_on=today, proposer_name="Bu Sri", name_consent=True,
            data={"title": "Lampu", "description": "email sri@contoh.id", "category": kategori, "work_unit": dinas_pupr},
        )
    assert not Proposal.objects.exists()
    assert denied("offline_proposal_publishing_contact_details") == 1


def test_an_operator_cannot_enter_a_proposal_for_another_desa(client, cycle, regions, kategori, dinas_pupr, today, operator_sukamaju):
    client.force_login(operator_sukamaju)
    response = client.post("/kerja/musrenbang/usulan/baru/", offline_form(regions, kategori, dinas_pupr, today, region=regions["mekarsari"].pk))
    assert response.status_code == 403
    assert not Proposal.objects.exists()
    assert denied("offline_proposal_outside_operator_regions") == 1


def test_the_offline_form_offers_only_the_operators_regions(client, cycle, regions, operator_sukamaju):
    client.force_login(operator_sukamaju)
    page = client.get("/kerja/musrenbang/usulan/baru/").content.decode()
    assert "Desa Sukamaju" in page and "Desa Mekarsari" not in page
