"""Open-data sets: what each one contains, and how its rows are streamed.

Each data set reads its app's own public queryset (`Proposal.objects.public()`,
`Program.objects.visible_to(anonymous)`, `Consultation.objects.public()`), so the export shows
exactly what the public pages show. Rows are read with `.iterator(chunk_size=...)` and written one
by one, so memory stays flat however many rows there are. No email address, phone number or user
id ever leaves: the only personal datum is the public display name of a proposal's author.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import Consultation, Response
from participation.models import Proposal, Region
from programs.models import Phase, Program, Stage

CHUNK_SIZE = 2000
PROGRAM_CHUNK_SIZE = 500  # programs prefetch their phases per chunk
DELETED_AUTHOR = gettext_lazy("Warga (akun dihapus)")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    date_field: str
    filters: tuple[str, ...]
    columns: tuple[Column, ...]
    # (filters, absolute_url) -> rows as dicts whose keys are the column names (JSON shape)
    rows: Callable[..., Iterator[dict]]
    # A row flattened for CSV; the identity for flat data sets
    flatten: Callable[[dict], dict] | None = None
    csv_columns: tuple[str, ...] = field(default=())
    notes: str = ""

    def csv_header(self) -> tuple[str, ...]:
        return self.csv_columns or tuple(column.name for column in self.columns)


# --- value helpers -------------------------------------------------------------------------------


def _when(value):
    """An instant as ISO 8601 in the portal's time zone, to the second; None stays None."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value):
    return value.isoformat() if value is not None else None


def _region_columns(code, name, level, parent_name) -> dict:
    """A proposal or program region as code, village and district (kecamatan)."""
    if code is None:
        return {"wilayah_kode": None, "desa_kelurahan": None, "kecamatan": None}
    if level == Region.Level.DESA:
        return {"wilayah_kode": code, "desa_kelurahan": name, "kecamatan": parent_name}
    return {"wilayah_kode": code, "desa_kelurahan": None, "kecamatan": name}


def _public_name(author_id, full_name) -> str:
    """The name the portal shows for an author: never an email address."""
    if author_id is None:
        return str(DELETED_AUTHOR)
    return full_name or _("Warga")


def _in_region(region, prefix: str = "region") -> Q:
    """The region itself or, for a kecamatan, every village in it."""
    return Q(**{prefix: region}) | Q(**{f"{prefix}__parent": region})


def _apply_common(queryset, filters: dict, *, date_field: str, region_field: str | None):
    since, until = filters.get("since"), filters.get("until")
    if since:
        queryset = queryset.filter(**{f"{date_field}__gte": since})
    if until:
        queryset = queryset.filter(**{f"{date_field}__lt": until})
    if filters.get("kategori"):
        queryset = queryset.filter(category=filters["kategori"])
    if filters.get("satker"):
        queryset = queryset.filter(work_unit=filters["satker"])
    if region_field and filters.get("wilayah"):
        queryset = queryset.filter(_in_region(filters["wilayah"], region_field))
    return queryset


# --- proposals -----------------------------------------------------------------------------------


PROPOSAL_FIELDS = (
    "id", "title", "description", "category__name", "work_unit__short_name", "work_unit__name",
    "region__code", "region__name", "region__level", "region__parent__name", "location_text",
    "estimated_cost", "volume", "status", "published_at", "answered_at", "official_answer",
    "support_count", "comment_count", "author_id", "author__full_name",
)  # fmt: skip


def proposal_queryset(filters: dict):
    queryset = Proposal.objects.public()
    return _apply_common(queryset, filters, date_field="published_at", region_field="region")


