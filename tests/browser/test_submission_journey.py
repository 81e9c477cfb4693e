"""A citizen's proposal on a 360x800 phone: a large photo and a PDF, an error fixed from the error
summary without choosing the files again, a rejection, a corrected resubmission, publication."""

import os

import pytest
from playwright.sync_api import expect

from participation.models import Proposal
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
MB = 1024 * 1024
TITLE = "Lampu jalan mati di Jalan Melati"
REASON = "Sebutkan nomor tiang lampu yang mati supaya petugas dapat menemukannya."


def phone_photo(folder, name="foto-lampu.jpg", megabytes=10):
    """A real JPEG of at least `megabytes` MB, like a phone camera's (noise does not compress)."""
    from PIL import Image

    path = folder / name
    width, height = 3800, 2850
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(path, "JPEG", quality=92)
    assert megabytes * MB <= path.stat().st_size < 20 * MB
    return path


def small_pdf(folder, name="denah-lokasi.pdf"):
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


@pytest.fixture
def routed(portal):
    """Infrastructure proposals go to Dinas PUPR when the citizen does not pick a unit."""
    category = portal["infrastruktur"]
    category.default_work_unit = portal["pupr"]
    category.save()
    return portal


def test_photo_error_fix_rejection_resubmission_publication(new_page, journey, routed, moderator, tmp_path):
    desa = routed["kabupaten"].children.get().children.get(name="Desa Sukamaju")
    citizen_user = factories.UserFactory(email="rini@contoh.id", full_name="Rini Lestari", region=desa)
    photo, pdf = phone_photo(tmp_path), small_pdf(tmp_path)

    # 1. The citizen picks a 10 MB photo and a PDF, and forgets the title.
    steps = journey("usulan-di-ponsel-1-warga-mengusulkan")
    citizen = new_page(viewport=PHONE)
    citizen.goto("/")
    log_in(citizen, citizen_user.email)
    citizen.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Usulan").click()
    citizen.get_by_role("link", name="Ajukan usulan").click()
    # Region from the profile, unit left to the category.
    expect(citizen.get_by_role("combobox", name="Wilayah", exact=True)).to_have_value(str(desa.pk))
    citizen.get_by_label("Uraian").fill("Tiga lampu jalan mati sejak sebulan; jalan gelap dan rawan.")
    citizen.get_by_label("Kategori").select_option(label="Infrastruktur")
    expect(citizen.locator("#id_work_unit_helptext")).to_contain_text(f"akan ditangani {routed['pupr'].name}")
    citizen.get_by_label("Lampiran (opsional)").set_input_files([photo, pdf])
    expect(citizen.locator("#id_attachments_check")).to_be_empty()  # the browser check let both through
    steps.step(citizen, "formulir tanpa judul")
    citizen.get_by_role("button", name="Ajukan ke moderator").click()

    # 2. The summary names the error and links to the title; the files are already attached.
    summary = citizen.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(citizen.locator(".staged-files")).to_contain_text("foto-lampu.jpg")
    expect(citizen.locator(".staged-files")).to_contain_text("denah-lokasi.pdf")
    steps.step(citizen, "ringkasan kesalahan")
    summary.get_by_role("link", name="Judul usulan").click()
    title = citizen.get_by_label("Judul usulan")
    expect(title).to_be_focused()
    expect(title).to_be_in_viewport()
    title.fill(TITLE)
    assert citizen.locator("#id_attachments").evaluate("input => input.files.length") == 0  # nothing chosen twice
    citizen.get_by_role("button", name="Ajukan ke moderator").click()
    expect(citizen.locator("main h1")).to_have_text(TITLE)
    steps.step(citizen, "usulan menunggu moderasi")

    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.work_unit == routed["pupr"]
    assert proposal.region == desa
    assert sorted(proposal.attachments.values_list("original_name", flat=True)) == ["denah-lokasi.pdf", "foto-lampu.jpg"]

    # 3. A moderator rejects it with a reason.
    steps = journey("usulan-di-ponsel-2-moderator-menolak")
    mod = new_page(viewport=PHONE)
    mod.goto("/")
    log_in(mod, moderator.email)
    mod.get_by_role("link", name="Moderasi").click()
    card = mod.locator("article.card", has=mod.get_by_role("link", name=TITLE))
    card.locator("summary", has_text="Tolak dengan alasan").click()
    card.get_by_label("Alasan penolakan").fill(REASON)
    card.get_by_role("button", name="Tolak").click()
    expect(mod.locator(".message").first).to_contain_text("ditolak")
    steps.step(mod, "usulan ditolak")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED

    # 4. The citizen reads the reason, edits and resubmits, with the attachments still there.
    steps = journey("usulan-di-ponsel-3-warga-mengajukan-ulang")
    citizen.get_by_role("navigation", name="Akun").get_by_role("link", name="Usulan saya").click()
    citizen.get_by_role("link", name=TITLE).click()
    expect(citizen.locator(".rejection-note")).to_contain_text(REASON)
    steps.step(citizen, "usulan ditolak dengan alasan")
    citizen.get_by_role("link", name="Ubah dan ajukan ulang").click()
    expect(citizen.get_by_label("Judul usulan")).to_have_value(TITLE)
    expect(citizen.locator("main")).to_contain_text("Hapus foto-lampu.jpg")
    citizen.get_by_label("Lokasi (opsional)").fill("Jl. Melati, tiang nomor 12, 13 dan 15")
    steps.step(citizen, "formulir ajukan ulang")
    citizen.get_by_role("button", name="Ajukan ulang ke moderator").click()
    expect(citizen.locator(".message").first).to_contain_text("diajukan ulang")
    steps.step(citizen, "diajukan ulang")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.resubmission_count == 1
    assert proposal.location_text == "Jl. Melati, tiang nomor 12, 13 dan 15"
    assert proposal.attachments.count() == 2

    # 5. The moderator sees it marked as a resubmission with the earlier reason, and publishes it.
    steps = journey("usulan-di-ponsel-4-moderator-mempublikasikan")
    mod.get_by_role("link", name="Moderasi").click()
    card = mod.locator("article.card", has=mod.get_by_role("link", name=TITLE))
    expect(card).to_contain_text("Pengajuan ulang ke-1")
    expect(card).to_contain_text(REASON)
    steps.step(mod, "antrean dengan pengajuan ulang")
    card.get_by_role("button", name="Publikasikan").click()
    expect(mod.locator(".message").first).to_contain_text("dipublikasikan")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED

    # 6. A neighbour finds "Dukung" on the first screen, and the thanks where they pressed it.
    steps = journey("usulan-di-ponsel-5-warga-lain-mendukung")
    neighbour_user = factories.UserFactory(email="budi@contoh.id", full_name="Budi Santoso")
    neighbour = new_page(viewport=PHONE)
    neighbour.goto("/")
    log_in(neighbour, neighbour_user.email)
    neighbour.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Usulan").click()
    neighbour.get_by_role("link", name=TITLE).click()
    support = neighbour.get_by_role("button", name="Dukung usulan ini")
    expect(support).to_be_in_viewport()
    steps.step(neighbour, "tombol dukung di layar pertama")
    support.click()
    thanks = neighbour.locator("#dukungan .message")
    expect(thanks).to_contain_text("dukungan Anda telah tercatat")
    expect(thanks).to_be_in_viewport()
    steps.step(neighbour, "terima kasih di tempat")


def test_the_browser_refuses_an_oversized_photo_before_sending(new_page, routed, tmp_path):
    citizen_user = factories.UserFactory(email="rini@contoh.id", full_name="Rini Lestari")
    big = tmp_path / "terlalu-besar.jpg"
    with big.open("wb") as handle:
        handle.truncate(21 * MB)
    pdf = small_pdf(tmp_path)
    citizen = new_page(viewport=PHONE)
    citizen.goto("/")
    log_in(citizen, citizen_user.email)
    citizen.goto("/usulan/baru/")
    requests = []
    citizen.on("request", lambda request: requests.append(request.url) if request.method == "POST" else None)
    citizen.get_by_label("Lampiran (opsional)").set_input_files([big, pdf])
    check = citizen.locator("#id_attachments_check")
    expect(check).to_contain_text("terlalu-besar.jpg lebih dari 20 MB")
    # The good file stays chosen, the refused one is dropped, and nothing was sent.
    assert citizen.locator("#id_attachments").evaluate("input => [...input.files].map(f => f.name)") == ["denah-lokasi.pdf"]
    assert requests == []
