"""Program admin for officials and administrators.

Officials see and change only their own units' programs: the scoped admin (accounts.scoped_admin)
limits every queryset through the rights module, so another unit's program is "not found" (404)
even when its URL is typed. Creating a
program goes through `services.create_program` (which accepts the source proposals), and phase
changes through the same services the site uses; phase status is never edited as a field.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts import rights
from accounts.scoped_admin import ScopedAdminMixin
from participation.admin import ProposalAdmin as BaseProposalAdmin
from participation.models import Proposal
from participation.templatetags.portal import rupiah
from programs import services
from programs.exceptions import ProgramRuleError
from programs.forms import program_create_form_class
from programs.models import Phase, Program, ProgramDocument, ProgressUpdate


@admin.action(description=_("Buat program kerja dari usulan terpilih"))
def create_program_from_proposals(modeladmin, request, queryset):
    """For the proposal admin: open the program form pre-filled with the usable selected proposals."""
    if not request.user.has_perm("programs.add_program"):
        messages.error(request, _("Anda tidak berhak membuat program kerja."))
        return None
    usable = list(
        services.usable_source_proposals(request.user)
        .filter(pk__in=queryset.values("pk"))
        .order_by("pk")
        .values_list("pk", "work_unit_id")
    )
    skipped = queryset.count() - len(usable)
    if not usable:
        messages.error(
            request,
            _("Tidak ada usulan terpilih yang dapat dijadikan program: pilih usulan berstatus dipublikasikan "
              "yang ditujukan kepada satuan kerja Anda."),
        )
        return None
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d usulan dilewati karena belum/tidak lagi dipublikasikan atau ditujukan ke satuan kerja lain.",
                "%(count)d usulan dilewati karena belum/tidak lagi dipublikasikan atau ditujukan ke satuan kerja lain.",
                skipped,
            )
            % {"count": skipped},
        )
    if len({unit_id for _pk, unit_id in usable}) > 1:
        messages.warning(request, _("Usulan terpilih ditujukan ke beberapa satuan kerja; satu program hanya memuat usulan satu satuan kerja."))
    ids = ",".join(str(pk) for pk, _unit in usable)
    return HttpResponseRedirect(f"{reverse('admin:programs_program_add')}?source_proposals={ids}")


class PhaseInline(admin.TabularInline):
    model = Phase
    fields = ["kind", "status", "planned_start", "planned_end", "actual_start", "actual_end", "progress"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProgramChangeForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["title", "description", "category", "region", "budget", "fiscal_year"]


@admin.register(Program)
class ProgramAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "work_unit", "category", "fiscal_year", "budget_display", "stage_display"]
    list_filter = ["work_unit", "category", "fiscal_year"]
    search_fields = ["title"]
    list_select_related = ["work_unit", "category"]
    inlines = [PhaseInline]
    actions = ["start_next_phase", "complete_running_phase"]
    autocomplete_fields = ["region"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phases")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = program_create_form_class(request.user)
        else:
            kwargs["form"] = ProgramChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["source_proposals", "work_unit", "title", "description", "category", "region", "budget", "fiscal_year"]
        return ["work_unit", "source_list", "title", "description", "category", "region", "budget", "fiscal_year", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["work_unit", "source_list", "created_at"] if obj is not None else []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = [int(pk) for pk in request.GET.get("source_proposals", "").split(",") if pk.isdigit()]
        proposals = list(
            services.usable_source_proposals(request.user).filter(pk__in=ids).select_related("category", "region")
        )
        initial["fiscal_year"] = timezone.localdate().year
        if not proposals:
            return initial
        first = proposals[0]
        initial.update(
            {
                "source_proposals": [p.pk for p in proposals],
                "work_unit": first.work_unit_id,
                "category": first.category_id,
                "title": first.title[:200],
                "description": "\n\n".join(f"{p.title}\n{p.description}" for p in proposals)[:10_000],
                "budget": sum(p.estimated_cost or 0 for p in proposals) or None,
            }
        )
        if len({p.region_id for p in proposals}) == 1 and first.region.level > 1:
            initial["region"] = first.region_id
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            services.update_program(
                actor=request.user, program=obj, data={name: form.cleaned_data[name] for name in ProgramChangeForm.Meta.fields}
            )
            return
        created = services.create_program(
            actor=request.user, data=form.program_data(), proposals=list(form.cleaned_data["source_proposals"])
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The service linked the proposals and created the phases; the read-only phase inline saves nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or rights.can(request.user, "edit", obj))

    def has_delete_permission(self, request, obj=None):
        # A program is a public record; only administrators may remove one created by mistake.
        return rights.is_administrator(request.user) and super().has_delete_permission(request, obj)

    @admin.display(description=_("anggaran"), ordering="budget")
    def budget_display(self, obj):
        return rupiah(obj.budget)

    @admin.display(description=_("tahap saat ini"))
    def stage_display(self, obj):
        return obj.stage_label

    @admin.display(description=_("usulan asal"))
    def source_list(self, obj):
        proposals = obj.source_proposals.all()
        return format_html_join(", ", '<a href="{}">#{} {}</a>', ((p.get_absolute_url(), p.pk, p.title) for p in proposals))

    def _move_phases(self, request, queryset, *, complete: bool):
        done = 0
        for program in queryset:
            phase = program.running_phase if complete else program.current_phase
            try:
                if phase is None or (not complete and phase.status != Phase.Status.NOT_STARTED):
                    raise ProgramRuleError(_("tidak ada tahap yang dapat diproses"))
                if complete:
                    services.complete_phase(actor=request.user, phase=phase)
                else:
                    services.start_phase(actor=request.user, phase=phase)
                done += 1
            except ProgramRuleError as error:
                messages.error(request, f"{program.title}: {error.message}")
        if done:
            messages.success(request, _("%(count)d program diproses.") % {"count": done})

    @admin.action(description=_("Mulai tahap berikutnya"), permissions=["change"])
    def start_next_phase(self, request, queryset):
        self._move_phases(request, queryset, complete=False)

    @admin.action(description=_("Selesaikan tahap yang sedang berjalan"), permissions=["change"])
    def complete_running_phase(self, request, queryset):
        self._move_phases(request, queryset, complete=True)


class ProgramDocumentInline(admin.TabularInline):
    model = ProgramDocument
    fields = ["original_name", "kind", "size", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Reports are written on the program's management page; here officials correct or remove them."""

    list_display = ["date", "program_title", "phase", "created_at"]
    list_filter = ["phase__kind", "phase__program__work_unit"]
    search_fields = ["body", "phase__program__title"]
    fields = ["phase", "date", "body"]
    readonly_fields = ["phase"]
    inlines = [ProgramDocumentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("phase__program")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or rights.can(request.user, "edit", obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or rights.can(request.user, "delete", obj))

    @admin.display(description=_("program"), ordering="phase__program__title")
    def program_title(self, obj):
        return obj.phase.program.title


# The proposal admin gains "create a program from these proposals" here, in the programs app,
# so participation never depends on programs.
admin.site.unregister(Proposal)


@admin.register(Proposal)
class ProposalWithProgramsAdmin(BaseProposalAdmin):
    actions = [*BaseProposalAdmin.actions, create_program_from_proposals]
