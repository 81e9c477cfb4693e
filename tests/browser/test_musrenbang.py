"""Musrenbang in a real browser on a phone: an operator enters a proposal gathered face to face and
records a desa forum with its minutes and priority list in under ten steps; the citizen, who had
no account, signs up later and claims the proposal with the code on the receipt."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from musrenbang.demo import demo_windows, tiny_pdf
from musrenbang.models import Cycle, CycleProposal, Forum, OperatorAssignment, PriorityEntry
from participation import services as participation
from participation.models import Proposal
from tests import factories
from tests.browser.conftest import log_in, png_photo
from tests.browser.test_journeys import confirmation_link, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE_TITLE = "Sumur bor untuk Dusun Kidul"


@pytest.fixture
def musrenbang(portal, warga, moderator):
    today = timezone.localdate()
    cycle = Cycle.objects.create(year=today.year + 1, title=f"Musrenbang RKPD {today.year + 1}", is_published=True, **demo_windows(today))
    desa = portal["kabupaten"].children.get().children.get(name="Desa Sukamaju")
    operator = factories.UserFactory(email="operator@contoh.id", full_name="Rahmat Operator")
    OperatorAssignment.objects.create(user=operator, region=desa)
    online = participation.create_proposal(
        actor=warga, submit=True, files=[],
        data={"title": "Talud sungai di RT 03", "description": "Tebing sungai longsor.", "category": portal["infrastruktur"],
              "work_unit": portal["pupr"], "region": desa, "estimated_cost": 120_000_000},
    )
    online = participation.publish_proposal(actor=moderator, proposal=online)
    # transaction=True: the commit hook already ran, the cycle took the proposal in.
    assert CycleProposal.objects.filter(proposal=online, cycle=cycle).exists()
    return {"cycle": cycle, "desa": desa, "operator": operator, "online": online}


def test_an_operator_records_a_forum_on_a_phone_and_the_citizen_claims_the_proposal(new_page, journey, portal, musrenbang, moderator, tmp_path):
    cycle, operator = musrenbang["cycle"], musrenbang["operator"]

    # 1. At the forum, the operator enters a proposal from a citizen without an account.
    entering = journey("musrenbang-1-operator-input-usulan")
    page = new_page()
    page.goto("/")
    log_in(page, operator.email)
    page.get_by_role("link", name="Kerja Musrenbang").click()
    page.get_by_role("link", name="Input usulan tatap muka").click()
    page.get_by_label("Nama pengusul").fill("Mbah Karto")
    page.get_by_label("Nomor telepon pengusul (opsional, tidak dipublikasikan)").fill("0813 2222 3333")
    page.get_by_label("Judul usulan").fill(OFFLINE_TITLE)
    page.get_by_label("Uraian").fill("Warga Dusun Kidul mengambil air dari sungai saat kemarau.")
    page.get_by_label("Kategori").select_option(label="Infrastruktur")
    page.get_by_label("Satuan kerja tujuan").select_option(label=f"{portal['pupr'].name} ({portal['pupr'].short_name})")
    page.get_by_label("Perkiraan biaya dalam Rupiah (opsional)").fill("90000000")
    entering.step(page, "formulir usulan tatap muka")
    page.get_by_role("button", name="Simpan dan buat tanda terima").click()
    expect(page.locator("main h1")).to_have_text("Tanda terima usulan")
    code = page.locator("#kode-klaim").inner_text().strip()
    entering.step(page, "tanda terima dengan kode")
    page.get_by_role("button", name="Selesai, tanda terima sudah diberikan").click()
    offline = Proposal.objects.get(title=OFFLINE_TITLE)
    assert offline.author is None and offline.status == "submitted"
    participation.publish_proposal(actor=moderator, proposal=offline)  # moderation, like any other proposal

    # 2. After the deliberation: the forum with its minutes and priority list, counted step by step.
    steps = journey("musrenbang-2-operator-mencatat-forum")
    page.goto("/")
    steps.step(page, "beranda")
    page.get_by_role("link", name="Kerja Musrenbang").click()
    steps.step(page, "halaman kerja")
    page.get_by_role("link", name="Catat forum Desa Sukamaju").click()
    steps.step(page, "formulir forum")
    page.get_by_label("Tempat").fill("Balai Desa Sukamaju")
    page.get_by_label("Pimpinan sidang").fill("Bapak Kepala Desa")
    page.get_by_label("Peserta laki-laki").fill("31")
    page.get_by_label("Peserta perempuan").fill("27")
    page.get_by_label("Berita acara (PDF)").set_input_files(
        {"name": "berita-acara.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Berita acara Desa Sukamaju")}
    )
    page.get_by_label("Foto daftar hadir").set_input_files(png_photo(tmp_path, "daftar-hadir.png"))
    steps.step(page, "data forum terisi")
    offline_row = page.locator(".priority-row", has_text=OFFLINE_TITLE)
    offline_row.get_by_label("Peringkat").fill("1")
    offline_row.get_by_label("Keputusan").select_option(label="Dilanjutkan ke tahap berikutnya")
    online_row = page.locator(".priority-row", has_text="Talud sungai di RT 03")
    online_row.get_by_label("Peringkat").fill("2")
    online_row.get_by_label("Keputusan").select_option(label="Ditangani dengan Dana Desa")
    online_row.get_by_label("Keterangan (opsional)").fill("Masuk APBDes tahun depan")
    steps.step(page, "daftar prioritas terisi")
    page.get_by_role("button", name="Simpan forum dan daftar prioritas").click()
    expect(page.locator("main h1")).to_have_text("Musrenbang Desa/Kelurahan Desa Sukamaju")
    expect(page.get_by_role("link", name="berita-acara.pdf")).to_be_visible()
    steps.step(page, "halaman forum publik")
    assert steps.count < 10
    forum = Forum.objects.get(cycle=cycle, region=musrenbang["desa"])
    assert forum.participants_total == 58 and forum.documents.count() == 2
    assert list(PriorityEntry.objects.filter(forum=forum).values_list("rank", "decision")) == [(1, "advance"), (2, "village_fund")]

    # 3. Weeks later, Mbah Karto's grandson signs him up and claims the proposal with the code.
    claiming = journey("musrenbang-3-warga-klaim-usulan")
    citizen = new_page()
    sign_up(citizen, claiming, name="Karto Wiyono", email="karto@contoh.id")
    citizen.goto(confirmation_link("karto@contoh.id"))
    citizen.get_by_role("button", name="Konfirmasi").click()
    expect(citizen.get_by_role("button", name="Keluar")).to_be_visible()
    citizen.goto("/musrenbang/klaim/")
    citizen.get_by_label("Kode tanda terima").fill(code.lower())
    claiming.step(citizen, "kode tanda terima")
    citizen.get_by_role("button", name="Klaim usulan").click()
    expect(citizen.locator("main h1")).to_have_text(OFFLINE_TITLE)
    expect(citizen.get_by_text("Diinput oleh operator Desa Sukamaju dari Musrenbang Desa/Kelurahan")).to_be_visible()
    expect(citizen.get_by_text("Musrenbang Desa/Kelurahan Desa Sukamaju")).to_be_visible()
    claiming.step(citizen, "usulan sudah atas namanya")
    citizen.get_by_role("link", name="Usulan saya").click()
    expect(citizen.get_by_role("link", name=OFFLINE_TITLE)).to_be_visible()
    offline.refresh_from_db()
    assert offline.author.email == "karto@contoh.id"

    # The code works once: a second try is refused in the page.
    citizen.goto("/musrenbang/klaim/")
    citizen.get_by_label("Kode tanda terima").fill(code)
    citizen.get_by_role("button", name="Klaim usulan").click()
    expect(citizen.locator(".field-errors", has_text="Kode tanda terima ini sudah dipakai")).to_be_visible()


def test_the_operator_forms_and_public_pages_at_desktop_width(new_page, journey, portal, musrenbang):
    """The same forms on an office computer, and the public funnel: looked at, and checked for layout."""
    cycle, desa = musrenbang["cycle"], musrenbang["desa"]
    shots = journey("musrenbang-4-desktop")
    page = new_page(user=musrenbang["operator"], viewport={"width": 1366, "height": 900})
    for label, path in (
        ("halaman kerja", "/kerja/musrenbang/"),
        ("formulir forum", f"/kerja/musrenbang/{cycle.year}/desa/{desa.pk}/"),
        ("formulir usulan tatap muka", "/kerja/musrenbang/usulan/baru/"),
        ("corong publik", f"/musrenbang/{cycle.year}/"),
    ):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        # Nothing spills sideways at this width.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shots.step(page, label)
