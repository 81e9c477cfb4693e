from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import ActorRoleHistory
from participation.exceptions import InvalidTransition


class Category(models.Model):
    """A policy area (Infrastruktur, Pendidikan, ...) shared by proposals, programs and consultations."""

    name = models.CharField(_("nama"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("deskripsi"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("aktif"), default=True)
    # Where a citizen's proposal goes when they do not know which unit handles it.
    default_work_unit = models.ForeignKey(
        "accounts.WorkUnit",
        verbose_name=_("satuan kerja penanggung jawab"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_for_categories",
        help_text=_("Usulan kategori ini yang tidak memilih satuan kerja diteruskan ke sini."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def handling_unit(self):
        """The unit that takes proposals of this category by default, or None when it has none
        (never set, deleted, or no longer active)."""
        unit = self.default_work_unit
        return unit if unit is not None and unit.is_active else None

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)


class Region(models.Model):
    """An administrative area: kabupaten/kota > kecamatan > desa/kelurahan, keyed by its official code."""

    class Level(models.IntegerChoices):
        KABUPATEN = 1, _("Kabupaten/Kota")
        KECAMATAN = 2, _("Kecamatan")
        DESA = 3, _("Desa/Kelurahan")

    code = models.CharField(_("kode wilayah"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            )
        ]

    def __str__(self):
        if self.level == self.Level.DESA and self.parent_id and "parent" in self._state.fields_cache:
            return f"{self.name}, {self.parent.name}"
        return self.name


class ProposalQuerySet(models.QuerySet):
    def public(self):
        """What anyone may read: published or answered, and not hidden by a moderator."""
        return self.filter(status__in=Proposal.PUBLIC_STATUSES, is_hidden=False)

    def visible_to(self, user):
        """Public proposals, plus every proposal of the author's own, plus all for moderators."""
        from accounts import rights

        if rights.is_moderator(user):
            return self.all()
        visible = models.Q(status__in=Proposal.PUBLIC_STATUSES, is_hidden=False)
        if getattr(user, "is_authenticated", False) and user.is_active:
            visible |= models.Q(author=user)
            unit_ids = rights.work_unit_ids(user)
            if unit_ids:
                # Officials also see submitted, hidden and answered items addressed to their unit.
                visible |= models.Q(work_unit_id__in=unit_ids) & ~models.Q(status=Proposal.Status.DRAFT)
        return self.filter(visible)

    def with_list_data(self):
        return self.select_related("category", "work_unit", "region", "author")

    def with_cover_photo(self):
        """Each proposal's first displayable photo for its card (`cover_id`, `cover_renditions`),
        read in the same query as the list."""
        photos = Attachment.objects.filter(proposal=models.OuterRef("pk"), kind=StoredFile.Kind.IMAGE)
        first = photos.exclude(renditions=[]).order_by("created_at", "id")
        return self.annotate(
            cover_id=models.Subquery(first.values("pk")[:1]),
            cover_renditions=models.Subquery(first.values("renditions")[:1], output_field=models.JSONField()),
        )

    def search(self, query: str):
        """Full-text search: PostgreSQL's `indonesian` stemming, a plain contains match on SQLite."""
        query = query.strip()
        if not query:
            return self
        from django.db import connection

        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            return self.annotate(search_match=stored_search_document()).filter(
                search_match=SearchQuery(query, config="indonesian", search_type="websearch")
            )
        from participation.search import all_words_in

        return self.filter(all_words_in(query, ("title", "description")))


class _StoredSearchDocument(models.Expression):
    """The generated `search_document` column (PostgreSQL only, migration 0006), GIN-indexed.

    Not a model field, so SQLite keeps the same model. It is named through the alias of the
    query being compiled, so it also works inside subqueries (where the table is `U0`).
    """

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f'{compiler.quote_name_unless_alias(alias)}."search_document"', []


def stored_search_document():
    from django.contrib.postgres.search import SearchVectorField

    return _StoredSearchDocument(output_field=SearchVectorField())


class Proposal(models.Model):
    """A citizen's proposal for a work program (usulan program kerja)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu moderasi")
        PUBLISHED = "published", _("Dipublikasikan")
        UNDER_REVIEW = "under_review", _("Sedang dikaji")
        REJECTED = "rejected", _("Ditolak moderator")
        ACCEPTED = "accepted", _("Diterima")
        DECLINED = "declined", _("Ditolak")
        WITHDRAWN = "withdrawn", _("Ditarik pengusul")

    # Each status maps to the statuses that may follow it; nothing else moves a proposal.
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN},
        Status.PUBLISHED: {Status.UNDER_REVIEW, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        # The author may reopen a rejected proposal to fix and resubmit it (a limited number of times).
        Status.REJECTED: {Status.DRAFT},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.UNDER_REVIEW, Status.ACCEPTED, Status.DECLINED)
    # Public and still waiting for the unit's decision (accept into a program, or decline).
    OPEN_STATUSES = (Status.PUBLISHED, Status.UNDER_REVIEW)
    EDITABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED)

    title = models.CharField(_("judul"), max_length=150)
    description = models.TextField(_("uraian"), max_length=10_000)
    category = models.ForeignKey(Category, verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="proposals")
    work_unit = models.ForeignKey(
        "accounts.WorkUnit", verbose_name=_("satuan kerja tujuan"), on_delete=models.PROTECT, related_name="proposals"
    )
    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="proposals")
    location_text = models.CharField(_("lokasi"), max_length=200, blank=True)
    estimated_cost = models.PositiveBigIntegerField(_("perkiraan biaya (Rp)"), null=True, blank=True)
    volume = models.CharField(_("volume"), max_length=100, blank=True)
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("pengusul"), on_delete=models.SET_NULL, null=True, related_name="proposals"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(_("status diubah"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    published_at = models.DateTimeField(_("dipublikasikan"), null=True, blank=True, db_index=True)
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True, max_length=2000)
    # How often the author reopened it after a rejection; the latest reason stays in rejection_reason
    # so the moderation queue can show what was asked for.
    resubmission_count = models.PositiveSmallIntegerField(_("jumlah pengajuan ulang"), default=0)
    official_answer = models.TextField(_("jawaban resmi"), blank=True, max_length=5000)
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("dijawab oleh"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The unit's first response (a written answer or the acceptance into a program), kept when the
    # answer is amended later: the statistics' response times start from here.
    first_answered_at = models.DateTimeField(_("pertama dijawab"), null=True, blank=True)
    is_hidden = models.BooleanField(_("disembunyikan"), default=False)
    hidden_reason = models.CharField(_("alasan disembunyikan"), max_length=500, blank=True)
    # Counters kept exact by F() updates in the same transaction as the row they count.
    support_count = models.PositiveIntegerField(_("jumlah dukungan"), default=0)
    comment_count = models.PositiveIntegerField(_("jumlah komentar"), default=0)
    # Lets a double-clicked submit create one proposal, not two.
    submission_token = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = ProposalQuerySet.as_manager()
    history = HistoricalRecords(bases=[ActorRoleHistory], excluded_fields=["support_count", "comment_count", "submission_token", "updated_at"])

    class Meta:
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "is_hidden", "-published_at"], name="proposal_public_newest"),
            models.Index(fields=["status", "is_hidden", "-support_count"], name="proposal_public_supported"),
            models.Index(fields=["status", "is_hidden", "-comment_count"], name="proposal_public_discussed"),
            models.Index(fields=["author", "-created_at"], name="proposal_author"),
            models.Index(fields=["work_unit", "status"], name="proposal_unit_status"),
            # The public list's three sort orders, over public rows only: the list reads its page in
            # index order instead of sorting every public proposal (see docs/performance.md). The
            # condition must stay the same as `public()` (PUBLIC_STATUSES, not hidden) for the planner to use it.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(status__in=["published", "under_review", "accepted", "declined"], is_hidden=False),
                name="proposal_public_by_date",
            ),
            models.Index(
                fields=["-support_count", "-published_at", "-id"],
                condition=models.Q(status__in=["published", "under_review", "accepted", "declined"], is_hidden=False),
                name="proposal_public_by_support",
            ),
            models.Index(
                fields=["-comment_count", "-published_at", "-id"],
                condition=models.Q(status__in=["published", "under_review", "accepted", "declined"], is_hidden=False),
                name="proposal_public_by_comments",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="one_proposal_per_submission_token",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_proposal_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES and not self.is_hidden

    @property
    def is_open(self) -> bool:
        """Public and still waiting for the unit's decision."""
        return self.status in self.OPEN_STATUSES and not self.is_hidden

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_resubmission(self) -> bool:
        return self.resubmission_count > 0

    @property
    def resubmissions_left(self) -> int:
        from django.conf import settings

        return max(0, settings.PROPOSAL_RESUBMISSION_LIMIT - self.resubmission_count)

    def can_move_to(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def move_to(self, new_status: str, *, now) -> None:
        """Change status in memory after checking the lifecycle; the caller saves."""
        if not self.can_move_to(new_status):
            raise InvalidTransition(self.status, new_status)
        self.status = new_status
        self.status_changed_at = now
        if new_status == self.Status.SUBMITTED:
            self.submitted_at = now
        elif new_status == self.Status.PUBLISHED:
            self.published_at = now

    move_to.alters_data = True

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("participation:proposal_detail", args=[self.pk])


def attachment_path(instance, filename):
    from participation.uploads import random_file_name

    return random_file_name("attachments", filename)


class StoredFile(models.Model):
    """What every checked upload records (see `participation.uploads.fill_stored_file`).

    Subclasses declare `file` with their own storage folder; files are never served directly.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Gambar")
        PDF = "pdf", _("PDF")

    original_name = models.CharField(_("nama berkas"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    mime_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    # Images only: the stored WebP sizes, narrowest first, as [{"width", "height", "name", "size"}];
    # the last is the one in `file`. Empty for a PDF, and for an image never cleaned (never served).
    renditions = models.JSONField(_("ukuran tampilan"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    def rendition_file(self, width: int | None = None):
        """The stored rendition `width` pixels wide (the largest when None) as a FieldFile, or None."""
        if not self.renditions:
            return None
        entry = self.renditions[-1] if width is None else next((e for e in self.renditions if e["width"] == width), None)
        if entry is None:
            return None
        field = self._meta.get_field("file")
        return field.attr_class(self, field, entry["name"])


class Attachment(StoredFile):
    """A file attached to a proposal; served only through a view that checks the proposal's visibility."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("berkas"), upload_to=attachment_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["created_at", "id"]


def staged_upload_path(instance, filename):
    from participation.uploads import random_file_name

    return random_file_name("staged", filename)


class StagedUpload(StoredFile):
    """A file the proposal form already checked and accepted while other fields still had errors.

    Kept for the author under the form's token, shown as "terlampir", so the citizen never chooses
    it again; it becomes an attachment when the form is sent, and is removed with its file when the
    form is abandoned (`manage.py clean_staged_uploads`).
    """

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    form_token = models.CharField(max_length=64)
    file = models.FileField(_("berkas"), upload_to=staged_upload_path, max_length=200)

    class Meta:
        verbose_name = _("berkas tertunda")
        verbose_name_plural = _("berkas tertunda")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["owner", "form_token"], name="staged_upload_form"),
            models.Index(fields=["created_at"], name="staged_upload_age"),
        ]


class Support(models.Model):
    """One citizen's support (dukungan) for one proposal; the database refuses a second."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dukungan")
        verbose_name_plural = _("dukungan")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_citizen")]

    def __str__(self):
        return f"{self.user_id} → {self.proposal_id}"


class Routing(models.Model):
    """A hand-over (disposisi) of a proposal from one work unit to another, kept for the public record."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="routings")
    from_unit = models.ForeignKey("accounts.WorkUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("dari"))
    to_unit = models.ForeignKey("accounts.WorkUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("ke"))
    note = models.TextField(_("catatan"), max_length=2000)
    routed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disposisi")
        verbose_name_plural = _("disposisi")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_unit} → {self.to_unit}"


class CommentQuerySet(models.QuerySet):
    def on(self, target):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)

    def visible_to(self, user):
        """Hidden comments disappear for everyone but moderators (their replies stay reachable)."""
        from accounts import rights

        if rights.is_moderator(user):
            return self.all()
        return self.filter(is_hidden=False)

    def counted(self):
        """The comments every count shows (cards, pages, feeds, exports, statistics): the ones a
        visitor can read. Hidden and deleted comments do not count, nor replies under a hidden
        comment (the thread no longer shows them). `comment_count` columns hold exactly this."""
        return self.filter(is_hidden=False, is_deleted=False).filter(
            models.Q(parent__isnull=True) | models.Q(parent__is_hidden=False)
        )

    def counted_per_row(self, model):
        """`counted()` per row of `model`, as an expression for `annotate()` or `update()`."""
        from django.contrib.contenttypes.models import ContentType
        from django.db.models.functions import Coalesce

        per_row = (
            self.counted()
            .filter(content_type=ContentType.objects.get_for_model(model), object_id=models.OuterRef("pk"))
            .order_by()
            .values("object_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return Coalesce(models.Subquery(per_row), 0)


class Comment(models.Model):
    """The one comment mechanism for proposals, programs and consultations; one level of replies."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("penulis"), on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    body = models.TextField(_("komentar"), max_length=5000)
    is_deleted = models.BooleanField(_("dihapus penulis"), default=False)
    is_hidden = models.BooleanField(_("disembunyikan moderator"), default=False)
    hidden_reason = models.CharField(_("alasan disembunyikan"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("ditulis"), auto_now_add=True)
    edited_at = models.DateTimeField(_("diubah"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()
    history = HistoricalRecords(bases=[ActorRoleHistory])

    class Meta:
        verbose_name = _("komentar")
        verbose_name_plural = _("komentar")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "parent", "created_at"], name="comment_thread"),
            # A thread's first page in its display order straight from the index; without it the
            # planner joined every user before sorting (docs/performance.md).
            models.Index(
                fields=["content_type", "object_id", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="comment_top_level",
            ),
        ]

    def __str__(self):
        return f"{self.body[:60]}"

    @property
    def target(self):
        return self.content_type.get_object_for_this_type(pk=self.object_id)

    @property
    def anchor(self) -> str:
        """The id of the comment on its item's page."""
        return f"komentar-{self.pk}"


class Flag(models.Model):
    """A citizen's report that a proposal or comment breaks the rules; one per citizen per item."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam atau iklan")
        ABUSE = "abuse", _("Kasar, menghina, atau SARA")
        PRIVACY = "privacy", _("Membuka data pribadi orang lain")
        FALSE = "false", _("Informasi palsu atau menyesatkan")
        OTHER = "other", _("Lainnya")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="flags")
    reason = models.CharField(_("alasan"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("keterangan"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dilaporkan"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("ditangani"), null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "content_type", "object_id"], name="one_flag_per_citizen"),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="flag_open_queue")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.content_type.model} {self.object_id})"
