"""Open data of a cycle and the kabupaten priority list for planners (CSV, JSON, XLSX), and an Atom
feed of forum results. Only public proposals appear; no proposer's phone or unconsented name.

Columns are declared once here with their meaning; the cycle page and docs/musrenbang.md show them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musrenbang.funnel import public_members
from musrenbang.models import STAGE_ORDER, Ceiling, Cycle, Decision, Forum, PriorityEntry, Reached, Stage
from participation.models import Proposal
from transparency.exports import Column, Dataset

TEXT = gettext_lazy("teks")
INT = gettext_lazy("bilangan bulat")
BOOL = gettext_lazy("true/false")
CHUNK_SIZE = 2000

CYCLE_COLUMNS = (
    Column("tahun", INT, gettext_lazy("Tahun anggaran siklus.")),
    Column("id_usulan", INT, gettext_lazy("Nomor usulan di portal.")),
    Column("judul", TEXT, gettext_lazy("Judul usulan.")),
    Column("kategori", TEXT, gettext_lazy("Kategori usulan.")),
    Column("satuan_kerja", TEXT, gettext_lazy("Singkatan satuan kerja tujuan.")),
    Column("desa_kelurahan", TEXT, gettext_lazy("Desa/kelurahan asal; kosong untuk usulan tingkat kecamatan.")),
    Column("kecamatan", TEXT, gettext_lazy("Kecamatan yang membahas usulan.")),
    Column("perkiraan_biaya", INT, gettext_lazy("Perkiraan biaya dalam Rupiah menurut pengusul; kosong bila tidak diisi.")),
    Column("dukungan_daring", INT, gettext_lazy("Jumlah dukungan warga di portal saat data diunduh.")),
    Column("input_operator", BOOL, gettext_lazy("true bila usulan dikumpulkan tatap muka dan diinput operator.")),
    Column("posisi", TEXT, gettext_lazy("Tahap terjauh yang dicapai usulan.")),
    Column("berhenti_di", TEXT, gettext_lazy("Tahap yang menghentikan usulan (desa, kecamatan, kabupaten); kosong bila tidak berhenti.")),
    Column("peringkat_desa", INT, gettext_lazy("Peringkat di Musrenbang Desa/Kelurahan.")),
    Column("keputusan_desa", TEXT, gettext_lazy("Keputusan Musrenbang Desa/Kelurahan.")),
    Column("peringkat_kecamatan", INT, gettext_lazy("Peringkat di Musrenbang Kecamatan.")),
    Column("keputusan_kecamatan", TEXT, gettext_lazy("Keputusan Musrenbang Kecamatan.")),
    Column("peringkat_kabupaten", INT, gettext_lazy("Peringkat di Musrenbang Kabupaten.")),
    Column("keputusan_kabupaten", TEXT, gettext_lazy("Keputusan Musrenbang Kabupaten.")),
    Column("menjadi_program", BOOL, gettext_lazy("true bila usulan sudah ditindaklanjuti dalam program kerja.")),
    Column("url", TEXT, gettext_lazy("Alamat halaman usulan.")),
)

KABUPATEN_COLUMNS = (
    Column("peringkat", INT, gettext_lazy("Peringkat di Musrenbang Kabupaten (1 = paling prioritas).")),
    Column("id_usulan", INT, gettext_lazy("Nomor usulan di portal.")),
    Column("judul", TEXT, gettext_lazy("Judul usulan.")),
    Column("uraian", TEXT, gettext_lazy("Uraian usulan.")),
    Column("kategori", TEXT, gettext_lazy("Kategori usulan.")),
    Column("satuan_kerja", TEXT, gettext_lazy("Singkatan perangkat daerah penerima.")),
    Column("satuan_kerja_nama", TEXT, gettext_lazy("Nama lengkap perangkat daerah penerima.")),
    Column("kecamatan", TEXT, gettext_lazy("Kecamatan asal.")),
    Column("desa_kelurahan", TEXT, gettext_lazy("Desa/kelurahan asal; kosong untuk usulan tingkat kecamatan.")),
    Column("lokasi", TEXT, gettext_lazy("Lokasi menurut pengusul.")),
    Column("volume", TEXT, gettext_lazy("Volume menurut pengusul.")),
    Column("perkiraan_biaya", INT, gettext_lazy("Perkiraan biaya (Rupiah) saat forum kabupaten.")),
    Column("keputusan", TEXT, gettext_lazy("Keputusan forum kabupaten: diserahkan ke perangkat daerah, atau alasan berhenti.")),
    Column("keterangan", TEXT, gettext_lazy("Keterangan forum.")),
    Column("jumlah_berjalan_satker", INT, gettext_lazy("Jumlah biaya usulan yang diserahkan ke perangkat daerah yang sama sampai peringkat ini.")),
    Column("pagu_satker", INT, gettext_lazy("Pagu indikatif perangkat daerah; kosong bila tidak ditetapkan.")),
    Column("melebihi_pagu", BOOL, gettext_lazy("true bila jumlah berjalan melebihi pagu indikatif.")),
    Column("peringkat_kecamatan", INT, gettext_lazy("Peringkat di Musrenbang Kecamatan asal.")),
    Column("dukungan_daring", INT, gettext_lazy("Dukungan warga di portal saat forum kabupaten (masukan, bukan keputusan).")),
    Column("url", TEXT, gettext_lazy("Alamat halaman usulan.")),
)


def cycle_rows(cycle: Cycle, absolute_url) -> Iterator[dict]:
    """One row per public proposal of the cycle, with its rank and decision at each stage (two queries)."""
    decisions = dict(Decision.choices)
    reached_labels = dict(Reached.choices)
    ranks: dict[int, dict] = {}
    for cp_id, stage, rank, decision in PriorityEntry.objects.filter(forum__cycle=cycle).values_list(
        "cycle_proposal_id", "forum__stage", "rank", "decision"
    ):
        ranks.setdefault(cp_id, {})[stage] = (rank, decision)
    members = public_members(cycle).values_list(
        "pk", "proposal_id", "proposal__title", "proposal__category__name", "proposal__work_unit__short_name",
        "proposal__region__name", "proposal__region__level", "kecamatan__name", "proposal__estimated_cost",
        "proposal__support_count", "offline__pk", "reached", "stopped_at", "proposal__status",
    ).order_by("kecamatan__name", "proposal_id")
    for (pk, proposal_id, title, category, unit, region_name, region_level, kecamatan, cost, supports, offline_id,
         reached, stopped_at, status) in members.iterator(chunk_size=CHUNK_SIZE):
        stages = ranks.get(pk, {})
        row = {
            "tahun": cycle.year, "id_usulan": proposal_id, "judul": title, "kategori": category, "satuan_kerja": unit,
            "desa_kelurahan": region_name if region_level == 3 else "", "kecamatan": kecamatan or "",
            "perkiraan_biaya": cost, "dukungan_daring": supports, "input_operator": offline_id is not None,
            "posisi": str(reached_labels[reached]), "berhenti_di": stopped_at,
        }
        for stage in STAGE_ORDER:
            rank, decision = stages.get(stage, (None, ""))
            row[f"peringkat_{stage}"] = rank
            row[f"keputusan_{stage}"] = str(decisions[decision]) if decision else ""
        row["menjadi_program"] = status == "accepted"
        row["url"] = absolute_url(f"/usulan/{proposal_id}/")
        yield row


def kabupaten_rows(cycle: Cycle, absolute_url) -> Iterator[dict]:
    """The kabupaten forum's priority list in rank order, with running totals per work unit."""
    forum = Forum.objects.filter(cycle=cycle, stage=Stage.KABUPATEN).first()
    if forum is None:
        return
    ceilings = dict(Ceiling.objects.filter(cycle=cycle, work_unit__isnull=False).values_list("work_unit_id", "amount"))
    kecamatan_ranks = dict(
        PriorityEntry.objects.filter(forum__cycle=cycle, forum__stage=Stage.KECAMATAN).values_list("cycle_proposal_id", "rank")
    )
    entries = (
        PriorityEntry.objects.filter(forum=forum)
        .filter(cycle_proposal__proposal__is_hidden=False, cycle_proposal__proposal__status__in=Proposal.PUBLIC_STATUSES)
        .select_related("cycle_proposal__proposal__category", "cycle_proposal__proposal__work_unit",
                        "cycle_proposal__proposal__region", "cycle_proposal__kecamatan")
        .order_by("rank")
    )
    decisions = dict(Decision.choices)
    totals: dict[int, int] = {}
    for entry in entries:
        proposal = entry.cycle_proposal.proposal
        unit_id = proposal.work_unit_id
        advances = entry.decision == Decision.ADVANCE
        if advances:
            totals[unit_id] = totals.get(unit_id, 0) + (entry.cost or 0)
        ceiling = ceilings.get(unit_id)
        yield {
            "peringkat": entry.rank,
            "id_usulan": proposal.pk,
            "judul": proposal.title,
            "uraian": proposal.description,
            "kategori": proposal.category.name,
            "satuan_kerja": proposal.work_unit.short_name,
            "satuan_kerja_nama": proposal.work_unit.name,
            "kecamatan": entry.cycle_proposal.kecamatan.name if entry.cycle_proposal.kecamatan else "",
            "desa_kelurahan": proposal.region.name if proposal.region.level == 3 else "",
            "lokasi": proposal.location_text,
            "volume": proposal.volume,
            "perkiraan_biaya": entry.cost,
            "keputusan": _("Diserahkan ke perangkat daerah") if advances else str(decisions[entry.decision]),
            "keterangan": entry.note,
            "jumlah_berjalan_satker": totals.get(unit_id, 0) if advances else None,
            "pagu_satker": ceiling,
            "melebihi_pagu": bool(advances and ceiling is not None and totals[unit_id] > ceiling),
            "peringkat_kecamatan": kecamatan_ranks.get(entry.cycle_proposal_id),
            "dukungan_daring": entry.supports,
            "url": absolute_url(f"/usulan/{proposal.pk}/"),
        }


