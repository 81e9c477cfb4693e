"""Demo work programs for `seed_demo`: one in each stage, built from their own published proposals.

Everything goes through the services, so history, audit events and proposal statuses are real.
Idempotent: does nothing once any program exists.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User, WorkUnit
from participation import services as participation_services
from participation.models import Category, Region
from participation.uploads import check_upload
from programs import services
from programs.models import Phase, Program

# (title, description, category, unit, region code, budget, official email,
#  source proposals [(title, description, estimated cost)],
#  phases [(days ago started, days ago done or None, progress, [(days ago, report)])], ratings)
DEMO_PROGRAMS = [
    (
        "Rehabilitasi jalan dan drainase Desa Mekarsari",
        "Pengaspalan ulang jalan desa sepanjang 1,2 km dari balai desa sampai pasar, dengan saluran drainase "
        "beton di kedua sisi. Menindaklanjuti dua usulan warga Desa Mekarsari.",
        "Infrastruktur", "PUPR", "33.99.01.2002", 1_250_000_000, "petugas.pupr@demo.partisipasi.id",
        [
            ("Jalan Mekarsari–pasar rusak berat", "Jalan berlubang dan licin saat hujan; truk hasil panen sulit lewat.", 900_000_000),
            ("Saluran air Jalan Mekarsari tersumbat", "Air meluap ke jalan dan halaman rumah setiap hujan deras.", 300_000_000),
        ],
        [
            (90, 60, 100, [(85, "Survei lokasi dan pengukuran bersama perangkat desa."), (62, "Detail desain (DED) dan RAB selesai disusun.")]),
            (59, None, 55, [(40, "Pekerjaan drainase sisi utara selesai 600 m."), (7, "Pengaspalan lapis pertama mencapai 700 m.")]),
            None,
        ],
        [],
    ),
    (
        "Rehabilitasi ruang kelas SD Negeri 1 Tanjungsari",
        "Perbaikan atap, lantai, dan jendela tiga ruang kelas, serta pengadaan 60 set meja dan kursi siswa.",
        "Pendidikan", "Disdikbud", "33.99.02.2002", 480_000_000, "petugas.dikbud@demo.partisipasi.id",
        [("Atap kelas SDN 1 Tanjungsari bocor", "Tiga kelas bocor saat hujan sehingga siswa dipulangkan lebih awal.", 450_000_000)],
        [
            (150, 120, 100, [(130, "Penilaian kerusakan bersama komite sekolah.")]),
            (119, 30, 100, [(80, "Atap dua kelas selesai diganti."), (31, "Seluruh pekerjaan fisik selesai dan diserahterimakan.")]),
            (29, None, 40, [(10, "Kunjungan monitoring bersama komite sekolah: tidak ada kebocoran saat hujan.")]),
        ],
        [("warga@demo.partisipasi.id", 5), ("warga2@demo.partisipasi.id", 4)],
    ),
    (
        "Jembatan gantung Dusun Kidul",
        "Pembangunan jembatan gantung pejalan kaki sepanjang 45 m di atas Sungai Serayu Kecil, "
        "menghubungkan Dusun Kidul dengan jalan kabupaten.",
        "Infrastruktur", "PUPR", "33.99.03.2002", 2_100_000_000, "petugas.pupr@demo.partisipasi.id",
        [("Jembatan untuk anak sekolah Dusun Kidul", "Anak sekolah menyeberang sungai dengan rakit saat musim hujan.", 2_000_000_000)],
        [(20, None, 30, [(12, "Uji tanah di kedua sisi sungai sedang dilaksanakan.")]), None, None],
        [],
    ),
    (
        "Posyandu lansia keliling Kecamatan Sukamaju",
        "Pemeriksaan kesehatan bulanan untuk warga lanjut usia di tiga desa, dengan kader terlatih dan alat "
        "cek tekanan darah dan gula darah.",
        "Kesehatan", "Dinkes", "33.99.01", 150_000_000, "admin@demo.partisipasi.id",
        [("Pemeriksaan rutin untuk lansia Sukamaju", "Lansia harus pergi 6 km ke puskesmas untuk cek rutin.", 120_000_000)],
        [
            (300, 270, 100, [(290, "Pelatihan 30 kader posyandu lansia.")]),
            (269, 60, 100, [(200, "Posyandu berjalan di tiga desa; rata-rata 85 lansia hadir per bulan.")]),
            (59, 5, 100, [(6, "Evaluasi: jadwal dipertahankan, ditambah pemeriksaan kolesterol.")]),
        ],
        [],
    ),
]


def _photo() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (94, 130, 92))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 640, 400), fill=(60, 60, 60))
    draw.rectangle((0, 315, 640, 325), fill=(240, 240, 240))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("foto-pengaspalan.jpg", buffer.getvalue(), content_type="image/jpeg")


def seed_programs() -> None:
    if Program.objects.exists():
        return
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    author = User.objects.get(email="warga@demo.partisipasi.id")
    moderator = User.objects.get(email="moderator@demo.partisipasi.id")
    for title, description, category, unit, region_code, budget, official_email, sources, phases, ratings in DEMO_PROGRAMS:
        official = User.objects.get(email=official_email)
        category_obj = Category.objects.get(name=category)
        unit_obj = WorkUnit.objects.get(short_name=unit)
        region = Region.objects.get(code=region_code)
        proposals = []
        for source_title, source_description, cost in sources:
            proposal = participation_services.create_proposal(
                actor=author,
                data={"title": source_title, "description": source_description, "category": category_obj,
                      "work_unit": unit_obj, "region": region, "estimated_cost": cost},
                files=[],
                submit=True,
            )
            proposals.append(participation_services.publish_proposal(actor=moderator, proposal=proposal))
        program = services.create_program(
            actor=official,
            data={"title": title, "description": description, "work_unit": unit_obj, "category": category_obj,
                  "region": region, "budget": budget, "fiscal_year": today.year},
            proposals=proposals,
        )
        for phase, plan in zip(program.phases.order_by("order"), phases):
            if plan is None:
                continue
            started, done, progress, reports = plan
            services.update_phase(
                actor=official, phase=phase,
                data={"planned_start": ago(started + 5), "planned_end": ago((done or 0) - 20)},
            )
            services.start_phase(actor=official, phase=phase, on=ago(started))
            for days, report in reports:
                files = []
                if "Pengaspalan" in report:
                    photo = _photo()
                    files = [(photo, check_upload(photo))]
                services.post_update(actor=official, phase=phase, date=ago(days), body=report, files=files)
            if done is not None:
                services.complete_phase(actor=official, phase=phase, on=ago(done))
            else:
                services.update_phase(actor=official, phase=Phase.objects.get(pk=phase.pk), data={"progress": progress})
        for email, score in ratings:
            services.rate_program(actor=User.objects.get(email=email), program=program, score=score)
        if ratings:
            participation_services.post_comment(
                actor=User.objects.get(email=ratings[-1][0]), target=program,
                body="Kelas sekarang nyaman dipakai, terima kasih. Mohon talang air juga dibersihkan rutin.",
            )
