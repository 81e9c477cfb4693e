"""Public pages, files, exports and the feed: what anyone sees, what stays private, bounded queries."""

import csv
import io
import json

import pytest
from django.test import Client

from musrenbang import services
from musrenbang.demo import tiny_pdf
from musrenbang.models import CycleProposal, Decision, Stage
from participation.uploads import check_upload
from tests.musrenbang.conftest import DAY
from tests.musrenbang.test_cycle_walk import forum_data
from tests.participation.conftest import png_bytes, upload

Row = services.Row


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def recorded(cycle, regions, today, operator_sukamaju, submit_online, warga, media_root):
    proposals = [submit_online(warga, regions["sukamaju"], title=f"Usulan {n}", cost=n * 1000) for n in range(1, 4)]
    minutes = upload("berita-acara.pdf", tiny_pdf())
    photo = upload("hadir.png", png_bytes())
    forum = services.record_forum(actor=operator_sukamaju, cycle=cycle, stage=Stage.DESA, region=regions["sukamaju"],
                                  data=forum_data(today), day=today,
                                  minutes=(minutes, check_upload(minutes)), attendance=(photo, check_upload(photo)))
    services.save_priority_list(actor=operator_sukamaju, forum=forum, day=today, rows=[
        Row(CycleProposal.objects.get(proposal=p).pk, rank, Decision.ADVANCE if rank < 3 else Decision.MERGED, "")
        for rank, p in enumerate(proposals, start=1)
    ])
    return forum, proposals


def test_minutes_are_public_and_the_attendance_photo_is_not(recorded, operator_sukamaju, operator_mekarsari, moderator):
    forum, _ = recorded
    base = f"/musrenbang/{forum.cycle.year}/forum/{forum.pk}/dokumen/"
    visitor = Client()
    assert visitor.get(base + "minutes/").status_code == 200
    assert visitor.get(base + "attendance/").status_code == 404
    other = Client()
    other.force_login(operator_mekarsari)
    assert other.get(base + "attendance/").status_code == 404
    for person in (operator_sukamaju, moderator):
        own = Client()
        own.force_login(person)
        assert own.get(base + "attendance/").status_code == 200
    page = visitor.get(forum.get_absolute_url()).content.decode()
    assert "tidak dipublikasikan karena memuat data pribadi" in page and "berita-acara.pdf" in page


def test_an_unpublished_cycle_is_not_public(client, cycle, admin):
    cycle.is_published = False
    cycle.save()
    assert client.get(f"/musrenbang/{cycle.year}/").status_code == 404
    assert client.get(f"/musrenbang/{cycle.year}/data.csv").status_code == 404
    assert cycle.title not in client.get("/musrenbang/").content.decode()
    client.force_login(admin)
    assert client.get(f"/musrenbang/{cycle.year}/").status_code == 200