def proposal_rows(filters: dict, absolute_url: Callable[[str], str]) -> Iterator[dict]:
    labels = dict(Proposal.Status.choices)
    rows = proposal_queryset(filters).order_by("published_at", "id").values(*PROPOSAL_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": row["id"],
            "judul": row["title"],
            "uraian": row["description"],
            "kategori": row["category__name"],
            "satuan_kerja": row["work_unit__short_name"],
            "satuan_kerja_nama": row["work_unit__name"],
            **_region_columns(row["region__code"], row["region__name"], row["region__level"], row["region__parent__name"]),
            "lokasi": row["location_text"],
            "perkiraan_biaya": row["estimated_cost"],
            "volume": row["volume"],
            "status": row["status"],
            "status_keterangan": str(labels.get(row["status"], row["status"])),
            "pengusul": _public_name(row["author_id"], row["author__full_name"]),
            "dipublikasikan": _when(row["published_at"]),
            "dijawab": _when(row["answered_at"]),
            "jawaban_resmi": row["official_answer"],
            "jumlah_dukungan": row["support_count"],
            "jumlah_komentar": row["comment_count"],
            "url": absolute_url(f"/usulan/{row['id']}/"),
        }


# --- programs ------------------------------------------------------------------------------------


def program_queryset(filters: dict):
    queryset = Program.objects.visible_to(AnonymousUser())
    return _apply_common(queryset, filters, date_field="created_at", region_field="region")


def program_rows(filters: dict, absolute_url: Callable[[str], str]) -> Iterator[dict]:
    programs = (
        program_queryset(filters)
        .select_related("work_unit", "category", "region", "region__parent")
        .prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("order")),
            Prefetch("source_proposals", queryset=Proposal.objects.public().only("id").order_by("id"), to_attr="public_sources"),
        )
        .order_by("id")
    )
    for program in programs.iterator(chunk_size=PROGRAM_CHUNK_SIZE):
        region = program.region
        yield {
            "id": program.pk,
            "judul": program.title,
            "uraian": program.description,
            "kategori": program.category.name,
            "satuan_kerja": program.work_unit.short_name,
            "satuan_kerja_nama": program.work_unit.name,
            **_region_columns(
                region.code if region else None,
                region.name if region else None,
                region.level if region else None,
                region.parent.name if region and region.parent_id else None,
            ),
            "anggaran": program.budget,
            "tahun_anggaran": program.fiscal_year,
            "tahap_sekarang": str(Stage(program.stage).label),
            "kemajuan_keseluruhan": program.overall_progress,
            "usulan_asal": [proposal.pk for proposal in program.public_sources],
            "dibuat": _when(program.created_at),
            "jumlah_komentar": program.comment_count,
            "url": absolute_url(program.get_absolute_url()),
            "tahap": [
                {
                    "tahap": phase.kind,
                    "urutan": phase.order,
                    "status": phase.status,
                    "kemajuan": phase.progress,
                    "rencana_mulai": _day(phase.planned_start),
                    "rencana_selesai": _day(phase.planned_end),
                    "mulai": _day(phase.actual_start),
                    "selesai": _day(phase.actual_end),
                }
                for phase in program.phase_list
            ],
        }


PHASE_CSV_FIELDS = ("status", "kemajuan", "rencana_mulai", "rencana_selesai", "mulai", "selesai")
PROGRAM_FLAT_COLUMNS = (
    "id", "judul", "uraian", "kategori", "satuan_kerja", "satuan_kerja_nama", "wilayah_kode",
    "desa_kelurahan", "kecamatan", "anggaran", "tahun_anggaran", "tahap_sekarang", "kemajuan_keseluruhan",
    "usulan_asal", "dibuat", "jumlah_komentar", "url",
)  # fmt: skip
PROGRAM_CSV_COLUMNS = PROGRAM_FLAT_COLUMNS + tuple(
    f"{kind}_{name}" for kind in Phase.Kind.values for name in PHASE_CSV_FIELDS
)


def flatten_program(row: dict) -> dict:
    """One CSV line per program: phases become `<tahap>_<kolom>` columns, source ids join with ';'."""
    flat = {name: row[name] for name in PROGRAM_FLAT_COLUMNS}
    flat["usulan_asal"] = ";".join(str(pk) for pk in row["usulan_asal"])
    phases = {phase["tahap"]: phase for phase in row["tahap"]}
    for kind in Phase.Kind.values:
        phase = phases.get(kind, {})
        for name in PHASE_CSV_FIELDS:
            flat[f"{kind}_{name}"] = phase.get(name)
    return flat


