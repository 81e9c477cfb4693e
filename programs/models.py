"""Work programs (program kerja), their three phases, progress updates, documents and ratings.

Rules that need no database live here as pure methods (`Phase.check_start`, `Phase.check_complete`,
`Program.allows`); `programs.services` locks, saves, audits. Nothing else changes a phase's status.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import ActorRoleHistory
from participation.models import StoredFile
from participation.uploads import random_file_name
from programs.exceptions import InvalidPhaseMove

MIN_FISCAL_YEAR = 2000
MAX_FISCAL_YEAR = 2100
MAX_BUDGET = 10**15  # one quadrillion Rupiah: far above any regional budget, far below BIGINT


class Stage(models.TextChoices):
    """Where a program stands: the first phase not yet done, or finished when all are."""

    PERENCANAAN = "perencanaan", _("Perencanaan")
    PELAKSANAAN = "pelaksanaan", _("Pelaksanaan")
    MONEV = "monev", _("Monitoring & Evaluasi")
    SELESAI = "selesai", _("Selesai")


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every program is public: it is built from published proposals and reported in the open."""
        return self.all()

    def editable_by(self, user):
        """Programs of the work units the user acts for (administrators: all)."""
        from accounts import rights

        if rights.is_administrator(user):
            return self.all()
        return self.filter(work_unit_id__in=rights.work_unit_ids(user))

    def with_stage(self):
        """Annotate `current_order`: the order of the first phase not done (NULL when all are done)."""
        first_open = (
            Phase.objects.filter(program=OuterRef("pk"))
            .exclude(status=Phase.Status.DONE)
            .order_by("order")
            .values("order")[:1]
        )
        return self.annotate(current_order=Subquery(first_open))

    def in_stage(self, stage: str):
        """Programs whose current stage is `stage` (call after `with_stage`)."""
        if stage == Stage.SELESAI:
            return self.filter(current_order__isnull=True)
        return self.filter(current_order=Phase.ORDER_BY_KIND[stage])

    def with_list_data(self):
        return self.select_related("work_unit", "category", "region", "region__parent").prefetch_related("phases")


