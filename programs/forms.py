import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rights
from accounts.models import WorkUnit
from participation.forms import (
    ListFilterForm,
    RegionFilterField,
    MultipleFileField,
    MultipleFileInput,
    upload_limits_attrs,
    RegionChoiceField,
    region_choices_queryset,
)
from participation.models import Category, Proposal
from participation.search import all_words_in
from programs import services
from programs.models import MAX_BUDGET, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Phase, Program, Stage

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgramForm(forms.ModelForm):
    """The public description of a program; the work unit is fixed once the program exists."""

    category = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.filter(is_active=True), empty_label=_("— pilih kategori —")
    )
    region = RegionChoiceField(
        label=_("Wilayah (opsional)"),
        queryset=region_choices_queryset(),
        required=False,
        empty_label=_("— seluruh kabupaten —"),
    )

    class Meta:
        model = Program
        fields = ["title", "description", "category", "region", "budget", "fiscal_year"]
        labels = {
            "title": _("Judul program"),
            "description": _("Uraian"),
            "budget": _("Anggaran dalam Rupiah"),
            "fiscal_year": _("Tahun anggaran"),
        }
        help_texts = {"budget": _("Bilangan bulat tanpa titik, misalnya 1250000000.")}
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 200}),
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 10_000}),
            "budget": forms.NumberInput(attrs={"min": 0, "step": 1000, "inputmode": "numeric"}),
            "fiscal_year": forms.NumberInput(attrs={"min": MIN_FISCAL_YEAR, "max": MAX_FISCAL_YEAR}),
        }

    def program_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SourceProposalField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, proposal):
        return f"#{proposal.pk} {proposal.title} ({proposal.work_unit})"


def program_create_form_class(actor):
    """The admin's add form: work units and proposals limited to what the actor may act on."""

    class ProgramCreateForm(forms.ModelForm):
        source_proposals = SourceProposalField(
            label=_("Usulan asal"),
            queryset=services.usable_source_proposals(actor).select_related("work_unit"),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Usulan yang dipublikasikan dan ditujukan kepada satuan kerja program ini."),
        )

        class Meta:
            model = Program
            fields = ["title", "description", "work_unit", "category", "region", "budget", "fiscal_year", "source_proposals"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            units = WorkUnit.objects.filter(is_active=True)
            if not rights.is_administrator(actor):
                units = units.filter(pk__in=rights.work_unit_ids(actor))
            self.fields["work_unit"].queryset = units

        def clean(self):
            cleaned = super().clean()
            work_unit = cleaned.get("work_unit")
            proposals = cleaned.get("source_proposals")
            if work_unit is not None and proposals is not None:
                try:
                    services.check_source_proposals(actor=actor, work_unit=work_unit, proposals=list(proposals))
                except services.InvalidSourceProposals as error:
                    self.add_error("source_proposals", str(error.message))
            return cleaned

        def program_data(self) -> dict:
            return {name: self.cleaned_data[name] for name in services.PROGRAM_FIELDS}

    return ProgramCreateForm


def _not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Tanggal tidak boleh di masa depan."))


class PhaseMoveForm(forms.Form):
    """The date of a phase start or completion (defaults to today)."""

    on = forms.DateField(label=_("Tanggal"), widget=DATE_INPUT, validators=[_not_in_future])


class PhaseForm(forms.ModelForm):
    progress = forms.IntegerField(
        label=_("Kemajuan (%)"), min_value=0, max_value=100, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )

    class Meta:
        model = Phase
        fields = ["planned_start", "planned_end", "progress", "description"]
        labels = {
            "planned_start": _("Rencana mulai"),
            "planned_end": _("Rencana selesai"),
            "description": _("Keterangan tahap"),
        }
        widgets = {
            "planned_start": DATE_INPUT,
            "planned_end": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3, "maxlength": 3000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status != Phase.Status.RUNNING:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Kemajuan dapat diubah saat tahap sedang berjalan.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("Rencana selesai tidak boleh sebelum rencana mulai."))
        return cleaned

    def _post_clean(self):
        # The service applies the values; the form must not write into the phase it was given.
        pass

    def phase_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgressUpdateForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("Tahap"), queryset=Phase.objects.none(), empty_label=None)
    date = forms.DateField(label=_("Tanggal kegiatan"), widget=DATE_INPUT, validators=[_not_in_future])
    body = forms.CharField(
        label=_("Laporan kemajuan"), widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}), max_length=5000
    )
    files = MultipleFileField(
        label=_("Foto dan dokumen (opsional)"),
        max_files=services.MAX_DOCUMENTS,
        help_text=_("Foto JPEG, PNG, atau WebP (maks. 20 MB, diperkecil otomatis) dan PDF (maks. 10 MB); paling banyak 5 berkas."),
        widget=MultipleFileInput(attrs={**upload_limits_attrs(), "data-max-files": services.MAX_DOCUMENTS}),
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = program.phases.exclude(status=Phase.Status.NOT_STARTED).order_by("-order")
        self.fields["phase"].label_from_instance = lambda phase: phase.get_kind_display()


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Nilai Anda"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Pilih nilai 1 sampai 5.")},
    )


STAGE_PARAM_CHOICES = [("", _("Semua tahap"))] + list(Stage.choices)


class ProgramFilterForm(ListFilterForm):
    """The list page's filters; anything unknown falls back to 'no filter', never an error page."""

    q = forms.CharField(label=_("Cari"), required=False, max_length=200)
    tahap = forms.ChoiceField(label=_("Tahap saat ini"), required=False, choices=STAGE_PARAM_CHOICES)
    satker = forms.ModelChoiceField(
        label=_("Satuan kerja"), queryset=WorkUnit.objects.all(), required=False, empty_label=_("Semua satuan kerja")
    )
    kategori = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.all(), required=False, empty_label=_("Semua kategori")
    )
    wilayah = RegionFilterField(label=_("Wilayah"))
    tahun = forms.TypedChoiceField(label=_("Tahun anggaran"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [("", _("Semua tahun"))] + [(year, str(year)) for year in years]

    def apply(self, programs):
        data = self.cleaned_or_defaults()
        if data.get("q"):
            programs = programs.filter(all_words_in(data["q"], ("title", "description")))
        if data.get("tahap"):
            programs = programs.in_stage(data["tahap"])
        if data.get("satker"):
            programs = programs.filter(work_unit=data["satker"])
        if data.get("kategori"):
            programs = programs.filter(category=data["kategori"])
        if data.get("wilayah"):
            # A kecamatan also finds the programs of its villages.
            programs = programs.filter(Q(region_id=data["wilayah"]) | Q(region__parent_id=data["wilayah"]))
        if data.get("tahun"):
            programs = programs.filter(fiscal_year=data["tahun"])
        return programs


def proposal_choices_for(actor, ids) -> list[Proposal]:
    """The usable proposals among `ids` (for pre-filling the add form)."""
    return list(services.usable_source_proposals(actor).filter(pk__in=ids).select_related("category", "region"))
