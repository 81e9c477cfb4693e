from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkUnit
from musrenbang.models import Decision, Forum, Stage
from musrenbang.services import Row, contact_details_in
from participation.forms import RegionChoiceField, WorkUnitChoiceField
from participation.models import Category, Proposal, Region
from participation.uploads import check_upload

MAX_ROWS = 500


class CheckedFileField(forms.FileField):
    """One file, checked by content with the shared upload checks; cleans to (file, CheckedUpload)."""

    def __init__(self, *args, images: bool, pdf: bool, **kwargs):
        self.images, self.pdf = images, pdf
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded or uploaded is initial:
            return None
        return uploaded, check_upload(uploaded, allow_images=self.images, allow_pdf=self.pdf)


class ForumForm(forms.ModelForm):
    minutes = CheckedFileField(
        label=_("Berita acara (PDF)"), images=False, pdf=True,
        help_text=_("Hasil pindaian berita acara yang sudah ditandatangani, PDF paling besar 10 MB. Dipublikasikan."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    attendance = CheckedFileField(
        label=_("Foto daftar hadir"), images=True, pdf=False,
        help_text=_("Foto JPEG, PNG, atau WebP paling besar 5 MB. Tidak dipublikasikan karena memuat nama dan tanda tangan."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )

    class Meta:
        model = Forum
        fields = [
            "held_on", "place", "chair", "participants_male", "participants_female", "participants_youth",
            "participants_elderly", "participants_disability", "participants_leaders", "summary",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "place": forms.TextInput(attrs={"maxlength": 200}),
            "chair": forms.TextInput(attrs={"maxlength": 150}),
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": 100000, "inputmode": "numeric"})
                for name in ("participants_male", "participants_female", "participants_youth", "participants_elderly",
                             "participants_disability", "participants_leaders")
            },
        }

    def clean(self):
        cleaned = super().clean()
        total = (cleaned.get("participants_male") or 0) + (cleaned.get("participants_female") or 0)
        for name in ("participants_youth", "participants_elderly", "participants_disability", "participants_leaders"):
            if (cleaned.get(name) or 0) > total:
                self.add_error(name, _("Tidak boleh lebih dari jumlah peserta laki-laki dan perempuan (%(n)d).") % {"n": total})
        return cleaned


def parse_priority_rows(post) -> tuple[list[Row], list[str]]:
    """The priority list from the form: `rank-<id>`, `decision-<id>`, `note-<id>` per proposal.

    A blank rank leaves the proposal off the list. Returns the rows and the messages of what could
    not be read; ids are checked against the forum by the service, not here."""
    rows, errors = [], []
    keys = [key for key in post if key.startswith("rank-")][:MAX_ROWS]
    for key in keys:
        raw_id = key.removeprefix("rank-")
        raw_rank = (post.get(key) or "").strip()
        if not raw_rank:
            continue
        if not raw_id.isdigit():
            errors.append(_("Baris daftar prioritas tidak dikenal."))
            continue
        if not raw_rank.isdigit() or not 1 <= int(raw_rank) <= 9999:
            errors.append(_("Peringkat harus bilangan bulat mulai 1 (tertulis: %(value)s).") % {"value": raw_rank[:10]})
            continue
        decision = (post.get(f"decision-{raw_id}") or "").strip()
        if decision not in Decision.values:
            errors.append(_("Pilih keputusan forum untuk usulan peringkat %(rank)s.") % {"rank": raw_rank})
            continue
        note = (post.get(f"note-{raw_id}") or "").strip()
        if len(note) > 500:
            errors.append(_("Keterangan usulan peringkat %(rank)s lebih dari 500 karakter.") % {"rank": raw_rank})
            continue
        rows.append(Row(cycle_proposal_id=int(raw_id), rank=int(raw_rank), decision=decision, note=note))
    return rows, errors


class OfflineProposalForm(forms.ModelForm):
    """A proposal gathered face to face, entered by an operator for a citizen without an account."""

    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.filter(is_active=True), empty_label=_("— pilih kategori —"))
    work_unit = WorkUnitChoiceField(label=_("Satuan kerja tujuan"), queryset=WorkUnit.objects.filter(is_active=True), empty_label=_("— pilih satuan kerja —"))
    region = RegionChoiceField(label=_("Desa/kelurahan atau kecamatan asal usulan"), queryset=Region.objects.none(), empty_label=None)
    gathered_on = forms.DateField(label=_("Tanggal dikumpulkan"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source = forms.ChoiceField(label=_("Dikumpulkan pada"), choices=Stage.choices[:2], initial=Stage.DESA)
    proposer_name = forms.CharField(label=_("Nama pengusul"), max_length=150)
    name_consent = forms.BooleanField(
        label=_("Pengusul setuju namanya ditampilkan di portal"), required=False,
        help_text=_("Tanpa persetujuan, portal menulis \u201cWarga (nama tidak ditampilkan)\u201d."),
    )
    proposer_phone = forms.CharField(
        label=_("Nomor telepon pengusul (opsional, tidak dipublikasikan)"), max_length=20, required=False,
        help_text=_("Dipakai hanya untuk mencocokkan bila pengusul kelak mendaftar dengan nomor yang sama."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    class Meta:
        model = Proposal
        fields = ["title", "description", "category", "work_unit", "region", "location_text", "estimated_cost", "volume"]
        labels = {
            "title": _("Judul usulan"),
            "description": _("Uraian"),
            "location_text": _("Lokasi (opsional)"),
            "estimated_cost": _("Perkiraan biaya dalam Rupiah (opsional)"),
            "volume": _("Volume (opsional)"),
        }
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 150, "autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 5, "maxlength": 10_000}),
            "estimated_cost": forms.NumberInput(attrs={"min": 0, "step": 1000, "inputmode": "numeric"}),
        }

    def __init__(self, *args, region_ids=None, all_regions=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Any desa or kecamatan passes the form, so that a posted region outside the operator's own
        # reaches the service, which refuses it and records the attempt; the list offers only their own.
        regions = Region.objects.filter(level__in=[Region.Level.DESA, Region.Level.KECAMATAN]).select_related("parent").order_by("code")
        field = self.fields["region"]
        field.queryset = regions
        offered = regions if all_regions else regions.filter(pk__in=region_ids or [])
        field.choices = [(region.pk, field.label_from_instance(region)) for region in offered]

    def clean(self):
        cleaned = super().clean()
        if contact_details_in(cleaned.get("title", ""), cleaned.get("description", ""), cleaned.get("location_text", ""),
                              cleaned.get("proposer_name", "")):
            raise ValidationError(
                _("Judul, uraian, lokasi, dan nama dapat tampil untuk publik: hapus alamat email dan nomor telepon "
                  "pengusul dari isian itu. Nomor telepon diisi di kolomnya sendiri dan tidak pernah dipublikasikan.")
            )
        return cleaned

    def proposal_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("title", "description", "category", "work_unit", "location_text", "estimated_cost", "volume")}


class ClaimForm(forms.Form):
    code = forms.CharField(
        label=_("Kode tanda terima"), max_length=20,
        help_text=_("Dua belas huruf dan angka pada kertas tanda terima dari operator, misalnya KM4T-7PWX-HC3R."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
