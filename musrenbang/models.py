"""Musrenbang: the yearly planning cycle from desa/kelurahan to kabupaten, kept as a public record.

A `Cycle` (one per budget year) has three stage windows. Proposals submitted while it collects
join it (`CycleProposal`); at each stage a `Forum` per region ranks the region's proposals in a
priority list (`PriorityEntry`): advance to the next stage, or an outcome with a reason.
`OfflineEntry` records proposals an operator entered on behalf of a citizen without an account.
Rules that need no database live here; `musrenbang.services` locks, checks rights, saves, audits.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participation.models import Region, StoredFile
from participation.uploads import random_file_name

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_AMOUNT = 10**15  # same bound as program budgets: far above any regional budget, far below BIGINT
MAX_PARTICIPANTS = 100_000


class Stage(models.TextChoices):
    DESA = "desa", _("Musrenbang Desa/Kelurahan")
    KECAMATAN = "kecamatan", _("Musrenbang Kecamatan")
    KABUPATEN = "kabupaten", _("Musrenbang Kabupaten")


STAGE_ORDER = [Stage.DESA, Stage.KECAMATAN, Stage.KABUPATEN]
STAGE_INDEX = {stage: index for index, stage in enumerate(STAGE_ORDER)}
REGION_LEVEL = {Stage.DESA: Region.Level.DESA, Stage.KECAMATAN: Region.Level.KECAMATAN, Stage.KABUPATEN: Region.Level.KABUPATEN}
STAGE_OF_LEVEL = {level: stage for stage, level in REGION_LEVEL.items()}


class Reached(models.IntegerChoices):
    """How far a proposal got: the stage whose forum weighs it now, or the hand-over to its work unit."""

    DESA = 0, _("Menunggu Musrenbang Desa/Kelurahan")
    KECAMATAN = 1, _("Dibahas di Musrenbang Kecamatan")
    KABUPATEN = 2, _("Dibahas di Musrenbang Kabupaten")
    HANDED = 3, _("Diserahkan ke perangkat daerah")


class CycleQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_published=True)

    def collecting_on(self, day: datetime.date):
        """Published cycles that take new proposals on `day` (from the start until the desa stage ends)."""
        return self.public().filter(collect_start__lte=day, desa_end__gte=day)


class Cycle(models.Model):
    """One year's planning cycle (e.g. "Musrenbang RKPD 2028"), created by administrators."""

    year = models.PositiveSmallIntegerField(
        _("tahun anggaran"), unique=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    title = models.CharField(_("judul"), max_length=150, help_text=_("Misalnya: Musrenbang RKPD 2028"))
    intro = models.TextField(_("pengantar"), blank=True, max_length=3000)
    collect_start = models.DateField(_("usulan mulai dikumpulkan"))
    desa_start = models.DateField(_("Musrenbang Desa/Kelurahan mulai"))
    desa_end = models.DateField(_("Musrenbang Desa/Kelurahan selesai"))
    kecamatan_start = models.DateField(_("Musrenbang Kecamatan mulai"))
    kecamatan_end = models.DateField(_("Musrenbang Kecamatan selesai"))
    kabupaten_start = models.DateField(_("Musrenbang Kabupaten mulai"))
    kabupaten_end = models.DateField(_("Musrenbang Kabupaten selesai"))
    is_published = models.BooleanField(_("tampil untuk publik"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("siklus Musrenbang")
        verbose_name_plural = _("siklus Musrenbang")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(collect_start__lte=models.F("desa_start"))
                & Q(desa_start__lte=models.F("desa_end"))
                & Q(desa_end__lt=models.F("kecamatan_start"))
                & Q(kecamatan_start__lte=models.F("kecamatan_end"))
                & Q(kecamatan_end__lt=models.F("kabupaten_start"))
                & Q(kabupaten_start__lte=models.F("kabupaten_end")),
                name="cycle_stages_in_order",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("musrenbang:cycle", args=[self.year])

    def clean(self):
        dates = [self.collect_start, self.desa_start, self.desa_end, self.kecamatan_start, self.kecamatan_end,
                 self.kabupaten_start, self.kabupaten_end]
        if any(day is None for day in dates):
            return
        ordered = (
            self.collect_start <= self.desa_start <= self.desa_end < self.kecamatan_start <= self.kecamatan_end
            < self.kabupaten_start <= self.kabupaten_end
        )
        if not ordered:
            raise ValidationError(
                _("Urutan tanggal tidak runtut: pengumpulan usulan, lalu Musrenbang Desa/Kelurahan, Kecamatan, dan "
                  "Kabupaten, masing-masing dimulai setelah tahap sebelumnya selesai.")
            )

    def window(self, stage: str) -> tuple[datetime.date, datetime.date]:
        return getattr(self, f"{stage}_start"), getattr(self, f"{stage}_end")

    def stage_open(self, stage: str, day: datetime.date) -> bool:
        start, end = self.window(stage)
        return start <= day <= end

    def collecting(self, day: datetime.date) -> bool:
        return self.is_published and self.collect_start <= day <= self.desa_end

    def current_stage(self, day: datetime.date) -> str | None:
        for stage in STAGE_ORDER:
            if self.stage_open(stage, day):
                return stage
        return None

    def phase_label(self, day: datetime.date) -> str:
        """One line for the public: where the cycle stands today."""
        stage = self.current_stage(day)
        if stage:
            return _("Sedang berlangsung: %(stage)s") % {"stage": Stage(stage).label}
        if day < self.collect_start:
            return _("Belum dimulai")
        if day < self.desa_start:
            return _("Pengumpulan usulan")
        if day > self.kabupaten_end:
            return _("Selesai")
        return _("Jeda antartahap")


class Ceiling(models.Model):
    """A pagu indikatif: the indicative budget ceiling of one kecamatan or one work unit in a cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="ceilings", verbose_name=_("siklus"))
    kecamatan = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kecamatan"),
        limit_choices_to={"level": Region.Level.KECAMATAN},
    )
    work_unit = models.ForeignKey(
        "accounts.WorkUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("satuan kerja")
    )
    amount = models.BigIntegerField(
        _("pagu indikatif (Rp)"),
        validators=[
            MinValueValidator(0, message=_("Pagu indikatif tidak boleh kurang dari nol.")),
            MaxValueValidator(MAX_AMOUNT),
        ],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pagu indikatif")
        verbose_name_plural = _("pagu indikatif")
        ordering = ["cycle", "kecamatan__name", "work_unit__short_name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0, amount__lte=MAX_AMOUNT), name="ceiling_amount_range"),
            models.CheckConstraint(
                condition=Q(kecamatan__isnull=True, work_unit__isnull=False) | Q(kecamatan__isnull=False, work_unit__isnull=True),
                name="ceiling_for_kecamatan_or_unit",
            ),
            models.UniqueConstraint(fields=["cycle", "kecamatan"], condition=Q(kecamatan__isnull=False), name="one_ceiling_per_kecamatan"),
            models.UniqueConstraint(fields=["cycle", "work_unit"], condition=Q(work_unit__isnull=False), name="one_ceiling_per_unit"),
        ]

    def __str__(self):
        return f"{self.kecamatan or self.work_unit}: {self.amount}"

    def clean(self):
        if (self.kecamatan_id is None) == (self.work_unit_id is None):
            raise ValidationError(_("Isi kecamatan atau satuan kerja, salah satu saja."))
        if self.kecamatan_id and self.kecamatan.level != Region.Level.KECAMATAN:
            raise ValidationError({"kecamatan": _("Pilih wilayah tingkat kecamatan.")})


class OperatorAssignment(models.Model):
    """An operator's region: creating or deleting it grants or revokes the right to record its forums.

    A region covers the regions under it (an operator of a kecamatan also serves its desa)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_assignments", verbose_name=_("operator"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="operator_assignments", verbose_name=_("wilayah"))
    created_at = models.DateTimeField(_("sejak"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("operator Musrenbang")
        verbose_name_plural = _("operator Musrenbang")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="one_assignment_per_region")]

    def __str__(self):
        return f"{self.user} @ {self.region}"


class CycleProposal(models.Model):
    """A proposal's place in a cycle: which kecamatan weighs it and how far it got."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("siklus"))
    proposal = models.OneToOneField(
        "participation.Proposal", on_delete=models.CASCADE, related_name="musrenbang", verbose_name=_("usulan")
    )
    kecamatan = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kecamatan"))
    entry = models.PositiveSmallIntegerField(_("masuk di tahap"), choices=Reached.choices, default=Reached.DESA)
    reached = models.PositiveSmallIntegerField(_("posisi"), choices=Reached.choices, default=Reached.DESA, db_index=True)
    # The stage whose forum stopped it (outcome other than advancing); empty while it moves on.
    stopped_at = models.CharField(_("berhenti di"), max_length=10, choices=Stage.choices, blank=True)
    joined_at = models.DateTimeField(_("masuk siklus"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("usulan dalam siklus")
        verbose_name_plural = _("usulan dalam siklus")
        indexes = [models.Index(fields=["cycle", "kecamatan", "reached"], name="cycle_proposal_funnel")]

    def __str__(self):
        return f"{self.cycle.year}: {self.proposal_id}"


class ForumQuerySet(models.QuerySet):
    def with_page_data(self):
        return self.select_related("cycle", "region", "region__parent")


class Forum(models.Model):
    """One Musrenbang forum: a region at a stage, with its participants, minutes and priority list."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="forums", verbose_name=_("siklus"))
    stage = models.CharField(_("tahap"), max_length=10, choices=Stage.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="musrenbang_forums", verbose_name=_("wilayah"))
    held_on = models.DateField(_("tanggal pelaksanaan"))
    place = models.CharField(_("tempat"), max_length=200)
    chair = models.CharField(_("pimpinan sidang"), max_length=150)
    participants_male = models.PositiveIntegerField(_("peserta laki-laki"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)])
    participants_female = models.PositiveIntegerField(_("peserta perempuan"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)])
    participants_youth = models.PositiveIntegerField(_("di antaranya pemuda"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)])
    participants_elderly = models.PositiveIntegerField(_("di antaranya lansia"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)])
    participants_disability = models.PositiveIntegerField(
        _("di antaranya penyandang disabilitas"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)]
    )
    participants_leaders = models.PositiveIntegerField(
        _("di antaranya tokoh masyarakat/agama/adat"), default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)]
    )
    summary = models.TextField(_("ringkasan hasil"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = ForumQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("forum Musrenbang")
        verbose_name_plural = _("forum Musrenbang")
        ordering = ["cycle", "stage", "region__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "stage", "region"], name="one_forum_per_region_and_stage")]
        indexes = [models.Index(fields=["cycle", "-updated_at"], name="forum_cycle_recent")]

    def __str__(self):
        return f"{self.get_stage_display()} {self.region.name} {self.cycle.year}"

    def get_absolute_url(self):
        return reverse("musrenbang:forum", args=[self.cycle.year, self.pk])

    @property
    def participants_total(self) -> int:
        return self.participants_male + self.participants_female


def forum_document_path(instance, filename):
    return random_file_name("musrenbang", filename)


class ForumDocument(StoredFile):
    """The forum's minutes (berita acara, PDF, public) or the photo of its attendance list (not public:
    it carries names and signatures)."""

    class Role(models.TextChoices):
        MINUTES = "minutes", _("Berita acara")
        ATTENDANCE = "attendance", _("Foto daftar hadir")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="documents")
    role = models.CharField(_("jenis dokumen"), max_length=12, choices=Role.choices)
    file = models.FileField(_("berkas"), upload_to=forum_document_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dokumen forum")
        verbose_name_plural = _("dokumen forum")
        constraints = [models.UniqueConstraint(fields=["forum", "role"], name="one_document_per_role")]


class Decision(models.TextChoices):
    ADVANCE = "advance", _("Dilanjutkan ke tahap berikutnya")
    VILLAGE_FUND = "village_fund", _("Ditangani dengan Dana Desa")
    NOT_KABUPATEN = "not_kabupaten", _("Bukan kewenangan kabupaten")
    MERGED = "merged", _("Digabung dengan usulan lain")
    POSTPONED = "postponed", _("Ditunda")
    DECLINED = "declined", _("Tidak disetujui forum")


class PriorityEntry(models.Model):
    """One line of a forum's priority list: the proposal's rank and what the forum decided."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="entries")
    cycle_proposal = models.ForeignKey(CycleProposal, on_delete=models.CASCADE, related_name="entries")
    rank = models.PositiveSmallIntegerField(_("peringkat"), validators=[MinValueValidator(1)])
    decision = models.CharField(_("keputusan"), max_length=20, choices=Decision.choices)
    note = models.CharField(_("keterangan"), max_length=500, blank=True)
    # What the forum saw: the estimate and the online supports at the time (input, never the decision).
    cost = models.PositiveBigIntegerField(_("perkiraan biaya (Rp)"), null=True, blank=True)
    supports = models.PositiveIntegerField(_("dukungan daring saat forum"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baris daftar prioritas")
        verbose_name_plural = _("daftar prioritas")
        ordering = ["forum", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "rank"], name="one_proposal_per_rank"),
            models.UniqueConstraint(fields=["forum", "cycle_proposal"], name="one_rank_per_proposal"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="rank_from_one"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.cycle_proposal_id}"

    @property
    def advances(self) -> bool:
        return self.decision == Decision.ADVANCE


class OfflineEntry(models.Model):
    """Provenance of a proposal an operator entered for a citizen without an account.

    The phone number is never published; the name only with consent. The claim code is kept as a
    keyed digest, so a database leak reveals no usable code."""

    cycle_proposal = models.OneToOneField(CycleProposal, on_delete=models.CASCADE, related_name="offline")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("operator"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah operator"))
    source = models.CharField(_("dikumpulkan pada"), max_length=10, choices=Stage.choices, default=Stage.DESA)
    gathered_on = models.DateField(_("tanggal"))
    proposer_name = models.CharField(_("nama pengusul"), max_length=150)
    name_consent = models.BooleanField(_("pengusul setuju namanya ditampilkan"), default=False)
    proposer_phone = models.CharField(_("nomor telepon pengusul (tidak dipublikasikan)"), max_length=20, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    claim_code_digest = models.CharField(max_length=64, unique=True, editable=False)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(_("diklaim"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["proposer_phone", "phone_digits", "claim_code_digest"])

    class Meta:
        verbose_name = _("usulan tatap muka")
        verbose_name_plural = _("usulan tatap muka")

    def __str__(self):
        return f"{self.proposer_name} ({self.region})"

    @property
    def public_proposer(self) -> str:
        return self.proposer_name if self.name_consent else _("Warga (nama tidak ditampilkan)")
