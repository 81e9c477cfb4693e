from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Category(models.Model):
    """A policy area (Infrastruktur, Pendidikan, ...) shared by proposals, programs and consultations."""

    name = models.CharField(_("nama"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("deskripsi"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]

    def __str__(self):
        return self.name

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
