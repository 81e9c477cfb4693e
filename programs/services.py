"""Every change to programs, phases, progress updates and ratings goes through here.

Each service is one transaction. The program row is locked first (`select_for_update`), so all
changes to one program and its phases happen one after another; then `rights` is asked, the
model's rule applied, the changed fields saved with a history reason, and an audit event written.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rights
from audit.events import record
from audit.models import AuditEvent
from participation.models import Proposal
from participation.services import accept_proposals
from participation.uploads import CheckedUpload, fill_stored_file
from programs.exceptions import InvalidRating, InvalidSourceProposals, InvalidUpdate, RatingNotOpen
from programs import signals
from programs.models import Phase, Program, ProgramDocument, ProgressUpdate, Rating

MAX_DOCUMENTS = 5
PROGRAM_FIELDS = ("title", "description", "work_unit", "category", "region", "budget", "fiscal_year")
EDITABLE_PROGRAM_FIELDS = ("title", "description", "category", "region", "budget", "fiscal_year")
EDITABLE_PHASE_FIELDS = ("planned_start", "planned_end", "description", "progress")


def _save(obj, *, actor, reason: str, fields: list[str] | None = None):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj._change_reason = reason
    obj.save(update_fields=fields)


def _after_commit(signal, **kwargs) -> None:
    """Announce a domain event once the data is really there (never for a rolled-back change)."""
    transaction.on_commit(lambda: signal.send(sender=Program, **kwargs))


def _locked_program(program_id: int) -> tuple[Program, list[Phase]]:
    """Lock the program row, then read its phases (every phase change takes this lock first)."""
    locked = Program.objects.select_for_update().select_related("work_unit").get(pk=program_id)
    phases = list(Phase.objects.filter(program=locked).order_by("order"))
    for phase in phases:
        phase.program = locked
    # Let `locked.allows()` and friends read these phases without another query.
    locked._prefetched_objects_cache = {"phases": phases}
    return locked, phases


def usable_source_proposals(actor):
    """Published (or under review), visible proposals addressed to a unit the actor acts for: what a program may come from."""
    base = Proposal.objects.filter(status__in=Proposal.OPEN_STATUSES, is_hidden=False)
    if rights.is_administrator(actor):
        return base
    return base.filter(work_unit_id__in=rights.work_unit_ids(actor))


def check_source_proposals(*, actor, work_unit, proposals) -> None:
    """Raise InvalidSourceProposals unless every proposal may feed a program of `work_unit`.

    A program comes from one or more published proposals addressed to the program's own work unit
    (a proposal for another unit is first handed over by disposisi). This keeps one unit from
    closing another unit's proposals.
    """
    if not proposals:
        raise InvalidSourceProposals(_("Program kerja harus berasal dari paling sedikit satu usulan."))
    for proposal in proposals:
        if not proposal.is_open:
            raise InvalidSourceProposals(
                _("Usulan “%(title)s” tidak berstatus dipublikasikan, sehingga tidak dapat dijadikan program.")
                % {"title": proposal.title}
            )
        if proposal.work_unit_id != work_unit.pk or not rights.can(actor, "answer", proposal):
            raise InvalidSourceProposals(
                _("Usulan “%(title)s” tidak ditujukan kepada %(unit)s.") % {"title": proposal.title, "unit": work_unit}
            )


@transaction.atomic
def create_program(*, actor, data: dict, proposals) -> Program:
    """Create a program with its three phases from published proposals, and accept those proposals."""
    work_unit = data["work_unit"]
    if not rights.can(actor, "act_for", work_unit):
        raise PermissionDenied
    locked_proposals = list(
        Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in proposals]).order_by("pk")
    )
    if len(locked_proposals) != len({p.pk for p in proposals}):
        raise InvalidSourceProposals(_("Sebagian usulan yang dipilih tidak ditemukan."))
    check_source_proposals(actor=actor, work_unit=work_unit, proposals=locked_proposals)
    program = Program(created_by=actor, **{name: data[name] for name in PROGRAM_FIELDS if name in data})
    program.full_clean()
    _save(program, actor=actor, reason=_("Program dibuat dari %(count)d usulan") % {"count": len(locked_proposals)})
    for kind, order in Phase.ORDER_BY_KIND.items():
        phase = Phase(program=program, kind=kind, order=order)
        _save(phase, actor=actor, reason=_("Tahap dibuat bersama program"))
    program.source_proposals.set(locked_proposals)
    accept_proposals(actor=actor, proposals=locked_proposals, program_label=program.title)
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=program,
        data={"created": True, "work_unit": work_unit.pk, "proposals": [p.pk for p in locked_proposals]},
    )
    _after_commit(signals.program_created, program=program, actor=actor)
    return program


@transaction.atomic
def update_program(*, actor, program: Program, data: dict) -> Program:
    """An official of the program's unit edits its public description, budget and classification."""
    locked, _phases = _locked_program(program.pk)
    rights.require(actor, "edit", locked)
    changed = [name for name in EDITABLE_PROGRAM_FIELDS if name in data and getattr(locked, name) != data[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    locked.full_clean()
    _save(locked, actor=actor, reason=_("Data program diubah"), fields=[*changed, "updated_at"])
    return locked


def _phase_in(phases: list[Phase], phase_id: int) -> Phase:
    for phase in phases:
        if phase.pk == phase_id:
            return phase
    raise Phase.DoesNotExist


def _touch(program: Program) -> None:
    # The program's "last changed" time follows its phases, for sorting; no history row for it.
    Program.objects.filter(pk=program.pk).update(updated_at=timezone.now())


@transaction.atomic
def start_phase(*, actor, phase: Phase, on: datetime.date | None = None) -> Phase:
    """Start a phase once the one before it is done; the actual start date is `on` (default today)."""
    program, phases = _locked_program(phase.program_id)
    locked = _phase_in(phases, phase.pk)
    rights.require(actor, "start", locked)
    today = timezone.localdate()
    on = on or today
    previous = phases[locked.order - 2] if locked.order > 1 else None
    locked.check_start(on=on, today=today, previous=previous)
    locked.status = Phase.Status.RUNNING
    locked.actual_start = on
    _save(locked, actor=actor, reason=_("Tahap dimulai"), fields=["status", "actual_start"])
    _touch(program)
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=program,
        data={"phase": locked.kind, "from": Phase.Status.NOT_STARTED, "to": Phase.Status.RUNNING, "on": on.isoformat()},
    )
    _after_commit(
        signals.phase_status_changed, program=program, phase=locked,
        old_status=Phase.Status.NOT_STARTED, new_status=Phase.Status.RUNNING, actor=actor,
    )
    return locked


@transaction.atomic
def complete_phase(*, actor, phase: Phase, on: datetime.date | None = None) -> Phase:
    """Complete the running phase (progress becomes 100%); the actual end date is `on` (default today)."""
    program, phases = _locked_program(phase.program_id)
    locked = _phase_in(phases, phase.pk)
    rights.require(actor, "complete", locked)
    today = timezone.localdate()
    on = on or today
    locked.check_complete(on=on, today=today)
    locked.status = Phase.Status.DONE
    locked.actual_end = on
    locked.progress = 100
    _save(locked, actor=actor, reason=_("Tahap selesai"), fields=["status", "actual_end", "progress"])
    _touch(program)
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=program,
        data={"phase": locked.kind, "from": Phase.Status.RUNNING, "to": Phase.Status.DONE, "on": on.isoformat()},
    )
    _after_commit(
        signals.phase_status_changed, program=program, phase=locked,
        old_status=Phase.Status.RUNNING, new_status=Phase.Status.DONE, actor=actor,
    )
    return locked


