from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only record of who did what: security, rights and moderation events.

    Rows outlive the users they mention (SET_NULL); `actor_label` keeps a non-personal
    description so the row still reads after the account is gone.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Masuk")
        LOGIN_FAILED = "login_failed", _("Gagal masuk")
        LOGOUT = "logout", _("Keluar")
        SIGNUP = "signup", _("Pendaftaran")
        EMAIL_CONFIRMED = "email_confirmed", _("Email dikonfirmasi")
        PASSWORD_CHANGED = "password_changed", _("Kata sandi diubah")
        PASSWORD_RESET = "password_reset", _("Kata sandi diatur ulang")
        ROLE_GRANTED = "role_granted", _("Peran diberikan")
        ROLE_REVOKED = "role_revoked", _("Peran dicabut")
        RIGHT_GRANTED = "right_granted", _("Hak objek diberikan")
        RIGHT_REVOKED = "right_revoked", _("Hak objek dicabut")
        MODERATION = "moderation", _("Keputusan moderasi")
        STATUS_CHANGED = "status_changed", _("Status diubah")
        DATA_EXPORT = "data_export", _("Ekspor data")
        ACCOUNT_DELETED = "account_deleted", _("Akun dihapus")
        SECOND_FACTOR_ADDED = "mfa_added", _("Verifikasi dua langkah dipasang")
        SECOND_FACTOR_REMOVED = "mfa_removed", _("Verifikasi dua langkah dilepas")
        RECOVERY_CODES_RENEWED = "mfa_codes_renewed", _("Kode pemulihan dibuat ulang")
        SECOND_FACTOR_USED = "mfa_used", _("Verifikasi dua langkah dipakai")
        SECOND_FACTOR_FAILED = "mfa_failed", _("Kode verifikasi dua langkah salah")
        ACCESS_DENIED = "access_denied", _("Tindakan terlarang ditolak")

    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("aksi"), max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("peristiwa audit")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")


class ActorRoleHistory(models.Model):
    """Base of the historical models whose history is public: the role the person acted in when
    the row was written (`audit.history.ActorRole`), filled by a `pre_create_historical_record`
    receiver. Public history pages read the role from here, never from the change reason's text
    or from the roles the person holds today."""

    history_actor_role = models.CharField(_("peran pelaku"), max_length=20, blank=True, default="")

    class Meta:
        abstract = True
