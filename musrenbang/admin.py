"""Administrators set up cycles (stage windows, ceilings) and grant operators their regions here.

Forums and priority lists are recorded by operators on the site (/kerja/musrenbang/); admin shows
them read-only, so every decision goes through the services (window, rights, audit)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.scoped_admin import ScopedAdminMixin

from musrenbang.models import Ceiling, Cycle, Forum, OperatorAssignment, PriorityEntry


class CeilingInline(admin.TabularInline):
    model = Ceiling
    extra = 1
    autocomplete_fields = ["kecamatan", "work_unit"]
    verbose_name_plural = _("pagu indikatif per kecamatan atau per satuan kerja (isi salah satu)")


@admin.register(Cycle)
class CycleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["year", "title", "collect_start", "desa_start", "kecamatan_start", "kabupaten_start", "kabupaten_end", "is_published"]
    inlines = [CeilingInline]
    fieldsets = (
        (None, {"fields": ("year", "title", "intro", "is_published")}),
        (_("Jadwal tahap"), {
            "fields": ("collect_start", ("desa_start", "desa_end"), ("kecamatan_start", "kecamatan_end"), ("kabupaten_start", "kabupaten_end")),
            "description": _("Usulan yang diajukan sejak tanggal mulai pengumpulan sampai akhir Musrenbang Desa/Kelurahan "
                             "masuk ke siklus ini. Setiap tahap dimulai setelah tahap sebelumnya selesai."),
        }),
    )


class OperatorAssignmentForm(forms.ModelForm):
    class Meta:
        model = OperatorAssignment
        fields = ["user", "region"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user == getattr(self, "request_user", None):
            raise ValidationError(_("Anda tidak dapat menjadikan diri sendiri operator."))
        return user


@admin.register(OperatorAssignment)
class OperatorAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = OperatorAssignmentForm
    list_display = ["user", "region", "created_at"]
    list_select_related = ["user", "region"]
    search_fields = ["user__email", "user__full_name", "region__name", "region__code"]
    autocomplete_fields = ["user", "region"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form


class PriorityEntryInline(admin.TabularInline):
    model = PriorityEntry
    extra = 0
    fields = ["rank", "cycle_proposal", "decision", "note", "cost", "supports"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Forum)
class ForumAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["region", "stage", "cycle", "held_on", "participants_male", "participants_female"]
    list_filter = ["cycle", "stage"]
    search_fields = ["region__name", "place", "chair"]
    list_select_related = ["region", "cycle"]
    inlines = [PriorityEntryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
