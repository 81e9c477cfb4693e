"""Each audit event as one sentence in Indonesian, for the administrators' audit page.

"Dewi Lestari menolak usulan 'Lampu jalan ...' — alasan: ..." reads in a second; the raw row does
not. Every event type has a sentence here (SENTENCES, one function per type, refined by what the
event's data says), and tests/audit/test_sentences.py fails when the code can write a type that
has none. Names link to the actor's account page, objects to their page (public page for
proposals, programs and consultations; the admin page otherwise). The CSV keeps the raw fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent

Action = AuditEvent.Action

# What each kind of object is called in a sentence.
NOUNS = {
    "participation.Proposal": gettext_lazy("usulan"),
    "participation.Comment": gettext_lazy("komentar"),
    "programs.Program": gettext_lazy("program"),
    "programs.Phase": gettext_lazy("tahap"),
    "programs.ProgressUpdate": gettext_lazy("kabar kemajuan"),
    "consultations.Consultation": gettext_lazy("uji publik"),
    "consultations.Response": gettext_lazy("tanggapan"),
    "accounts.User": gettext_lazy("akun"),
    "accounts.WorkUnit": gettext_lazy("satuan kerja"),
}

# Public pages, where the object has one; anything else links to its admin page.
PUBLIC_PAGES = {
    "participation.Proposal": "participation:proposal_detail",
    "programs.Program": "programs:program_detail",
    "consultations.Consultation": "consultations:detail",
}

MAX_QUOTED = 80


@dataclass
class Context:
    """What the sentences of one page need beyond the rows: names of people and units they mention."""

    users: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)

    @classmethod
    def for_events(cls, events) -> Context:
        """Two queries for a whole page: the users and work units named only by id in event data."""
        from accounts.models import User, WorkUnit

        user_ids, unit_ids = set(), set()
        for event in events:
            data = event.data if isinstance(event.data, dict) else {}
            if event.action in (Action.RIGHT_GRANTED, Action.RIGHT_REVOKED) and data.get("holder_type") == "user":
                user_ids.add(data.get("holder_id"))
            for key in ("routed_from", "routed_to", "work_unit"):
                if isinstance(data.get(key), int):
                    unit_ids.add(data[key])
        user_ids.discard(None)
        return cls(
            users={user.pk: user for user in User.objects.filter(pk__in=user_ids)} if user_ids else {},
            units={unit.pk: unit for unit in WorkUnit.objects.filter(pk__in=unit_ids)} if unit_ids else {},
        )


def _quote(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1].rstrip() + "…"


def admin_url(label: str, object_id) -> str | None:
    try:
        model = _model(label)
        if model is None or model not in admin.site._registry:
            return None
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return None


def _model(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_url(label: str, object_id) -> str | None:
    if not object_id:
        return None
    if label in PUBLIC_PAGES:
        try:
            return reverse(PUBLIC_PAGES[label], args=[object_id])
        except NoReverseMatch:
            pass
    return admin_url(label, object_id)


def _link(url, text) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text) if url else format_html("{}", text)


def person(user, fallback: str = "") -> SafeString:
    """A person's name linked to their account page (administrators read this page)."""
    if user is None:
        return format_html("{}", fallback or _("Seseorang"))
    return _link(admin_url("accounts.User", user.pk), user.full_name or user.email)


def actor(event) -> SafeString:
    if event.actor_id is None:
        return format_html("{}", _("Sistem") if event.action in _SYSTEM_ACTIONS else _("Seseorang"))
    return person(event.actor)


def thing(event) -> SafeString:
    """The object: its kind, then its name in quotes, linked."""
    noun = NOUNS.get(event.object_type, "")
    name = f"'{_quote(event.object_repr)}'" if event.object_repr else f"#{event.object_id}"
    linked = _link(object_url(event.object_type, event.object_id), name)
    return format_html("{} {}", noun, linked) if noun else linked


def unit_name(context: Context, unit_id) -> SafeString:
    unit = context.units.get(unit_id)
    if unit is None:
        return format_html("#{}", unit_id)
    return _link(admin_url("accounts.WorkUnit", unit.pk), unit.short_name)


