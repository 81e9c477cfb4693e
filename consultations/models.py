"""Public consultations (uji publik): a draft put before the public, their responses and the follow-up.

Open or closed is never stored. It is derived from the clock and the published flag, so a
consultation opens and closes by itself and no scheduled job can be late or forgotten.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from audit.models import ActorRoleHistory
from participation.uploads import random_file_name


class ConsultationQuerySet(models.QuerySet):
    def public(self):
        """What anyone may read: published consultations, whatever their time window."""
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published ones for everyone; drafts too for officials of the owning unit and administrators."""
        from accounts import rights

        if rights.is_administrator(user):
            return self.all()
        unit_ids = rights.work_unit_ids(user)
        if unit_ids:
            return self.filter(models.Q(is_published=True) | models.Q(work_unit_id__in=unit_ids))
        return self.public()

    def open(self, now: datetime | None = None):
        now = now or timezone.now()
        return self.filter(is_published=True, opens_at__lte=now, closes_at__gt=now)

    def scheduled(self, now: datetime | None = None):
        now = now or timezone.now()
        return self.filter(is_published=True, opens_at__gt=now)

    def closed(self, now: datetime | None = None):
        now = now or timezone.now()
        return self.filter(is_published=True, closes_at__lte=now)

    def in_state(self, state: str, now: datetime | None = None):
        """Filter by a derived state; an unknown state matches nothing (fail closed)."""
        now = now or timezone.now()
        if state == Consultation.State.OPEN:
            return self.open(now)
        if state == Consultation.State.SCHEDULED:
            return self.scheduled(now)
        if state == Consultation.State.CLOSED:
            return self.closed(now)
        if state == Consultation.State.DRAFT:
            return self.filter(is_published=False)
        return self.none()

    def in_list_order(self, now: datetime | None = None):
        """Open first (closing soonest first), then scheduled (opening soonest), then closed (newest)."""
        now = now or timezone.now()
        is_open = models.Q(opens_at__lte=now, closes_at__gt=now)
        rank = models.Case(
            models.When(is_open, then=models.Value(0)),
            models.When(opens_at__gt=now, then=models.Value(1)),
            default=models.Value(2),
            output_field=models.IntegerField(),
        )
        ascending = models.Case(
            models.When(is_open, then=models.F("closes_at")),
            models.When(opens_at__gt=now, then=models.F("opens_at")),
            default=None,
            output_field=models.DateTimeField(),
        )
        descending = models.Case(
            models.When(closes_at__lte=now, then=models.F("closes_at")),
            default=None,
            output_field=models.DateTimeField(),
        )
        return self.annotate(state_rank=rank, rank_time_asc=ascending, rank_time_desc=descending).order_by(
            "state_rank", models.F("rank_time_asc").asc(nulls_last=True), models.F("rank_time_desc").desc(nulls_last=True), "-id"
        )

    def search(self, query: str):
        """Full-text search (PostgreSQL `indonesian` config), a plain contains match on SQLite."""
        query = (query or "").strip()
        if not query:
            return self
        from django.db import connection

        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            return self.annotate(search_document=consultation_search_vector()).filter(
                search_document=SearchQuery(query, config="indonesian", search_type="websearch")
            )
        from participation.search import all_words_in

        return self.filter(all_words_in(query, ("title", "summary", "body")))


