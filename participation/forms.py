import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkUnit
from participation.models import Category, Comment, Flag, Proposal, Region
from participation.services import MAX_ATTACHMENTS
from participation.uploads import check_upload
from participation.widgets import use_fast_selects


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content, the whole set by count."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files: int = MAX_ATTACHMENTS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(_("Paling banyak %(max)d berkas.") % {"max": self.max_files})
        checked = []
        errors = []
        for uploaded in files:
            super().clean(uploaded, initial)
            try:
                checked.append((uploaded, check_upload(uploaded)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def active_units():
    return WorkUnit.objects.filter(is_active=True)


def region_choices_queryset():
    return Region.objects.filter(level__gt=Region.Level.KABUPATEN).select_related("parent").order_by("code")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        if region.level == Region.Level.DESA and region.parent_id:
            return f"{region.name} — {region.parent.name}"
        return f"{region.name} ({region.get_level_display()})"


def region_filter_choices() -> list[tuple[str, str]]:
    """Kecamatan and desa as (id, label) pairs, straight from one query without building models."""
    level_labels = dict(Region.Level.choices)
    rows = region_choices_queryset().values_list("id", "name", "level", "parent__name")
    return [("", _("Semua wilayah"))] + [
        (str(pk), f"{name} — {parent}" if level == Region.Level.DESA and parent else f"{name} ({level_labels[level]})")
        for pk, name, level, parent in rows
    ]


class RegionFilterField(forms.TypedChoiceField):
    """A region filter whose value is the region id; a kecamatan also stands for its villages."""

    def __init__(self, **kwargs):
        super().__init__(choices=region_filter_choices, coerce=int, empty_value=None, required=False, **kwargs)


class WorkUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name} ({unit.short_name})"


class ProposalForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True), empty_label=_("— pilih kategori —")
    )
    work_unit = WorkUnitChoiceField(
        label=_("Satuan kerja tujuan"), queryset=active_units(), empty_label=_("— pilih satuan kerja —")
    )
    region = RegionChoiceField(
        label=_("Wilayah"), queryset=region_choices_queryset(), empty_label=_("— pilih kecamatan atau desa —")
    )
    attachments = MultipleFileField(
        label=_("Lampiran (opsional)"),
        help_text=_("Foto JPEG, PNG, atau WebP (maks. 5 MB) dan PDF (maks. 10 MB); paling banyak 5 berkas."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

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
        help_texts = {
            "title": _("Singkat dan jelas, paling banyak 150 karakter."),
            "description": _("Jelaskan masalahnya, siapa yang terdampak, dan apa yang diusulkan. Paling banyak 10.000 karakter."),
            "location_text": _("Misalnya: Jl. Merdeka RT 02/RW 05, depan SD Negeri 1."),
            "volume": _("Misalnya: 500 meter, 2 unit, 30 orang."),
        }
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 150, "autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 8, "maxlength": 10_000}),
            "estimated_cost": forms.NumberInput(attrs={"min": 0, "step": 1000, "inputmode": "numeric"}),
        }

    def __init__(self, *args, existing_attachments: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self)
        self.existing_attachments = existing_attachments
        self.fields["estimated_cost"].max_value = 10**15
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = uuid.uuid4().hex

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if self.existing_attachments + len(files) - len(self.data.getlist("remove_attachments", [])) > MAX_ATTACHMENTS:
            raise ValidationError(_("Satu usulan paling banyak memiliki %(max)d lampiran.") % {"max": MAX_ATTACHMENTS})
        return files

    def proposal_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("Alasan ini ditampilkan kepada pengusul."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Alasan disembunyikan"), max_length=500)


class AnswerForm(forms.Form):
    """The unit's decision on a waiting proposal. Accepting happens by building a program from it."""

    REVIEW = "dikaji"
    DECLINE = "tolak"

    keputusan = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[
            (REVIEW, _("Sedang dikaji — usulan dipertimbangkan; catatan boleh dikosongkan")),
            (DECLINE, _("Ditolak — usulan tidak dapat ditindaklanjuti; jawaban resmi wajib diisi")),
        ],
        widget=forms.RadioSelect,
        initial=REVIEW,
    )
    answer = forms.CharField(
        label=_("Jawaban resmi atau catatan"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
        max_length=5000,
        required=False,
        help_text=_("Ditampilkan kepada publik di halaman usulan."),
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "keputusan" not in data:
            # The older form's checkbox: "decline" ticked meant declining.
            data = data.copy()
            data["keputusan"] = self.DECLINE if data.get("decline") else self.REVIEW
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("keputusan") == self.DECLINE and not (cleaned.get("answer") or "").strip():
            self.add_error("answer", _("Tuliskan jawaban resmi: pengusul berhak tahu alasan usulannya ditolak."))
        return cleaned

    def error_message(self) -> str:
        if "answer" in self.errors and self.data.get("keputusan") == self.DECLINE:
            return _("Usulan tidak ditolak: tuliskan jawaban resmi yang menjelaskan alasannya (paling banyak 5.000 karakter).")
        return _("Jawaban tidak tersimpan: pilih keputusan, dan jawaban resmi paling banyak 5.000 karakter.")


class AmendAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Jawaban resmi"), widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}), max_length=5000
    )


class RouteForm(forms.Form):
    to_unit = forms.ModelChoiceField(label=_("Satuan kerja tujuan baru"), queryset=active_units())
    note = forms.CharField(label=_("Catatan disposisi"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, current_unit_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_unit_id:
            self.fields["to_unit"].queryset = active_units().exclude(pk=current_unit_id)


class CommentForm(forms.ModelForm):
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": _("Komentar")}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 5000})}


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Alasan laporan"), choices=Flag.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Keterangan (opsional)"), max_length=500, required=False)


SORTS = {
    "terbaru": ("-published_at", "-id"),
    "dukungan": ("-support_count", "-published_at", "-id"),
    "diskusi": ("-comment_count", "-published_at", "-id"),
}
SORT_LABELS = {"terbaru": _("Terbaru"), "dukungan": _("Dukungan terbanyak"), "diskusi": _("Paling banyak dibahas")}


class ListFilterForm(forms.Form):
    """Filters of a public list: anything unknown falls back to 'no filter', never an error page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, RegionFilterField):
                field.choices = region_filter_choices()  # once per form: shown and validated from one query
        use_fast_selects(self)

    def cleaned_or_defaults(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class ProposalFilterForm(ListFilterForm):
    """The proposal list's filters and sort order."""

    q = forms.CharField(label=_("Cari"), required=False, max_length=200)
    kategori = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.all(), required=False, empty_label=_("Semua kategori"))
    satker = forms.ModelChoiceField(label=_("Satuan kerja"), queryset=WorkUnit.objects.all(), required=False, empty_label=_("Semua satuan kerja"))
    wilayah = RegionFilterField(label=_("Wilayah"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status"))] + [(s.value, s.label) for s in Proposal.PUBLIC_STATUSES],
    )
    urut = forms.ChoiceField(label=_("Urutkan"), required=False, choices=list(SORT_LABELS.items()))

    def cleaned_or_defaults(self) -> dict:
        data = super().cleaned_or_defaults()
        data["urut"] = data.get("urut") or "terbaru"
        return data