# The history label the proposal service writes before a moderator's own words.
_REJECTION_LABEL = "Ditolak moderator: "


def _reason(data) -> SafeString:
    reason = str(data.get("reason") or "").strip().removeprefix(_REJECTION_LABEL)
    return format_html(" — {} {}", _("alasan:"), _quote(reason)) if reason else format_html("")


# Events the portal writes by itself, without a person behind them.
_SYSTEM_ACTIONS = {Action.STATUS_CHANGED}


def _sentence(template: str, **parts) -> SafeString:
    return format_html(template, **parts)


def _login(event, data, context):
    return _sentence(_("{actor} masuk ke portal."), actor=actor(event))


def _login_failed(event, data, context):
    tried = data.get("attempted_email") or "?"
    return _sentence(_("Percobaan masuk gagal dengan alamat email {email}."), email=tried)


def _logout(event, data, context):
    return _sentence(_("{actor} keluar dari portal."), actor=actor(event))


def _signup(event, data, context):
    return _sentence(_("{actor} mendaftar sebagai pengguna baru."), actor=actor(event))


def _email_confirmed(event, data, context):
    return _sentence(_("{actor} mengonfirmasi alamat emailnya."), actor=actor(event))


def _password_changed(event, data, context):
    return _sentence(_("{actor} mengganti kata sandinya."), actor=actor(event))


def _password_reset(event, data, context):
    return _sentence(_("{actor} mengatur ulang kata sandinya lewat tautan di email."), actor=actor(event))


def _roles(data) -> str:
    return ", ".join(str(name) for name in data.get("roles") or []) or "?"


def _role_granted(event, data, context):
    return _sentence(_("{actor} memberi peran {roles} kepada {object}."), actor=actor(event), roles=_roles(data), object=thing(event))


def _role_revoked(event, data, context):
    return _sentence(_("{actor} mencabut peran {roles} dari {object}."), actor=actor(event), roles=_roles(data), object=thing(event))


def _holder(data, context) -> SafeString:
    if data.get("holder_type") == "group":
        return format_html("{} #{}", _("grup"), data.get("holder_id"))
    user = context.users.get(data.get("holder_id"))
    return person(user, fallback=f"#{data.get('holder_id')}")


def _right_granted(event, data, context):
    return _sentence(
        _("{actor} memberi {holder} hak bertindak atas nama {object}."),
        actor=actor(event), holder=_holder(data, context), object=thing(event),
    )


def _right_revoked(event, data, context):
    return _sentence(
        _("{actor} mencabut hak {holder} untuk bertindak atas nama {object}."),
        actor=actor(event), holder=_holder(data, context), object=thing(event),
    )


def _moderation(event, data, context):
    parts = {"actor": actor(event), "object": thing(event), "reason": _reason(data)}
    if data.get("to") == "published":
        return _sentence(_("{actor} memublikasikan {object}."), **parts)
    if data.get("to") == "rejected":
        return _sentence(_("{actor} menolak {object}{reason}."), **parts)
    if data.get("hidden") is True:
        return _sentence(_("{actor} menyembunyikan {object}{reason}."), **parts)
    if data.get("hidden") is False:
        return _sentence(_("{actor} menampilkan kembali {object}."), **parts)
    if data.get("flags") == "dismissed":
        return _sentence(_("{actor} menutup laporan warga atas {object} tanpa tindakan."), **parts)
    return _sentence(_("{actor} mengambil keputusan moderasi atas {object}{reason}."), **parts)


_PHASES = {"perencanaan": gettext_lazy("Perencanaan"), "pelaksanaan": gettext_lazy("Pelaksanaan"), "monev": gettext_lazy("Monitoring & Evaluasi")}


def _status_label(label: str, value) -> str:
    """The human name of a status value for this kind of object (the value itself when unknown)."""
    model = _model(label)
    status = getattr(model, "Status", None) if model is not None else None
    if status is not None:
        try:
            return str(status(value).label)
        except ValueError:
            pass
    return str(value)


