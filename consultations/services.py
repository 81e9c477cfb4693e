"""Every change to consultations, responses, replies and follow-ups goes through here.

Each service is one transaction: lock the consultation, ask `rights`, apply the rule, save the
changed fields, write history with its reason and, for editorial decisions, an audit event.
Services take an optional `now` so tests can stand before, inside and after the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import rights
from audit.events import record
from audit.models import AuditEvent
from consultations.exceptions import AlreadyResponded, ConsultationError, InvalidResponse, NotOpen
from consultations.models import Consultation, ConsultationDocument, Response, ResponseReply
from consultations.rules import may_take_part
from participation.uploads import CheckedUpload, fill_stored_file

State = Consultation.State

# The fields an official edits; anything else on the model is set by services only.
EDITABLE_FIELDS = ("title", "summary", "body", "work_unit", "category", "opens_at", "closes_at", "is_published", "follow_up")
# Changing these while the consultation is open changes what citizens are responding to.
CONTENT_FIELDS = ("title", "summary", "body")


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y H:i")


def _locked(consultation: Consultation | int) -> Consultation:
    pk = consultation.pk if isinstance(consultation, Consultation) else consultation
    return Consultation.objects.select_for_update().get(pk=pk)


def _save(obj, *, actor, reason: str, fields: list[str] | None = None) -> None:
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj._change_reason = reason
    obj.save(update_fields=fields) if fields else obj.save()


def _not_open_message(state: str) -> str:
    return {
        State.DRAFT: _("Uji publik ini belum dipublikasikan."),
        State.SCHEDULED: _("Uji publik ini belum dibuka. Tanggapan belum dapat dikirim."),
        State.CLOSED: _("Uji publik ini sudah ditutup. Tanggapan tidak lagi diterima."),
    }.get(state, _("Uji publik ini tidak sedang dibuka."))


# --- the official's side: creating and changing a consultation ------------------------------------


@dataclass
class ChangeCheck:
    """What a proposed change would do, so the admin form and the service decide alike."""

    errors: dict[str, list[str]]
    needs_confirmation: bool = False
    reasons: list[str] | None = None


def check_change(
    *,
    old: Consultation | None,
    new: dict,
    response_count: int,
    now: datetime,
    confirm_earlier_close: bool = False,
    note: str = "",
) -> ChangeCheck:
    """Validate a create (old=None) or an edit against the consultation rules; pure, no writes.

    Rules: closing comes after opening; once opened, the opening time and the published flag
    are fixed and the documents are frozen; while open, title, summary and body change only as a
    correction with a note; a closing time moved earlier once responses exist needs an explicit
    confirmation; a closed consultation keeps its times; the follow-up is written only after closing.
    """
    errors: dict[str, list[str]] = {}
    reasons: list[str] = []

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    opens_at = new.get("opens_at") or (old.opens_at if old else None)
    closes_at = new.get("closes_at") or (old.closes_at if old else None)
    if opens_at and closes_at and closes_at <= opens_at:
        error("closes_at", _("Waktu penutupan harus sesudah waktu pembukaan."))

    if old is None:
        if new.get("follow_up", "").strip():
            error("follow_up", _("Tindak lanjut hanya dapat ditulis setelah uji publik ditutup."))
        return ChangeCheck(errors=errors, reasons=["Dibuat"])

    state = old.state(now)
    opened = state in (State.OPEN, State.CLOSED)
    changed = {name for name in EDITABLE_FIELDS if name in new and _value(new[name]) != _value(getattr(old, name))}

    if opened and "is_published" in changed:
        error("is_published", _("Uji publik yang sudah dibuka tidak dapat ditarik kembali menjadi draf."))
    if opened and "opens_at" in changed:
        error("opens_at", _("Waktu pembukaan tidak dapat diubah setelah uji publik dibuka."))
    if opened and "work_unit" in changed:
        error("work_unit", _("Satuan kerja tidak dapat diganti setelah uji publik dibuka."))
    if state == State.CLOSED and "closes_at" in changed:
        error("closes_at", _("Uji publik sudah ditutup; waktunya tidak dapat diubah lagi."))
    if state == State.OPEN and changed & set(CONTENT_FIELDS):
        if not note.strip():
            error(
                "change_note",
                _("Isi rancangan tidak dapat diubah selama uji publik dibuka, kecuali koreksi. Tulis catatan koreksinya."),
            )
        else:
            reasons.append(f"Koreksi selama uji publik dibuka: {note.strip()}")
    if state == State.OPEN and "closes_at" in changed and closes_at:
        if closes_at < old.closes_at and response_count > 0:
            if not confirm_earlier_close:
                error(
                    "closes_at",
                    _(
                        "Sudah ada %(count)d tanggapan. Memajukan waktu penutupan mengurangi kesempatan warga: "
                        "centang konfirmasi untuk melanjutkan."
                    )
                    % {"count": response_count},
                )
                return ChangeCheck(errors=errors, needs_confirmation=True, reasons=reasons)
            reasons.append(
                f"Waktu penutupan dimajukan dari {_local(old.closes_at)} ke {_local(closes_at)} "
                f"(dikonfirmasi, {response_count} tanggapan sudah masuk)"
            )
    if "follow_up" in changed and state != State.CLOSED:
        error("follow_up", _("Tindak lanjut hanya dapat ditulis setelah uji publik ditutup."))
    if "is_published" in changed:
        reasons.append("Dipublikasikan" if new["is_published"] else "Ditarik kembali menjadi draf")
    if "follow_up" in changed and state == State.CLOSED:
        reasons.append("Tindak lanjut ditulis")
    if note.strip() and not any(r.startswith("Koreksi") for r in reasons):
        reasons.append(note.strip())
    return ChangeCheck(errors=errors, reasons=reasons or ["Diubah petugas"])


def _value(value):
    """Compare model instances by key and text without trailing whitespace noise."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str):
        return value.strip()
    return value