def test_hidden_and_unmoderated_proposals_stay_out_of_counts_and_exports(client, recorded, submit_online, warga, regions, moderator):
    from participation import services as participation

    forum, proposals = recorded
    submit_online(warga, regions["sukamaju"], title="Belum dimoderasi", publish=False)
    participation.set_proposal_hidden(actor=moderator, proposal=proposals[0], hidden=True, reason="Spam")
    data = body(client.get(f"/musrenbang/{forum.cycle.year}/data.csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert sorted(row["judul"] for row in rows) == ["Usulan 2", "Usulan 3"]
    assert {row["peringkat_desa"] for row in rows} == {"2", "3"}
    page = client.get(f"/musrenbang/{forum.cycle.year}/").content.decode()
    assert "Usulan masuk: 2" in page


def test_cycle_json_export_shows_each_proposals_path(client, recorded):
    forum, proposals = recorded
    rows = json.loads(body(client.get(f"/musrenbang/{forum.cycle.year}/data.json")))
    first = next(row for row in rows if row["id_usulan"] == proposals[0].pk)
    assert first["peringkat_desa"] == 1 and first["keputusan_desa"] == "Dilanjutkan ke tahap berikutnya"
    assert first["posisi"] == "Dibahas di Musrenbang Kecamatan" and first["input_operator"] is False


def _walk_to_kabupaten(cycle, regions, today, proposals, operator_kecamatan, operator_kabupaten):
    day = today + 12 * DAY
    kecamatan = services.record_forum(actor=operator_kecamatan, cycle=cycle, stage=Stage.KECAMATAN, region=regions["kecamatan"],
                                      data=forum_data(day), day=day)
    members = [CycleProposal.objects.get(proposal=p).pk for p in proposals[:2]]
    services.save_priority_list(actor=operator_kecamatan, forum=kecamatan, day=day,
                                rows=[Row(members[0], 1, Decision.ADVANCE), Row(members[1], 2, Decision.ADVANCE)])
    day = today + 27 * DAY
    kabupaten = services.record_forum(actor=operator_kabupaten, cycle=cycle, stage=Stage.KABUPATEN, region=regions["kabupaten"],
                                      data=forum_data(day), day=day)
    services.save_priority_list(actor=operator_kabupaten, forum=kabupaten, day=day,
                                rows=[Row(members[1], 1, Decision.ADVANCE), Row(members[0], 2, Decision.NOT_KABUPATEN, "=cmd")])
    return kabupaten


def test_the_kabupaten_priority_list_as_csv_and_xlsx(client, recorded, cycle, regions, today, operator_kecamatan, operator_kabupaten):
    from openpyxl import load_workbook

    from musrenbang.exports import KABUPATEN_COLUMNS

    _forum, proposals = recorded
    _walk_to_kabupaten(cycle, regions, today, proposals, operator_kecamatan, operator_kabupaten)
    response = client.get(f"/musrenbang/{cycle.year}/prioritas-kabupaten.csv")
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert list(rows[0].keys()) == [column.name for column in KABUPATEN_COLUMNS]
    assert [(row["peringkat"], row["judul"], row["keputusan"]) for row in rows] == [
        ("1", "Usulan 2", "Diserahkan ke perangkat daerah"), ("2", "Usulan 1", "Bukan kewenangan kabupaten")]
    assert rows[0]["peringkat_kecamatan"] == "2" and rows[0]["jumlah_berjalan_satker"] == "2000"
    assert rows[1]["keterangan"] == "'=cmd"  # never a formula in a spreadsheet
    workbook = load_workbook(io.BytesIO(client.get(f"/musrenbang/{cycle.year}/prioritas-kabupaten.xlsx").content))
    sheet = workbook.active
    values = list(sheet.values)
    assert values[0] == tuple(column.name for column in KABUPATEN_COLUMNS)
    assert values[1][:3] == (1, proposals[1].pk, "Usulan 2")
    assert values[2][KABUPATEN_COLUMNS.index(next(c for c in KABUPATEN_COLUMNS if c.name == "keterangan"))] == "'=cmd"


def test_the_atom_feed_lists_forum_results(client, recorded):
    forum, _ = recorded
    feed = client.get(f"/musrenbang/{forum.cycle.year}/feed/").content.decode()
    assert "<feed" in feed and "Musrenbang Desa/Kelurahan Desa Sukamaju" in feed
    assert "3 usulan diperingkat, 2 dilanjutkan" in feed


def test_forum_list_filters_by_stage_and_kecamatan(client, recorded, regions):
    forum, _ = recorded
    page = client.get(f"/musrenbang/{forum.cycle.year}/forum/?tahap=desa&kecamatan={regions['kecamatan'].pk}").content.decode()
    assert forum.get_absolute_url() in page
    other = client.get(f"/musrenbang/{forum.cycle.year}/forum/?kecamatan={regions['cibening_kec'].pk}").content.decode()
    assert forum.get_absolute_url() not in other
    assert client.get(f"/musrenbang/{forum.cycle.year}/forum/?tahap=zzz&kecamatan=abc").status_code == 200


@pytest.mark.parametrize("extra", [0, 15])
def test_funnel_and_forum_pages_run_a_fixed_number_of_queries(client, recorded, submit_online, warga, regions, django_assert_max_num_queries, extra):
    forum, _ = recorded
    for n in range(extra):
        submit_online(warga, regions["cibening"], title=f"Tambahan {n}")
    with django_assert_max_num_queries(7):
        assert client.get(f"/musrenbang/{forum.cycle.year}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(forum.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(f"/musrenbang/{forum.cycle.year}/forum/").status_code == 200


def test_the_operators_forum_form_records_everything_in_one_post(client, cycle, regions, today, operator_sukamaju, submit_online, warga, media_root):
    proposals = [submit_online(warga, regions["sukamaju"], title=f"Usulan {n}") for n in range(2)]
    members = [CycleProposal.objects.get(proposal=p).pk for p in proposals]
    client.force_login(operator_sukamaju)
    url = f"/kerja/musrenbang/{cycle.year}/desa/{regions['sukamaju'].pk}/"
    form = client.get(url).content.decode()
    assert f'name="rank-{members[0]}"' in form and "Daftar prioritas" in form
    response = client.post(url, {
        "held_on": today.isoformat(), "place": "Balai Desa Sukamaju", "chair": "Pak Kades", "participants_male": "10",
        "participants_female": "12", "participants_youth": "0", "participants_elderly": "0", "participants_disability": "0",
        "participants_leaders": "0", "summary": "", "minutes": upload("ba.pdf", tiny_pdf()),
        f"rank-{members[1]}": "1", f"decision-{members[1]}": "advance",
        f"rank-{members[0]}": "2", f"decision-{members[0]}": "postponed", f"note-{members[0]}": "Tahun depan",
    })
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Balai Desa Sukamaju" in page and "Tahun depan" in page and "ba.pdf" in page


def test_the_forum_form_refuses_a_fake_pdf_and_writes_nothing(client, cycle, regions, today, operator_sukamaju):
    from musrenbang.models import Forum

    client.force_login(operator_sukamaju)
    response = client.post(f"/kerja/musrenbang/{cycle.year}/desa/{regions['sukamaju'].pk}/", {
        "held_on": today.isoformat(), "place": "Balai", "chair": "Kades", "participants_male": "1", "participants_female": "1",
        "participants_youth": "5", "participants_elderly": "0", "participants_disability": "0", "participants_leaders": "0",
        "minutes": upload("ba.pdf", b"not a pdf at all"),
    })
    text = response.content.decode()
    assert response.status_code == 200 and "tidak sesuai" in text and "Tidak boleh lebih dari jumlah peserta" in text
    assert not Forum.objects.exists()


def test_workspace_is_for_operators_only(client, cycle, warga, petugas_pupr, operator_sukamaju, regions):
    assert client.get("/kerja/musrenbang/").status_code == 302
    for person in (warga, petugas_pupr):
        client.force_login(person)
        assert client.get("/kerja/musrenbang/").status_code == 403
    client.force_login(operator_sukamaju)
    page = client.get("/kerja/musrenbang/").content.decode()
    assert "Desa Sukamaju" in page and "Desa Mekarsari" not in page


@pytest.mark.parametrize("size", [2, 12])
def test_operator_pages_run_a_fixed_number_of_queries(client, cycle, regions, operator_sukamaju, submit_online, warga, django_assert_max_num_queries, size):
    for n in range(size):
        submit_online(warga, regions["sukamaju"], title=f"Usulan {n}")
    client.force_login(operator_sukamaju)
    client.get("/")  # the first page after signing in stores the person's summary (accounts/summary.py)
    with django_assert_max_num_queries(11):  # session, user, rights, cycle, region, forum, proposals, ceilings, header
        assert client.get(f"/kerja/musrenbang/{cycle.year}/desa/{regions['sukamaju'].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/kerja/musrenbang/").status_code == 200