def _status_changed(event, data, context):
    parts = {"actor": actor(event), "object": thing(event)}
    answer = str(data.get("answer") or "").strip()
    quoted_answer = format_html(" — {} {}", _("jawaban:"), _quote(answer)) if answer else format_html("")
    if data.get("to") == "under_review":
        return _sentence(_("{actor} menandai {object} sedang dikaji{answer}."), answer=quoted_answer, **parts)
    if data.get("to") == "declined":
        return _sentence(_("{actor} menolak {object}{answer}."), answer=quoted_answer, **parts)
    if "amended" in data:
        if data["amended"]:
            return _sentence(_("{actor} mengubah jawaban resmi atas {object}{answer}."), answer=quoted_answer, **parts)
        return _sentence(_("{actor} memberi jawaban resmi atas {object}{answer}."), answer=quoted_answer, **parts)
    if data.get("answered"):
        return _sentence(_("{actor} memberi jawaban resmi atas {object}."), **parts)
    if "routed_to" in data:
        return _sentence(
            _("{actor} mendisposisikan {object} dari {from_unit} ke {to_unit}."),
            from_unit=unit_name(context, data.get("routed_from")), to_unit=unit_name(context, data["routed_to"]), **parts,
        )
    if data.get("created"):
        return _sentence(_("{actor} membuat {object}."), **parts)
    if data.get("follow_up"):
        return _sentence(_("{actor} menulis tindak lanjut {object}."), **parts)
    if "closes_at" in data or "opens_at" in data:
        return _sentence(_("{actor} mengubah jadwal {object}."), **parts)
    if "phase" in data:
        phase = _PHASES.get(data["phase"], data["phase"])
        template = {
            "running": _("{actor} memulai tahap {phase} {object}."),
            "done": _("{actor} menyelesaikan tahap {phase} {object}."),
        }.get(data.get("to"), _("{actor} mengubah tahap {phase} {object}."))
        return _sentence(template, phase=phase, **parts)
    if data.get("to") == "accepted" and data.get("program"):
        return _sentence(_("{actor} menindaklanjuti {object} dalam program '{program}'."), program=_quote(data["program"]), **parts)
    if event.object_type == "consultations.Consultation" and data.get("to") in ("published", "draft"):
        if data["to"] == "published":
            return _sentence(_("{actor} memublikasikan {object}."), **parts)
        return _sentence(_("{actor} menarik {object} kembali menjadi draf."), **parts)
    if data.get("resubmission"):
        return _sentence(_("{actor} membuka kembali {object} yang ditolak untuk diperbaiki."), **parts)
    if event.object_type == "participation.Proposal" and data.get("to") in ("submitted", "withdrawn"):
        if data["to"] == "submitted":
            return _sentence(_("{actor} mengajukan {object} untuk diperiksa moderator."), **parts)
        return _sentence(_("{actor} menarik {object}."), **parts)
    if "to" in data:
        return _sentence(
            _("{actor} mengubah status {object} dari {old} menjadi {new}."),
            old=_status_label(event.object_type, data.get("from")), new=_status_label(event.object_type, data["to"]),
            **parts,
        )
    return _sentence(_("{actor} mengubah status {object}."), **parts)


_DATASETS = {"audit_log": gettext_lazy("jejak audit"), "data_pribadi": gettext_lazy("data pribadinya")}


def _data_export(event, data, context):
    dataset = data.get("dataset") or "?"
    name = _DATASETS.get(dataset, dataset)
    fmt = str(data.get("format") or "csv").upper()
    if dataset in _DATASETS:
        return _sentence(_("{actor} mengunduh {dataset} ({format})."), actor=actor(event), dataset=name, format=fmt)
    return _sentence(_("{actor} mengunduh data terbuka '{dataset}' ({format})."), actor=actor(event), dataset=name, format=fmt)


def _account_deleted(event, data, context):
    return _sentence(
        _("Sebuah akun dihapus atas permintaan pemiliknya; {drafts} draf usulan ikut dihapus."),
        drafts=data.get("drafts_deleted", 0),
    )


