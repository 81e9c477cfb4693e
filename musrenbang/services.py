"""Every change in Musrenbang goes through here: one transaction each, rights checked on the object,
history written with its reason, audit events for decisions and for refused forbidden attempts.

Errors a person can fix raise `MusrenbangError` with a message for the page; attempts the person
may not make (another region, another cycle, a guessed code) are recorded as security events and
raise `PermissionDenied` (or `ClaimRefused` for codes).
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts import rights
from audit.events import record
from audit.models import AuditEvent
from musrenbang.models import (
    REGION_LEVEL,
    STAGE_INDEX,
    STAGE_OF_LEVEL,
    Cycle,
    CycleProposal,
    Decision,
    Forum,
    ForumDocument,
    OfflineEntry,
    PriorityEntry,
    Reached,
    Stage,
)
from musrenbang.rules import operates_in
from participation import signals as participation_signals
from participation.models import Proposal, Region
from participation.uploads import delete_stored_files, fill_stored_file

CLAIM_ALPHABET = "ACDEFHJKLMNPRTUVWXY345679"  # no 0/O, 1/I, 2/Z, 8/B: easy to read off a printed receipt
CLAIM_CODE_LENGTH = 12  # 25^12 ≈ 6 × 10^16 codes
CLAIM_MAX_FAILURES = 5
CLAIM_WINDOW_SECONDS = 15 * 60

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_PATTERN = re.compile(r"(?:\+?62|0)[\s.-]?8[\d\s.-]{7,14}\d")


class MusrenbangError(Exception):
    """A refusal the person can act on; `message` is shown in the page."""

    security_event = None

    def __init__(self, message: str, *, security_event: dict | None = None):
        super().__init__(message)
        self.message = message
        self.security_event = security_event


class ClaimRefused(MusrenbangError):
    pass


class Forbidden(PermissionDenied):
    """A forbidden attempt; `atomic` records it as a security event after rolling back the rest."""

    def __init__(self, target, data: dict):
        super().__init__(data.get("reason", ""))
        self.security_event = {"target": target, "data": data}


def atomic(func):
    """One transaction per service; refused attempts leave nothing written except their security event,
    which is recorded after the rollback so that it survives it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except (Forbidden, MusrenbangError) as refused:
            event = refused.security_event
            if event is not None:
                record(AuditEvent.Action.ACCESS_DENIED, actor=kwargs.get("actor"), target=event.get("target"),
                       request=kwargs.get("request"), data=event["data"])
            raise

    return wrapper


def _refuse_forbidden(actor, *, target, request=None, reason: str, **data):
    raise Forbidden(target, {"reason": reason, **data})


def _save(obj, *, actor, reason: str, fields=None):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj._change_reason = reason
    obj.save(update_fields=fields)


