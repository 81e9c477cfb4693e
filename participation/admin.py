from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import rights
from accounts.scoped_admin import ScopedAdminMixin
from participation import services
from participation.exceptions import InvalidTransition
from participation.models import Attachment, Category, Comment, Flag, Proposal, Region, Routing


@admin.register(Category)
class CategoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "default_work_unit", "is_active"]
    list_select_related = ["default_work_unit"]
    list_filter = ["is_active"]
    fields = ["name", "slug", "description", "default_work_unit", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class FlaggedFilter(admin.SimpleListFilter):
    title = _("dilaporkan")
    parameter_name = "dilaporkan"

    def lookups(self, request, model_admin):
        return [("ya", _("Ada laporan terbuka"))]

    def queryset(self, request, queryset):
        if self.value() == "ya":
            content_type = ContentType.objects.get_for_model(queryset.model)
            flagged_ids = Flag.objects.filter(content_type=content_type, resolved_at__isnull=True).values("object_id")
            return queryset.filter(pk__in=flagged_ids)
        return queryset


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "kind", "size", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Alasan (wajib untuk menolak atau menyembunyikan)"), required=False, max_length=500)


def _reason_or_refuse(model_admin, request) -> str:
    reason = request.POST.get("reason", "").strip()
    if not reason:
        model_admin.message_user(request, _("Tindakan ini memerlukan alasan. Tidak ada yang diubah."), messages.ERROR)
    return reason


def _apply_each(model_admin, request, queryset, apply) -> None:
    """Run a service per object, so each gets its own history row and audit event."""
    done, refused = 0, []
    for obj in queryset.order_by("pk"):
        try:
            apply(obj)
            done += 1
        except (InvalidTransition, PermissionDenied, ValueError):
            refused.append(str(obj)[:60])
    if done:
        model_admin.message_user(request, _("%(count)d item diproses.") % {"count": done}, messages.SUCCESS)
    if refused:
        model_admin.message_user(
            request,
            _("Tidak diproses karena statusnya tidak memungkinkan: %(items)s") % {"items": ", ".join(refused)},
            messages.WARNING,
        )


@admin.register(Proposal)
class ProposalAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Moderation in admin: every action goes through the same services as the moderation queue."""

    list_display = ["title", "status", "category", "work_unit", "region", "support_count", "is_hidden", "submitted_at"]
    list_filter = ["status", "is_hidden", "category", "work_unit", FlaggedFilter]
    search_fields = ["title", "description"]
    list_select_related = ["category", "work_unit", "region"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]
    action_form = ReasonActionForm
    actions = ["publish_selected", "reject_selected", "hide_selected"]
    readonly_fields = [
        "is_hidden", "hidden_reason", "author", "status", "status_changed_at", "submitted_at", "published_at", "rejection_reason",
        "official_answer", "answered_at", "answered_by", "support_count", "comment_count", "created_at", "updated_at",
    ]
    fields = ["title", "description", "category", "work_unit", "region", "location_text", "estimated_cost", "volume",
              *readonly_fields]

    def has_add_permission(self, request):
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Answering and routing live on the site, behind the same services and checks: link there.
        if obj is not None:
            url = obj.get_absolute_url()
            context["site_actions"] = [
                (f"{url}#{anchor}", label)
                for action, anchor, label in (
                    ("answer", "jawab", _("Beri jawaban resmi di situs")),
                    ("route", "disposisi", _("Disposisi di situs")),
                )
                if rights.can(request.user, action, obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        obj._change_reason = "Diubah melalui admin"
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publikasikan usulan terpilih"), permissions=["change"])
    def publish_selected(self, request, queryset):
        _apply_each(self, request, queryset, lambda proposal: services.publish_proposal(actor=request.user, proposal=proposal))

    @admin.action(description=_("Tolak usulan terpilih (isi alasan)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        if reason := _reason_or_refuse(self, request):
            _apply_each(
                self, request, queryset, lambda p: services.reject_proposal(actor=request.user, proposal=p, reason=reason)
            )

    @admin.action(description=_("Sembunyikan usulan terpilih (isi alasan)"), permissions=["change"])
    def hide_selected(self, request, queryset):
        if reason := _reason_or_refuse(self, request):
            _apply_each(
                self,
                request,
                queryset,
                lambda p: services.set_proposal_hidden(actor=request.user, proposal=p, hidden=True, reason=reason),
            )


@admin.register(Comment)
class CommentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "author", "content_type", "object_id", "is_hidden", "is_deleted", "created_at"]
    list_filter = ["is_hidden", "is_deleted", "content_type", FlaggedFilter]
    search_fields = ["body"]
    list_select_related = ["author", "content_type"]
    readonly_fields = [
        "content_type", "object_id", "parent", "author", "body", "is_deleted", "is_hidden", "hidden_reason",
        "created_at", "edited_at",
    ]
    action_form = ReasonActionForm
    actions = ["hide_selected", "show_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Sembunyikan komentar terpilih (isi alasan)"), permissions=["change"])
    def hide_selected(self, request, queryset):
        if reason := _reason_or_refuse(self, request):
            _apply_each(
                self, request, queryset, lambda c: services.set_comment_hidden(actor=request.user, comment=c, hidden=True, reason=reason)
            )

    @admin.action(description=_("Tampilkan kembali komentar terpilih"), permissions=["change"])
    def show_selected(self, request, queryset):
        _apply_each(self, request, queryset, lambda c: services.set_comment_hidden(actor=request.user, comment=c, hidden=False))


@admin.register(Flag)
class FlagAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "reason", "created_at", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter), "content_type"]
    readonly_fields = ["content_type", "object_id", "reporter", "reason", "note", "created_at", "resolved_at", "resolved_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Routing)
class RoutingAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["proposal", "from_unit", "to_unit", "created_at"]
    list_select_related = ["proposal", "from_unit", "to_unit"]
    readonly_fields = ["proposal", "from_unit", "to_unit", "note", "routed_by", "created_at"]

    def has_add_permission(self, request):
        return False
