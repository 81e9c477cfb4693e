"""The journeys again, with the keyboard only: Tab and Shift+Tab to move, typing, Enter and Space.

No clicks and no `fill`: every control is reached by tabbing from the top of the page, and at
each stop the focused element must show a visible focus indicator (the CSS's :focus-visible
outline). Opening the confirmation link from the email is the only address typed in.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from consultations.models import Consultation, Response
from participation.models import Comment, Proposal, Support
from programs.models import Phase, ProgressUpdate
from tests.browser.conftest import PASSWORD, make_citizen, png_photo
from tests.browser.test_journeys import confirmation_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  const clean = s => (s || "").replace(/[\\s*]+/g, " ").trim();
  let name = el.getAttribute("aria-label") || "";
  if (!name && el.labels && el.labels.length) name = Array.from(el.labels).map(l => l.innerText).join(" ");
  if (!name && el.tagName === "INPUT") name = el.value;
  if (!name) name = el.innerText || "";
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: clean(name),
    focusVisible: el.matches(":focus-visible"),
    indicator: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0,
  };
}"""


class KeyboardUser:
    """A person who cannot use a mouse."""

    def __init__(self, page, journey):
        self.page = page
        self.journey = journey
        self.keyboard = page.keyboard

    def tab_to(self, name: str, *, tag: str | None = None, exact: bool = False, back: bool = False, limit: int = 120):
        for _ in range(limit):
            self.keyboard.press("Shift+Tab" if back else "Tab")
            focused = self.page.evaluate(FOCUSED)
            matches = focused["name"] == name if exact else focused["name"].startswith(name)
            if matches and (tag is None or focused["tag"] == tag):
                assert focused["focusVisible"] and focused["indicator"] and focused["onScreen"], (
                    f"{name!r} has focus but no visible focus indicator: {focused}"
                )
                return focused
        raise AssertionError(f"{name!r} cannot be reached with {'Shift+Tab' if back else 'Tab'} on {self.page.url}")

    def start(self, path: str | None = None):
        """Begin at the top of the page, where a fresh page load leaves the keyboard: on the skip link.

        (After a redirect to an anchor the browser would start tabbing from the anchor instead.)
        """
        if path:
            self.page.goto(path)
        skip = self.page.get_by_role("link", name="Lompat ke konten utama")
        skip.focus()
        focused = self.page.evaluate(FOCUSED)
        assert focused["onScreen"] and focused["indicator"], f"the skip link stays hidden when focused: {focused}"

    def follow(self, name: str, **kwargs):
        """Tab to a link or button and press Enter, waiting for the next page."""
        self.tab_to(name, **kwargs)
        with self.page.expect_navigation():
            self.keyboard.press("Enter")
        self.start()

    def type_into(self, name: str, text: str, **kwargs):
        self.tab_to(name, **kwargs)
        self.keyboard.type(text)

    def choose(self, name: str, option: str):
        """A closed <select>: type the first letters of the option (type-ahead), as people do."""
        self.tab_to(name, tag="select")
        self.keyboard.type(option)
        chosen = lambda: self.page.evaluate("() => document.activeElement.selectedOptions[0].text")  # noqa: E731
        if not chosen().startswith(option):
            # Type-ahead forgets the typed prefix after a pause (a slow machine); step with the arrows.
            self.keyboard.press("Home")
            for _ in range(60):
                if chosen().startswith(option):
                    break
                self.keyboard.press("ArrowDown")
        assert chosen().startswith(option), f"{name!r}: {option!r} cannot be chosen with the keyboard"

    def tick(self, name: str, **kwargs):
        self.tab_to(name, tag="input", **kwargs)
        self.keyboard.press("Space")

    def attach(self, name: str, path):
        """Space on the focused file input opens the chooser, as a person would press it.

        Headless Chromium sometimes drops that first press without opening anything (seen once in
        CI on a quiet machine, the chooser never came in 90 s); a person whose press did nothing
        presses again, and so does this, with the input still focused.
        """
        self.tab_to(name, tag="input")
        for attempt in range(4):
            try:
                with self.page.expect_file_chooser(timeout=20_000) as chooser:
                    self.keyboard.press("Space")
            except PlaywrightTimeoutError:
                focused = self.page.evaluate(FOCUSED)
                assert focused["name"].startswith(name), f"{name!r} lost focus after Space: {focused}"
                continue
            chooser.value.set_files(path)
            return
        raise AssertionError(f"Space on {name!r} never opened the file chooser")

    def shot(self, label: str):
        self.journey.step(self.page, label)