def _date(day: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def _require_window(cycle: Cycle, stage: str, day: datetime.date) -> None:
    if not cycle.stage_open(stage, day):
        start, end = cycle.window(stage)
        raise MusrenbangError(
            _("%(stage)s berlangsung %(start)s sampai %(end)s. Di luar masa itu forum dan daftar prioritasnya "
              "tidak dapat dicatat atau diubah.")
            % {"stage": Stage(stage).label, "start": _date(start), "end": _date(end)}
        )


# --- cycle membership ---------------------------------------------------------------------------


def entry_point(region: Region) -> tuple[int, Region | None]:
    """Where a proposal of this region enters the cycle, and the kecamatan that weighs it."""
    if region.level == Region.Level.DESA:
        return Reached.DESA, region.parent
    if region.level == Region.Level.KECAMATAN:
        return Reached.KECAMATAN, region
    return Reached.KABUPATEN, None


def join_collecting_cycle(proposal: Proposal, *, day: datetime.date | None = None) -> CycleProposal | None:
    """A proposal submitted while a cycle collects becomes part of it (once; later submissions change nothing)."""
    day = day or timezone.localdate()
    if CycleProposal.objects.filter(proposal_id=proposal.pk).exists():
        return None
    cycle = Cycle.objects.collecting_on(day).order_by("year").first()
    if cycle is None:
        return None
    region = Region.objects.select_related("parent").get(pk=proposal.region_id)
    entry, kecamatan = entry_point(region)
    try:
        with transaction.atomic():
            return CycleProposal.objects.create(cycle=cycle, proposal_id=proposal.pk, kecamatan=kecamatan, entry=entry, reached=entry)
    except IntegrityError:
        return None  # joined concurrently


# --- forums ---------------------------------------------------------------------------------------


FORUM_FIELDS = (
    "held_on", "place", "chair", "participants_male", "participants_female", "participants_youth",
    "participants_elderly", "participants_disability", "participants_leaders", "summary",
)


@atomic
def record_forum(*, actor, cycle: Cycle, stage: str, region: Region, data: dict, minutes=None, attendance=None,
                 day: datetime.date | None = None, request=None) -> Forum:
    """Create or update the forum of `region` at `stage`, with its minutes (PDF) and attendance photo."""
    day = day or timezone.localdate()
    if not operates_in(actor, region.pk):
        _refuse_forbidden(actor, target=region, request=request, reason="forum_outside_operator_regions", stage=stage, cycle=cycle.year)
    if REGION_LEVEL.get(stage) != region.level or not cycle.is_published:
        raise MusrenbangError(_("Wilayah ini tidak sesuai dengan tahap %(stage)s.") % {"stage": Stage(stage).label})
    _require_window(cycle, stage, day)
    held_on = data["held_on"]
    start, _end = cycle.window(stage)
    if not start <= held_on <= day:
        raise MusrenbangError(
            _("Tanggal pelaksanaan harus di antara %(start)s dan hari ini.") % {"start": _date(start)}
        )
    forum = Forum.objects.select_for_update().filter(cycle=cycle, stage=stage, region=region).first()
    created = forum is None
    if created:
        forum = Forum(cycle=cycle, stage=stage, region=region, recorded_by=actor)
    for field in FORUM_FIELDS:
        if field in data:
            setattr(forum, field, data[field])
    try:
        with transaction.atomic():
            _save(forum, actor=actor, reason="Forum dicatat operator" if created else "Forum diubah operator")
    except IntegrityError:
        raise MusrenbangError(_("Forum ini baru saja dicatat orang lain. Muat ulang halaman.")) from None
    for role, upload in ((ForumDocument.Role.MINUTES, minutes), (ForumDocument.Role.ATTENDANCE, attendance)):
        if upload is None:
            continue
        uploaded, checked = upload
        replaced = list(forum.documents.filter(role=role))
        for old in replaced:
            old.delete()
        # Files leave the storage only once the new row is committed (a rollback keeps the old ones).
        transaction.on_commit(lambda replaced=replaced: [delete_stored_files(old) for old in replaced])
        document = ForumDocument(forum=forum, role=role)
        fill_stored_file(document, uploaded, checked)
        document._history_user = actor
        document.save()
    record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=forum, request=request,
           data={"forum": "created" if created else "updated", "stage": stage, "region": region.pk})
    return forum


def eligible_for(forum: Forum):
    """The cycle's public proposals this forum weighs: the region's own at the desa stage, those that
    reached the kecamatan or kabupaten stage there."""
    base = CycleProposal.objects.filter(
        cycle_id=forum.cycle_id, proposal__status__in=Proposal.PUBLIC_STATUSES, proposal__is_hidden=False
    )
    if forum.stage == Stage.DESA:
        return base.filter(proposal__region_id=forum.region_id, entry=Reached.DESA)
    if forum.stage == Stage.KECAMATAN:
        return base.filter(kecamatan_id=forum.region_id, reached__gte=Reached.KECAMATAN)
    return base.filter(reached__gte=Reached.KABUPATEN)


@dataclass(frozen=True)
class Row:
    cycle_proposal_id: int
    rank: int
    decision: str
    note: str = ""


def _check_ranks(rows: list[Row]) -> None:
    ranks = [row.rank for row in rows]
    if len(set(ranks)) != len(ranks):
        duplicated = sorted({rank for rank in ranks if ranks.count(rank) > 1})
        raise MusrenbangError(
            _("Peringkat %(ranks)s dipakai lebih dari satu usulan. Setiap usulan mendapat peringkat sendiri.")
            % {"ranks": ", ".join(str(rank) for rank in duplicated)}
        )
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        raise MusrenbangError(_("Peringkat harus berurutan dari 1 sampai %(n)d tanpa lompatan.") % {"n": len(ranks)})
    for row in rows:
        if row.decision not in Decision.values:
            raise MusrenbangError(_("Pilih keputusan forum untuk setiap usulan yang diberi peringkat."))
        if len(row.note) > 500:
            raise MusrenbangError(_("Keterangan paling panjang 500 karakter."))


