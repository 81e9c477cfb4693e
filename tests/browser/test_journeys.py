"""The portal's journeys in a real browser, clicking and typing like the people who use it.

Each journey starts from one address (the home page, or /admin/ for the official's back office) and
from there only follows links, labels and buttons by their visible names. A screenshot per step
goes to artifacts/browser/<journey>/.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Consultation, Response
from participation.models import Comment, Proposal, Support
from programs.models import Phase, Program, ProgressUpdate
from tests import factories
from tests.browser.conftest import PASSWORD, log_in, make_citizen, png_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Perbaikan jembatan gantung Desa Sukamaju"


def confirmation_link(address: str) -> str:
    """The link in the newest email to `address`: what the citizen clicks in their mailbox."""
    message = [m for m in mail.outbox if address in m.to][-1]
    return re.search(r"https?://\S+/akun/confirm-email/\S+/", message.body).group(0)


def sign_up(page, journey, *, name: str, email: str) -> None:
    page.goto("/")
    journey.step(page, "beranda")
    page.get_by_role("navigation", name="Akun").get_by_role("link", name="Daftar").click()
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Kata sandi (lagi)").fill(PASSWORD)
    page.get_by_label("Wilayah (opsional)").select_option(label="Desa Sukamaju, Kecamatan Sukamaju")
    page.get_by_label("Saya menyetujui pemrosesan data pribadi").check()
    journey.step(page, "formulir pendaftaran")
    page.get_by_role("button", name="Daftar").click()
    expect(page.locator("main h1")).to_contain_text("Verifikasi")
    journey.step(page, "cek email")


def test_a_proposal_from_signup_to_a_running_program(new_page, journey, portal, moderator, petugas_pupr, tmp_path):
    # 1. A citizen signs up, confirms the email and submits a proposal with a photo.
    steps = journey("1-warga-mendaftar-dan-mengusulkan")
    citizen = new_page()
    sign_up(citizen, steps, name="Rini Lestari", email="rini@contoh.id")
    citizen.goto(confirmation_link("rini@contoh.id"))
    steps.step(citizen, "konfirmasi email")
    citizen.get_by_role("button", name="Konfirmasi").click()
    expect(citizen.get_by_role("button", name="Keluar")).to_be_visible()
    steps.step(citizen, "masuk setelah konfirmasi")

    citizen.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Usulan").click()
    citizen.get_by_role("link", name="Ajukan usulan").click()
    citizen.get_by_label("Judul usulan").fill(TITLE)
    citizen.get_by_label("Uraian").fill(
        "Papan lantai jembatan lapuk dan dua kabel penahan putus. Anak-anak sekolah menyeberang setiap hari."
    )
    citizen.get_by_label("Kategori").select_option(label="Infrastruktur")
    citizen.get_by_label("Satuan kerja tujuan").select_option(label=f"{portal['pupr'].name} ({portal['pupr'].short_name})")
    citizen.get_by_role("combobox", name="Wilayah", exact=True).select_option(label="Desa Sukamaju — Kecamatan Sukamaju")
    citizen.get_by_label("Lokasi (opsional)").fill("Dusun Krajan, dekat SD Negeri 2")
    citizen.get_by_label("Perkiraan biaya dalam Rupiah (opsional)").fill("350000000")
    citizen.get_by_label("Lampiran (opsional)").set_input_files(png_photo(tmp_path))
    steps.step(citizen, "formulir usulan")
    citizen.get_by_role("button", name="Ajukan ke moderator").click()
    expect(citizen.locator("main h1")).to_have_text(TITLE)
    expect(citizen.get_by_role("img", name="Foto lampiran: jalan-rusak.png")).to_be_visible()
    steps.step(citizen, "usulan menunggu moderasi")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.author.full_name == "Rini Lestari"

    # 2. A moderator publishes it from the moderation queue.
    steps = journey("2-moderator-mempublikasikan")
    mod = new_page()
    mod.goto("/")
    log_in(mod, moderator.email)
    mod.get_by_role("link", name="Moderasi").click()
    steps.step(mod, "antrean moderasi")
    card = mod.locator("article.card", has=mod.get_by_role("link", name=TITLE))
    card.get_by_role("button", name="Publikasikan").click()
    expect(mod.locator(".message")).to_contain_text("dipublikasikan")
    steps.step(mod, "usulan dipublikasikan")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED

    # 3. Another citizen supports it and comments.
    steps = journey("3-warga-lain-mendukung-dan-berkomentar")
    other = make_citizen("budi@contoh.id", "Budi Santoso")
    neighbour = new_page()
    neighbour.goto("/")
    log_in(neighbour, other.email)
    neighbour.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Usulan").click()
    neighbour.get_by_role("link", name=TITLE).click()
    steps.step(neighbour, "halaman usulan")
    neighbour.get_by_role("button", name="Dukung usulan ini").click()
    expect(neighbour.locator(".support-count")).to_contain_text("1")
    expect(neighbour.get_by_role("button", name="Batalkan dukungan")).to_be_visible()
    steps.step(neighbour, "sudah mendukung")
    neighbour.get_by_role("textbox", name="Komentar").fill("Betul, saya lewat jembatan ini setiap hari. Mohon segera diperbaiki.")
    neighbour.get_by_role("button", name="Kirim komentar").click()
    expect(neighbour.locator("#komentar")).to_contain_text("saya lewat jembatan ini setiap hari")
    steps.step(neighbour, "komentar tampil")
    assert Support.objects.filter(proposal=proposal, user=other).count() == 1
    assert Comment.objects.filter(author=other).count() == 1

    # 4. An official of the addressed work unit turns it into a program (admin) and runs its phases.
    steps = journey("4-petugas-membuat-program")
    official = new_page()
    official.goto("/admin/")
    # Admin has no sign-in form of its own: the portal's one door, then back to admin.
    official.get_by_label("Email").fill(petugas_pupr.email)
    official.get_by_role("textbox", name="Sandi", exact=True).fill(PASSWORD)
    official.locator("main").get_by_role("button", name="Masuk").click()
    official.wait_for_url("**/admin/")
    steps.step(official, "admin")
    official.locator("#content-main").get_by_role("link", name="Usulan", exact=True).click()
    row = official.locator("#result_list tr", has=official.get_by_role("link", name=TITLE))
    row.get_by_role("checkbox").check()
    official.get_by_role("combobox", name="Aksi").select_option(label="Buat program kerja dari usulan terpilih")
    steps.step(official, "aksi buat program")
    official.get_by_role("button", name="Buka").click()
    expect(official.get_by_label("Judul")).to_have_value(TITLE)
    official.get_by_label("Judul").fill("Rehabilitasi jembatan gantung Sukamaju")
    official.get_by_label("Anggaran (Rp)").fill("400000000")
    steps.step(official, "formulir program terisi")
    official.get_by_role("button", name="Simpan", exact=True).click()
    expect(official.locator(".messagelist")).to_contain_text("berhasil")
    program = Program.objects.get()
    assert list(program.source_proposals.all()) == [proposal]

    official.get_by_role("link", name="Lihat situs").click()
    official.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Program").click()
    official.get_by_role("link", name="Rehabilitasi jembatan gantung Sukamaju").first.click()
    steps.step(official, "halaman program")
    official.get_by_role("link", name="Kelola tahap dan laporan").click()
    planning = official.locator("li.manage-phase").filter(has_text="Perencanaan")
    planning.get_by_role("button", name="Mulai tahap ini").click()
    expect(official.locator(".message")).to_contain_text("Perencanaan telah dimulai")
    steps.step(official, "perencanaan dimulai")
    report = official.locator("#tulis-laporan")
    report.get_by_label("Tahap").select_option(label="Perencanaan")
    report.get_by_label("Laporan kemajuan").fill("Survei lokasi selesai; desain teknis jembatan sedang disusun.")
    report.get_by_label("Foto dan dokumen (opsional)").set_input_files(png_photo(tmp_path, "survei.png"))
    steps.step(official, "laporan kemajuan")
    report.get_by_role("button", name="Terbitkan laporan").click()
    expect(official.locator("main")).to_contain_text("Survei lokasi selesai")
    steps.step(official, "laporan tampil di halaman program")
    official.get_by_role("link", name="Kelola tahap dan laporan").click()
    official.locator("li.manage-phase").filter(has_text="Perencanaan").get_by_role("button", name="Selesaikan tahap ini").click()
    official.locator("li.manage-phase").filter(has_text="Pelaksanaan").get_by_role("button", name="Mulai tahap ini").click()
    expect(official.locator(".message")).to_contain_text("Pelaksanaan telah dimulai")
    steps.step(official, "pelaksanaan dimulai")

    phases = {phase.kind: phase.status for phase in Phase.objects.filter(program=program)}
    assert phases == {"perencanaan": "done", "pelaksanaan": "running", "monev": "not_started"}
    assert ProgressUpdate.objects.get().documents.count() == 1
    # The citizen who proposed it sees where it went.
    citizen.reload()
    expect(citizen.locator("main")).to_contain_text("Ditindaklanjuti dalam program")
    steps.step(citizen, "pengusul melihat programnya")


def test_a_citizen_responds_to_a_consultation_and_reads_the_results(new_page, journey, portal, warga):
    steps = journey("5-warga-menanggapi-uji-publik")
    now = timezone.now()
    consultation = Consultation.objects.create(
        title="Rancangan Standar Pelayanan Pasar Rakyat",
        summary="Jam layanan, kebersihan, dan tarif retribusi kios di pasar milik daerah.",
        body="Pasal 1\nPasar buka pukul 05.00 sampai 17.00.\n\nPasal 2\nRetribusi kios Rp50.000 per bulan.",
        work_unit=portal["pupr"],
        category=portal["infrastruktur"],
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
        is_published=True,
        published_at=now - timedelta(days=3),
    )
    for position in (Response.Position.AGREE, Response.Position.AGREE, Response.Position.DISAGREE):
        Response.objects.create(consultation=consultation, author=factories.UserFactory(), position=position)

    page = new_page()
    page.goto("/")
    log_in(page, warga.email)
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Uji Publik").click()
    steps.step(page, "daftar uji publik")
    page.get_by_role("link", name=consultation.title).click()
    steps.step(page, "uji publik dibuka")
    page.get_by_label("Setuju", exact=True).check()
    page.locator("#tanggapi").get_by_role("textbox", name=re.compile("^Komentar")).fill("Setuju, asalkan ada tempat sampah terpilah di setiap blok.")
    page.get_by_role("button", name="Kirim tanggapan").click()
    expect(page.locator("#tanggapi")).to_contain_text("Setuju")
    steps.step(page, "tanggapan terkirim")
    assert Response.objects.filter(consultation=consultation, author=warga, position=Response.Position.AGREE).exists()

    # The window closes (set up directly: the clock is not the citizen's part); she comes back.
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.reload()
    expect(page.locator("#tanggapi")).to_contain_text("sudah ditutup")
    results = page.locator("main")
    expect(results).to_contain_text("Hasil")
    steps.step(page, "hasil setelah ditutup")


def test_a_visitor_browses_filters_and_searches(new_page, journey, portal, warga):
    steps = journey("6-pengunjung-menjelajah")
    pupr, dikbud = portal["pupr"], portal["dikbud"]
    factories.ProposalFactory(title="Lampu jalan Desa Mekarsari padam", description="Gelap di malam hari.",
                              author=warga, work_unit=pupr, category=portal["infrastruktur"])
    factories.ProposalFactory(title="Ruang kelas SD Negeri 3 bocor", description="Atap bocor saat hujan deras.",
                              author=warga, work_unit=dikbud, category=portal["pendidikan"])
    factories.ProposalFactory(title="Posyandu butuh timbangan bayi", description="Timbangan lama rusak.",
                              author=warga, work_unit=dikbud, category=portal["kesehatan"])

    page = new_page()
    page.goto("/")
    steps.step(page, "beranda")
    nav = page.get_by_role("navigation", name="Navigasi utama")
    nav.get_by_role("link", name="Usulan").click()
    expect(page.locator("main")).to_contain_text("3 usulan ditemukan")
    steps.step(page, "daftar usulan")

    page.locator("summary", has_text="Saring dan urutkan").click()
    page.get_by_label("Kategori").select_option(label="Pendidikan")
    steps.step(page, "saringan kategori")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("main")).to_contain_text("1 usulan ditemukan")
    expect(page.get_by_role("link", name="Ruang kelas SD Negeri 3 bocor")).to_be_visible()
    steps.step(page, "hasil saringan")

    page.get_by_role("link", name="Atur ulang").click()
    page.get_by_label("Cari usulan").fill("posyandu")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("main")).to_contain_text("1 usulan ditemukan")
    page.get_by_role("link", name="Posyandu butuh timbangan bayi").click()
    expect(page.locator("main h1")).to_have_text("Posyandu butuh timbangan bayi")
    expect(page.get_by_role("link", name="Masuk untuk mendukung")).to_be_visible()
    steps.step(page, "hasil pencarian dibuka")

    nav.get_by_role("link", name="Program").click()
    expect(page.locator("main h1")).to_be_visible()
    steps.step(page, "daftar program")
    nav.get_by_role("link", name="Uji Publik").click()
    expect(page.locator("main h1")).to_be_visible()
    steps.step(page, "daftar uji publik")