def log_in(person: KeyboardUser, email: str) -> None:
    person.follow("Masuk", tag="a")
    person.type_into("Email", email)
    person.type_into("Sandi", PASSWORD, exact=True)
    person.follow("Masuk", tag="button")
    expect(person.page.get_by_role("button", name="Keluar")).to_be_visible()


def test_signup_to_published_proposal_with_support_and_comment_by_keyboard(
    new_page, journey, portal, moderator, tmp_path
):
    # 1. Sign up, confirm, propose with a photo.
    citizen = KeyboardUser(new_page(), journey("keyboard-1-warga-mendaftar-dan-mengusulkan"))
    citizen.start("/")
    citizen.follow("Daftar", tag="a", exact=True)
    citizen.type_into("Nama lengkap", "Wayan Sudarma")
    citizen.type_into("Email", "wayan@contoh.id")
    citizen.type_into("Sandi", PASSWORD, exact=True)
    citizen.type_into("Kata sandi (lagi)", PASSWORD)
    citizen.choose("Wilayah (opsional)", "Desa Mekarsari")
    citizen.tick("Saya menyetujui")
    citizen.shot("formulir pendaftaran")
    citizen.follow("Daftar", tag="button")
    citizen.start(confirmation_link("wayan@contoh.id"))
    citizen.follow("Konfirmasi", tag="button")
    expect(citizen.page.get_by_role("button", name="Keluar")).to_be_visible()
    citizen.shot("masuk")

    citizen.follow("Usulan", tag="a", exact=True)
    citizen.follow("Ajukan usulan", tag="a")
    citizen.type_into("Judul usulan", "Sumur bor untuk Dusun Mekarsari")
    citizen.type_into("Uraian", "Musim kemarau warga membeli air bersih. Mohon dibuatkan sumur bor komunal.")
    citizen.choose("Kategori", "Infrastruktur")
    citizen.choose("Satuan kerja tujuan", f"{portal['pupr'].name} ({portal['pupr'].short_name})")
    citizen.choose("Wilayah", "Desa Mekarsari")
    citizen.attach("Lampiran (opsional)", png_photo(tmp_path, "sumur.png"))
    citizen.shot("formulir usulan")
    citizen.follow("Ajukan ke moderator", tag="button")
    expect(citizen.page.locator("main h1")).to_have_text("Sumur bor untuk Dusun Mekarsari")
    citizen.shot("usulan terkirim")
    proposal = Proposal.objects.get(title="Sumur bor untuk Dusun Mekarsari")
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.attachments.count() == 1

    # 2. The moderator publishes it from the queue.
    mod = KeyboardUser(new_page(), journey("keyboard-2-moderator-mempublikasikan"))
    mod.start("/")
    log_in(mod, moderator.email)
    mod.follow("Moderasi", tag="a")
    mod.shot("antrean")
    mod.follow("Publikasikan", tag="button")
    mod.shot("dipublikasikan")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED

    # 3. A neighbour supports it and comments.
    neighbour_account = make_citizen("made@contoh.id", "Made Arsana")
    neighbour = KeyboardUser(new_page(), journey("keyboard-3-warga-lain-mendukung-dan-berkomentar"))
    neighbour.start("/")
    log_in(neighbour, neighbour_account.email)
    neighbour.follow("Usulan", tag="a", exact=True)
    neighbour.follow("Sumur bor untuk Dusun Mekarsari", tag="a")
    neighbour.follow("Dukung usulan ini", tag="button")
    expect(neighbour.page.get_by_role("button", name="Batalkan dukungan")).to_be_visible()
    neighbour.type_into("Komentar", "Betul, sumur lama kering sejak Juli.", tag="textarea")
    neighbour.follow("Kirim komentar", tag="button")
    expect(neighbour.page.locator("#komentar")).to_contain_text("sumur lama kering sejak Juli")
    neighbour.shot("dukungan dan komentar")
    assert Support.objects.filter(proposal=proposal, user=neighbour_account).exists()
    assert Comment.objects.filter(author=neighbour_account).exists()


