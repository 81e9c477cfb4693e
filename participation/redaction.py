"""Redaction: a moderator edits a passage (a phone number, a name, an insult) out of a proposal,
comment, consultation response or progress report, in the live row AND in every row of its
change history, so no "before" column anywhere still shows it.

The passage becomes "[disunting oleh moderator]"; without a passage the whole field does. The
reason is required, shown in the public history (credited to the moderator's role, recorded on
the history row) and kept in the audit log. The page lives at /moderasi/sunting/<jenis>/<id>/ and
is linked from the item for moderators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import rights
from audit.events import record
from audit.history import ActorRole
from audit.models import AuditEvent

REDACTED = "[disunting oleh moderator]"


@dataclass(frozen=True)
class Redactable:
    model_label: str
    fields: tuple[str, ...]
    name: str  # what the page calls the item

    @property
    def model(self):
        return apps.get_model(self.model_label)


# The URL's <jenis> → what may be redacted in it: every free text a citizen or official writes
# that the public reads.
KINDS = {
    "usulan": Redactable(
        "participation.Proposal",
        ("title", "description", "location_text", "volume", "official_answer"),
        gettext_lazy("usulan"),
    ),
    "komentar": Redactable("participation.Comment", ("body",), gettext_lazy("komentar")),
    "tanggapan": Redactable("consultations.Response", ("comment",), gettext_lazy("tanggapan uji publik")),
    "laporan": Redactable("programs.ProgressUpdate", ("body",), gettext_lazy("laporan kemajuan")),
}


class NothingToRedact(ValueError):
    """The passage appears nowhere in the field, neither now nor in its history."""


def kind_of(obj) -> str:
    for key, kind in KINDS.items():
        if kind.model_label == obj._meta.label:
            return key
    raise ValueError("not redactable")


def public_url(obj) -> str:
    """Where the item is read: its page, or its anchor on the page it belongs to."""
    label = obj._meta.label
    if label == "participation.Comment":
        return f"{obj.target.get_absolute_url()}#komentar-{obj.pk}"
    if label == "consultations.Response":
        return f"{obj.consultation.get_absolute_url()}#tanggapan-{obj.pk}"
    if label == "programs.ProgressUpdate":
        return f"{obj.phase.program.get_absolute_url()}#laporan-{obj.pk}"
    return obj.get_absolute_url()


def _scrubber(model_field, passage: str):
    pattern = re.compile(re.escape(passage), re.IGNORECASE) if passage else None
    max_length = model_field.max_length if isinstance(model_field, models.CharField) else None

    def scrub(value: str) -> str:
        if not value:
            return value or ""
        new = pattern.sub(REDACTED, value) if pattern else REDACTED
        # A CharField cannot grow past its column; the marker stays readable at the end.
        return new[:max_length] if max_length else new

    return scrub


@transaction.atomic
def redact_field(*, actor, obj, field: str, passage: str, reason: str) -> int:
    """Replace `passage` (or the whole value) in `field` of the live row and every history row.

    Returns the number of history rows rewritten. One new history row records the redaction
    itself, with the reason and the actor's role; an audit event records who, what field, why.
    """
    kind = KINDS[kind_of(obj)]
    model = kind.model
    locked = model.objects.select_for_update().get(pk=obj.pk)
    rights.require(actor, "redact", locked)
    if field not in kind.fields:
        raise ValueError("this field cannot be redacted")
    reason = reason.strip()
    if not reason:
        raise ValueError("a redaction needs a reason")
    model_field = model._meta.get_field(field)
    scrub = _scrubber(model_field, passage.strip())

    rewritten = 0
    old_values = set()
    for history_id, value in model.history.filter(id=locked.pk).values_list("history_id", field):
        if scrub(value) != (value or ""):
            old_values.add(value)
            model.history.filter(history_id=history_id).update(**{field: scrub(value)})
            rewritten += 1
    live_value = getattr(locked, field) or ""
    if not rewritten and scrub(live_value) == live_value:
        raise NothingToRedact(field)
    old_values.add(live_value)
    setattr(locked, field, scrub(live_value))
    locked._history_user = actor
    locked._history_actor_role = ActorRole.ADMINISTRATOR if rights.is_administrator(actor) else ActorRole.MODERATOR
    with translation.override(settings.LANGUAGE_CODE):  # history reasons are stored in the portal's language
        locked._change_reason = f"Disunting moderator ({model_field.verbose_name}): {reason}"
    locked.save(update_fields=[field])
    if kind.model_label == "participation.Proposal" and field == "title":
        _scrub_notifications(locked, old_values, scrub)
    record(
        AuditEvent.Action.MODERATION,
        actor=actor,
        target=locked,
        data={"redacted_field": field, "reason": reason, "history_rows": rewritten, "whole_field": not passage.strip()},
    )
    return rewritten


def _scrub_notifications(proposal, old_titles: set[str], scrub) -> None:
    """Notifications quote a proposal's title (cut to 120 characters); they are rewritten too."""
    from notifications.models import Notification

    for notification in Notification.objects.filter(url=proposal.get_absolute_url()).only("pk", "message"):
        message = notification.message
        for title in old_titles:
            if title:
                message = message.replace(title[:120], scrub(title)[:120])
        if message != notification.message:
            Notification.objects.filter(pk=notification.pk).update(message=message[:300])


# --- the page -------------------------------------------------------------------------------------


class RedactionForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("Bagian yang disunting"), widget=forms.RadioSelect)
    passage = forms.CharField(
        label=gettext_lazy("Teks yang dihapus"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy(
            "Salin persis teks yang harus hilang, misalnya nomor telepon. Teks itu diganti dengan "
            "“[disunting oleh moderator]” di isi sekarang dan di seluruh riwayat perubahan. "
            "Kosongkan untuk mengganti seluruh isi bagian itu."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Alasan penyuntingan"),
        max_length=500,
        help_text=gettext_lazy("Tampil di riwayat perubahan untuk umum; jangan ulangi teks yang dihapus."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, obj, kind: Redactable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (name, str(obj._meta.get_field(name).verbose_name).capitalize())
            for name in kind.fields
            if getattr(obj, name)
        ] or [(kind.fields[0], str(obj._meta.get_field(kind.fields[0]).verbose_name).capitalize())]
        if len(self.fields["field"].choices) == 1:
            self.fields["field"].initial = self.fields["field"].choices[0][0]


@login_required
def redact_view(request, kind: str, pk: int):
    if kind not in KINDS:
        raise Http404
    redactable = KINDS[kind]
    obj = get_object_or_404(redactable.model, pk=pk)
    if not rights.can(request.user, "redact", obj):
        raise PermissionDenied
    form = RedactionForm(request.POST or None, obj=obj, kind=redactable)
    if request.method == "POST" and form.is_valid():
        try:
            redact_field(
                actor=request.user,
                obj=obj,
                field=form.cleaned_data["field"],
                passage=form.cleaned_data["passage"],
                reason=form.cleaned_data["reason"],
            )
        except NothingToRedact:
            form.add_error("passage", _("Teks itu tidak ditemukan di bagian ini, baik di isi sekarang maupun di riwayatnya."))
        else:
            messages.success(request, _("Teks disunting di isi sekarang dan di seluruh riwayat perubahan."))
            return redirect(public_url(obj))
    current = [
        (str(obj._meta.get_field(name).verbose_name).capitalize(), getattr(obj, name))
        for name in redactable.fields
        if getattr(obj, name)
    ]
    return render(
        request,
        "participation/redact.html",
        {"page": "moderation", "form": form, "kind_name": redactable.name, "current": current, "back_url": public_url(obj)},
    )