# --- consultations -------------------------------------------------------------------------------


def consultation_queryset(filters: dict):
    queryset = Consultation.objects.public()
    return _apply_common(queryset, filters, date_field="opens_at", region_field=None)


def consultation_rows(filters: dict, absolute_url: Callable[[str], str]) -> Iterator[dict]:
    positions = Response.Position
    rows = (
        consultation_queryset(filters)
        .order_by("opens_at", "id")
        .values("id", "title", "summary", "category__name", "work_unit__short_name", "work_unit__name",
                "opens_at", "closes_at", "published_at", "follow_up", "follow_up_at")  # fmt: skip
        .annotate(
            total=Count("responses"),
            agree=Count("responses", filter=Q(responses__position=positions.AGREE)),
            disagree=Count("responses", filter=Q(responses__position=positions.DISAGREE)),
            neutral=Count("responses", filter=Q(responses__position=positions.NEUTRAL)),
        )
    )
    now = timezone.now()
    state_labels = dict(Consultation.State.choices)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        if now < row["opens_at"]:
            state = Consultation.State.SCHEDULED
        elif now < row["closes_at"]:
            state = Consultation.State.OPEN
        else:
            state = Consultation.State.CLOSED
        # Results are published when a consultation closes, as on its page; never a running tally.
        closed = state == Consultation.State.CLOSED
        yield {
            "id": row["id"],
            "judul": row["title"],
            "ringkasan": row["summary"],
            "kategori": row["category__name"],
            "satuan_kerja": row["work_unit__short_name"],
            "satuan_kerja_nama": row["work_unit__name"],
            "dibuka": _when(row["opens_at"]),
            "ditutup": _when(row["closes_at"]),
            "status": state.value,
            "status_keterangan": str(state_labels[state]),
            "jumlah_tanggapan": row["total"] if closed else None,
            "setuju": row["agree"] if closed else None,
            "tidak_setuju": row["disagree"] if closed else None,
            "netral": row["neutral"] if closed else None,
            "tindak_lanjut": row["follow_up"],
            "tindak_lanjut_pada": _when(row["follow_up_at"]) if row["follow_up"].strip() else None,
            "url": absolute_url(f"/uji-publik/{row['id']}/"),
        }


# --- the catalogue -------------------------------------------------------------------------------

TEXT = gettext_lazy("teks")
INT = gettext_lazy("bilangan bulat")
INSTANT = gettext_lazy("waktu ISO 8601 (WIB)")
DATE = gettext_lazy("tanggal TTTT-BB-HH")
REGION_COLUMNS = (
    Column("wilayah_kode", TEXT, gettext_lazy("Kode wilayah Kemendagri.")),
    Column("desa_kelurahan", TEXT, gettext_lazy("Nama desa/kelurahan; kosong bila wilayahnya satu kecamatan.")),
    Column("kecamatan", TEXT, gettext_lazy("Nama kecamatan.")),
)

