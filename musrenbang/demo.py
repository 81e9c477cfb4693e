"""Demo Musrenbang for `seed_demo`: a cycle in progress (desa stage open today) with ceilings, the demo
proposals in it, one proposal entered by the operator, and one desa forum already recorded.

Idempotent: nothing happens when a cycle exists.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User, WorkUnit
from musrenbang import services
from musrenbang.models import Ceiling, Cycle, CycleProposal, Decision, OperatorAssignment, Stage
from participation import services as participation_services
from participation.models import Category, Proposal, Region
from participation.uploads import check_upload

OPERATOR_EMAIL = "operator@demo.partisipasi.id"
OPERATOR_REGION = "33.99.01"  # Kecamatan Sukamaju and its desa


def tiny_pdf(text: str = "Berita acara") -> bytes:
    """A minimal one-page PDF that passes the upload check (demo and tests)."""
    body = f"BT /F1 12 Tf 40 780 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
        b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def demo_windows(today: datetime.date) -> dict:
    """Stage windows with the desa stage open today."""
    day = datetime.timedelta(days=1)
    return {
        "collect_start": today - 40 * day, "desa_start": today - 10 * day, "desa_end": today + 10 * day,
        "kecamatan_start": today + 11 * day, "kecamatan_end": today + 25 * day,
        "kabupaten_start": today + 26 * day, "kabupaten_end": today + 40 * day,
    }


def seed_musrenbang() -> None:
    if Cycle.objects.exists():
        return
    today = timezone.localdate()
    year = today.year + 1
    cycle = Cycle.objects.create(
        year=year, title=f"Musrenbang RKPD {year}", is_published=True,
        intro="Rencana Kerja Pemerintah Daerah tahun depan disusun dari usulan warga. Ikuti setiap forum di sini.",
        **demo_windows(today),
    )
    for index, kecamatan in enumerate(Region.objects.filter(level=Region.Level.KECAMATAN).order_by("code")):
        Ceiling.objects.create(cycle=cycle, kecamatan=kecamatan, amount=(3 + index) * 500_000_000)
    for short_name, amount in (("PUPR", 4_000_000_000), ("Dinkes", 1_500_000_000), ("Disdikbud", 2_000_000_000)):
        unit = WorkUnit.objects.filter(short_name=short_name).first()
        if unit:
            Ceiling.objects.create(cycle=cycle, work_unit=unit, amount=amount)
    for proposal in Proposal.objects.filter(status__in=["submitted", "published"]):
        services.join_collecting_cycle(proposal, day=today)

    operator = User.objects.filter(email=OPERATOR_EMAIL).first()
    moderator = User.objects.filter(email="moderator@demo.partisipasi.id").first()
    if operator is None or moderator is None:
        return
    OperatorAssignment.objects.get_or_create(user=operator, region=Region.objects.get(code=OPERATOR_REGION))
    mekarsari = Region.objects.get(code="33.99.01.2002")
    offline, _code = services.enter_offline_proposal(
        actor=operator, region=mekarsari,
        data={"title": "Perbaikan saluran irigasi Dusun Krajan", "description":
              "Saluran irigasi tersier sepanjang 300 meter jebol sehingga 12 hektare sawah kekurangan air saat kemarau.",
              "category": Category.objects.get(name="Pertanian"), "work_unit": WorkUnit.objects.get(short_name="PUPR"),
              "location_text": "Dusun Krajan", "estimated_cost": 250_000_000, "volume": "300 meter"},
        proposer_name="Pak Slamet", name_consent=True, proposer_phone="0812 1111 2222", gathered_on=today - datetime.timedelta(days=3),
        day=today,
    )
    participation_services.publish_proposal(actor=moderator, proposal=offline)
    members = list(CycleProposal.objects.filter(cycle=cycle, proposal__region=mekarsari, proposal__status="published").order_by("pk"))
    minutes = SimpleUploadedFile("berita-acara-mekarsari.pdf", tiny_pdf("Berita acara Musrenbang Desa Mekarsari"), content_type="application/pdf")
    forum = services.record_forum(
        actor=operator, cycle=cycle, stage=Stage.DESA, region=mekarsari, day=today,
        data={"held_on": today - datetime.timedelta(days=2), "place": "Balai Desa Mekarsari", "chair": "Kepala Desa Mekarsari",
              "participants_male": 34, "participants_female": 29, "participants_youth": 8, "participants_elderly": 6,
              "participants_disability": 2, "participants_leaders": 7,
              "summary": "Forum menyepakati urutan prioritas usulan desa dan utusan ke Musrenbang Kecamatan."},
        minutes=(minutes, check_upload(minutes)),
    )
    services.save_priority_list(actor=operator, forum=forum, day=today, rows=[
        services.Row(cycle_proposal_id=member.pk, rank=rank, decision=Decision.ADVANCE if rank == 1 else Decision.VILLAGE_FUND,
                     note="" if rank == 1 else "Dibiayai Dana Desa tahun berjalan.")
        for rank, member in enumerate(members, start=1)
    ])
