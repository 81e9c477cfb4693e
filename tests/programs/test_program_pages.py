"""The public program pages and the officials' management page, including every forbidden path."""

import pytest
from django.urls import reverse

from participation.models import Comment
from programs import services
from programs.models import Phase, Program, ProgressUpdate, Rating
from tests import factories
from tests.participation.conftest import pdf_bytes, png_bytes, upload
from tests.programs.conftest import days_ago, phase_of

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"programs:{name}", args=args)


# --- public pages ---------------------------------------------------------------------------------


def test_list_shows_programs_with_their_current_phase(client, program):
    response = client.get(url("program_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Rehabilitasi jalan desa" in content
    assert "Perencanaan" in content and "Rp1.250.000.000" in content
    assert factories.XSS not in content  # the canary is escaped


@pytest.mark.parametrize(
    "query, found",
    [
        ("tahap=perencanaan", True),
        ("tahap=pelaksanaan", False),
        ("tahap=selesai", False),
        ("q=rehabilitasi", True),
        ("q=jembatan", False),
        ("tahun=2026", True),
        ("tahap=bogus&tahun=abc&satker=999&kategori=x", True),  # unknown values are ignored, not errors
    ],
)
def test_list_filters(client, program, query, found):
    response = client.get(f"{url('program_list')}?{query}")
    assert response.status_code == 200
    assert ("Rehabilitasi jalan desa" in response.content.decode()) is found


def test_list_filters_by_unit_category_and_region(client, program, dinas_pupr, dinas_dikbud, kategori, desa):
    kecamatan = desa.parent
    assert program.title.split()[0] in client.get(f"{url('program_list')}?satker={dinas_pupr.pk}").content.decode()
    assert "Rehabilitasi" not in client.get(f"{url('program_list')}?satker={dinas_dikbud.pk}").content.decode()
    assert "Rehabilitasi" in client.get(f"{url('program_list')}?kategori={kategori.pk}").content.decode()
    # A kecamatan also finds the programs of its villages.
    assert "Rehabilitasi" in client.get(f"{url('program_list')}?wilayah={kecamatan.pk}").content.decode()


def test_year_filter_keeps_only_that_year(client, program):
    Program.objects.create(**{f: getattr(program, f) for f in ("description", "work_unit", "category", "budget")}, title="Program lama", fiscal_year=2025)
    content = client.get(f"{url('program_list')}?tahun=2025").content.decode()
    assert "Program lama" in content and "Rehabilitasi" not in content


def test_stage_filter_follows_the_phases(client, program_in_monev):
    assert "Rehabilitasi" in client.get(f"{url('program_list')}?tahap=monev").content.decode()
    assert "Rehabilitasi" not in client.get(f"{url('program_list')}?tahap=perencanaan").content.decode()


def test_detail_shows_timeline_budget_sources_and_updates_newest_first(client, program, petugas_pupr, usulan_pupr):
    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(5))
    services.post_update(actor=petugas_pupr, phase=planning, date=days_ago(4), body="Laporan pertama")
    services.post_update(actor=petugas_pupr, phase=planning, date=days_ago(1), body="Laporan kedua")
    response = client.get(program.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Rp1.250.000.000" in content
    assert 'aria-current="step"' in content
    for proposal in usulan_pupr:
        assert f'href="/usulan/{proposal.pk}/"' in content
    assert content.index("Laporan kedua") < content.index("Laporan pertama")
    assert factories.XSS not in content


def test_unknown_program_is_404(client):
    assert client.get(url("program_detail", 999_999)).status_code == 404
    assert client.get(url("program_history", 999_999)).status_code == 404


def test_history_lists_changes_by_work_unit_never_by_email(client, program_in_monev, petugas_pupr):
    services.update_program(actor=petugas_pupr, program=program_in_monev, data={"budget": 1_300_000_000})
    content = client.get(url("program_history", program_in_monev.pk)).content.decode()
    assert "Rp1.250.000.000" in content and "Rp1.300.000.000" in content
    assert "Tahap dimulai" in content and "Tahap selesai" in content
    assert "Berjalan" in content  # status change shown in plain words
    assert program_in_monev.work_unit.name in content
    assert petugas_pupr.email not in content and petugas_pupr.full_name not in content


def test_documents_are_served_through_the_program_and_nowhere_else(client, program, petugas_pupr, media_root):
    from participation.uploads import check_upload

    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    photo = upload("foto.png", png_bytes())
    update = services.post_update(actor=petugas_pupr, phase=planning, date=days_ago(0), body="Foto", files=[(photo, check_upload(photo))])
    document = update.documents.get()
    response = client.get(url("document_download", program.pk, document.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    other = Program.objects.create(**{f: getattr(program, f) for f in ("title", "description", "work_unit", "category", "budget", "fiscal_year")})
    assert client.get(url("document_download", other.pk, document.pk)).status_code == 404


# --- comments and ratings -------------------------------------------------------------------------


def test_verified_citizen_comments_on_a_program(client, program, warga):
    client.force_login(warga)
    response = client.post(url("program_comment", program.pk), {"body": "Kapan mulai dikerjakan?"})
    assert response.status_code == 302
    assert Comment.objects.on(program).get().body == "Kapan mulai dikerjakan?"
    program.refresh_from_db()
    assert program.comment_count == 1
    assert program.history.count() == 1  # the counter writes no history row
    assert "Kapan mulai dikerjakan?" in client.get(program.get_absolute_url()).content.decode()


def test_anonymous_and_unverified_cannot_comment(client, program, belum_verifikasi):
    response = client.post(url("program_comment", program.pk), {"body": "Halo"})
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    client.force_login(belum_verifikasi)
    client.post(url("program_comment", program.pk), {"body": "Halo"})
    assert not Comment.objects.exists()


def test_citizen_rates_in_monev_and_sees_the_average(client, program_in_monev, warga, warga_lain):
    client.force_login(warga)
    assert client.post(url("program_rate", program_in_monev.pk), {"score": "4"}).status_code == 302
    client.force_login(warga_lain)
    client.post(url("program_rate", program_in_monev.pk), {"score": "5"})
    content = client.get(program_in_monev.get_absolute_url()).content.decode()
    assert "4,5" in content and "2 penilaian" in content


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_bad_score_is_explained_and_nothing_written(client, program_in_monev, warga, score):
    client.force_login(warga)
    response = client.post(url("program_rate", program_in_monev.pk), {"score": score}, follow=True)
    assert "pilih nilai 1 sampai 5" in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_outside_monev_is_explained_and_nothing_written(client, program, warga):
    client.force_login(warga)
    response = client.post(url("program_rate", program.pk), {"score": "5"}, follow=True)
    assert "hanya dibuka selama tahap Monitoring" in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_forbidden_paths(client, program_in_monev, petugas_pupr, belum_verifikasi):
    response = client.post(url("program_rate", program_in_monev.pk), {"score": "5"})
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    client.force_login(belum_verifikasi)
    assert "Konfirmasi alamat email" in client.post(url("program_rate", program_in_monev.pk), {"score": "5"}, follow=True).content.decode()
    client.force_login(petugas_pupr)
    assert client.post(url("program_rate", program_in_monev.pk), {"score": "5"}).status_code == 403
    assert not Rating.objects.exists()


# --- the officials' management page ---------------------------------------------------------------


def test_management_page_is_for_the_programs_unit_only(client, program, warga, petugas_dikbud, petugas_pupr, moderator):
    manage = url("program_manage", program.pk)
    response = client.get(manage)
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    for outsider in (warga, petugas_dikbud, moderator):
        client.force_login(outsider)
        assert client.get(manage).status_code == 403
        assert "Kelola tahap" not in client.get(program.get_absolute_url()).content.decode()
    client.force_login(petugas_pupr)
    assert client.get(manage).status_code == 200
    assert "Kelola tahap" in client.get(program.get_absolute_url()).content.decode()


def _post_everything(client, program):
    planning = phase_of(program, "perencanaan")
    return [
        client.post(url("phase_start", program.pk, planning.pk), {f"tgl{planning.pk}-on": days_ago(0).isoformat()}),
        client.post(url("phase_edit", program.pk, planning.pk), {f"tahap{planning.pk}-progress": "0", f"tahap{planning.pk}-description": "x"}),
        client.post(url("program_edit", program.pk), {"title": "Dibajak", "description": "x", "category": program.category_id, "budget": "1", "fiscal_year": "2026"}),
        client.post(url("update_create", program.pk), {"phase": planning.pk, "date": days_ago(0).isoformat(), "body": "x"}),
    ]


def test_other_units_official_and_citizen_change_nothing_by_typing_urls(client, program, petugas_dikbud, warga):
    for outsider in (petugas_dikbud, warga):
        client.force_login(outsider)
        assert [r.status_code for r in _post_everything(client, program)] == [403, 403, 403, 403]
    client.logout()
    assert all(r.status_code == 302 and "/akun/login/" in r["Location"] for r in _post_everything(client, program))
    program.refresh_from_db()
    assert program.title.startswith("Rehabilitasi")
    assert phase_of(program, "perencanaan").status == "not_started"
    assert not ProgressUpdate.objects.exists()


def test_official_runs_phases_from_the_management_page(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    planning = phase_of(program, "perencanaan")
    response = client.post(url("phase_start", program.pk, planning.pk), {f"tgl{planning.pk}-on": days_ago(2).isoformat()})
    assert response.status_code == 302
    planning.refresh_from_db()
    assert planning.status == "running" and planning.actual_start == days_ago(2)
    client.post(url("phase_edit", program.pk, planning.pk), {
        f"tahap{planning.pk}-progress": "60", f"tahap{planning.pk}-description": "DED disusun",
        f"tahap{planning.pk}-planned_start": "2026-01-05", f"tahap{planning.pk}-planned_end": "2026-02-28",
    })
    planning.refresh_from_db()
    assert planning.progress == 60 and planning.description == "DED disusun"
    response = client.post(url("phase_complete", program.pk, planning.pk), {f"tgl{planning.pk}-on": days_ago(0).isoformat()})
    assert response.status_code == 302
    assert phase_of(program, "perencanaan").status == "done"


def test_out_of_order_start_is_explained_on_the_page_and_nothing_changes(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    execution = phase_of(program, "pelaksanaan")
    response = client.post(url("phase_start", program.pk, execution.pk), {f"tgl{execution.pk}-on": days_ago(0).isoformat()})
    assert response.status_code == 400
    assert "setelah tahap Perencanaan selesai" in response.content.decode()
    assert not Phase.objects.filter(status="running").exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"progress": "150"}, "lebih kecil dari atau sama dengan 100"),
        ({"progress": "-5"}, "lebih besar dari atau sama dengan 0"),
        ({"progress": "10", "planned_start": "2026-03-01", "planned_end": "2026-02-01"}, "tidak boleh sebelum rencana mulai"),
    ],
    ids=["over-100", "negative", "end-before-start"],
)
def test_bad_phase_input_is_explained_and_nothing_changes(client, program, petugas_pupr, fields, message):
    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    client.force_login(petugas_pupr)
    data = {f"tahap{planning.pk}-{name}": value for name, value in fields.items()}
    response = client.post(url("phase_edit", program.pk, planning.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    planning.refresh_from_db()
    assert planning.progress == 0 and planning.planned_start is None


def test_official_posts_an_update_with_files_from_the_page(client, program, petugas_pupr, media_root):
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(2))
    client.force_login(petugas_pupr)
    response = client.post(url("update_create", program.pk), {
        "phase": phase_of(program, "perencanaan").pk, "date": days_ago(1).isoformat(), "body": "Rapat koordinasi",
        "files": [upload("rapat.png", png_bytes(), "image/png"), upload("notulen.pdf", pdf_bytes())],
    })
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.documents.count() == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"files": [upload("palsu.png", b"bukan gambar")]}, "tidak sesuai"),
        ({"date": "2999-01-01"}, "masa depan"),
        ({"body": ""}, "tidak boleh kosong"),
    ],
    ids=["fake-image", "future-date", "empty-body"],
)
def test_bad_update_is_explained_and_nothing_written(client, program, petugas_pupr, media_root, overrides, message):
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(2))
    client.force_login(petugas_pupr)
    data = {"phase": phase_of(program, "perencanaan").pk, "date": days_ago(1).isoformat(), "body": "Laporan"}
    data.update(overrides)
    response = client.post(url("update_create", program.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_update_on_a_phase_not_started_is_refused(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    response = client.post(url("update_create", program.pk), {
        "phase": phase_of(program, "pelaksanaan").pk, "date": days_ago(0).isoformat(), "body": "x",
    })
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_official_edits_program_data_and_cannot_move_it_to_another_unit(client, program, petugas_pupr, dinas_dikbud):
    client.force_login(petugas_pupr)
    response = client.post(url("program_edit", program.pk), {
        "title": "Rehabilitasi jalan desa tahap I", "description": "Uraian baru", "category": program.category_id,
        "region": "", "budget": "1300000000", "fiscal_year": "2026", "work_unit": dinas_dikbud.pk,
    })
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Rehabilitasi jalan desa tahap I" and program.budget == 1_300_000_000
    assert program.work_unit.short_name == "PUPR"


def test_bad_program_data_is_explained_and_nothing_changes(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    response = client.post(url("program_edit", program.pk), {
        "title": "", "description": "x", "category": program.category_id, "budget": "-5", "fiscal_year": "1800",
    })
    assert response.status_code == 400
    program.refresh_from_db()
    assert program.budget == 1_250_000_000 and program.fiscal_year == 2026


def test_home_shows_programs_by_current_phase(client, program_in_monev):
    content = client.get("/").content.decode()
    assert "Program menurut tahap" in content
    assert "Rehabilitasi jalan desa" in content


def test_management_page_offers_only_the_moves_the_order_allows(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    content = client.get(url("program_manage", program.pk)).content.decode()
    assert content.count("Mulai tahap ini") == 1
    assert "Dapat dimulai setelah tahap Perencanaan selesai" in content
    assert url("phase_start", program.pk, phase_of(program, "perencanaan").pk) in content
    assert url("phase_start", program.pk, phase_of(program, "pelaksanaan").pk) not in content
