"""Officials run their unit's consultations here; every save goes through `consultations.services`.

What an official sees and may change is decided by `accounts.rights`: the list holds only the
consultations of units they act for, the unit choices are theirs, and a change is allowed only
where `can(user, "edit", consultation)` says so.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import rights
from accounts.scoped_admin import ScopedAdminMixin
from accounts.models import WorkUnit
from consultations import services
from consultations.models import Consultation, ConsultationDocument, Response, ResponseReply
from participation.models import Category
from participation.uploads import check_upload


def _unit_ids(user):
    return None if rights.is_administrator(user) else rights.work_unit_ids(user)


class _SaveRefused(Exception):
    """A rule broke between validation and saving; nothing was written."""

    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class ConsultationAdminForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Catatan perubahan"),
        required=False,
        max_length=500,
        help_text=_(
            "Tampil di riwayat perubahan publik. Wajib bila mengoreksi judul, ringkasan, atau isi selama uji publik dibuka."
        ),
    )
    confirm_earlier_close = forms.BooleanField(
        label=_("Saya mengerti: waktu penutupan dimajukan padahal warga sudah memberikan tanggapan."),
        required=False,
    )

    class Meta:
        model = Consultation
        fields = ["title", "summary", "body", "work_unit", "category", "opens_at", "closes_at", "is_published", "follow_up"]
        help_texts = {
            "is_published": _(
                "Setelah dipublikasikan, uji publik tampil untuk umum dan dibuka serta ditutup sendiri sesuai jadwal."
            ),
            "follow_up": _("Diisi setelah uji publik ditutup: apa yang dilakukan satuan kerja dengan tanggapan warga."),
            "body": _("Tidak dapat diubah selama uji publik dibuka, kecuali koreksi dengan catatan."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = WorkUnit.objects.filter(is_active=True)
        unit_ids = _unit_ids(user)
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
        self.fields["work_unit"].queryset = units
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        old = self.instance if self.instance.pk else None
        new = {name: data.get(name) for name in self.Meta.fields if name in data}
        check = services.check_change(
            old=old,
            new=new,
            response_count=old.responses.count() if old else 0,
            now=timezone.now(),
            confirm_earlier_close=data.get("confirm_earlier_close", False),
            note=data.get("change_note", ""),
        )
        for field, messages_ in check.errors.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)
        return data


class DocumentInlineForm(forms.ModelForm):
    class Meta:
        model = ConsultationDocument
        fields = ["title", "file"]
        # A plain file input: the stored file is private, so no "currently" link to a media URL.
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf"})}

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "content_type"):
            self.checked = check_upload(uploaded, allow_images=False, allow_pdf=True)
        return uploaded


class DocumentInline(admin.TabularInline):
    model = ConsultationDocument
    form = DocumentInlineForm
    extra = 1
    fields = ["title", "file", "download_link", "size"]
    readonly_fields = ["download_link", "size"]
    verbose_name_plural = _("Dokumen rancangan (PDF, maks. 10 MB; tidak dapat diubah setelah dibuka)")

    def get_fields(self, request, obj=None):
        if obj is not None and not self._editable(request, obj):
            return ["title", "download_link", "size"]
        return self.fields

    @admin.display(description=_("berkas tersimpan"))
    def download_link(self, document):
        if document is None or document.pk is None:
            return "—"
        url = reverse("consultations:document", args=[document.consultation_id, document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name)

    def _editable(self, request, obj) -> bool:
        if obj is None:
            return True
        return rights.can(request.user, "edit", obj) and not obj.has_opened()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class StateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Consultation.State.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.in_state(self.value())
        return queryset


@admin.register(Consultation)
class ConsultationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = ConsultationAdminForm
    inlines = [DocumentInline]
    list_display = ["title", "work_unit", "state_label", "opens_at", "closes_at", "response_total", "public_link"]
    list_filter = [StateFilter, "work_unit", "category"]
    search_fields = ["title", "summary"]
    date_hierarchy = "opens_at"
    readonly_fields = ["results_summary", "published_at", "follow_up_at"]
    fieldsets = [
        (None, {"fields": ["title", "summary", "body", "work_unit", "category"]}),
        (_("Jadwal dan publikasi"), {"fields": ["opens_at", "closes_at", "is_published", "published_at", "confirm_earlier_close"]}),
        (_("Hasil dan tindak lanjut"), {"fields": ["results_summary", "follow_up", "follow_up_at"]}),
        (_("Catatan"), {"fields": ["change_note"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class FormWithUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return FormWithUser

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("work_unit").annotate(n_responses=Count("responses"))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or rights.can(request.user, "edit", obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or rights.can(request.user, "edit", obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            rights.is_administrator(request.user) or rights.is_official(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        # A published consultation is a public record; only unpublished drafts may be deleted.
        if obj is not None and (obj.is_published or not rights.can(request.user, "edit", obj)):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("status"))
    def state_label(self, obj):
        return obj.State(obj.state()).label

    @admin.display(description=_("tanggapan"), ordering="n_responses")
    def response_total(self, obj):
        count = getattr(obj, "n_responses", None)
        if count is None:
            count = obj.responses.count()
        url = reverse("admin:consultations_response_changelist") + f"?consultation__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("halaman publik"))
    def public_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("lihat"))

    @admin.display(description=_("hasil sementara"))
    def results_summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        results = services.results_for(obj)
        parts = [f"{row.label}: {row.count} ({row.percent}%)" for row in results.rows]
        return f"{results.total} tanggapan — " + "; ".join(parts)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ConsultationAdminForm.Meta.fields if name in form.cleaned_data}
        try:
            if change:
                saved = services.update_consultation(
                    actor=request.user,
                    consultation=obj.pk,
                    data=data,
                    confirm_earlier_close=form.cleaned_data.get("confirm_earlier_close", False),
                    note=form.cleaned_data.get("change_note", ""),
                )
            else:
                saved = services.create_consultation(actor=request.user, data=data)
        except ValidationError as error:
            # Only reachable when the state changed between the form check and the save (a race):
            # changeform_view below rolls the whole save back and shows the reason.
            raise _SaveRefused(error.messages) from error
        obj.pk = saved.pk
        obj.refresh_from_db()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _SaveRefused as refused:
            messages.error(request, "; ".join(refused.reasons))
            return HttpResponseRedirect(request.get_full_path())

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConsultationDocument:
            return super().save_formset(request, form, formset, change)
        consultation = form.instance
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            document = deleted.instance
            if document.pk:
                document._history_user = request.user
                document.file.delete(save=False)
                document.delete()
                formset.deleted_objects.append(document)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            checked = getattr(inline_form, "checked", None)
            document = inline_form.instance
            if document.pk is None:
                if checked is None:
                    continue
                formset.new_objects.append(
                    services.store_document(
                        actor=request.user,
                        consultation=consultation,
                        uploaded=inline_form.cleaned_data["file"],
                        checked=checked,
                        title=inline_form.cleaned_data.get("title", ""),
                    )
                )
            else:
                if checked is not None:
                    replacement = inline_form.cleaned_data["file"]
                    document.original_name = replacement.name[:200]
                    document.size = replacement.size
                    document.mime_type = checked.mime_type
                    document.file.save(f"x{checked.extension}", replacement, save=False)
                document._history_user = request.user
                document.save()
                formset.changed_objects.append((document, inline_form.changed_data))


class ReplyInline(admin.StackedInline):
    model = ResponseReply
    extra = 1
    fields = ["body", "work_unit", "created_at"]
    readonly_fields = ["work_unit", "created_at"]
    verbose_name = _("balasan satuan kerja")
    verbose_name_plural = _("balasan satuan kerja (tampil di bawah tanggapan pada halaman publik)")

    def has_add_permission(self, request, obj=None):
        return obj is not None and rights.can(request.user, "reply", obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Officials read their units' responses and reply; moderators may hide a comment. No personal data."""

    inlines = [ReplyInline]
    list_display = ["consultation", "position", "comment_excerpt", "created_at", "updated_at", "is_hidden"]
    list_filter = ["position", "is_hidden", ("consultation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["comment"]
    fields = ["consultation", "position", "comment", "created_at", "updated_at", "is_hidden", "hidden_reason"]
    list_select_related = ["consultation"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["consultation", "position", "comment", "created_at", "updated_at"]
        if obj is None or not rights.can(request.user, "hide", obj):
            readonly += ["is_hidden", "hidden_reason"]
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultation")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return rights.is_moderator(request.user) or rights.is_official(request.user)
        return rights.can(request.user, "hide", obj) or rights.can(request.user, "reply", obj)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_permission(request) or self.has_change_permission(request)
        return rights.is_moderator(request.user) or rights.can(request.user, "see_responses", obj.consultation)

    @admin.display(description=_("komentar"))
    def comment_excerpt(self, obj):
        return (obj.comment[:80] + "…") if len(obj.comment) > 80 else obj.comment

    def save_model(self, request, obj, form, change):
        if {"is_hidden", "hidden_reason"} & set(form.changed_data):
            services.set_response_hidden(
                actor=request.user,
                response=obj.pk,
                hidden=form.cleaned_data.get("is_hidden", False),
                reason=form.cleaned_data.get("hidden_reason", ""),
            )

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.instance.pk is None and inline_form.has_changed() and inline_form.cleaned_data.get("body"):
                formset.new_objects.append(
                    services.reply_to_response(actor=request.user, response=form.instance.pk, body=inline_form.cleaned_data["body"])
                )