def cycle_dataset(cycle, absolute_url) -> Dataset:
    return Dataset(slug=f"musrenbang-{cycle.year}", title=cycle.title, description="", date_field="", filters=(),
                   columns=CYCLE_COLUMNS, rows=lambda *a: cycle_rows(cycle, absolute_url))


def kabupaten_dataset(cycle, absolute_url) -> Dataset:
    return Dataset(slug=f"prioritas-kabupaten-{cycle.year}", title=cycle.title, description="", date_field="", filters=(),
                   columns=KABUPATEN_COLUMNS, rows=lambda *a: kabupaten_rows(cycle, absolute_url))


def xlsx_bytes(columns, rows, *, title: str) -> bytes:
    """A one-sheet workbook: the column names as a bold, frozen header row, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([column.name for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        values = []
        for column in columns:
            value = row[column.name]
            # Text that starts like a formula stays text (spreadsheet formula injection).
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                value = "'" + value
            values.append(value)
        sheet.append(values)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, min(50, len(column.name) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ForumResultsFeed(Feed):
    """The forums of a cycle whose priority list was recorded, newest change first."""

    feed_type = Atom1Feed
    ITEMS = 30

    def get_object(self, request, year):
        return get_object_or_404(Cycle.objects.public(), year=year)

    def title(self, cycle):
        return _("Hasil forum %(title)s") % {"title": cycle.title}

    def link(self, cycle):
        return cycle.get_absolute_url()

    def subtitle(self, cycle):
        return _("Forum Musrenbang yang mencatat daftar prioritas: tanggal, peserta, dan usulan yang dilanjutkan.")

    def items(self, cycle):
        from django.db.models import Count, Q

        return list(
            Forum.objects.filter(cycle=cycle)
            .select_related("region", "cycle")
            .annotate(ranked=Count("entries"), advanced=Count("entries", filter=Q(entries__decision=Decision.ADVANCE)))
            .filter(ranked__gt=0)
            .order_by("-updated_at", "-pk")[: self.ITEMS]
        )

    def item_title(self, forum):
        return f"{forum.get_stage_display()} {forum.region.name}"

    def item_description(self, forum):
        return escape(
            _("%(day)s, %(place)s. %(people)d peserta. %(ranked)d usulan diperingkat, %(advanced)d dilanjutkan.")
            % {"day": forum.held_on.strftime("%d-%m-%Y"), "place": forum.place, "people": forum.participants_total,
               "ranked": forum.ranked, "advanced": forum.advanced}
        )

    def item_link(self, forum):
        return forum.get_absolute_url()

    def item_pubdate(self, forum):
        return forum.created_at

    def item_updateddate(self, forum):
        return forum.updated_at
