from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User, WorkUnit, WorkUnitMembership


class MembershipInline(admin.TabularInline):
    model = WorkUnitMembership
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = _("petugas")
    verbose_name_plural = _("petugas satuan kerja ini")


class UserMembershipInline(admin.TabularInline):
    model = WorkUnitMembership
    extra = 0
    verbose_name = _("satuan kerja")
    verbose_name_plural = _("satuan kerja tempat pengguna ini bertugas")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
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
class WorkUnitAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name"]
    inlines = [MembershipInline]
