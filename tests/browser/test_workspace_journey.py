"""An official's morning in the workspace, at phone width and with the keyboard only.

She signs in, sees the waiting count in the menu, opens /kerja/, marks one proposal "Sedang dikaji",
declines another with an answer, routes a third to another unit, reports progress on a program
whose phase is overdue and writes the follow-up of a closed consultation: each at most three steps
(page actions) from the workspace. Then the citizen who proposed sees the new badges and the
notifications.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Consultation, Response
from notifications.models import Notification
from participation import services as participation
from participation.models import Proposal
from programs import services as programs
from programs.models import Phase, ProgressUpdate
from tests.browser.conftest import log_in as mouse_log_in
from tests.browser.test_keyboard import KeyboardUser, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW, DECLINE, ROUTE = "Lampu jalan Dusun Krajan padam", "Kolam renang desa", "Atap SD Negeri 4 bocor"


@pytest.fixture
def morning(portal, warga, moderator, petugas_pupr, petugas_dikbud):
    """What waits for the PUPR official, made through the services as in real use."""
    desa = portal["kabupaten"].children.get().children.get(name="Desa Sukamaju")
    now = timezone.now()

    def proposal(title, days_ago):
        created = participation.create_proposal(
            actor=warga,
            data={"title": title, "description": "Mohon ditindaklanjuti.", "category": portal["infrastruktur"],
                  "work_unit": portal["pupr"], "region": desa},
            files=[],
            submit=True,
        )
        published = participation.publish_proposal(actor=moderator, proposal=created)
        Proposal.objects.filter(pk=published.pk).update(published_at=now - timedelta(days=days_ago))
        return published

    proposals = {title: proposal(title, days) for title, days in ((REVIEW, 20), (DECLINE, 6), (ROUTE, 2))}
    source = proposal("Jalan tani Sawah Lor berlumpur", 60)
    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Pengerasan jalan tani Sawah Lor", "description": "Sirtu 1 km.", "work_unit": portal["pupr"],
              "category": portal["infrastruktur"], "region": desa, "budget": 90_000_000,
              "fiscal_year": timezone.localdate().year},
        proposals=[source],
    )
    today = timezone.localdate()
    planning = Phase.objects.get(program=program, kind="perencanaan")
    programs.update_phase(actor=petugas_pupr, phase=planning,
                          data={"planned_start": today - timedelta(days=45), "planned_end": today - timedelta(days=5)})
    programs.start_phase(actor=petugas_pupr, phase=Phase.objects.get(pk=planning.pk), on=today - timedelta(days=40))
    closed = Consultation.objects.create(
        title="Rancangan jam layanan UPT Alat Berat", summary="Jam layanan dan tarif sewa.", body="Pasal 1\n08.00-15.00.",
        work_unit=portal["pupr"], category=portal["infrastruktur"], opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=2), is_published=True, published_at=now - timedelta(days=21),
    )
    Response.objects.create(consultation=closed, author=warga, position=Response.Position.AGREE, comment="Setuju.")
    return {"proposals": proposals, "program": program, "closed": closed}


def test_an_official_clears_the_workspace_by_keyboard_on_a_phone(new_page, journey, morning, warga, petugas_pupr, portal):
    official = KeyboardUser(new_page(), journey("ruang-kerja-petugas"))
    official.start("/")
    log_in(official, petugas_pupr.email)
    menu = official.page.get_by_role("navigation", name="Navigasi utama")
    # Three proposals, one program, one consultation wait.
    expect(menu.get_by_role("link", name=re.compile(r"^Kerja \(5 menunggu"))).to_be_visible()
    official.shot("jumlah di menu")
    official.follow("Kerja", tag="a")
    expect(official.page.locator("main h1")).to_have_text("Ruang kerja")
    expect(official.page.locator(".work-item-overdue").first).to_contain_text(REVIEW)
    official.shot("ruang kerja")

    # 1. Sedang dikaji: one step.
    official.follow(f"Tandai sedang dikaji: {REVIEW}", tag="button", exact=True)
    expect(official.page.locator(".message")).to_contain_text("Sedang dikaji")
    official.shot("sedang dikaji")

    # 2. Decline with the official answer: Jawab, then the decision and the text, then save.
    official.follow(f"Jawab: {DECLINE}", tag="a")
    official.tab_to("Sedang dikaji", tag="input")
    official.keyboard.press("ArrowDown")  # the radio group's second choice: Ditolak
    official.type_into("Jawaban resmi atau catatan", "Kolam renang bukan prioritas RPJMD; kami sarankan lewat dana desa.", tag="textarea")
    official.shot("menolak dengan jawaban")
    official.follow("Simpan keputusan", tag="button")
    expect(official.page.locator("#jawaban")).to_contain_text("bukan prioritas RPJMD")
    official.shot("jawaban tampil")

    # 3. Route to Disdikbud: Kerja, Disposisi, then the unit and the note.
    official.follow("Kerja", tag="a")
    official.follow(f"Disposisi: {ROUTE}", tag="a")
    official.choose("Satuan kerja tujuan baru", portal["dikbud"].short_name)
    official.type_into("Catatan disposisi", "Gedung sekolah urusan Disdikbud.", tag="textarea")
    official.follow("Disposisikan", tag="button")
    expect(official.page.locator(".message")).to_contain_text("didisposisikan")
    official.shot("disposisi")

    # 4. Progress report on the overdue program: Tulis laporan, then the report.
    official.follow("Kerja", tag="a")
    program = morning["program"]
    official.follow(f"Tulis laporan: {program.title}", tag="a")
    official.type_into("Laporan kemajuan", "Desain ulang selesai; lelang dijadwalkan pekan depan.", tag="textarea")
    official.follow("Terbitkan laporan", tag="button")
    expect(official.page.locator("main")).to_contain_text("lelang dijadwalkan pekan depan")
    official.shot("laporan kemajuan")

    # 5. Follow-up of the closed consultation: Tulis tindak lanjut, then the text.
    official.follow("Kerja", tag="a")
    closed = morning["closed"]
    official.follow(f"Tulis tindak lanjut: {closed.title}", tag="a")
    official.type_into("Tindak lanjut", "Jam layanan tetap; tarif sewa diturunkan 10% sesuai masukan.", tag="textarea")
    official.follow("Terbitkan tindak lanjut", tag="button")
    expect(official.page.locator("#tindak-lanjut")).to_contain_text("tarif sewa diturunkan")
    official.shot("tindak lanjut")

    # Only the decided-on work is left; the report made the program current again.
    official.follow("Kerja", tag="a")
    expect(official.page.locator("main")).to_contain_text("Sedang dikaji: menunggu keputusan")
    official.shot("ruang kerja sesudahnya")

    proposals = {title: Proposal.objects.get(pk=p.pk) for title, p in morning["proposals"].items()}
    assert proposals[REVIEW].status == Proposal.Status.UNDER_REVIEW
    assert proposals[DECLINE].status == Proposal.Status.DECLINED
    assert proposals[ROUTE].work_unit == portal["dikbud"]
    assert ProgressUpdate.objects.filter(phase__program=program, body__startswith="Desain ulang").exists()
    closed.refresh_from_db()
    assert closed.follow_up.startswith("Jam layanan tetap")

    # The citizen who proposed sees the badges and got the news.
    citizen = new_page()
    steps = journey("ruang-kerja-warga-melihat-jawaban")
    citizen.goto("/")
    mouse_log_in(citizen, warga.email)
    citizen.goto(proposals[REVIEW].get_absolute_url())
    expect(citizen.locator(".meta-list .badge").first).to_have_text("Sedang dikaji")
    steps.step(citizen, "lencana sedang dikaji")
    citizen.goto(proposals[DECLINE].get_absolute_url())
    expect(citizen.locator(".meta-list .badge").first).to_have_text("Ditolak")
    expect(citizen.locator("#jawaban")).to_contain_text("bukan prioritas RPJMD")
    steps.step(citizen, "lencana ditolak dengan jawaban")
    citizen.get_by_role("navigation", name="Akun").get_by_role("link", name="Notifikasi").click()
    expect(citizen.locator("main")).to_contain_text(f"“{REVIEW}” sedang dikaji oleh PUPR")
    expect(citizen.locator("main")).to_contain_text(f"“{DECLINE}” ditolak oleh PUPR")
    steps.step(citizen, "notifikasi")
    assert Notification.objects.filter(recipient=warga, message__contains="sedang dikaji").count() == 1
