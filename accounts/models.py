from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{8,20}$", _("Masukkan nomor telepon yang valid, misalnya 0812 3456 7890.")
)


class User(AbstractUser):
    """A person with an account. Logs in by email; the username column is gone."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("alamat email"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("nomor telepon"), max_length=20, blank=True, validators=[phone_validator])
    region = models.ForeignKey(
        "participation.Region",
        verbose_name=_("wilayah"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )
    # Proof of the consent given at signup (UU 27/2022); cleared when the account is deleted.
    privacy_consent_at = models.DateTimeField(_("persetujuan kebijakan privasi"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        """The only name shown publicly; never the email address."""
        return self.full_name or _("Warga")

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else ""


class WorkUnit(models.Model):
    """A satuan kerja (e.g. Dinas PUPR): addressee of proposals, owner of programs and consultations."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=30, unique=True)
    description = models.TextField(_("deskripsi"), blank=True, max_length=3000)
    contact = models.CharField(_("kontak"), max_length=300, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="WorkUnitMembership",
        related_name="work_units",
        verbose_name=_("petugas"),
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satuan kerja")
        verbose_name_plural = _("satuan kerja")
        ordering = ["name"]
        permissions = [("act_for_workunit", _("Bertindak atas nama satuan kerja"))]

    def __str__(self):
        return self.short_name


class WorkUnitMembership(models.Model):
    """An official's place in a work unit; creating or deleting it grants or revokes the unit's rights."""

    work_unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, verbose_name=_("satuan kerja"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("petugas"))
    created_at = models.DateTimeField(_("sejak"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("keanggotaan satuan kerja")
        verbose_name_plural = _("keanggotaan satuan kerja")
        constraints = [models.UniqueConstraint(fields=["work_unit", "user"], name="one_membership_per_unit")]

    def __str__(self):
        return f"{self.user} @ {self.work_unit}"


class WorkUnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(WorkUnit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("hak pengguna atas satuan kerja")
        verbose_name_plural = _("hak pengguna atas satuan kerja")


class WorkUnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(WorkUnit, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("hak grup atas satuan kerja")
        verbose_name_plural = _("hak grup atas satuan kerja")
