"""The officials' workspace (/kerja/): what waits per work unit, the menu count, one-step actions,
refusals, and a fixed number of queries whatever the amount of data."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Consultation, Response, ResponseReply
from participation import services as participation
from participation.models import Proposal
from programs import services as programs
from programs.models import Phase, ProgressUpdate, Rating
from tests import factories

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def make_program(petugas_pupr, dinas_pupr, kategori, desa, make_proposal):
    def make(*, unit=None, official=None, title="Program jalan", started_days_ago=None, planned_end=None):
        unit = unit or dinas_pupr
        official = official or petugas_pupr
        program = programs.create_program(
            actor=official,
            data={"title": title, "description": "-", "work_unit": unit, "category": kategori, "region": desa,
                  "budget": 1_000_000, "fiscal_year": 2026},
            proposals=[make_proposal(work_unit=unit)],
        )
        planning = Phase.objects.get(program=program, kind="perencanaan")
        if planned_end:
            programs.update_phase(actor=official, phase=planning, data={"planned_start": planned_end - 30 * DAY, "planned_end": planned_end})
        if started_days_ago is not None:
            programs.start_phase(actor=official, phase=Phase.objects.get(pk=planning.pk), on=timezone.localdate() - started_days_ago * DAY)
        return program

    return make


def _consultation(unit, kategori, *, closed=False, follow_up=""):
    now = timezone.now()
    opens, closes = (now - 20 * DAY, now - DAY) if closed else (now - 2 * DAY, now + 5 * DAY)
    return Consultation.objects.create(
        title="Rancangan standar pelayanan" + (" (ditutup)" if closed else ""), summary="-", body="-", work_unit=unit,
        category=kategori, opens_at=opens, closes_at=closes, is_published=True, published_at=opens, follow_up=follow_up,
    )


def test_official_sees_what_waits_for_their_unit_and_the_count_in_the_menu(
    client, petugas_pupr, make_proposal, make_program, dinas_dikbud, kategori, warga_lain
):
    now = timezone.now()
    overdue = make_proposal(title="Jembatan gantung putus", published_at=now - 20 * DAY)
    fresh = make_proposal(title="Lampu jalan mati", published_at=now - 2 * DAY)
    make_proposal(title="Sudah dijawab", status="declined", official_answer="Tidak ada anggaran.")
    make_proposal(title="Draf orang lain", status="draft")
    make_proposal(title="Usulan Dikbud", work_unit=dinas_dikbud)
    make_program(title="Program terlambat", started_days_ago=40, planned_end=timezone.localdate() - 3 * DAY)
    make_program(title="Program tenang")
    closed = _consultation(petugas_pupr.workunituserobjectpermission_set.get().content_object, kategori, closed=True)
    Response.objects.create(consultation=closed, author=warga_lain, position="setuju", comment="Setuju sekali")

    client.force_login(petugas_pupr)
    home = client.get("/").content.decode()
    # Two proposals, one program, one consultation (closed without follow-up, one unanswered comment).
    assert 'href="/kerja/"' in home and "Kerja (4" in home

    page = client.get("/kerja/").content.decode()
    assert page.index("Jembatan gantung putus") < page.index("Lampu jalan mati")  # oldest first
    assert "lewat batas 6 hari" in page and "sisa 11 hari" in page
    assert "Sudah dijawab" not in page and "Draf orang lain" not in page and "Usulan Dikbud" not in page
    assert "Program terlambat" in page and "Program tenang" not in page
    assert "melewati rencana selesai" in page and "belum ada laporan kemajuan 30 hari" in page
    assert "tindak lanjut belum ditulis" in page and "1 tanggapan belum dibalas" in page
    assert f'action="/usulan/{overdue.pk}/jawab/"' in page and f'href="/usulan/{fresh.pk}/#disposisi"' in page
    assert f'/uji-publik/{closed.pk}/tindak-lanjut/' in page


def test_marking_under_review_from_the_workspace_returns_there_and_lowers_the_count(client, petugas_pupr, make_proposal):
    proposal = make_proposal(title="Saluran air tersumbat")
    client.force_login(petugas_pupr)
    assert "Kerja (1" in client.get("/kerja/").content.decode()
    response = client.post(f"/usulan/{proposal.pk}/jawab/", {"keputusan": "dikaji", "kembali": "kerja"}, follow=True)
    assert response.redirect_chain[-1][0] == "/kerja/"
    page = response.content.decode()
    assert "Sedang dikaji: menunggu keputusan" in page and "Kerja (1" not in page
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.UNDER_REVIEW


def test_new_responses_and_ratings_count_since_the_last_working_session(
    client, petugas_pupr, dinas_pupr, kategori, warga, warga_lain, make_program, clock_free=None
):
    from workspace.models import WorkspaceVisit

    consultation = _consultation(dinas_pupr, kategori)
    client.force_login(petugas_pupr)
    assert "Rancangan standar pelayanan" not in client.get("/kerja/").content.decode()
    # The last session ended three hours ago; a citizen responded since.
    WorkspaceVisit.objects.filter(user=petugas_pupr).update(seen_at=timezone.now() - 3 * timezone.timedelta(hours=1))
    Response.objects.create(consultation=consultation, author=warga, position="setuju")
    page = client.get("/kerja/").content.decode()
    assert "1 tanggapan baru" in page
    # Coming back within the same session keeps the news.
    assert "1 tanggapan baru" in client.get("/kerja/").content.decode()

    program = make_program(title="Program monev")
    today = timezone.localdate()
    for kind, start, end in (("perencanaan", 30, 20), ("pelaksanaan", 19, 5)):
        programs.start_phase(actor=petugas_pupr, phase=Phase.objects.get(program=program, kind=kind), on=today - start * DAY)
        programs.complete_phase(actor=petugas_pupr, phase=Phase.objects.get(program=program, kind=kind), on=today - end * DAY)
    programs.start_phase(actor=petugas_pupr, phase=Phase.objects.get(program=program, kind="monev"), on=today - DAY)
    programs.rate_program(actor=warga_lain, program=program, score=4)
    assert "1 penilaian warga baru" in client.get("/kerja/").content.decode()


def test_citizens_and_visitors_have_no_workspace(client, warga):
    assert client.get("/kerja/").status_code == 302
    client.force_login(warga)
    assert client.get("/kerja/").status_code == 403
    assert 'href="/kerja/"' not in client.get("/").content.decode()


def test_moderator_sees_the_queue_summary_and_proposals_no_unit_answers(client, moderator, make_proposal):
    nobody_answers = factories.WorkUnitFactory(name="Dinas Perhubungan", short_name="Dishub")
    make_proposal(title="Halte bus rusak", work_unit=nobody_answers)
    make_proposal(title="Usulan PUPR", status="submitted")
    client.force_login(moderator)
    page = client.get("/kerja/").content.decode()
    assert "Halte bus rusak" in page and "Usulan tanpa petugas penerima (1)" in page
    assert "1</strong> usulan menunggu moderasi" in page
    assert "Kerja (1" in client.get("/").content.decode()


def test_follow_up_written_from_the_workspace_in_two_steps(client, petugas_pupr, dinas_pupr, kategori):
    closed = _consultation(dinas_pupr, kategori, closed=True)
    client.force_login(petugas_pupr)
    form = client.get(f"/uji-publik/{closed.pk}/tindak-lanjut/")
    assert form.status_code == 200 and "Terbitkan tindak lanjut" in form.content.decode()
    empty = client.post(f"/uji-publik/{closed.pk}/tindak-lanjut/", {"follow_up": "  "})
    assert empty.status_code == 400
    closed.refresh_from_db()
    assert closed.follow_up == ""
    response = client.post(f"/uji-publik/{closed.pk}/tindak-lanjut/", {"follow_up": "Jam layanan diperpanjang."})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.follow_up == "Jam layanan diperpanjang." and closed.follow_up_at is not None
    assert "tindak lanjut belum ditulis" not in client.get("/kerja/").content.decode()


def test_follow_up_is_refused_to_other_units_and_before_closing(client, petugas_dikbud, petugas_pupr, dinas_pupr, kategori, caplog):
    closed = _consultation(dinas_pupr, kategori, closed=True)
    still_open = _consultation(dinas_pupr, kategori)
    client.force_login(petugas_dikbud)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert client.post(f"/uji-publik/{closed.pk}/tindak-lanjut/", {"follow_up": "Bukan kami"}).status_code == 403
    assert any(r.getMessage() == "permission denied" for r in caplog.records)
    client.force_login(petugas_pupr)
    response = client.post(f"/uji-publik/{still_open.pk}/tindak-lanjut/", {"follow_up": "Terlalu cepat"}, follow=True)
    assert "setelah uji publik ditutup" in response.content.decode()
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.follow_up == "" and still_open.follow_up == ""


def test_moving_a_phase_of_another_units_program_is_refused(client, petugas_dikbud, make_program, caplog):
    program = make_program()
    planning = Phase.objects.get(program=program, kind="perencanaan")
    client.force_login(petugas_dikbud)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        response = client.post(
            f"/program/{program.pk}/tahap/{planning.pk}/mulai/", {f"tgl{planning.pk}-on": timezone.localdate().isoformat()}
        )
    assert response.status_code == 403 and any(r.getMessage() == "permission denied" for r in caplog.records)
    planning.refresh_from_db()
    assert planning.status == Phase.Status.NOT_STARTED


def _lots_of_work(n, *, unit, official, kategori, desa, warga, warga_lain):
    now = timezone.now()
    for i in range(n):
        factories.ProposalFactory(
            author=warga, work_unit=unit, category=kategori, region=desa, title=f"Usulan {i}", published_at=now - i * DAY
        )
        factories.ProposalFactory(author=warga, work_unit=unit, category=kategori, region=desa, status="under_review")
    for i in range(n):
        program = programs.create_program(
            actor=official,
            data={"title": f"Program {i}", "description": "-", "work_unit": unit, "category": kategori, "region": desa,
                  "budget": 1, "fiscal_year": 2026},
            proposals=[factories.ProposalFactory(author=warga, work_unit=unit, category=kategori, region=desa)],
        )
        planning = Phase.objects.get(program=program, kind="perencanaan")
        Phase.objects.filter(pk=planning.pk).update(
            status="running", actual_start=timezone.localdate() - 60 * DAY, planned_end=timezone.localdate() - DAY
        )
        ProgressUpdate.objects.create(phase=planning, date=timezone.localdate() - 45 * DAY, body="Lama")
        consultation = _consultation(unit, kategori, closed=bool(i % 2))
        answered = Response.objects.create(consultation=consultation, author=warga, position="setuju", comment="Ya")
        ResponseReply.objects.create(response=answered, work_unit=unit, author=official, body="Terima kasih")
        Response.objects.create(consultation=consultation, author=warga_lain, position="netral", comment="Hmm")


@pytest.mark.parametrize("who", ["petugas_pupr", "moderator", "admin"])
def test_workspace_runs_a_fixed_number_of_queries_whatever_the_data(
    request, client, who, petugas_pupr, dinas_pupr, kategori, desa, warga, warga_lain, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    pinned = {"petugas_pupr": 15, "moderator": 12, "admin": 18}[who]
    _lots_of_work(2, unit=dinas_pupr, official=petugas_pupr, kategori=kategori, desa=desa, warga=warga, warga_lain=warga_lain)
    # The first page after new notifications re-reads the person's summary into the cache (accounts/summary.py).
    client.get("/kerja/")
    with django_assert_max_num_queries(pinned):
        small = client.get("/kerja/")
    assert small.status_code == 200
    _lots_of_work(25, unit=dinas_pupr, official=petugas_pupr, kategori=kategori, desa=desa, warga=warga, warga_lain=warga_lain)
    client.get("/kerja/")
    with django_assert_max_num_queries(pinned) as captured:
        large = client.get("/kerja/")
    assert large.status_code == 200
    page = large.content.decode()
    if who != "moderator":
        # Ten of each kind per unit, and the totals.
        assert page.count('class="work-item') >= 30 and "Lihat semua 27 usulan yang menunggu" in page
    assert len(captured.captured_queries) <= pinned


def test_demo_data_gives_the_demo_official_work_in_every_part(client, settings):
    import os

    from django.core.management import call_command

    from accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # idempotent: nothing doubles
    client.force_login(User.objects.get(email="petugas.pupr@demo.partisipasi.id"))
    page = client.get("/kerja/").content.decode()
    assert "Jembatan gantung Dusun Krajan putus" in page and "lewat batas" in page
    assert Proposal.objects.filter(title="Jembatan gantung Dusun Krajan putus").count() == 1
    assert "Normalisasi saluran irigasi Sawah Lor" in page and "melewati rencana selesai" in page
    assert "tindak lanjut belum ditulis" in page
    assert Proposal.objects.filter(status="under_review").count() == 1