def _raise_for(check: ChangeCheck) -> None:
    if check.errors:
        raise ValidationError({field: messages for field, messages in check.errors.items()})


@transaction.atomic
def create_consultation(*, actor, data: dict, now: datetime | None = None) -> Consultation:
    """An official of the owning unit creates a consultation (a draft, or published at once)."""
    now = now or timezone.now()
    work_unit = data.get("work_unit")
    if work_unit is None or not rights.acts_for(actor, work_unit.pk):
        raise PermissionDenied
    data = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    _raise_for(check_change(old=None, new=data, response_count=0, now=now))
    consultation = Consultation(created_by=actor, **data)
    if consultation.is_published:
        consultation.published_at = now
    _save(consultation, actor=actor, reason="Dibuat" + (" dan dipublikasikan" if consultation.is_published else " sebagai draf"))
    if consultation.is_published:
        _audit_publish(actor, consultation)
    return consultation


@transaction.atomic
def update_consultation(
    *,
    actor,
    consultation: Consultation | int,
    data: dict,
    confirm_earlier_close: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> Consultation:
    """An official of the owning unit changes a consultation under the rules of `check_change`."""
    now = now or timezone.now()
    locked = _locked(consultation)
    rights.require(actor, "edit", locked)
    new_unit = data.get("work_unit")
    if new_unit is not None and not rights.acts_for(actor, new_unit.pk):
        raise PermissionDenied
    data = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    check = check_change(
        old=locked,
        new=data,
        response_count=locked.responses.count(),
        now=now,
        confirm_earlier_close=confirm_earlier_close,
        note=note,
    )
    _raise_for(check)
    old = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    changed = [name for name in data if _value(data[name]) != _value(old[name])]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    fields = list(changed)
    if "is_published" in changed and locked.is_published and locked.published_at is None:
        locked.published_at = now
        fields.append("published_at")
    if "follow_up" in changed:
        locked.follow_up_at = now if locked.follow_up.strip() else None
        fields.append("follow_up_at")
    _save(locked, actor=actor, reason="; ".join(check.reasons or []), fields=[*fields, "updated_at"])
    if "is_published" in changed:
        if locked.is_published:
            _audit_publish(actor, locked)
        else:
            record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=locked, data={"from": "published", "to": "draft"})
    if {"opens_at", "closes_at"} & set(changed):
        record(
            AuditEvent.Action.STATUS_CHANGED,
            actor=actor,
            target=locked,
            data={
                "opens_at": [old["opens_at"].isoformat(), locked.opens_at.isoformat()],
                "closes_at": [old["closes_at"].isoformat(), locked.closes_at.isoformat()],
                "confirmed_earlier_close": bool(confirm_earlier_close and locked.closes_at < old["closes_at"]),
            },
        )
    if "follow_up" in changed:
        record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=locked, data={"follow_up": "written"})
    return locked