@atomic
def save_priority_list(*, actor, forum: Forum, rows: list[Row], day: datetime.date | None = None, request=None) -> list[PriorityEntry]:
    """Replace the forum's priority list: ranks 1..n, each advancing or stopped with a reason."""
    day = day or timezone.localdate()
    forum = Forum.objects.select_for_update().select_related("cycle", "region").get(pk=forum.pk)
    if not rights.can(actor, "record", forum):
        _refuse_forbidden(actor, target=forum, request=request, reason="priority_list_outside_operator_regions")
    eligible = {cp.pk: cp for cp in eligible_for(forum).select_related("proposal")}
    foreign = sorted({row.cycle_proposal_id for row in rows} - set(eligible))
    if foreign:
        _refuse_forbidden(actor, target=forum, request=request, reason="proposal_not_of_this_forum", cycle_proposals=foreign)
    _require_window(forum.cycle, forum.stage, day)
    _check_ranks(rows)
    affected = {entry.cycle_proposal_id for entry in forum.entries.all()} | {row.cycle_proposal_id for row in rows}
    forum.entries.all().delete()
    entries = []
    for row in sorted(rows, key=lambda r: r.rank):
        proposal = eligible[row.cycle_proposal_id].proposal
        entry = PriorityEntry(
            forum=forum, cycle_proposal_id=row.cycle_proposal_id, rank=row.rank, decision=row.decision,
            note=row.note.strip(), cost=proposal.estimated_cost, supports=proposal.support_count,
        )
        entry._history_user = actor
        entry.save()
        entries.append(entry)
    for cycle_proposal in CycleProposal.objects.select_for_update().filter(pk__in=affected):
        _recompute(cycle_proposal, actor=actor)
    forum.recorded_by = forum.recorded_by or actor
    _save(forum, actor=actor, reason="Daftar prioritas disimpan", fields=["recorded_by", "updated_at"])
    record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=forum, request=request, data={
        "priority_list": [[e.rank, e.cycle_proposal_id, e.decision] for e in entries],
    })
    return entries


def _recompute(cycle_proposal: CycleProposal, *, actor) -> None:
    """How far the proposal got, from the decisions of every forum that weighed it."""
    reached = cycle_proposal.entry
    stopped_at = ""
    for entry in cycle_proposal.entries.select_related("forum").order_by("forum__stage"):
        index = STAGE_INDEX[entry.forum.stage]
        if entry.advances:
            reached = max(reached, index + 1)
        else:
            stopped_at = entry.forum.stage
    if stopped_at and STAGE_INDEX[stopped_at] + 1 <= reached:
        stopped_at = ""  # a later forum took it up again
    if (reached, stopped_at) != (cycle_proposal.reached, cycle_proposal.stopped_at):
        cycle_proposal.reached = min(reached, Reached.HANDED)
        cycle_proposal.stopped_at = stopped_at
        _save(cycle_proposal, actor=actor, reason="Keputusan forum", fields=["reached", "stopped_at"])


# --- budget fit -----------------------------------------------------------------------------------


@dataclass
class BudgetLine:
    entry: PriorityEntry
    running_total: int | None  # total cost of the advanced proposals up to this rank (same unit at kabupaten)
    ceiling: int | None
    over: bool


def budget_lines(forum: Forum, entries: list[PriorityEntry]) -> tuple[list[BudgetLine], dict]:
    """Each line's running total of advanced costs against the ceiling: a warning, never a block.

    Kecamatan forums count against the kecamatan's pagu; the kabupaten forum against each work unit's."""
    from musrenbang.models import Ceiling

    ceilings = Ceiling.objects.filter(cycle_id=forum.cycle_id)
    by_unit = {}
    kecamatan_ceiling = None
    if forum.stage == Stage.KECAMATAN:
        kecamatan_ceiling = ceilings.filter(kecamatan_id=forum.region_id).values_list("amount", flat=True).first()
    elif forum.stage == Stage.KABUPATEN:
        by_unit = dict(ceilings.filter(work_unit__isnull=False).values_list("work_unit_id", "amount"))
    totals: dict = {}
    lines = []
    for entry in entries:
        key = entry.cycle_proposal.proposal.work_unit_id if forum.stage == Stage.KABUPATEN else "all"
        ceiling = by_unit.get(key) if forum.stage == Stage.KABUPATEN else kecamatan_ceiling
        if entry.advances:
            totals[key] = totals.get(key, 0) + (entry.cost or 0)
        running = totals.get(key, 0)
        lines.append(BudgetLine(entry=entry, running_total=running, ceiling=ceiling,
                                over=ceiling is not None and entry.advances and running > ceiling))
    advanced_total = sum(totals.values())
    summary = {
        "advanced_total": advanced_total,
        "ceiling": kecamatan_ceiling,
        "over": any(line.over for line in lines),
        "unit_totals": [(unit_id, total, by_unit.get(unit_id)) for unit_id, total in totals.items() if unit_id != "all"],
    }
    return lines, summary


