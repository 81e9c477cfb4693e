from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkUnit
from consultations.models import Consultation, Response
from participation.forms import ListFilterForm
from participation.models import Category


class ResponseForm(forms.Form):
    """A citizen's position and optional comment; the service re-checks both."""

    position = forms.ChoiceField(
        label=_("Sikap Anda terhadap rancangan ini"),
        choices=Response.Position.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih sikap Anda: setuju, tidak setuju, atau netral."),
            "invalid_choice": _("Sikap tidak dikenal. Pilih setuju, tidak setuju, atau netral."),
        },
    )
    comment = forms.CharField(
        label=_("Komentar (opsional)"),
        required=False,
        max_length=Response.COMMENT_MAX_LENGTH,
        help_text=_("Alasan atau saran Anda, paling banyak 5.000 karakter. Komentar tampil untuk umum tanpa nama Anda."),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": Response.COMMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, prefix_id: str = "tanggapan", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Balasan satuan kerja"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label=_("Tindak lanjut"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 10_000}),
        help_text=_("Apa yang dilakukan satuan kerja dengan tanggapan warga: apa yang diubah, apa yang tidak, dan mengapa. Ditampilkan di halaman uji publik."),
    )


STATE_FILTERS = [
    ("", _("Semua status")),
    (Consultation.State.OPEN.value, _("Sedang dibuka")),
    (Consultation.State.SCHEDULED.value, _("Dijadwalkan")),
    (Consultation.State.CLOSED.value, _("Sudah ditutup")),
]


class ConsultationFilterForm(ListFilterForm):
    """The list page's filters; anything unknown falls back to 'no filter', never an error page."""

    q = forms.CharField(label=_("Cari"), required=False, max_length=200)
    satker = forms.ModelChoiceField(
        label=_("Satuan kerja"), queryset=WorkUnit.objects.all(), required=False, empty_label=_("Semua satuan kerja")
    )
    kategori = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.all(), required=False, empty_label=_("Semua kategori")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATE_FILTERS)

    def cleaned_or_defaults(self) -> dict:
        if not self.is_bound:
            return {}
        return super().cleaned_or_defaults()