def _audit_publish(actor, consultation: Consultation) -> None:
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=consultation,
        data={
            "from": "draft",
            "to": "published",
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
        },
    )


def write_follow_up(*, actor, consultation: Consultation | int, text: str, now: datetime | None = None) -> Consultation:
    """An official of the owning unit publishes what was done with the responses; only after closing."""
    text = text.strip()
    if not text:
        raise ValidationError({"follow_up": [_("Tulis tindak lanjutnya.")]})
    return update_consultation(actor=actor, consultation=consultation, data={"follow_up": text}, now=now)


@transaction.atomic
def add_documents(
    *, actor, consultation: Consultation | int, files: list[tuple[object, CheckedUpload]], now: datetime | None = None
) -> list[ConsultationDocument]:
    """Attach checked PDFs; the documents are frozen once the consultation has opened."""
    now = now or timezone.now()
    locked = _locked(consultation)
    rights.require(actor, "edit", locked)
    if locked.has_opened(now):
        raise ConsultationError(_("Dokumen tidak dapat diubah setelah uji publik dibuka."))
    documents = []
    for uploaded, checked in files:
        documents.append(store_document(actor=actor, consultation=locked, uploaded=uploaded, checked=checked))
    return documents


def store_document(*, actor, consultation: Consultation, uploaded, checked: CheckedUpload, title: str = "") -> ConsultationDocument:
    """Save one checked PDF under a random name; callers hold the lock and have checked rights."""
    if checked.kind != "pdf":
        raise ConsultationError(_("Dokumen uji publik harus berupa PDF."))
    document = ConsultationDocument(consultation=consultation, title=title[:200])
    fill_stored_file(document, uploaded, checked)
    document._history_user = actor
    document.save()
    return document


# --- the citizen's side: responding ---------------------------------------------------------------


def _clean_response(position: str, comment: str) -> str:
    if position not in Response.Position.values:
        raise InvalidResponse(_("Pilih salah satu sikap: setuju, tidak setuju, atau netral."))
    comment = (comment or "").strip()
    if len(comment) > Response.COMMENT_MAX_LENGTH:
        raise InvalidResponse(
            _("Komentar paling banyak %(max)d karakter (sekarang %(length)d).")
            % {"max": Response.COMMENT_MAX_LENGTH, "length": len(comment)}
        )
    return comment


def _require_open_for(actor, consultation: Consultation, now: datetime) -> None:
    rights.require(actor, "view", consultation)
    if not rights.is_verified(actor):
        raise PermissionDenied
    if not may_take_part(actor, consultation):
        raise PermissionDenied
    state = consultation.state(now)
    if state != State.OPEN:
        raise NotOpen(_not_open_message(state), state)


@transaction.atomic
def submit_response(
    *, actor, consultation: Consultation | int, position: str, comment: str = "", now: datetime | None = None
) -> Response:
    """Record a citizen's first response; refused outside the window, even when racing the close.

    The consultation row is locked and the window re-checked inside this transaction, so a request
    that started before closing but writes after it is refused.
    """
    locked = _locked(consultation)
    now = now or timezone.now()
    _require_open_for(actor, locked, now)
    comment = _clean_response(position, comment)
    if Response.objects.filter(consultation=locked, author=actor).exists():
        raise AlreadyResponded(_("Anda sudah memberikan tanggapan. Ubah tanggapan Anda bila sikap Anda berubah."))
    response = Response(consultation=locked, author=actor, position=position, comment=comment, created_at=now, updated_at=now)
    response._history_user = actor
    response._change_reason = "Tanggapan dikirim"
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise AlreadyResponded(
            _("Anda sudah memberikan tanggapan. Ubah tanggapan Anda bila sikap Anda berubah.")
        ) from None
    return response