# --- proposals entered by operators ---------------------------------------------------------------


def contact_details_in(*texts: str) -> bool:
    """Whether a text an operator typed would publish an email address or a phone number."""
    return any(EMAIL_PATTERN.search(text or "") or PHONE_PATTERN.search(text or "") for text in texts)


def phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def new_claim_code() -> str:
    raw = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CLAIM_CODE_LENGTH, 4))


def claim_code_digest(code: str) -> str:
    normalized = re.sub(r"[^A-Z0-9]", "", (code or "").upper())
    return salted_hmac("musrenbang.claim-code", normalized, algorithm="sha256").hexdigest()


@atomic
def enter_offline_proposal(*, actor, region: Region, data: dict, proposer_name: str, name_consent: bool,
                           proposer_phone: str = "", gathered_on: datetime.date, source: str = Stage.DESA,
                           day: datetime.date | None = None, request=None) -> tuple[Proposal, str]:
    """An operator enters a proposal gathered face to face. It goes to moderation like any other and
    carries its provenance; the returned one-time code (printed on the receipt) lets the citizen claim it."""
    day = day or timezone.localdate()
    if not operates_in(actor, region.pk):
        _refuse_forbidden(actor, target=region, request=request, reason="offline_proposal_outside_operator_regions")
    if region.level not in (Region.Level.DESA, Region.Level.KECAMATAN):
        raise MusrenbangError(_("Pilih desa/kelurahan atau kecamatan asal usulan."))
    if contact_details_in(data.get("title", ""), data.get("description", ""), data.get("location_text", ""), proposer_name):
        raise MusrenbangError(
            _("Judul, uraian, lokasi, dan nama dapat tampil untuk publik: hapus alamat email dan nomor telepon "
              "pengusul dari isian itu. Nomor telepon diisi di kolomnya sendiri dan tidak pernah dipublikasikan."),
            security_event={"target": region, "data": {"reason": "offline_proposal_publishing_contact_details"}},
        )
    cycle = Cycle.objects.collecting_on(day).order_by("year").first()
    if cycle is None:
        raise MusrenbangError(_("Tidak ada siklus Musrenbang yang sedang mengumpulkan usulan."))
    if gathered_on > day or gathered_on < cycle.collect_start:
        raise MusrenbangError(_("Tanggal pengumpulan harus di antara awal siklus dan hari ini."))
    now = timezone.now()
    proposal = Proposal(author=None, region=region, **data)
    proposal.move_to(Proposal.Status.SUBMITTED, now=now)
    proposal._history_user = actor
    proposal._change_reason = "Diinput operator Musrenbang dari forum tatap muka"
    proposal.save()
    entry_stage, kecamatan = entry_point(Region.objects.select_related("parent").get(pk=region.pk))
    cycle_proposal = CycleProposal.objects.create(cycle=cycle, proposal=proposal, kecamatan=kecamatan, entry=entry_stage, reached=entry_stage)
    code = new_claim_code()
    offline = OfflineEntry(
        cycle_proposal=cycle_proposal, operator=actor, region=region, source=source, gathered_on=gathered_on,
        proposer_name=proposer_name.strip()[:150], name_consent=name_consent, proposer_phone=proposer_phone.strip()[:20],
        phone_digits=phone_digits(proposer_phone), claim_code_digest=claim_code_digest(code),
    )
    offline._history_user = actor
    offline.save()
    record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=proposal, request=request,
           data={"offline_entry": True, "region": region.pk, "cycle": cycle.year})
    transaction.on_commit(lambda: participation_signals.proposal_created.send(sender=Proposal, proposal=proposal, actor=actor))
    return proposal, code


# --- claims ---------------------------------------------------------------------------------------


def _failure_keys(actor, request) -> list[str]:
    from audit.request_info import client_ip

    keys = [f"musrenbang-claim:user:{actor.pk}"]
    ip = client_ip(request) if request is not None else ""
    if ip:
        keys.append(f"musrenbang-claim:ip:{ip}")
    return keys


