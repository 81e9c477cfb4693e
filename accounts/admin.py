from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts import rights, roles
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


ROLE_CHOICES = [
    (rights.ROLE_WARGA, _("Warga (tanpa peran staf)")),
    (rights.ROLE_MODERATOR, _("Moderator")),
    (rights.ROLE_PETUGAS, _("Petugas Satuan Kerja")),
    (rights.ROLE_ADMIN, _("Administrator")),
]


class UserRoleForm(UserChangeForm):
    """The user's page with one "Peran dan satuan kerja" section instead of group and permission widgets.

    The role and the units are saved by `roles.assign_role` (group, staff flag and unit rights in one
    transaction); a combination that cannot work is a form error, and then nothing is written.
    """

    role = forms.ChoiceField(
        label=_("Peran"),
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "Moderator memeriksa usulan dan komentar; Petugas Satuan Kerja menjawab usulan dan mengelola program "
            "serta uji publik satuan kerjanya; Administrator mengelola seluruh portal. Hak akses diatur otomatis."
        ),
    )
    work_units = forms.ModelMultipleChoiceField(
        label=_("Satuan kerja"),
        queryset=WorkUnit.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Hanya untuk Petugas Satuan Kerja: satuan kerja tempat ia bertugas (boleh lebih dari satu)."),
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if "work_units" in self.fields:
            self.fields["work_units"].label_from_instance = lambda unit: f"{unit.name} ({unit.short_name})"
        if self.instance.pk is not None:
            self.fields["role"].initial = roles.current_role(self.instance)
            self.fields["work_units"].initial = list(
                WorkUnitMembership.objects.filter(user=self.instance).values_list("work_unit_id", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        if "role" in self.fields and "role" in cleaned:
            for field, problem in roles.role_problems(
                actor=self.actor, user=self.instance, role=cleaned["role"], work_units=cleaned.get("work_units") or []
            ):
                self.add_error(field, problem)
        return cleaned


@admin.register(User)
class UserAdmin(ScopedAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    form = UserRoleForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role_display", "is_active", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined", "role_display", "work_units_display"]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        # Nobody changes their own role: the section is shown, read-only, on one's own page.
        own_page = obj.pk == request.user.pk
        role_fields = ("role_display", "work_units_display") if own_page else ("role", "work_units")
        account_fields = ("is_active", "is_superuser") if request.user.is_superuser and not own_page else ("is_active",)
        return (
            (None, {"fields": ("email", "password")}),
            (_("Data pribadi"), {"fields": ("full_name", "phone", "region")}),
            (_("Peran dan satuan kerja"), {"fields": role_fields}),
            (_("Status akun"), {"fields": account_fields}),
            (_("Waktu penting"), {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_active", "is_superuser"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form_class
        actor = request.user

        class FormWithActor(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return FormWithActor

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "role" in form.cleaned_data:
            roles.assign_role(
                actor=request.user,
                user=form.instance,
                role=form.cleaned_data["role"],
                work_units=form.cleaned_data.get("work_units") or [],
            )

    @admin.display(description=_("peran"))
    def role_display(self, obj):
        return dict(ROLE_CHOICES).get(roles.current_role(obj), "—")

    @admin.display(description=_("satuan kerja"))
    def work_units_display(self, obj):
        return ", ".join(unit.short_name for unit in obj.work_units.all()) or "—"


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