class Program(models.Model):
    """A work program of one work unit, built from citizens' proposals and followed phase by phase."""

    title = models.CharField(_("judul program"), max_length=200)
    description = models.TextField(_("uraian"), max_length=10_000)
    work_unit = models.ForeignKey(
        "accounts.WorkUnit", verbose_name=_("satuan kerja"), on_delete=models.PROTECT, related_name="programs"
    )
    category = models.ForeignKey(
        "participation.Category", verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="programs"
    )
    region = models.ForeignKey(
        "participation.Region",
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
    )
    budget = models.PositiveBigIntegerField(_("anggaran (Rp)"), validators=[MaxValueValidator(MAX_BUDGET)])
    fiscal_year = models.PositiveSmallIntegerField(
        _("tahun anggaran"), validators=[MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)]
    )
    source_proposals = models.ManyToManyField(
        "participation.Proposal", verbose_name=_("usulan asal"), related_name="programs", blank=True
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("dibuat oleh"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept exact by F() updates in the comment service; excluded from history so a comment writes no row.
    comment_count = models.PositiveIntegerField(_("jumlah komentar"), default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = ProgramQuerySet.as_manager()
    history = HistoricalRecords(bases=[ActorRoleHistory], excluded_fields=["comment_count", "updated_at", "created_by"])

    class Meta:
        verbose_name = _("program kerja")
        verbose_name_plural = _("program kerja")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["work_unit", "-created_at"], name="program_unit_newest"),
            models.Index(fields=["fiscal_year"], name="program_fiscal_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR, fiscal_year__lte=MAX_FISCAL_YEAR),
                name="program_fiscal_year_range",
            ),
            models.CheckConstraint(condition=Q(budget__lte=MAX_BUDGET), name="program_budget_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programs:program_detail", args=[self.pk])

    # The phase helpers read prefetched phases when the caller loaded them (`with_list_data`).
    @property
    def phase_list(self) -> list[Phase]:
        return sorted(self.phases.all(), key=lambda phase: phase.order)

    @property
    def phase_signature(self) -> tuple:
        """What the phase steps show (status, progress): part of a cached card's key (config/fragments.py)."""
        return tuple((phase.pk, phase.status, phase.progress) for phase in self.phase_list)

    @property
    def current_phase(self) -> Phase | None:
        """The first phase not yet done; None once Monitoring & Evaluasi is done."""
        return next((phase for phase in self.phase_list if phase.status != Phase.Status.DONE), None)

    @property
    def running_phase(self) -> Phase | None:
        return next((phase for phase in self.phase_list if phase.status == Phase.Status.RUNNING), None)

    @property
    def stage(self) -> str:
        current = self.current_phase
        return current.kind if current is not None else Stage.SELESAI

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def overall_progress(self) -> int:
        phases = self.phase_list
        if not phases:
            return 0
        return round(sum(phase.progress for phase in phases) / len(phases))

    def allows(self, feature: str) -> bool:
        """Whether the running phase enables a feature (see `Phase.ALLOWS`)."""
        running = self.running_phase
        return running is not None and feature in Phase.ALLOWS.get(running.kind, set())


class Phase(models.Model):
    """One of a program's three phases, in fixed order; only the services change its status."""

    class Kind(models.TextChoices):
        PERENCANAAN = "perencanaan", _("Perencanaan")
        PELAKSANAAN = "pelaksanaan", _("Pelaksanaan")
        MONEV = "monev", _("Monitoring & Evaluasi")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Belum dimulai")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")

    ORDER_BY_KIND = {Kind.PERENCANAAN: 1, Kind.PELAKSANAAN: 2, Kind.MONEV: 3}
    # What each phase opens to citizens while it runs; read by programs.rules.
    ALLOWS = {Kind.MONEV: {"rate"}}

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="phases", verbose_name=_("program"))
    kind = models.CharField(_("tahap"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("urutan"))
    description = models.TextField(_("keterangan"), blank=True, max_length=3000)
    planned_start = models.DateField(_("rencana mulai"), null=True, blank=True)
    planned_end = models.DateField(_("rencana selesai"), null=True, blank=True)
    actual_start = models.DateField(_("mulai"), null=True, blank=True)
    actual_end = models.DateField(_("selesai"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("kemajuan (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    history = HistoricalRecords(bases=[ActorRoleHistory])

    class Meta:
        verbose_name = _("tahap program")
        verbose_name_plural = _("tahap program")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="one_phase_of_each_kind"),
            models.UniqueConstraint(fields=["program", "order"], name="one_phase_per_order"),
            models.UniqueConstraint(
                fields=["program"], condition=Q(status="running"), name="one_running_phase_per_program"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="phase_progress_0_100"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="phase_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="not_started", actual_start__isnull=True, actual_end__isnull=True)
                    | Q(status="running", actual_start__isnull=False, actual_end__isnull=True)
                    | Q(status="done", actual_start__isnull=False, actual_end__gte=F("actual_start"))
                ),
                name="phase_actual_dates_match_status",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.program_id}"

    def clean(self):
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("Rencana selesai tidak boleh sebelum rencana mulai.")})

    def check_start(self, *, on: datetime.date, today: datetime.date, previous: Phase | None) -> None:
        """Raise InvalidPhaseMove unless this phase may start on `on`; `previous` is the phase before it."""
        if self.status != self.Status.NOT_STARTED:
            raise InvalidPhaseMove(_("Tahap ini sudah dimulai."))
        if previous is not None and previous.status != self.Status.DONE:
            raise InvalidPhaseMove(
                _("Tahap %(phase)s baru dapat dimulai setelah tahap %(previous)s selesai.")
                % {"phase": self.get_kind_display(), "previous": previous.get_kind_display()}
            )
        if on > today:
            raise InvalidPhaseMove(_("Tanggal mulai tidak boleh di masa depan."))
        if previous is not None and previous.actual_end and on < previous.actual_end:
            raise InvalidPhaseMove(_("Tanggal mulai tidak boleh sebelum tahap sebelumnya selesai."))

    def check_complete(self, *, on: datetime.date, today: datetime.date) -> None:
        """Raise InvalidPhaseMove unless this running phase may be completed on `on`."""
        if self.status != self.Status.RUNNING:
            raise InvalidPhaseMove(_("Hanya tahap yang sedang berjalan yang dapat diselesaikan."))
        if on > today:
            raise InvalidPhaseMove(_("Tanggal selesai tidak boleh di masa depan."))
        if on < self.actual_start:
            raise InvalidPhaseMove(_("Tanggal selesai tidak boleh sebelum tanggal mulai tahap."))

    def check_progress(self, progress: int) -> None:
        """Progress moves only while the phase runs; it is 0 before and 100 after."""
        if not 0 <= progress <= 100:
            raise InvalidPhaseMove(_("Kemajuan harus antara 0 dan 100 persen."))
        if progress != self.progress and self.status != self.Status.RUNNING:
            raise InvalidPhaseMove(_("Kemajuan hanya dapat diubah saat tahap sedang berjalan."))

    @property
    def status_badge(self) -> str:
        return {self.Status.RUNNING: "badge-amber", self.Status.DONE: "badge-green"}.get(self.status, "")


def program_file_path(instance, filename):
    return random_file_name("program-files", filename)


class ProgressUpdate(models.Model):
    """A dated report on a phase (laporan kemajuan), written by an official of the program's unit."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="updates", verbose_name=_("tahap"))
    date = models.DateField(_("tanggal"))
    body = models.TextField(_("laporan"), max_length=5000)
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("penulis"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    history = HistoricalRecords(bases=[ActorRoleHistory])

    class Meta:
        verbose_name = _("laporan kemajuan")
        verbose_name_plural = _("laporan kemajuan")
        ordering = ["-date", "-created_at", "-id"]
        indexes = [models.Index(fields=["phase", "-date"], name="progress_update_phase_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} · {self.body[:60]}"


class ProgramDocument(StoredFile):
    """A photo or PDF attached to a progress update; served only through a view that checks rights."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("berkas"), upload_to=program_file_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dokumen program")
        verbose_name_plural = _("dokumen program")
        ordering = ["created_at", "id"]


class Rating(models.Model):
    """A verified citizen's satisfaction score (1-5) for a program in Monitoring & Evaluasi; one each."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="program_ratings")
    score = models.PositiveSmallIntegerField(_("nilai"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("penilaian")
        verbose_name_plural = _("penilaian")
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="one_rating_per_citizen"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_5"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.program_id}: {self.score}"
