import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse

from audit.models import AuditEvent
from participation.models import Proposal, Region
from tests import factories
from tests.transparency.conftest import CLOSES, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


def streamed(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    text = streamed(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def json_rows(response) -> list[dict]:
    return json.loads(streamed(response))


def at(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=JAKARTA)


@pytest.fixture
def every_stage(make_proposal, warga_lain):
    """One proposal in each lifecycle stage; only published/accepted/declined and not hidden are public."""
    return {
        "published": make_proposal(),
        "accepted": make_proposal(status="accepted"),
        "declined": make_proposal(status="declined", official_answer="Belum masuk prioritas tahun ini."),
        "draft": make_proposal(status="draft"),
        "submitted": make_proposal(status="submitted", author=warga_lain),
        "rejected": make_proposal(status="rejected", rejection_reason="Bukan kewenangan daerah."),
        "withdrawn": make_proposal(status="withdrawn"),
        "hidden": make_proposal(is_hidden=True, hidden_reason="Memuat data pribadi orang lain."),
    }


# --- proposals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_proposal_export_holds_only_public_proposals_and_no_email(client, every_stage, fmt):
    response = client.get(f"/data/usulan.{fmt}")
    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else json_rows(response)
    public = {every_stage[name].pk for name in ("published", "accepted", "declined")}
    assert {int(row["id"]) for row in rows} == public
    assert all(row["pengusul"] == "Siti Rahmawati" for row in rows)


def test_proposal_export_never_contains_emails_phones_or_user_ids(client, make_proposal, warga):
    warga.phone = "0812 3456 7890"
    warga.save()
    make_proposal()
    text = streamed(client.get("/data/usulan.json")) + streamed(client.get("/data/usulan.csv"))
    assert "@contoh.id" not in text
    assert "0812 3456 7890" not in text
    assert f'"author' not in text and "user" not in text


def test_proposal_export_is_streamed_with_download_headers(client, usulan):
    response = client.get("/data/usulan.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="usulan-')
    response = client.get("/data/usulan.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].endswith('.json"')


def test_json_export_of_nothing_is_an_empty_array(client, db):
    assert json_rows(client.get("/data/usulan.json")) == []


def test_proposal_row_describes_the_proposal(client, make_proposal, desa):
    proposal = make_proposal(estimated_cost=400_000_000, location_text="Jl. Melati RT 03", published_at=at(5))
    (row,) = json_rows(client.get("/data/usulan.json"))
    assert row["judul"] == proposal.title  # text as written; escaping is the reader's job
    assert row["kategori"] == "Infrastruktur"
    assert row["satuan_kerja"] == "PUPR"
    assert row["wilayah_kode"] == desa.code
    assert row["desa_kelurahan"] == "Desa Sukamaju"
    assert row["kecamatan"] == "Kecamatan Sukamaju"
    assert row["perkiraan_biaya"] == 400_000_000
    assert row["status"] == "published"
    assert row["dipublikasikan"] == "2026-03-05T10:00:00+07:00"
    assert row["url"] == f"http://testserver/usulan/{proposal.pk}/"


def test_a_deleted_authors_proposal_is_exported_without_a_name(client, make_proposal):
    make_proposal(author=None)
    (row,) = json_rows(client.get("/data/usulan.json"))
    assert row["pengusul"] == "Warga (akun dihapus)"


def test_csv_cells_that_look_like_formulas_are_neutralised(client, make_proposal):
    make_proposal(title='=HYPERLINK("http://jahat.example","klik")')
    (row,) = csv_rows(client.get("/data/usulan.csv"))
    assert row["judul"].startswith("'=HYPERLINK")


def test_date_range_is_inclusive_on_both_days(client, make_proposal):
    before = make_proposal(published_at=at(1).replace(hour=0, minute=0) - timedelta(minutes=1))  # 28 Feb, 23:59 WIB
    first_day = make_proposal(published_at=at(1).replace(hour=0, minute=0))
    last_day = make_proposal(published_at=at(10).replace(hour=23, minute=59))
    after = make_proposal(published_at=at(11).replace(hour=0, minute=0))
    rows = json_rows(client.get("/data/usulan.json?dari=2026-03-01&sampai=2026-03-10"))
    assert {row["id"] for row in rows} == {first_day.pk, last_day.pk}
    rows = json_rows(client.get("/data/usulan.json?dari=2026-03-11"))
    assert {row["id"] for row in rows} == {after.pk}
    rows = json_rows(client.get("/data/usulan.json?sampai=2026-02-28"))
    assert {row["id"] for row in rows} == {before.pk}


def test_category_work_unit_and_region_filters(client, make_proposal, dinas_dikbud, kabupaten, desa):
    pendidikan = factories.CategoryFactory(name="Pendidikan")
    mekarsari = Region.objects.get(code="33.99.01.2002")
    other_kecamatan = Region.objects.create(code="33.99.02", name="Kecamatan Lain", level=Region.Level.KECAMATAN, parent=kabupaten)
    road = make_proposal()
    school = make_proposal(category=pendidikan, work_unit=dinas_dikbud, region=mekarsari)
    elsewhere = make_proposal(region=other_kecamatan)

    def ids(query):
        return {row["id"] for row in json_rows(client.get(f"/data/usulan.json?{query}"))}

    assert ids(f"kategori={pendidikan.pk}") == {school.pk}
    assert ids(f"satker={dinas_dikbud.pk}") == {school.pk}
    assert ids(f"wilayah={desa.pk}") == {road.pk}
    assert ids(f"wilayah={desa.parent_id}") == {road.pk, school.pk}  # a kecamatan includes its villages
    assert ids(f"wilayah={other_kecamatan.pk}") == {elsewhere.pk}
    assert ids(f"kategori={pendidikan.pk}&wilayah={desa.pk}") == set()


@pytest.mark.parametrize(
    "query, message",
    [
        ("dari=2026-13-01", "Tanggal awal tidak dikenali"),
        ("dari=kemarin", "Tanggal awal tidak dikenali"),
        ("sampai=31-12-2026", "Tanggal akhir tidak dikenali"),
        ("dari=2026-03-10&sampai=2026-03-01", "Tanggal awal tidak boleh sesudah tanggal akhir"),
        ("kategori=999999", "Kategori yang dipilih tidak ada"),
        ("satker=abc", "Satuan kerja yang dipilih tidak ada"),
        ("wilayah=999999", "Wilayah yang dipilih tidak ada"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_malformed_filters_get_a_clear_message_and_400(client, usulan, query, message, fmt):
    response = client.get(f"/data/usulan.{fmt}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORT).exists()


def test_malformed_dates_on_the_data_page_show_the_message_too(client, db):
    response = client.get("/data/?dari=2026-02-30")
    assert response.status_code == 200
    assert "Tanggal awal tidak dikenali" in response.content.decode()


@pytest.mark.parametrize("path", ["/data/pengguna.csv", "/data/usulan.xml", "/data/usulan.", "/data/.csv"])
def test_unknown_data_sets_and_formats_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_each_export_is_written_to_the_audit_log(client, warga, usulan, kategori):
    client.force_login(warga)
    streamed(client.get(f"/data/usulan.csv?kategori={kategori.pk}&dari=2026-01-01"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORT)
    assert event.actor == warga
    assert event.data == {
        "dataset": "usulan",
        "format": "csv",
        "filters": {"dari": "2026-01-01", "sampai": None, "kategori": kategori.pk, "satker": None, "wilayah": None},
    }


def test_anonymous_exports_are_audited_without_an_actor(client, usulan):
    streamed(client.get("/data/usulan.json"))
    assert AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORT).actor is None


def test_export_runs_a_fixed_number_of_queries_whatever_the_row_count(client, make_proposal, django_assert_max_num_queries):
    for _ in range(25):
        make_proposal()
    with django_assert_max_num_queries(4):  # audit insert + one chunked select (plus savepoints on some setups)
        assert len(json_rows(client.get("/data/usulan.json"))) == 25


# --- programs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_program_export_carries_phases_and_only_public_source_proposals(client, program, usulan_pupr, fmt):
    hidden = usulan_pupr[1]
    Proposal.objects.filter(pk=hidden.pk).update(is_hidden=True)
    response = client.get(f"/data/program.{fmt}")
    if fmt == "json":
        (row,) = json_rows(response)
        assert [phase["tahap"] for phase in row["tahap"]] == ["perencanaan", "pelaksanaan", "monev"]
        assert row["tahap"][0]["status"] == "not_started"
        assert row["usulan_asal"] == [usulan_pupr[0].pk]
        assert row["anggaran"] == 1_250_000_000
        assert row["tahap_sekarang"] == "Perencanaan"
    else:
        (row,) = csv_rows(response)
        assert row["usulan_asal"] == str(usulan_pupr[0].pk)
        assert row["perencanaan_status"] == "not_started"
        assert row["monev_kemajuan"] == "0"
        assert row["kecamatan"] == "Kecamatan Sukamaju"
    assert "@" not in streamed(client.get(f"/data/program.{fmt}"))


def test_program_export_filters_by_work_unit(client, program, dinas_dikbud):
    assert json_rows(client.get(f"/data/program.json?satker={dinas_dikbud.pk}")) == []
    assert len(json_rows(client.get(f"/data/program.json?satker={program.work_unit_id}"))) == 1


def test_program_export_queries_do_not_grow_with_programs(client, program, program_data, petugas_pupr, django_assert_max_num_queries):
    from programs import services

    for _ in range(6):
        source = factories.ProposalFactory(work_unit=program.work_unit, category=program.category, region=program.region)
        services.create_program(actor=petugas_pupr, data=program_data(), proposals=[source])
    with django_assert_max_num_queries(6):  # audit + programs + phases + source proposals
        assert len(json_rows(client.get("/data/program.json"))) == 7


# --- consultations -------------------------------------------------------------------------------


def test_consultation_export_shows_results_only_after_closing(client, clock, dinas_pupr, kategori):
    closed = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    running = ConsultationFactory(
        work_unit=dinas_pupr, category=kategori, opens_at=CLOSES, closes_at=CLOSES + timedelta(days=14)
    )
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, is_published=False)
    for position in ("setuju", "setuju", "tidak_setuju", "netral"):
        ResponseFactory(consultation=closed, position=position)
    ResponseFactory(consultation=running, position="setuju")
    clock.set(CLOSES + timedelta(hours=1))

    rows = {row["id"]: row for row in json_rows(client.get("/data/uji-publik.json"))}
    assert set(rows) == {closed.pk, running.pk}  # the draft is not public
    assert rows[closed.pk]["status"] == "ditutup"
    assert (rows[closed.pk]["jumlah_tanggapan"], rows[closed.pk]["setuju"], rows[closed.pk]["tidak_setuju"], rows[closed.pk]["netral"]) == (4, 2, 1, 1)
    assert rows[running.pk]["status"] == "dibuka"
    assert rows[running.pk]["jumlah_tanggapan"] is None and rows[running.pk]["setuju"] is None

    csv_by_id = {int(row["id"]): row for row in csv_rows(client.get("/data/uji-publik.csv"))}
    assert csv_by_id[closed.pk]["setuju"] == "2"
    assert csv_by_id[running.pk]["setuju"] == ""


def test_consultation_export_ignores_the_region_filter_it_does_not_have(client, clock, dinas_pupr, kategori, desa):
    ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    assert len(json_rows(client.get(f"/data/uji-publik.json?wilayah={desa.pk}"))) == 1


def test_consultation_response_comments_and_authors_are_not_exported(client, clock, dinas_pupr, kategori, warga):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    ResponseFactory(consultation=consultation, author=warga, comment="Komentar pribadi Siti")
    clock.set(CLOSES + timedelta(hours=1))
    text = streamed(client.get("/data/uji-publik.json"))
    assert "Siti" not in text and "@contoh.id" not in text


# --- the page ------------------------------------------------------------------------------------


def test_data_page_documents_columns_licence_and_citation(client, db):
    content = client.get("/data/").content.decode()
    assert "Creative Commons Atribusi 4.0" in content
    assert "Contoh kutipan" in content
    for column in ("pengusul", "jumlah_dukungan", "tahap_sekarang", "tidak_setuju"):
        assert f"<code>{column}</code>" in content
    for path in ("/data/usulan.csv", "/data/program.json", "/data/uji-publik.csv", "/data/feed/usulan/"):
        assert path in content


def test_data_page_carries_valid_filters_into_the_download_links(client, kategori, desa):
    content = client.get(f"/data/?kategori={kategori.pk}&wilayah={desa.pk}").content.decode()
    assert f"/data/usulan.csv?kategori={kategori.pk}&amp;wilayah={desa.pk}" in content
    # Consultations have no region: their link leaves it out.
    assert f'/data/uji-publik.csv?kategori={kategori.pk}"' in content


def test_rows_are_read_while_streaming_in_chunks_not_before(client, make_proposal, monkeypatch, django_assert_num_queries):
    from transparency import exports

    monkeypatch.setattr(exports, "BUFFER_CHARS", 200)
    for _ in range(5):
        make_proposal()
    with django_assert_num_queries(1):  # only the audit entry: no row is read before the body is sent
        response = client.get("/data/usulan.csv")
    chunks = list(response.streaming_content)
    assert len(chunks) > 2
    assert b"".join(chunks).decode().count("\n") >= 6
