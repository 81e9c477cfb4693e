"""The audit log for administrators: filter, page through, export as CSV. Nothing here writes to it
except the record of an export."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rights
from audit.events import record
from audit.models import AuditEvent
from audit.sentences import sentences

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Pelaku (email)"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("Aksi"), required=False, choices=[("", _("Semua aksi")), *AuditEvent.Action.choices])
    object_type = forms.CharField(label=_("Jenis objek"), required=False, max_length=100, help_text=_("Misalnya participation.Proposal"))
    date_from = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(_("Tanggal awal harus sebelum tanggal akhir."))
        return cleaned

    def filter(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor__email__icontains=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type__iexact=data["object_type"])
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
        return events


def _require_reader(user):
    if not rights.can_read_audit_log(user):
        raise PermissionDenied


@login_required
def audit_log(request):
    _require_reader(request.user)
    form = AuditFilterForm(request.GET)
    events = form.filter(AuditEvent.objects.select_related("actor"))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "audit/audit_log.html",
        {"page": "audit", "form": form, "events_page": page, "described_events": sentences(page.object_list)},
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_log_csv(request):
    _require_reader(request.user)
    form = AuditFilterForm(request.GET)
    events = form.filter(AuditEvent.objects.select_related("actor")).order_by("created_at", "id")
    record(AuditEvent.Action.DATA_EXPORT, actor=request.user, request=request, data={"dataset": "audit_log", "filters": request.GET.dict()})
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["waktu", "aksi", "pelaku_id", "pelaku_email", "jenis_objek", "id_objek", "objek", "alamat_ip", "user_agent", "data"])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(event.created_at).isoformat(),
                    event.action,
                    event.actor_id or "",
                    event.actor.email if event.actor else "",
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    event.ip_address or "",
                    event.user_agent,
                    event.data,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jejak-audit.csv"'
    return response
