"""Demo consultations for `seed_demo`: one open, one scheduled, one closed with results and follow-up.

Idempotent: a consultation whose title exists is left alone. Everything goes through the services,
with `now` set inside each window, so history, audit and the rules are the real ones.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User, WorkUnit
from consultations import services
from consultations.models import Consultation
from consultations.rules import may_take_part
from participation.models import Category
from participation.uploads import check_upload

OPEN_TITLE = "Rancangan Standar Pelayanan Pengangkutan Sampah Rumah Tangga"
SCHEDULED_TITLE = "Rancangan Petunjuk Teknis Penerimaan Murid Baru Jalur Zonasi 2026"
CLOSED_TITLE = "Rancangan Rencana Pemeliharaan Jalan Kabupaten 2026–2027"

# (position, comment) of the closed consultation's responses, one per demo account that may respond.
CLOSED_RESPONSES = [
    ("setuju", "Ruas Sukamaju–Mekarsari memang paling parah, setuju diprioritaskan."),
    ("tidak_setuju", "Jalan menuju Desa Banyuurip tidak masuk daftar padahal rusak berat sejak 2024."),
    ("setuju", "Mohon pengerjaan tidak bersamaan dengan musim panen."),
    ("netral", "Belum jelas jadwal per ruas."),
    ("setuju", ""),
]
OPEN_RESPONSES = [
    ("setuju", "Jadwal dua kali seminggu sudah cukup untuk perumahan kami."),
    ("tidak_setuju", "Retribusi Rp15.000 terlalu mahal untuk warga desa."),
    ("netral", ""),
]

OPEN_BODY = """Bagian I. Ruang lingkup
Standar ini berlaku untuk pengangkutan sampah rumah tangga dari tempat penampungan sementara (TPS) ke tempat pemrosesan akhir di seluruh wilayah kabupaten.

Bagian II. Waktu pelayanan
1. Pengangkutan di kawasan perkotaan dilakukan setiap hari, pukul 05.00–10.00 WIB.
2. Pengangkutan di kawasan perdesaan dilakukan paling sedikit dua kali seminggu.

Bagian III. Biaya
Retribusi pelayanan persampahan rumah tangga sebesar Rp15.000 per bulan, dibayar melalui desa/kelurahan.

Bagian IV. Pengaduan
Pengaduan dapat disampaikan melalui portal ini, telepon DLH, atau kantor desa, dan ditanggapi paling lambat 3 hari kerja."""

SCHEDULED_BODY = """Pasal 1
Penerimaan murid baru jenjang SD dan SMP negeri dilaksanakan melalui jalur zonasi, afirmasi, perpindahan tugas orang tua, dan prestasi.

Pasal 2
Kuota jalur zonasi paling sedikit 50% dari daya tampung sekolah.

Pasal 3
Jarak tempat tinggal diukur dari alamat pada kartu keluarga yang diterbitkan paling lambat satu tahun sebelum pendaftaran."""

CLOSED_BODY = """1. Latar belakang
Dari 412 km jalan kabupaten, 96 km dalam kondisi rusak sedang dan 38 km rusak berat.

2. Prioritas 2026
a. Ruas Sukamaju–Mekarsari (6,2 km): rekonstruksi.
b. Ruas Cibening–Tanjungsari (4,8 km): pemeliharaan berkala dan drainase.
c. Ruas Karanganyar–Wonosari (3,5 km): pelapisan ulang.

3. Prioritas 2027
Ruas-ruas lain berdasarkan hasil survei kondisi jalan 2026.