def test_an_official_advances_a_phase_with_a_report_by_keyboard(new_page, journey, showcase, petugas_pupr):
    program = showcase["program"]
    official = KeyboardUser(new_page(), journey("keyboard-4-petugas-memajukan-tahap"))
    official.start("/")
    log_in(official, petugas_pupr.email)
    official.follow("Program", tag="a", exact=True)
    official.follow(program.title, tag="a")
    official.follow("Kelola tahap dan laporan", tag="a")
    official.follow("Selesaikan tahap ini", tag="button")
    expect(official.page.locator(".message")).to_contain_text("Perencanaan telah selesai")
    official.follow("Mulai tahap ini", tag="button")
    expect(official.page.locator(".message")).to_contain_text("Pelaksanaan telah dimulai")
    official.choose("Tahap", "Pelaksanaan")
    official.type_into("Laporan kemajuan", "Pengaspalan 200 meter pertama selesai.", tag="textarea")
    official.shot("laporan")
    official.follow("Terbitkan laporan", tag="button")
    expect(official.page.locator("main")).to_contain_text("Pengaspalan 200 meter pertama selesai.")
    official.shot("laporan tampil")
    assert Phase.objects.get(program=program, kind="pelaksanaan").status == Phase.Status.RUNNING
    assert ProgressUpdate.objects.filter(phase__kind="pelaksanaan", phase__program=program).exists()


def test_a_citizen_responds_to_a_consultation_by_keyboard(new_page, journey, showcase, warga):
    consultation = showcase["open"]
    citizen = KeyboardUser(new_page(), journey("keyboard-5-warga-menanggapi-uji-publik"))
    citizen.start("/")
    log_in(citizen, warga.email)
    citizen.follow("Uji Publik", tag="a", exact=True)
    citizen.follow(consultation.title, tag="a")
    # A radio group is one Tab stop; the arrow keys choose within it.
    citizen.tab_to("Setuju", tag="input", exact=True)
    citizen.keyboard.press("Space")
    citizen.keyboard.press("ArrowDown")
    assert citizen.page.evaluate(FOCUSED)["name"] == "Tidak setuju"
    citizen.type_into("Komentar", "Jam layanan sebaiknya sampai 16.00.", tag="textarea")
    citizen.follow("Kirim tanggapan", tag="button")
    expect(citizen.page.locator("#tanggapi")).to_contain_text("Tidak setuju")
    citizen.shot("tanggapan terkirim")
    assert Response.objects.get(consultation=consultation, author=warga).position == Response.Position.DISAGREE

    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    citizen.page.reload()
    expect(citizen.page.locator("#tanggapi")).to_contain_text("sudah ditutup")
    citizen.shot("hasil")


def test_a_visitor_searches_and_filters_by_keyboard(new_page, journey, showcase):
    visitor = KeyboardUser(new_page(), journey("keyboard-6-pengunjung-menjelajah"))
    visitor.start("/")
    visitor.follow("Usulan", tag="a", exact=True)
    visitor.type_into("Cari usulan", "irigasi")
    visitor.keyboard.press("Enter")
    visitor.page.wait_for_url(re.compile(r"q=irigasi"))
    expect(visitor.page.locator("main")).to_contain_text("1 usulan ditemukan")
    visitor.start()
    visitor.tab_to("Saring dan urutkan", tag="summary")
    visitor.keyboard.press("Enter")
    visitor.choose("Kategori", "Infrastruktur")
    visitor.follow("Terapkan", tag="button")
    expect(visitor.page.locator("main")).to_contain_text("1 usulan ditemukan")
    visitor.shot("hasil")
    visitor.follow("Saluran irigasi Sawah Lor tersumbat", tag="a")
    expect(visitor.page.locator("main h1")).to_have_text("Saluran irigasi Sawah Lor tersumbat")
    visitor.shot("detail")