@transaction.atomic
def update_phase(*, actor, phase: Phase, data: dict) -> Phase:
    """Edit a phase's plan, description and (while it runs) progress; status and actual dates stay."""
    program, phases = _locked_program(phase.program_id)
    locked = _phase_in(phases, phase.pk)
    rights.require(actor, "edit", locked)
    if "progress" in data:
        locked.check_progress(data["progress"])
    changed = [name for name in EDITABLE_PHASE_FIELDS if name in data and getattr(locked, name) != data[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    locked.full_clean()
    reason = _("Kemajuan tahap diperbarui") if changed == ["progress"] else _("Rencana tahap diubah")
    _save(locked, actor=actor, reason=reason, fields=changed)
    _touch(program)
    return locked


@transaction.atomic
def post_update(
    *, actor, phase: Phase, date: datetime.date, body: str, files: list[tuple[object, CheckedUpload]] = ()
) -> ProgressUpdate:
    """Add a dated progress report, with optional checked photos/PDFs, to a phase that has started."""
    program, phases = _locked_program(phase.program_id)
    locked = _phase_in(phases, phase.pk)
    rights.require(actor, "post_update", program)
    body = body.strip()
    if not body:
        raise InvalidUpdate(_("Laporan kemajuan tidak boleh kosong."))
    if len(files) > MAX_DOCUMENTS:
        raise InvalidUpdate(_("Paling banyak %(max)d berkas per laporan.") % {"max": MAX_DOCUMENTS})
    if locked.status == Phase.Status.NOT_STARTED:
        raise InvalidUpdate(_("Tahap ini belum dimulai; laporan kemajuan ditulis setelah tahap dimulai."))
    if date > timezone.localdate():
        raise InvalidUpdate(_("Tanggal laporan tidak boleh di masa depan."))
    if date < locked.actual_start:
        raise InvalidUpdate(_("Tanggal laporan tidak boleh sebelum tahap dimulai."))
    update = ProgressUpdate(phase=locked, date=date, body=body, author=actor)
    _save(update, actor=actor, reason=_("Laporan kemajuan ditambahkan"))
    for uploaded, checked in files:
        document = ProgramDocument(update=update)
        fill_stored_file(document, uploaded, checked)
        _save(document, actor=actor, reason=_("Dokumen dilampirkan"))
    _touch(program)
    _after_commit(signals.progress_update_posted, program=program, update=update, actor=actor)
    return update


@transaction.atomic
def rate_program(*, actor, program: Program, score) -> Rating:
    """A verified citizen rates the result (1-5) while Monitoring & Evaluasi runs; rating again replaces it."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidRating(_("Nilai harus bilangan bulat 1 sampai 5."))
    locked, _phases = _locked_program(program.pk)
    rights.require(actor, "view", locked)
    if not locked.allows("rate"):
        raise RatingNotOpen(_("Penilaian hanya dibuka selama tahap Monitoring & Evaluasi berjalan."))
    rights.require(actor, "rate", locked)
    rating = Rating.objects.filter(program=locked, user=actor).first()
    if rating is not None:
        rating.score = score
        rating.save(update_fields=["score", "updated_at"])
        return rating
    try:
        with transaction.atomic():
            return Rating.objects.create(program=locked, user=actor, score=score)
    except IntegrityError:
        # A concurrent first rating by the same citizen won; keep one row with the latest score.
        rating = Rating.objects.get(program=locked, user=actor)
        rating.score = score
        rating.save(update_fields=["score", "updated_at"])
        return rating
