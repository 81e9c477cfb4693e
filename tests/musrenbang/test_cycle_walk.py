"""A whole cycle on seeded regions: proposals online and by an operator; two desa forums rank and
advance; the kecamatan ranks against its ceiling; the kabupaten hands to work units; one becomes a
program; the funnel counts right at every stage and the proposal page shows its path."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from musrenbang import services
from musrenbang.funnel import funnel
from musrenbang.models import CycleProposal, Decision, Reached, Stage
from participation import services as participation
from programs import services as programs
from tests.musrenbang.conftest import DAY

Row = services.Row


def forum_data(day, place="Balai Desa"):
    return {"held_on": day, "place": place, "chair": "Kepala Desa", "participants_male": 20, "participants_female": 18,
            "participants_youth": 5, "participants_elderly": 4, "participants_disability": 1, "participants_leaders": 3,
            "summary": "Hasil musyawarah."}


def counts(cycle):
    return {key: value for key, value in funnel(cycle)["totals"].items()}


def member(proposal):
    return CycleProposal.objects.get(proposal=proposal)


def test_a_whole_cycle(cycle, regions, today, warga, warga_lain, moderator, operator_sukamaju, operator_mekarsari,
                       operator_kecamatan, operator_kabupaten, petugas_pupr, dinas_pupr, dinas_dikbud, kategori,
                       submit_online, django_capture_on_commit_callbacks):
    # --- proposals: three online, one gathered face to face by the Mekarsari operator ------------
    road = submit_online(warga, regions["sukamaju"], title="Jalan desa Sukamaju", cost=100_000_000)
    hall = submit_online(warga, regions["sukamaju"], title="Balai warga Sukamaju", cost=50_000_000)
    school = submit_online(warga_lain, regions["mekarsari"], title="Ruang kelas SD Mekarsari", cost=200_000_000, unit=dinas_dikbud)
    participation.support_proposal(actor=warga_lain, proposal=road)
    with django_capture_on_commit_callbacks(execute=True):
        irrigation, code = services.enter_offline_proposal(
            actor=operator_mekarsari, region=regions["mekarsari"],
            data={"title": "Irigasi Dusun Krajan", "description": "Saluran jebol", "category": kategori, "work_unit": dinas_pupr,
                  "estimated_cost": 150_000_000},
            proposer_name="Pak Slamet", name_consent=True, proposer_phone="0812 1111 2222", gathered_on=today,
        )
        irrigation = participation.publish_proposal(actor=moderator, proposal=irrigation)
    assert irrigation.author is None and len(code) == 14
    assert {m.proposal_id for m in CycleProposal.objects.filter(cycle=cycle)} == {road.pk, hall.pk, school.pk, irrigation.pk}
    assert counts(cycle) == {"submitted": 4, "kecamatan": 0, "kabupaten": 0, "handed": 0, "programs": 0}

    # --- two desa forums rank and advance ----------------------------------------------------------
    sukamaju = services.record_forum(actor=operator_sukamaju, cycle=cycle, stage=Stage.DESA, region=regions["sukamaju"],
                                     data=forum_data(today), day=today)
    services.save_priority_list(actor=operator_sukamaju, forum=sukamaju, day=today, rows=[
        Row(member(road).pk, 1, Decision.ADVANCE), Row(member(hall).pk, 2, Decision.VILLAGE_FUND, "Dana Desa 2027"),
    ])
    mekarsari = services.record_forum(actor=operator_mekarsari, cycle=cycle, stage=Stage.DESA, region=regions["mekarsari"],
                                      data=forum_data(today), day=today)
    services.save_priority_list(actor=operator_mekarsari, forum=mekarsari, day=today, rows=[
        Row(member(irrigation).pk, 1, Decision.ADVANCE), Row(member(school).pk, 2, Decision.ADVANCE),
    ])
    assert member(hall).stopped_at == Stage.DESA and member(hall).reached == Reached.DESA
    assert counts(cycle) == {"submitted": 4, "kecamatan": 3, "kabupaten": 0, "handed": 0, "programs": 0}

    # --- the kecamatan ranks them against its ceiling (Rp350 juta): a warning, not a block -----------
    kecamatan_day = today + 12 * DAY
    kecamatan = services.record_forum(actor=operator_kecamatan, cycle=cycle, stage=Stage.KECAMATAN, region=regions["kecamatan"],
                                      data=forum_data(kecamatan_day, "Aula Kecamatan"), day=kecamatan_day)
    assert {cp.proposal_id for cp in services.eligible_for(kecamatan)} == {road.pk, school.pk, irrigation.pk}
    entries = services.save_priority_list(actor=operator_kecamatan, forum=kecamatan, day=kecamatan_day, rows=[
        Row(member(irrigation).pk, 1, Decision.ADVANCE), Row(member(road).pk, 2, Decision.ADVANCE),
        Row(member(school).pk, 3, Decision.ADVANCE),
    ])
    lines, budget = services.budget_lines(kecamatan, [e for e in kecamatan.entries.select_related("cycle_proposal__proposal")])
    assert [line.running_total for line in lines] == [150_000_000, 250_000_000, 450_000_000]
    assert [line.over for line in lines] == [False, False, True]
    assert budget["over"] and budget["ceiling"] == 350_000_000 and len(entries) == 3
    assert counts(cycle) == {"submitted": 4, "kecamatan": 3, "kabupaten": 3, "handed": 0, "programs": 0}

    # --- the kabupaten hands two to their work units and stops one -----------------------------------
    kabupaten_day = today + 27 * DAY
    kabupaten = services.record_forum(actor=operator_kabupaten, cycle=cycle, stage=Stage.KABUPATEN, region=regions["kabupaten"],
                                      data=forum_data(kabupaten_day, "Pendopo Kabupaten"), day=kabupaten_day)
    services.save_priority_list(actor=operator_kabupaten, forum=kabupaten, day=kabupaten_day, rows=[
        Row(member(road).pk, 1, Decision.ADVANCE), Row(member(irrigation).pk, 2, Decision.ADVANCE),
        Row(member(school).pk, 3, Decision.POSTPONED, "Menunggu DAK"),
    ])
    assert member(road).reached == Reached.HANDED and member(school).stopped_at == Stage.KABUPATEN
    assert counts(cycle) == {"submitted": 4, "kecamatan": 3, "kabupaten": 3, "handed": 2, "programs": 0}

    # --- the unit's existing program flow takes over ----------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        program = programs.create_program(
            actor=petugas_pupr, proposals=[road],
            data={"title": "Rehabilitasi jalan Sukamaju", "description": "Dari Musrenbang", "work_unit": dinas_pupr,
                  "category": kategori, "region": regions["sukamaju"], "budget": 95_000_000, "fiscal_year": cycle.year},
        )
    assert counts(cycle) == {"submitted": 4, "kecamatan": 3, "kabupaten": 3, "handed": 2, "programs": 1}
    by_kecamatan = {row.label: row.cells() for row in funnel(cycle)["by_kecamatan"]}
    assert by_kecamatan == {"Kecamatan Sukamaju": [4, 3, 3, 2, 1]}

    # --- what the public sees ---------------------------------------------------------------------------
    visitor = Client()
    with CaptureQueriesContext(connection) as queries:
        page = visitor.get(road.get_absolute_url()).content.decode()
    # Its way through three forums in two queries (membership, forums with their region and cycle).
    assert sum('"musrenbang_' in query["sql"].split(" WHERE ")[0] for query in queries.captured_queries) == 2
    path = page.split('id="judul-musrenbang"')[1].split("</section>")[0]
    assert re.search(r"Musrenbang Desa/Kelurahan Desa Sukamaju</a></strong>.*prioritas 1", path, re.S)
    assert re.search(r"Musrenbang Kecamatan Kecamatan Sukamaju</a></strong>.*prioritas 2", path, re.S)
    assert re.search(r"Musrenbang Kabupaten Kabupaten Contoh</a></strong>.*prioritas 1 — diserahkan ke PUPR", path, re.S)
    assert "Menjadi program kerja" in path
    offline_page = visitor.get(irrigation.get_absolute_url()).content.decode()
    assert "Diinput oleh operator Desa Mekarsari dari Musrenbang Desa/Kelurahan" in offline_page
    # The number itself, never a fragment of it (a timestamp's microseconds may hold "0812").
    assert "Pak Slamet" in offline_page and "1111 2222" not in offline_page and "11112222" not in offline_page
    program_page = visitor.get(program.get_absolute_url()).content.decode()
    assert f"dari Musrenbang {cycle.year}, prioritas 2 Kecamatan Sukamaju" in program_page
    cycle_page = visitor.get(f"/musrenbang/{cycle.year}/").content.decode()
    for label, number in (("Usulan masuk", 4), ("Diserahkan ke perangkat daerah", 2), ("Menjadi program kerja", 1)):
        assert f"{label}: {number}" in cycle_page  # the chart's accessible description
    forum_page = visitor.get(kecamatan.get_absolute_url()).content.decode()
    assert "melebihi pagu" in forum_page
    assert forum_page.index("Irigasi Dusun Krajan") < forum_page.index("Jalan desa Sukamaju") < forum_page.index("Ruang kelas SD Mekarsari")
