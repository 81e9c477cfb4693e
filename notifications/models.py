from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    """What a notification is about; citizens choose delivery per kind."""

    PROPOSAL = "proposal", _("Status usulan yang saya ikuti (dipublikasikan, ditolak, dijawab, ditindaklanjuti)")
    PROGRAM = "program", _("Perkembangan program yang saya ikuti (pergantian tahap, kabar terbaru)")
    CONSULTATION = "consultation", _("Uji publik yang saya ikuti (dibuka, segera ditutup, ditutup, tindak lanjut)")
    REPLY = "reply", _("Balasan atas komentar saya")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email segera")
    DIGEST = "digest", _("Ringkasan harian (satu email sehari)")
    PORTAL = "portal", _("Hanya di portal, tanpa email")


class Follow(models.Model):
    """A citizen follows a proposal, program or consultation to be told of its changes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ikutan")
        verbose_name_plural = _("ikutan")
        constraints = [models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="one_follow_per_item")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]


class Preference(models.Model):
    """How a citizen wants one kind of notification; no row means the default (email at once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]


class NotificationQuerySet(models.QuerySet):
    def with_subject_hidden(self):
        """Annotate `subject_hidden`: the item the notification is about has since been hidden by a
        moderator (a proposal, or a comment: itself, its parent or the proposal it is on). Such a
        notification shows a neutral line, is never emailed and is left out of digests and counts."""
        from django.contrib.contenttypes.models import ContentType

        from participation.models import Comment, Proposal

        proposal_type = ContentType.objects.get_for_model(Proposal)
        comment_type = ContentType.objects.get_for_model(Comment)
        hidden_proposals = Proposal.objects.filter(is_hidden=True)
        # "On a hidden proposal" looks that one proposal up by its key. As `object_id IN (hidden
        # proposals)` it made PostgreSQL check every comment of the site at once (a hashed subplan
        # over all of them, ~190 ms with 200k comments) instead of the handful the page shows.
        hidden_comments = Comment.objects.filter(
            models.Q(is_hidden=True)
            | models.Q(is_deleted=True)
            | models.Q(parent__is_hidden=True)
            | (
                models.Q(content_type=proposal_type)
                & models.Exists(hidden_proposals.filter(pk=models.OuterRef("object_id")))
            )
        )
        return self.annotate(
            subject_hidden=models.Case(
                models.When(
                    models.Q(subject_type=proposal_type)
                    & models.Exists(hidden_proposals.filter(pk=models.OuterRef("subject_id"))),
                    then=True,
                ),
                models.When(
                    models.Q(subject_type=comment_type)
                    & models.Exists(hidden_comments.filter(pk=models.OuterRef("subject_id"))),
                    then=True,
                ),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def shown(self):
        """Notifications whose item is still visible: the ones counted and emailed."""
        return self.with_subject_hidden().filter(subject_hidden=False)


class Notification(models.Model):
    """One thing a citizen is told, shown in the portal and (depending on preference) emailed."""

    class Email(models.TextChoices):
        PENDING = "pending", _("menunggu dikirim")
        DIGEST = "digest", _("menunggu ringkasan harian")
        SENT = "sent", _("terkirim")
        FAILED = "failed", _("gagal dikirim")
        NONE = "none", _("tidak dikirim lewat email")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(_("pesan"), max_length=300)
    url = models.CharField(max_length=300)
    # The item the notification is about, so hiding it later hides the notification's text too.
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Several events may not notify the same person twice (e.g. "closing within 24 hours").
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "recipient"], name="notification_email_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_once_per_key"
            )
        ]

    def __str__(self):
        return self.message


class DigestLog(models.Model):
    """The day a citizen's digest went out: at most one digest email per person per day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_per_day")]
