"""Filters for the open-data downloads.

Unlike the list pages (which quietly drop a bad filter), a download with a filter we cannot read
is refused with a message: silently exporting a different data set than the one asked for would
mislead whoever analyses it.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkUnit
from participation.forms import RegionChoiceField, region_choices_queryset
from participation.models import Category

DATE_FORMATS = ["%Y-%m-%d"]


class ExportFilterForm(forms.Form):
    dari = forms.DateField(
        label=_("Dari tanggal"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal awal tidak dikenali. Gunakan format TTTT-BB-HH, misalnya 2026-01-31.")},
    )
    sampai = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal akhir tidak dikenali. Gunakan format TTTT-BB-HH, misalnya 2026-12-31.")},
    )
    kategori = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Semua kategori"),
        error_messages={"invalid_choice": _("Kategori yang dipilih tidak ada.")},
    )
    satker = forms.ModelChoiceField(
        label=_("Satuan kerja"),
        queryset=WorkUnit.objects.all(),
        required=False,
        empty_label=_("Semua satuan kerja"),
        error_messages={"invalid_choice": _("Satuan kerja yang dipilih tidak ada.")},
    )
    wilayah = RegionChoiceField(
        label=_("Wilayah"),
        queryset=region_choices_queryset(),
        required=False,
        empty_label=_("Semua wilayah"),
        error_messages={"invalid_choice": _("Wilayah yang dipilih tidak ada.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start and end and start > end:
            raise ValidationError(_("Tanggal awal tidak boleh sesudah tanggal akhir."))
        return cleaned

    def time_range(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The chosen dates as [start, end) instants in the portal's time zone (both days inclusive)."""
        start, end = self.cleaned_data.get("dari"), self.cleaned_data.get("sampai")
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone) if start else None
        until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone) if end else None
        return since, until

    def as_record(self) -> dict:
        """The filters in plain values, for the audit log and the file's description."""
        data = self.cleaned_data
        return {
            "dari": data["dari"].isoformat() if data.get("dari") else None,
            "sampai": data["sampai"].isoformat() if data.get("sampai") else None,
            "kategori": data["kategori"].pk if data.get("kategori") else None,
            "satker": data["satker"].pk if data.get("satker") else None,
            "wilayah": data["wilayah"].pk if data.get("wilayah") else None,
        }
