from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts import rights
from accounts.models import User, WorkUnit, WorkUnitMembership
from accounts.scoped_admin import ScopedAdminMixin


class MembershipFormSet(BaseInlineFormSet):
    """Nobody makes themselves an official: another administrator has to."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("user") == self.request_user and form.has_changed():
                raise ValidationError(_("Anda tidak dapat menjadikan diri sendiri petugas satuan kerja."))


class MembershipInline(admin.TabularInline):
    model = WorkUnitMembership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = _("petugas")
    verbose_name_plural = _("petugas satuan kerja ini")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset


class UserMembershipInline(admin.TabularInline):
    model = WorkUnitMembership
    extra = 0
    verbose_name = _("satuan kerja")
    verbose_name_plural = _("satuan kerja tempat pengguna ini bertugas")


@admin.register(User)
class UserAdmin(ScopedAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [UserMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Data pribadi"), {"fields": ("full_name", "phone", "region")}),
        (_("Peran dan hak"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Waktu penting"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Staff cannot raise their own rights; another administrator must do it.
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions", "is_active"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def get_inlines(self, request, obj):
        if obj is not None and obj.pk == request.user.pk:
            return []
        return super().get_inlines(request, obj)


@admin.register(WorkUnit)
class WorkUnitAdmin(ScopedAdminMixin, GuardedModelAdminMixin, SimpleHistoryAdmin):
    """Work units, their officials, and guardian's per-object rights page (administrators only)."""

    list_display = ["name", "short_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name"]
    inlines = [MembershipInline]

    def _may_manage_rights(self, request) -> bool:
        return rights.is_administrator(request.user)

    def obj_perms_manage_view(self, request, object_pk):
        if not self._may_manage_rights(request):
            raise PermissionDenied
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        # Staff cannot raise their own rights, even administrators: another one must do it.
        if not self._may_manage_rights(request) or str(user_id) == str(request.user.pk):
            raise PermissionDenied
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        if not self._may_manage_rights(request) or request.user.groups.filter(pk=group_id).exists():
            raise PermissionDenied
        return super().obj_perms_manage_group_view(request, object_pk, group_id)
