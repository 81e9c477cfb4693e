"""Demo work for `seed_demo`: the PUPR official finds something in each part of /kerja/.

Everything goes through the services (history, audit, notifications as in real use); the dates are
then set back in time so waiting times and overdue phases show. Idempotent by title.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User, WorkUnit
from consultations.models import Consultation, Response
from participation import services as participation
from participation.models import Category, Proposal, Region
from programs import services as programs
from programs.models import Phase, Program

WAITING = [
    # (title, description, region code, days since publication)
    (
        "Jembatan gantung Dusun Krajan putus",
        "Jembatan gantung penghubung Dusun Krajan dan sekolah putus sejak banjir bulan lalu. Anak-anak "
        "menyeberang sungai dengan rakit.",
        "33.99.03.2002", 19,
    ),
    (
        "Drainase Jalan Pasar Cibening tersumbat",
        "Saluran di kedua sisi Jalan Pasar tertutup sedimen; setiap hujan air masuk ke kios pedagang.",
        "33.99.02.2001", 9,
    ),
    (
        "Rambu dan marka di tikungan Karanganyar",
        "Tikungan tajam tanpa rambu dan marka; sudah tiga kecelakaan motor tahun ini.",
        "33.99.03.2001", 3,
    ),
]
PROGRAM_TITLE = "Normalisasi saluran irigasi Sawah Lor"
CONSULTATION_TITLE = "Rancangan jadwal pemeliharaan drainase perkotaan 2027"


def seed_workspace() -> None:
    units = {unit.short_name: unit for unit in WorkUnit.objects.all()}
    official = User.objects.filter(email="petugas.pupr@demo.partisipasi.id").first()
    author = User.objects.filter(email="warga@demo.partisipasi.id").first()
    moderator = User.objects.filter(email="moderator@demo.partisipasi.id").first()
    if "PUPR" not in units or None in (official, author, moderator):
        return
    pupr = units["PUPR"]
    infrastruktur = Category.objects.get(name="Infrastruktur")
    now = timezone.now()

    for title, description, region_code, days in WAITING:
        if Proposal.objects.filter(title=title).exists():
            continue
        proposal = participation.create_proposal(
            actor=author,
            data={"title": title, "description": description, "category": infrastruktur, "work_unit": pupr,
                  "region": Region.objects.get(code=region_code)},
            files=[],
            submit=True,
        )
        participation.publish_proposal(actor=moderator, proposal=proposal)
        Proposal.objects.filter(pk=proposal.pk).update(published_at=now - timedelta(days=days))

    # Disdikbud has taken one proposal up: citizens see the "Sedang dikaji" badge and its note.
    classrooms = Proposal.objects.filter(title="Penambahan ruang kelas SD Negeri 2 Cibening", status="published").first()
    dikbud_official = User.objects.filter(email="petugas.dikbud@demo.partisipasi.id").first()
    if classrooms is not None and dikbud_official is not None:
        participation.review_proposal(
            actor=dikbud_official, proposal=classrooms,
            note="Kami sedang menghitung kebutuhan ruang kelas bersama sekolah; keputusan menyusul dalam APBD Perubahan.",
        )

    if not Program.objects.filter(title=PROGRAM_TITLE).exists():
        _late_program(official=official, author=author, moderator=moderator, unit=pupr, category=infrastruktur)

    if not Consultation.objects.filter(title=CONSULTATION_TITLE).exists():
        consultation = Consultation.objects.create(
            title=CONSULTATION_TITLE,
            summary="Jadwal pengerukan dan pembersihan saluran drainase di pusat kota selama 2027.",
            body="Pasal 1\nPengerukan saluran primer dua kali setahun, sebelum musim hujan.\n\n"
                 "Pasal 2\nWarga dapat melaporkan saluran tersumbat melalui kelurahan.",
            work_unit=pupr, category=infrastruktur, opens_at=now - timedelta(days=25), closes_at=now - timedelta(days=4),
            is_published=True, published_at=now - timedelta(days=26), created_by=official,
        )
        for email, position, comment in (
            ("warga@demo.partisipasi.id", Response.Position.AGREE, "Setuju, asal jadwalnya diumumkan di kelurahan."),
            ("warga2@demo.partisipasi.id", Response.Position.DISAGREE, "Dua kali setahun terlalu jarang untuk Kota Lama."),
        ):
            Response.objects.create(
                consultation=consultation, author=User.objects.get(email=email), position=position, comment=comment,
                created_at=now - timedelta(days=10), updated_at=now - timedelta(days=10),
            )


def _late_program(*, official, author, moderator, unit, category) -> None:
    """A program whose execution started 50 days ago, planned to end 6 days ago, last reported 40 days ago."""
    today = timezone.localdate()
    region = Region.objects.get(code="33.99.01.2001")
    source = participation.create_proposal(
        actor=author,
        data={"title": "Saluran irigasi Sawah Lor dangkal", "description": "Air tidak sampai ke petak sawah ujung.",
              "category": category, "work_unit": unit, "region": region},
        files=[],
        submit=True,
    )
    source = participation.publish_proposal(actor=moderator, proposal=source)
    program = programs.create_program(
        actor=official,
        data={"title": PROGRAM_TITLE, "description": "Pengerukan dan perkuatan tebing saluran sepanjang 1,2 km.",
              "work_unit": unit, "category": category, "region": region, "budget": 180_000_000, "fiscal_year": today.year},
        proposals=[source],
    )
    planning, execution = Phase.objects.filter(program=program).order_by("order")[:2]
    programs.start_phase(actor=official, phase=planning, on=today - timedelta(days=80))
    programs.complete_phase(actor=official, phase=Phase.objects.get(pk=planning.pk), on=today - timedelta(days=50))
    execution = Phase.objects.get(pk=execution.pk)
    programs.update_phase(
        actor=official, phase=execution,
        data={"planned_start": today - timedelta(days=50), "planned_end": today - timedelta(days=6)},
    )
    programs.start_phase(actor=official, phase=Phase.objects.get(pk=execution.pk), on=today - timedelta(days=50))
    programs.post_update(
        actor=official, phase=Phase.objects.get(pk=execution.pk), date=today - timedelta(days=40),
        body="Pengerukan 400 meter pertama selesai.",
    )
    programs.update_phase(actor=official, phase=Phase.objects.get(pk=execution.pk), data={"progress": 35})