@transaction.atomic
def change_response(
    *, actor, response: Response | int, position: str, comment: str = "", now: datetime | None = None
) -> Response:
    """The author changes their own response while the consultation is open."""
    pk = response.pk if isinstance(response, Response) else response
    consultation_id = Response.objects.filter(pk=pk).values_list("consultation_id", flat=True).first()
    if consultation_id is None:
        raise Response.DoesNotExist
    locked_consultation = _locked(consultation_id)
    locked = Response.objects.select_for_update().get(pk=pk)
    locked.consultation = locked_consultation
    now = now or timezone.now()
    rights.require(actor, "view", locked_consultation)
    if not rights.is_author(actor, locked):
        raise PermissionDenied
    _require_open_for(actor, locked_consultation, now)
    comment = _clean_response(position, comment)
    if locked.position == position and locked.comment == comment:
        return locked
    reason = "Sikap diubah" if locked.position != position else "Komentar diubah"
    locked.position = position
    locked.comment = comment
    locked.updated_at = now
    _save(locked, actor=actor, reason=reason, fields=["position", "comment", "updated_at"])
    return locked


# --- officials and moderators on responses --------------------------------------------------------


@transaction.atomic
def reply_to_response(*, actor, response: Response | int, body: str) -> ResponseReply:
    """An official of the owning unit replies to one response; the reply is public, signed by the unit."""
    pk = response.pk if isinstance(response, Response) else response
    locked = Response.objects.select_related("consultation").select_for_update(of=("self",)).get(pk=pk)
    rights.require(actor, "reply", locked)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Tulis balasannya.")]})
    if len(body) > 5000:
        raise ValidationError({"body": [_("Balasan paling banyak 5.000 karakter.")]})
    reply = ResponseReply(response=locked, work_unit_id=locked.consultation.work_unit_id, author=actor, body=body)
    reply._history_user = actor
    reply._change_reason = "Balasan satuan kerja"
    reply.save()
    return reply


@transaction.atomic
def set_response_hidden(*, actor, response: Response | int, hidden: bool, reason: str = "") -> Response:
    """A moderator hides a response's comment from public pages (its position still counts)."""
    pk = response.pk if isinstance(response, Response) else response
    locked = Response.objects.select_related("consultation").select_for_update(of=("self",)).get(pk=pk)
    rights.require(actor, "hide", locked)
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ValidationError({"hidden_reason": [_("Tulis alasan menyembunyikan komentar ini.")]})
    locked.is_hidden = hidden
    locked.hidden_reason = reason if hidden else ""
    label = f"Disembunyikan moderator: {reason}" if hidden else "Ditampilkan kembali oleh moderator"
    _save(locked, actor=actor, reason=label, fields=["is_hidden", "hidden_reason"])
    record(AuditEvent.Action.MODERATION, actor=actor, target=locked, data={"hidden": hidden, "reason": reason})
    return locked


# --- results --------------------------------------------------------------------------------------


CHART_BAR_MAX = 130  # SVG units; the chart's geometry lives in results_chart.html
CHART_ROW_HEIGHT = 15


@dataclass
class PositionResult:
    position: str
    label: str
    count: int
    percent: float
    offset: int = 0

    @property
    def bar_width(self) -> float:
        return round(CHART_BAR_MAX * self.percent / 100, 2)


@dataclass
class Results:
    total: int
    rows: list[PositionResult]

    @property
    def chart_height(self) -> int:
        return CHART_ROW_HEIGHT * len(self.rows)


def results_for(consultation: Consultation) -> Results:
    """Counts and percentages per position, in one query; percentages round to one decimal."""
    from django.db.models import Count

    counts = dict(
        Response.objects.filter(consultation=consultation)
        .values_list("position")
        .annotate(n=Count("id"))
        .values_list("position", "n")
    )
    total = sum(counts.values())
    rows = [
        PositionResult(
            position=value,
            label=str(label),
            count=counts.get(value, 0),
            percent=round(100 * counts.get(value, 0) / total, 1) if total else 0.0,
            offset=index * CHART_ROW_HEIGHT,
        )
        for index, (value, label) in enumerate(Response.Position.choices)
    ]
    return Results(total=total, rows=rows)