def consultation_search_vector():
    """The expression the GIN index is built on; queries must use exactly this to hit the index."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", "summary", "body", config="indonesian")


class Consultation(models.Model):
    """A draft plan, regulation or service standard put before the public for a fixed period."""

    class State(models.TextChoices):
        DRAFT = "draf", _("Draf")
        SCHEDULED = "dijadwalkan", _("Dijadwalkan")
        OPEN = "dibuka", _("Dibuka")
        CLOSED = "ditutup", _("Ditutup")

    title = models.CharField(_("judul"), max_length=200)
    summary = models.TextField(_("ringkasan"), max_length=1000)
    body = models.TextField(_("isi rancangan"), max_length=50_000)
    work_unit = models.ForeignKey(
        "accounts.WorkUnit", verbose_name=_("satuan kerja"), on_delete=models.PROTECT, related_name="consultations"
    )
    category = models.ForeignKey(
        "participation.Category", verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="consultations"
    )
    opens_at = models.DateTimeField(_("dibuka pada"))
    closes_at = models.DateTimeField(_("ditutup pada"))
    # Editorial only: whether the public may see it. Open/closed comes from the clock.
    is_published = models.BooleanField(_("dipublikasikan"), default=False)
    published_at = models.DateTimeField(_("tanggal publikasi"), null=True, blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True, max_length=10_000)
    follow_up_at = models.DateTimeField(_("tindak lanjut ditulis"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("dibuat oleh"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept exact by F() updates in the comment service; not part of the history.
    comment_count = models.PositiveIntegerField(_("jumlah komentar"), default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()
    history = HistoricalRecords(bases=[ActorRoleHistory], excluded_fields=["comment_count", "updated_at"])

    class Meta:
        verbose_name = _("uji publik")
        verbose_name_plural = _("uji publik")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["is_published", "opens_at", "closes_at"], name="consultation_window"),
            models.Index(fields=["work_unit", "is_published"], name="consultation_unit"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="consultation_closes_after_opening"),
        ]

    def __str__(self):
        return self.title

    def state(self, now: datetime | None = None) -> str:
        """Draft, scheduled, open or closed at `now` (default: the current time)."""
        if not self.is_published:
            return self.State.DRAFT
        now = now or timezone.now()
        if now < self.opens_at:
            return self.State.SCHEDULED
        if now < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        """Responses are accepted from the opening instant up to, not including, the closing instant."""
        return self.state(now) == self.State.OPEN

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.state(now) == self.State.CLOSED

    def has_opened(self, now: datetime | None = None) -> bool:
        """Published and past its opening time (open now, or already closed)."""
        return self.state(now) in (self.State.OPEN, self.State.CLOSED)

    @property
    def has_follow_up(self) -> bool:
        return bool(self.follow_up.strip())

    def countdown(self, now: datetime | None = None) -> str:
        """'ditutup dalam 3 hari' style text for the list; empty once closed."""
        now = now or timezone.now()
        state = self.state(now)
        if state == self.State.OPEN:
            return _("ditutup dalam %(time)s") % {"time": _duration(self.closes_at - now)}
        if state == self.State.SCHEDULED:
            return _("dibuka dalam %(time)s") % {"time": _duration(self.opens_at - now)}
        return ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("consultations:detail", args=[self.pk])


def _duration(delta) -> str:
    """A rounded-up human duration: '3 hari', '5 jam', '20 menit'."""
    seconds = max(delta.total_seconds(), 0)
    if seconds >= 86_400:
        days = math.ceil(seconds / 86_400)
        return ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days}
    if seconds >= 3_600:
        hours = math.ceil(seconds / 3_600)
        return ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
    minutes = max(math.ceil(seconds / 60), 1)
    return ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes}


def document_path(instance, filename):
    return random_file_name("consultations", filename)


class ConsultationDocument(models.Model):
    """A PDF of the draft under consultation; served only through a view that checks visibility."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("judul dokumen"), max_length=200, blank=True)
    file = models.FileField(_("berkas PDF"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200, editable=False)
    mime_type = models.CharField(max_length=50, editable=False, default="application/pdf")
    size = models.PositiveIntegerField(_("ukuran (byte)"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(bases=[ActorRoleHistory])

    class Meta:
        verbose_name = _("dokumen uji publik")
        verbose_name_plural = _("dokumen uji publik")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title or self.original_name

    @property
    def label(self) -> str:
        return self.title or self.original_name


class ResponseQuerySet(models.QuerySet):
    def shown_publicly(self):
        """Responses whose comment appears on the public page: with text, not hidden by a moderator."""
        return self.filter(is_hidden=False).exclude(comment="")


class Response(models.Model):
    """One citizen's position on one consultation; the database refuses a second."""

    class Position(models.TextChoices):
        AGREE = "setuju", _("Setuju")
        DISAGREE = "tidak_setuju", _("Tidak setuju")
        NEUTRAL = "netral", _("Netral")

    COMMENT_MAX_LENGTH = 5000

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    # SET_NULL: when an account is deleted its position still counts, without a name.
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("warga"), on_delete=models.SET_NULL, null=True, related_name="consultation_responses"
    )
    position = models.CharField(_("sikap"), max_length=20, choices=Position.choices)
    comment = models.TextField(_("komentar"), blank=True, max_length=COMMENT_MAX_LENGTH)
    is_hidden = models.BooleanField(_("komentar disembunyikan moderator"), default=False)
    hidden_reason = models.CharField(_("alasan disembunyikan"), max_length=500, blank=True)
    # Set by the services from the same clock reading that found the consultation open.
    created_at = models.DateTimeField(_("dikirim"), default=timezone.now)
    updated_at = models.DateTimeField(_("diubah"), default=timezone.now)

    objects = ResponseQuerySet.as_manager()
    history = HistoricalRecords(bases=[ActorRoleHistory])

    class Meta:
        verbose_name = _("tanggapan")
        verbose_name_plural = _("tanggapan")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "author"], name="one_response_per_citizen"),
            models.CheckConstraint(
                condition=models.Q(position__in=["setuju", "tidak_setuju", "netral"]), name="response_known_position"
            ),
        ]
        indexes = [models.Index(fields=["consultation", "position"], name="response_position")]

    def __str__(self):
        return f"{self.get_position_display()} ({self.consultation_id})"

    @property
    def was_changed(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 1


class ResponseReply(models.Model):
    """An official's reply to one response, shown under it on the public page."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="replies")
    # The unit answers, not the person: the public page names the unit.
    work_unit = models.ForeignKey("accounts.WorkUnit", verbose_name=_("satuan kerja"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("accounts.User", verbose_name=_("petugas"), on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("balasan"), max_length=5000)
    created_at = models.DateTimeField(_("ditulis"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("balasan tanggapan")
        verbose_name_plural = _("balasan tanggapan")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]