DATASETS: dict[str, Dataset] = {
    "usulan": Dataset(
        slug="usulan",
        title=gettext_lazy("Usulan warga yang dipublikasikan"),
        description=gettext_lazy(
            "Setiap usulan program kerja yang telah lolos moderasi dan tidak disembunyikan, termasuk yang sudah "
            "dijawab atau ditindaklanjuti dalam program. Draf, usulan yang menunggu moderasi, ditolak, atau ditarik tidak termasuk."
        ),
        date_field=gettext_lazy("tanggal publikasi"),
        filters=("dari", "sampai", "kategori", "satker", "wilayah"),
        rows=proposal_rows,
        columns=(
            Column("id", INT, gettext_lazy("Nomor usulan; sama dengan nomor pada alamat halamannya.")),
            Column("judul", TEXT, gettext_lazy("Judul usulan.")),
            Column("uraian", TEXT, gettext_lazy("Uraian usulan sebagaimana ditulis pengusul.")),
            Column("kategori", TEXT, gettext_lazy("Kategori bidang.")),
            Column("satuan_kerja", TEXT, gettext_lazy("Singkatan satuan kerja tujuan.")),
            Column("satuan_kerja_nama", TEXT, gettext_lazy("Nama lengkap satuan kerja tujuan.")),
            *REGION_COLUMNS,
            Column("lokasi", TEXT, gettext_lazy("Keterangan lokasi dari pengusul (boleh kosong).")),
            Column("perkiraan_biaya", INT, gettext_lazy("Perkiraan biaya dalam Rupiah menurut pengusul (boleh kosong).")),
            Column("volume", TEXT, gettext_lazy("Volume pekerjaan menurut pengusul (boleh kosong).")),
            Column("status", TEXT, gettext_lazy("Kode status: published (dipublikasikan), under_review (sedang dikaji), accepted (diterima ke dalam program), declined (ditolak dengan jawaban resmi).")),
            Column("status_keterangan", TEXT, gettext_lazy("Status dalam Bahasa Indonesia.")),
            Column("pengusul", TEXT, gettext_lazy("Nama tampilan pengusul, sama dengan di halaman usulan; tanpa email atau nomor telepon.")),
            Column("dipublikasikan", INSTANT, gettext_lazy("Waktu usulan dipublikasikan.")),
            Column("dijawab", INSTANT, gettext_lazy("Waktu jawaban resmi satuan kerja (boleh kosong).")),
            Column("jawaban_resmi", TEXT, gettext_lazy("Jawaban resmi satuan kerja (boleh kosong).")),
            Column("jumlah_dukungan", INT, gettext_lazy("Jumlah warga yang mendukung.")),
            Column("jumlah_komentar", INT, gettext_lazy("Jumlah komentar.")),
            Column("url", TEXT, gettext_lazy("Alamat halaman usulan.")),
        ),
    ),
    "program": Dataset(
        slug="program",
        title=gettext_lazy("Program kerja beserta tahapannya"),
        description=gettext_lazy(
            "Setiap program kerja satuan kerja dengan tiga tahapnya (Perencanaan, Pelaksanaan, Monitoring & Evaluasi), "
            "anggaran, dan usulan warga yang menjadi asalnya."
        ),
        date_field=gettext_lazy("tanggal program dibuat"),
        filters=("dari", "sampai", "kategori", "satker", "wilayah"),
        rows=program_rows,
        flatten=flatten_program,
        csv_columns=PROGRAM_CSV_COLUMNS,
        notes=gettext_lazy(
            "Dalam JSON, tahapan ada pada daftar \"tahap\" (kolom: tahap, urutan, status, kemajuan, rencana_mulai, "
            "rencana_selesai, mulai, selesai). Dalam CSV, setiap tahap menjadi kolom berawalan perencanaan_, "
            "pelaksanaan_, dan monev_, dan usulan_asal dipisahkan titik koma."
        ),
        columns=(
            Column("id", INT, gettext_lazy("Nomor program.")),
            Column("judul", TEXT, gettext_lazy("Judul program.")),
            Column("uraian", TEXT, gettext_lazy("Uraian program.")),
            Column("kategori", TEXT, gettext_lazy("Kategori bidang.")),
            Column("satuan_kerja", TEXT, gettext_lazy("Singkatan satuan kerja pelaksana.")),
            Column("satuan_kerja_nama", TEXT, gettext_lazy("Nama lengkap satuan kerja pelaksana.")),
            *REGION_COLUMNS,
            Column("anggaran", INT, gettext_lazy("Anggaran dalam Rupiah.")),
            Column("tahun_anggaran", INT, gettext_lazy("Tahun anggaran.")),
            Column("tahap_sekarang", TEXT, gettext_lazy("Tahap yang sedang ditempuh, atau Selesai.")),
            Column("kemajuan_keseluruhan", INT, gettext_lazy("Rata-rata kemajuan ketiga tahap, dalam persen.")),
            Column("usulan_asal", TEXT, gettext_lazy("Nomor usulan warga yang menjadi asal program.")),
            Column("dibuat", INSTANT, gettext_lazy("Waktu program dibuat.")),
            Column("jumlah_komentar", INT, gettext_lazy("Jumlah komentar.")),
            Column("url", TEXT, gettext_lazy("Alamat halaman program.")),
            Column("tahap", TEXT, gettext_lazy("Tahapan: kode tahap (perencanaan, pelaksanaan, monev), status (not_started, running, done), kemajuan dalam persen, tanggal rencana dan realisasi.")),
        ),
    ),
    "uji-publik": Dataset(
        slug="uji-publik",
        title=gettext_lazy("Uji publik beserta hasilnya"),
        description=gettext_lazy(
            "Setiap uji publik yang dipublikasikan. Jumlah tanggapan per sikap diisi setelah uji publik ditutup, "
            "sama seperti di halamannya; selama masih dibuka kolom hasil dikosongkan."
        ),
        date_field=gettext_lazy("tanggal dibuka"),
        filters=("dari", "sampai", "kategori", "satker"),
        rows=consultation_rows,
        notes=gettext_lazy("Uji publik tidak terikat pada satu wilayah, sehingga saringan wilayah tidak berlaku."),
        columns=(
            Column("id", INT, gettext_lazy("Nomor uji publik.")),
            Column("judul", TEXT, gettext_lazy("Judul rancangan.")),
            Column("ringkasan", TEXT, gettext_lazy("Ringkasan rancangan; isi lengkap ada di halamannya.")),
            Column("kategori", TEXT, gettext_lazy("Kategori bidang.")),
            Column("satuan_kerja", TEXT, gettext_lazy("Singkatan satuan kerja penyelenggara.")),
            Column("satuan_kerja_nama", TEXT, gettext_lazy("Nama lengkap satuan kerja penyelenggara.")),
            Column("dibuka", INSTANT, gettext_lazy("Waktu uji publik dibuka.")),
            Column("ditutup", INSTANT, gettext_lazy("Waktu uji publik ditutup.")),
            Column("status", TEXT, gettext_lazy("Kode status: dijadwalkan, dibuka, atau ditutup.")),
            Column("status_keterangan", TEXT, gettext_lazy("Status dalam Bahasa Indonesia.")),
            Column("jumlah_tanggapan", INT, gettext_lazy("Jumlah tanggapan warga (setelah ditutup).")),
            Column("setuju", INT, gettext_lazy("Jumlah tanggapan \"setuju\" (setelah ditutup).")),
            Column("tidak_setuju", INT, gettext_lazy("Jumlah tanggapan \"tidak setuju\" (setelah ditutup).")),
            Column("netral", INT, gettext_lazy("Jumlah tanggapan \"netral\" (setelah ditutup).")),
            Column("tindak_lanjut", TEXT, gettext_lazy("Tindak lanjut dari satuan kerja (boleh kosong).")),
            Column("tindak_lanjut_pada", INSTANT, gettext_lazy("Waktu tindak lanjut ditulis (boleh kosong).")),
            Column("url", TEXT, gettext_lazy("Alamat halaman uji publik.")),
        ),
    ),
}


# --- writers -------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def _csv_safe(value):
    """Stop spreadsheet programs from running a text cell as a formula (CSV injection)."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return "" if value is None else value


BUFFER_CHARS = 64 * 1024  # one write per ~64 KB instead of one per row


def _buffered(pieces: Iterable[str]) -> Iterator[str]:
    """Join small pieces into chunks of about BUFFER_CHARS, so the server writes in few large blocks."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= BUFFER_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _csv_pieces(dataset: Dataset, rows: Iterable[dict]) -> Iterator[str]:
    header = dataset.csv_header()
    writer = csv.writer(_Echo())
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        flat = dataset.flatten(row) if dataset.flatten else row
        yield writer.writerow([_csv_safe(flat[name]) for name in header])


def _json_pieces(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, ensure_ascii=False, cls=DjangoJSONEncoder)
        separator = ",\n"
    yield "\n]\n"


def csv_lines(dataset: Dataset, rows: Iterable[dict]) -> Iterator[str]:
    """The data set as CSV, streamed in chunks of whole lines."""
    return _buffered(_csv_pieces(dataset, rows))


def json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array written element by element: never the whole list in memory."""
    return _buffered(_json_pieces(rows))
