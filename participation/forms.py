import json
import uuid
from functools import cache, cached_property
from urllib.parse import urlencode
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkUnit
from participation.models import Category, Comment, Flag, Proposal, Region
from participation.services import MAX_ATTACHMENTS
from participation.uploads import IMAGE_MAX_BYTES, PDF_MAX_BYTES, check_upload
from participation.widgets import use_fast_selects


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


@dataclass
class CheckedFiles:
    """What a multiple file input brought: the files that passed the content check, and the
    messages about the ones that did not (the good ones are kept even when others fail)."""

    accepted: list = field(default_factory=list)
    errors: list = field(default_factory=list)


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content, the whole set by count.

    With `partial=True` the field never fails: it returns CheckedFiles (the good files and the
    messages about the others) and leaves the count and the errors to the form, which knows the
    files already attached or staged.
    """

    widget = MultipleFileInput

    def __init__(self, *args, max_files: int = MAX_ATTACHMENTS, partial: bool = False, **kwargs):
        self.max_files = max_files
        self.partial = partial
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not self.partial and len(files) > self.max_files:
            raise ValidationError(_("Paling banyak %(max)d berkas.") % {"max": self.max_files})
        checked = CheckedFiles()
        for uploaded in files:
            try:
                super().clean(uploaded, initial)
                checked.accepted.append((uploaded, check_upload(uploaded)))
            except ValidationError as error:
                checked.errors.extend(error.messages)
        if self.partial:
            return checked
        if checked.errors:
            raise ValidationError(checked.errors)
        return checked.accepted


def _formatted(message, **values):
    """`message % values`, translated when rendered (not when the module is imported)."""
    return lazy(lambda: str(message) % values, str)()


def upload_limits_attrs() -> dict:
    """Data attributes for static/js/upload-check.js, which checks sizes and types before sending
    (the server checks again). `{name}`, `{max}` and `{names}` are filled in by the script."""
    megabytes = 1024 * 1024
    return {
        "accept": "image/jpeg,image/png,image/webp,application/pdf",
        "data-max-image-bytes": IMAGE_MAX_BYTES,
        "data-max-pdf-bytes": PDF_MAX_BYTES,
        "data-msg-image-size": _formatted(
            _("Foto %(name)s lebih dari %(max)d MB. Pilih foto yang lebih kecil."), name="{name}", max=IMAGE_MAX_BYTES // megabytes
        ),
        "data-msg-pdf-size": _formatted(_("PDF %(name)s lebih dari %(max)d MB."), name="{name}", max=PDF_MAX_BYTES // megabytes),
        "data-msg-type": _formatted(_("%(name)s bukan foto JPEG, PNG, WebP, atau PDF."), name="{name}"),
        "data-msg-empty": _formatted(_("%(name)s kosong (0 byte)."), name="{name}"),
        "data-msg-count": _formatted(_("Paling banyak %(max)s berkas lagi; tidak dipilih: %(names)s."), max="{max}", names="{names}"),
    }


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
        label=_("Kategori"),
        queryset=Category.objects.filter(is_active=True).select_related("default_work_unit"),
        empty_label=_("— pilih kategori —"),
    )
    work_unit = WorkUnitChoiceField(
        label=_("Satuan kerja tujuan (opsional)"),
        queryset=active_units(),
        required=False,
        empty_label=_("— sesuai kategori —"),
    )
    region = RegionChoiceField(
        label=_("Wilayah"), queryset=region_choices_queryset(), empty_label=_("— pilih kecamatan atau desa —")
    )
    attachments = MultipleFileField(
        partial=True,
        label=_("Lampiran (opsional)"),
        help_text=_("Foto JPEG, PNG, atau WebP (maks. 20 MB, diperkecil otomatis) dan PDF (maks. 10 MB); paling banyak 5 berkas."),
        widget=MultipleFileInput(attrs=upload_limits_attrs()),
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

    def __init__(self, *args, attached: int = 0, citizen=None, **kwargs):
        """`attached`: files the proposal already holds (saved attachments and staged files)."""
        super().__init__(*args, **kwargs)
        use_fast_selects(self)
        self.accepted_files: list = []
        self.fields["estimated_cost"].max_value = 10**15
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = uuid.uuid4().hex
        if not self.is_bound and citizen is not None and not self.initial.get("region"):
            region_id = getattr(citizen, "region_id", None)
            if region_id:
                self.initial["region"] = region_id
        self.set_attached(attached)
        self._explain_routing()

    def set_attached(self, count: int) -> None:
        """How many files the proposal already holds (saved and staged): the input takes the rest."""
        self.attached = count
        self.fields["attachments"].widget.attrs["data-max-files"] = max(0, MAX_ATTACHMENTS - count)

    # --- routing ----------------------------------------------------------------------------------

    def _categories(self) -> list:
        if not hasattr(self, "_category_list"):
            self._category_list = list(self.fields["category"].queryset)
        return self._category_list

    def _chosen_category(self):
        value = self["category"].value()
        return next((c for c in self._categories() if str(c.pk) == str(value)), None)

    def _explain_routing(self) -> None:
        """One line under the work unit saying who will handle the proposal; static/js/routing.js
        rewrites it when the category changes, from the map in data-category-units."""
        hint = self.fields["work_unit"]
        category = self._chosen_category()
        hint.help_text = self.routing_line(category)
        hint.widget.attrs["data-category-units"] = json.dumps(
            {str(c.pk): c.handling_unit.name if c.handling_unit else "" for c in self._categories()}
        )
        hint.widget.attrs["data-hint-unit"] = str(
            _("Kosongkan bila ragu: usulan kategori {category} akan ditangani {unit}.")
        )
        hint.widget.attrs["data-hint-none"] = str(
            _("Kategori {category} belum memiliki satuan kerja penanggung jawab: pilih satuan kerja tujuan.")
        )

    @staticmethod
    def routing_line(category) -> str:
        if category is None:
            return str(_("Kosongkan bila ragu: usulan diteruskan ke satuan kerja yang menangani kategori pilihan Anda."))
        if category.handling_unit is None:
            return format_html(
                str(_("Kategori {category} belum memiliki satuan kerja penanggung jawab: pilih satuan kerja tujuan.")),
                category=category.name,
            )
        return format_html(
            str(_("Kosongkan bila ragu: usulan kategori {category} akan ditangani {unit}.")),
            category=category.name,
            unit=category.handling_unit.name,
        )

    def routing_table(self) -> list[tuple[str, str]]:
        """Every category with its handling unit, for the list shown without JavaScript."""
        return [(c.name, c.handling_unit.name if c.handling_unit else "") for c in self._categories()]

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if not cleaned.get("work_unit") and category is not None:
            if category.handling_unit is None:
                self.add_error(
                    "work_unit",
                    _("Kategori “%(category)s” belum memiliki satuan kerja penanggung jawab. Pilih satuan kerja tujuan.")
                    % {"category": category.name},
                )
            else:
                cleaned["work_unit"] = category.handling_unit
        return cleaned

    # --- files ------------------------------------------------------------------------------------

    def clean_attachments(self):
        checked = self.cleaned_data.get("attachments") or CheckedFiles()
        removed = len(set(self.data.getlist("remove_attachments", [])))
        room = MAX_ATTACHMENTS - max(0, self.attached - removed)
        errors = list(checked.errors)
        if len(checked.accepted) > room:
            errors.append(
                _("Satu usulan paling banyak memiliki %(max)d lampiran; Anda masih dapat menambah %(room)d berkas.")
                % {"max": MAX_ATTACHMENTS, "room": max(0, room)}
            )
            self.accepted_files = []
        else:
            # Kept even when another file or field has an error: the view stages them.
            self.accepted_files = checked.accepted
        if errors:
            raise ValidationError(errors)
        return checked.accepted

    def proposal_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def posted_token(data) -> str:
    """The proposal form's token as posted, if it looks like one (it keys the staged files)."""
    token = (data.get("submission_token") or "")[:64]
    return token if token.replace("-", "").replace("_", "").isalnum() else ""


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
                # At most one query per form, and only when needed: to check a chosen region, to name
                # it in the chosen-filter tags, or to draw the filter form (a fragment, built once per
                # reference-data version). Building the few hundred pairs on every request cost more
                # than the rest of the form.
                field.choices = cache(region_filter_choices)
        use_fast_selects(self)

    # Values that are the list's normal state rather than a visitor's choice (the default sort order).
    neutral_values: dict = {}

    def cleaned_or_defaults(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}

    @cached_property
    def chosen_tags(self) -> list[dict]:
        """The filters the visitor chose, as removable tags ("Infrastruktur ✕"): each with its label,
        its shown value and the query string of the same list without it (and back on page 1)."""
        if not self.is_bound:
            return []
        chosen = self.cleaned_or_defaults()
        tags = []
        for name, field in self.fields.items():
            raw = str(self.data.get(name, "")).strip()
            if chosen.get(name) in (None, "") or not raw or raw == self.neutral_values.get(name):
                continue
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(chosen[name])
            elif hasattr(field, "choices"):
                text = dict((str(key), label) for key, label in field.choices).get(raw, raw)
            else:
                text = f"“{chosen[name]}”"
            tags.append({"name": name, "label": field.label, "text": text, "query": self._query_without(name)})
        return tags

    def _query_without(self, name: str) -> str:
        kept = [
            (key, value)
            for key, values in self.data.lists()
            if key not in (name, "halaman") and key in self.fields
            for value in values
            if value.strip()
        ]
        return urlencode(kept)


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
    neutral_values = {"urut": "terbaru"}

    def cleaned_or_defaults(self) -> dict:
        data = super().cleaned_or_defaults()
        data["urut"] = data.get("urut") or "terbaru"
        return data