def _failures(keys) -> int:
    try:
        return max((cache.get(key) or 0) for key in keys)
    except Exception:  # a failed cache must not open the door: count what we can, refuse nothing extra
        return 0


def _count_failure(keys) -> None:
    for key in keys:
        try:
            if not cache.add(key, 1, CLAIM_WINDOW_SECONDS):
                cache.incr(key)
        except Exception:
            pass


def _claim(owner, offline: OfflineEntry, *, how: str, request, actor=None) -> Proposal:
    actor = actor or owner
    proposal = Proposal.objects.select_for_update().get(pk=offline.cycle_proposal.proposal_id)
    proposal.author = owner
    _save(proposal, actor=actor, reason="Diklaim pengusul", fields=["author"])
    offline.claimed_by = owner
    offline.claimed_at = timezone.now()
    _save(offline, actor=actor, reason=f"Diklaim ({how})", fields=["claimed_by", "claimed_at"])
    record(AuditEvent.Action.STATUS_CHANGED, actor=actor, target=proposal, request=request, data={"claimed": how})
    return proposal


def claim_with_code(*, actor, code: str, request=None) -> Proposal:
    """A citizen who signed up claims the proposal an operator entered for them, with the receipt code.

    Each code works once; unknown and used codes count as failures, five in fifteen minutes (per
    account and per address) stop further tries for a while. The count lives in the shared cache,
    outside the claim's transaction (the database cache would otherwise roll it back)."""
    if not rights.is_verified(actor):
        raise PermissionDenied
    keys = _failure_keys(actor, request)
    if _failures(keys) >= CLAIM_MAX_FAILURES:
        raise ClaimRefused(_("Terlalu banyak percobaan kode yang salah. Coba lagi 15 menit lagi."))
    try:
        return _claim_with_code(actor=actor, code=code, request=request)
    except ClaimRefused:
        _count_failure(keys)
        raise


@atomic
def _claim_with_code(*, actor, code: str, request=None) -> Proposal:
    offline = (
        OfflineEntry.objects.select_for_update().select_related("cycle_proposal__proposal")
        .filter(claim_code_digest=claim_code_digest(code)).first()
    )
    if offline is None:
        raise ClaimRefused(_("Kode tanda terima tidak dikenal. Periksa kembali kode pada kertas tanda terima."),
                           security_event={"data": {"reason": "claim_code_unknown"}})
    if offline.claimed_by_id is not None:
        raise ClaimRefused(_("Kode tanda terima ini sudah dipakai. Setiap kode hanya berlaku satu kali."),
                           security_event={"target": offline.cycle_proposal.proposal, "data": {"reason": "claim_code_reused"}})
    return _claim(actor, offline, how="code", request=request)


def phone_matches(offline_entries) -> dict[int, list]:
    """Accounts whose profile phone equals the number given at the forum, per offline entry.

    Phones on profiles are not verified, so a match is only a hint for the operator, who calls the
    number before linking the proposal to the account (`link_to_account`); it is never shown to citizens."""
    from accounts.models import User

    wanted = {entry.phone_digits for entry in offline_entries if len(entry.phone_digits) >= 8 and entry.claimed_by_id is None}
    if not wanted:
        return {}
    candidates = [user for user in User.objects.filter(is_active=True).exclude(phone="").only("pk", "full_name", "phone", "email")
                  if phone_digits(user.phone) in wanted]
    return {
        entry.pk: [user for user in candidates if phone_digits(user.phone) == entry.phone_digits]
        for entry in offline_entries if entry.phone_digits in wanted
    }


@atomic
def link_to_account(*, actor, offline: OfflineEntry, user, request=None) -> Proposal:
    """An operator links a proposal to the account registered with the proposer's phone, after checking by phone."""
    offline = OfflineEntry.objects.select_for_update().select_related("cycle_proposal").get(pk=offline.pk)
    if not rights.can(actor, "view_private", offline):
        _refuse_forbidden(actor, target=offline.cycle_proposal.proposal, request=request, reason="link_outside_operator_regions")
    if offline.claimed_by_id is not None:
        raise MusrenbangError(_("Usulan ini sudah terhubung ke akun pengusul."))
    if len(offline.phone_digits) < 8 or phone_digits(user.phone) != offline.phone_digits or not rights.is_verified(user):
        raise MusrenbangError(_("Nomor telepon akun ini tidak sama dengan nomor yang dicatat di forum."))
    return _claim(user, offline, how="phone", request=request, actor=actor)


def stage_of_region(region: Region) -> str:
    return STAGE_OF_LEVEL[region.level]