def _second_factor_added(event, data, context):
    return _sentence(_("{actor} memasang verifikasi dua langkah ({kind})."), actor=actor(event), kind=_factor(data))


def _second_factor_removed(event, data, context):
    return _sentence(_("{actor} melepas verifikasi dua langkah ({kind})."), actor=actor(event), kind=_factor(data))


def _recovery_codes_renewed(event, data, context):
    return _sentence(_("{actor} membuat ulang kode pemulihan verifikasi dua langkah."), actor=actor(event))


def _second_factor_used(event, data, context):
    return _sentence(_("{actor} memasukkan kode verifikasi dua langkah yang benar ({kind})."), actor=actor(event), kind=_factor(data))


def _second_factor_failed(event, data, context):
    return _sentence(_("Kode verifikasi dua langkah yang salah dimasukkan untuk {object}."), object=thing(event))


_REFUSALS = {
    "forum_outside_operator_regions": _("mencatat forum Musrenbang di luar wilayahnya"),
    "priority_list_outside_operator_regions": _("mengubah daftar prioritas forum di luar wilayahnya"),
    "proposal_not_of_this_forum": _("memeringkat usulan dari wilayah atau siklus lain"),
    "offline_proposal_outside_operator_regions": _("menginput usulan tatap muka di luar wilayahnya"),
    "offline_proposal_publishing_contact_details": _("menginput usulan yang memuat email atau nomor telepon pengusul"),
    "link_outside_operator_regions": _("menghubungkan usulan di luar wilayahnya ke sebuah akun"),
    "claim_code_unknown": _("mengklaim usulan dengan kode tanda terima yang tidak dikenal"),
    "claim_code_reused": _("mengklaim usulan dengan kode tanda terima yang sudah dipakai"),
}


def _access_denied(event, data, context):
    attempt = _REFUSALS.get(data.get("reason"), _("melakukan tindakan terlarang"))
    return _sentence(_("{actor} ditolak saat mencoba {attempt}."), actor=actor(event), attempt=attempt)


def _factor(data) -> str:
    return {"totp": _("aplikasi autentikator"), "recovery_codes": _("kode pemulihan")}.get(data.get("type"), str(data.get("type") or "?"))


SENTENCES = {
    Action.LOGIN: _login,
    Action.LOGIN_FAILED: _login_failed,
    Action.LOGOUT: _logout,
    Action.SIGNUP: _signup,
    Action.EMAIL_CONFIRMED: _email_confirmed,
    Action.PASSWORD_CHANGED: _password_changed,
    Action.PASSWORD_RESET: _password_reset,
    Action.ROLE_GRANTED: _role_granted,
    Action.ROLE_REVOKED: _role_revoked,
    Action.RIGHT_GRANTED: _right_granted,
    Action.RIGHT_REVOKED: _right_revoked,
    Action.MODERATION: _moderation,
    Action.STATUS_CHANGED: _status_changed,
    Action.DATA_EXPORT: _data_export,
    Action.ACCOUNT_DELETED: _account_deleted,
    Action.SECOND_FACTOR_ADDED: _second_factor_added,
    Action.SECOND_FACTOR_REMOVED: _second_factor_removed,
    Action.RECOVERY_CODES_RENEWED: _recovery_codes_renewed,
    Action.SECOND_FACTOR_USED: _second_factor_used,
    Action.SECOND_FACTOR_FAILED: _second_factor_failed,
    Action.ACCESS_DENIED: _access_denied,
}


def sentence(event, context: Context | None = None) -> SafeString:
    """The event as one sentence (HTML-safe, with links)."""
    data = event.data if isinstance(event.data, dict) else {}
    describe = SENTENCES.get(event.action)
    if describe is None:
        # Unknown types (a row older than this code) still read as something, never as an error.
        return format_html("{} — {}", event.get_action_display(), thing(event))
    return describe(event, data, context or Context())


def sentences(events) -> list[tuple[object, SafeString]]:
    """Each event of a page with its sentence, names looked up in two queries for the whole page."""
    events = list(events)
    context = Context.for_events(events)
    return [(event, sentence(event, context)) for event in events]