4. Anggaran
Perkiraan Rp18.400.000.000 untuk dua tahun anggaran."""

FOLLOW_UP = """Terima kasih atas tanggapan warga. Tindak lanjut Dinas PUPR:
1. Ruas menuju Desa Banyuurip (2,1 km) ditambahkan ke prioritas 2026 setelah survei lapangan pada minggu lalu membenarkan kerusakan berat.
2. Jadwal pengerjaan ruas Sukamaju–Mekarsari digeser ke setelah musim panen.
3. Setiap lokasi pekerjaan akan memasang papan informasi proyek dan tautan ke halaman program di portal ini.
4. Jadwal per ruas diumumkan di halaman program setelah kontrak ditandatangani."""


def _demo_pdf(title: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF naming the draft, so the document link has something to serve."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 12 Tf 50 780 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return SimpleUploadedFile(f"{slugify(title)[:80]}.pdf", bytes(out), content_type="application/pdf")


def _respondents(consultation, *, exclude: tuple[str, ...] = ()) -> list[User]:
    """The demo accounts that may take part in this consultation (no extra accounts are created)."""
    people = User.objects.filter(is_active=True, emailaddress__verified=True).exclude(email__in=exclude).order_by("email")
    return [person for person in people.distinct() if may_take_part(person, consultation)]


def _official(unit: WorkUnit) -> User:
    official = User.objects.filter(is_superuser=True).first()
    member = unit.officials.first()
    return member or official


def _create(*, title, summary, body, unit, category, opens_at, closes_at, created_at, with_document=True) -> Consultation:
    actor = _official(unit)
    consultation = services.create_consultation(
        actor=actor,
        data=dict(
            title=title, summary=summary, body=body, work_unit=unit, category=category,
            opens_at=opens_at, closes_at=closes_at, is_published=False, follow_up="",
        ),
        now=created_at,
    )
    if with_document:
        pdf = _demo_pdf(title)
        services.add_documents(
            actor=actor, consultation=consultation, files=[(pdf, check_upload(pdf, allow_images=False))], now=created_at
        )
    return services.update_consultation(actor=actor, consultation=consultation, data={"is_published": True}, now=created_at)


def _respond(consultation, answers, *, now, exclude: tuple[str, ...] = ()):
    for person, (position, comment) in zip(_respondents(consultation, exclude=exclude), answers):
        if not consultation.responses.filter(author=person).exists():
            services.submit_response(actor=person, consultation=consultation, position=position, comment=comment, now=now)


def seed_consultations() -> None:
    """Create the three demo consultations if they are not there yet."""
    units = {unit.short_name: unit for unit in WorkUnit.objects.all()}
    categories = {category.name: category for category in Category.objects.all()}
    if not {"PUPR", "DLH", "Disdikbud"} <= units.keys() or not categories:
        return
    default_category = next(iter(categories.values()))
    now = timezone.now()

    if not Consultation.objects.filter(title=OPEN_TITLE).exists():
        consultation = _create(
            title=OPEN_TITLE,
            summary="DLH meminta pendapat warga atas jadwal, biaya, dan tata cara pengaduan pengangkutan sampah rumah tangga.",
            body=OPEN_BODY,
            unit=units["DLH"],
            category=categories.get("Lingkungan Hidup", default_category),
            opens_at=now - timedelta(days=9),
            closes_at=now + timedelta(days=2, hours=20),
            created_at=now - timedelta(days=12),
        )
        # The demo citizen account is left free to try responding itself.
        _respond(consultation, OPEN_RESPONSES, now=now - timedelta(days=3), exclude=("warga@demo.partisipasi.id",))

    if not Consultation.objects.filter(title=SCHEDULED_TITLE).exists():
        _create(
            title=SCHEDULED_TITLE,
            summary="Disdikbud akan membuka uji publik atas juknis PPDB jalur zonasi: kuota, cara mengukur jarak, dan syarat domisili.",
            body=SCHEDULED_BODY,
            unit=units["Disdikbud"],
            category=categories.get("Pendidikan", default_category),
            opens_at=now + timedelta(days=6),
            closes_at=now + timedelta(days=27),
            created_at=now - timedelta(days=1),
            with_document=False,
        )

    if not Consultation.objects.filter(title=CLOSED_TITLE).exists():
        opens_at = now - timedelta(days=40)
        closes_at = now - timedelta(days=10)
        consultation = _create(
            title=CLOSED_TITLE,
            summary="Dinas PUPR menguji publik daftar ruas jalan yang diprioritaskan untuk rekonstruksi dan pemeliharaan dua tahun ke depan.",
            body=CLOSED_BODY,
            unit=units["PUPR"],
            category=categories.get("Infrastruktur", default_category),
            opens_at=opens_at,
            closes_at=closes_at,
            created_at=opens_at - timedelta(days=5),
        )
        _respond(consultation, CLOSED_RESPONSES, now=opens_at + timedelta(days=10))
        official = _official(units["PUPR"])
        flagged = consultation.responses.filter(comment__contains="Banyuurip").first()
        if flagged is not None:
            services.reply_to_response(
                actor=official,
                response=flagged,
                body="Terima kasih. Tim kami akan menyurvei ruas menuju Banyuurip pekan ini.",
            )
        services.write_follow_up(actor=official, consultation=consultation, text=FOLLOW_UP, now=closes_at + timedelta(days=3))
