"""What waits for the officials of each work unit (and for moderators), read in a fixed number of queries.

Every list below is one query over all the user's units at once, cut to LIST_LIMIT rows per unit
by a window function; the totals per unit come from one more query. So the page costs the same
for a unit with three proposals as for one with thirty thousand.

"Needs action" means:
- a proposal: published, routed to the unit, not hidden, never answered (no answer, not under review);
- a program: a phase not done past its planned end; a running phase without a progress report for
  PROGRESS_REPORT_DAYS; or Monitoring & Evaluasi running with ratings given since the last visit;
- a consultation (published): open with responses since the last visit; closed without a follow-up;
  or with citizens' comments the unit has not replied to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts import rights
from accounts.models import WorkUnit, WorkUnitUserObjectPermission
from consultations.models import Consultation, Response
from participation.models import Flag, Proposal
from programs.models import Phase, Program, ProgressUpdate, Rating
from workspace import menu
from workspace.models import WorkspaceVisit

LIST_LIMIT = 10
PROGRESS_REPORT_DAYS = 30
# Visits closer together than this are one working session: "new since" keeps its value through it.
SESSION_GAP = timedelta(hours=2)
# "Since ever" for someone who never opened the workspace: everything is new to them.
BEGINNING = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def waiting_proposals():
    """Published proposals nobody in the unit has taken up yet (no answer, not under review)."""
    return Proposal.objects.filter(
        status=Proposal.Status.PUBLISHED, is_hidden=False, first_answered_at__isnull=True, official_answer=""
    )


def answer_deadline() -> timedelta:
    return timedelta(days=settings.ANSWER_DEADLINE_DAYS)


def _count(queryset, group: str) -> Coalesce:
    """The number of rows of `queryset` per outer row, as a scalar subquery (0 when none)."""
    per_row = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_row, output_field=IntegerField()), 0)


def programs_needing_action(*, today, since):
    """Programs annotated with what needs doing, keeping only those where something does."""
    phases = Phase.objects.filter(program=OuterRef("pk"))
    stale_before = today - timedelta(days=PROGRESS_REPORT_DAYS)
    running_reports = ProgressUpdate.objects.filter(phase__program=OuterRef("pk"), phase__status=Phase.Status.RUNNING)
    return (
        Program.objects.annotate(
            phase_overdue=Exists(phases.exclude(status=Phase.Status.DONE).filter(planned_end__lt=today)),
            long_running=Exists(phases.filter(status=Phase.Status.RUNNING, actual_start__lte=stale_before)),
            recent_report=Exists(running_reports.filter(date__gt=stale_before)),
            in_monev=Exists(phases.filter(status=Phase.Status.RUNNING, kind=Phase.Kind.MONEV)),
            new_ratings=_count(Rating.objects.filter(program=OuterRef("pk"), updated_at__gt=since), "program"),
        )
        .filter(Q(phase_overdue=True) | Q(long_running=True, recent_report=False) | Q(in_monev=True, new_ratings__gt=0))
    )


def consultations_needing_action(*, now, since):
    """Published consultations annotated with what needs doing, keeping only those where something does."""
    responses = Response.objects.filter(consultation=OuterRef("pk"))
    unanswered = responses.filter(is_hidden=False, replies__isnull=True).exclude(comment="")
    is_open = Q(opens_at__lte=now, closes_at__gt=now)
    return (
        Consultation.objects.filter(is_published=True)
        .annotate(
            new_responses=_count(responses.filter(created_at__gt=since), "consultation"),
            unanswered=_count(unanswered, "consultation"),
        )
        .filter(
            (is_open & Q(new_responses__gt=0))
            | Q(closes_at__lte=now, follow_up="")
            | (Q(opens_at__lte=now) & Q(unanswered__gt=0))
        )
    )


def _first_per_unit(queryset, *order):
    """The first LIST_LIMIT rows of each work unit, in `order` (one query)."""
    return queryset.annotate(
        position=Window(RowNumber(), partition_by=[F("work_unit_id")], order_by=[*order, F("pk").asc()])
    ).filter(position__lte=LIST_LIMIT).order_by("position")


def units_of(user):
    """The work units whose workspace the user sees: their own; every active one for administrators."""
    if rights.is_administrator(user):
        return WorkUnit.objects.filter(is_active=True)
    return WorkUnit.objects.filter(pk__in=rights.work_unit_ids(user))


def since_of(user):
    """An expression for the user's "new since" moment, read inside the query that needs it."""
    stored = WorkspaceVisit.objects.filter(user=user).values("since")[:1]
    return Coalesce(Subquery(stored), Value(BEGINNING))


def record_visit(user, now) -> datetime:
    """Note this visit; return the moment since which things count as new for this working session."""
    visit = WorkspaceVisit.objects.filter(user=user).first()
    if visit is None:
        WorkspaceVisit.objects.create(user=user, seen_at=now, since=None)  # "since" stays the beginning
        return BEGINNING
    moved = now - visit.seen_at > SESSION_GAP
    if moved:
        visit.since = visit.seen_at
    visit.seen_at = now
    visit.save(update_fields=["seen_at", "since"])
    if moved:
        # The menu's stored count still counts as new what came before the new "since".
        menu.forget(user.pk)
    return visit.since or BEGINNING


def unit_counts(user, *, now, since) -> dict[int, dict]:
    """{unit id: {"unit", "proposals", "overdue", "programs", "consultations", "total"}} in one query."""
    unit_ref = {"work_unit_id": OuterRef("pk")}
    waiting = waiting_proposals().filter(**unit_ref)
    rows = units_of(user).annotate(
        waiting_count=_count(waiting, "work_unit_id"),
        overdue_count=_count(waiting.filter(published_at__lt=now - answer_deadline()), "work_unit_id"),
        program_count=_count(programs_needing_action(today=timezone.localdate(now), since=since).filter(**unit_ref), "work_unit_id"),
        consultation_count=_count(consultations_needing_action(now=now, since=since).filter(**unit_ref), "work_unit_id"),
    ).order_by("short_name")
    return {
        unit.pk: {
            "unit": unit,
            "proposals": unit.waiting_count,
            "overdue": unit.overdue_count,
            "programs": unit.program_count,
            "consultations": unit.consultation_count,
            "total": unit.waiting_count + unit.program_count + unit.consultation_count,
        }
        for unit in rows
    }


def unrouted_proposals():
    """Published, unanswered proposals addressed to a unit without any official: nobody there will answer."""
    staffed = WorkUnitUserObjectPermission.objects.filter(
        permission__codename=rights.WORK_UNIT_PERMISSION.split(".")[1], user__is_active=True
    ).values("content_object_id")
    return waiting_proposals().exclude(work_unit_id__in=staffed)


def moderation_summary(now) -> dict:
    """What the moderation queue holds (two queries); the queue itself is /moderasi/."""
    deadline_days = settings.MODERATION_DEADLINE_WORKING_DAYS
    submitted = Proposal.objects.filter(status=Proposal.Status.SUBMITTED).aggregate(
        count=Count("pk"),
        # Calendar days here (the queue page counts working days); enough to say "some are late".
        late=Count("pk", filter=Q(submitted_at__lt=now - timedelta(days=deadline_days))),
    )
    reports = Flag.objects.filter(resolved_at__isnull=True).values("content_type_id", "object_id").distinct().count()
    return {"submitted": submitted["count"], "late": submitted["late"], "reports": reports}


@dataclass
class UnitSection:
    unit: WorkUnit
    counts: dict
    waiting: list = field(default_factory=list)
    under_review: list = field(default_factory=list)
    programs: list = field(default_factory=list)
    consultations: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.waiting or self.under_review or self.programs or self.consultations)


def _mark_waiting(proposal, now, deadline):
    since = proposal.published_at or proposal.created_at
    proposal.waited_days = (now - since).days
    proposal.deadline_at = since + deadline
    proposal.is_overdue = now > proposal.deadline_at
    proposal.days_left = (proposal.deadline_at - now).days
    proposal.days_over = (now - proposal.deadline_at).days
    return proposal


def workspace(user, *, now=None, since=None) -> dict:
    """Everything /kerja/ shows, in a fixed number of queries whatever the amount of data."""
    now = now or timezone.now()
    since = since or BEGINNING
    today = timezone.localdate(now)
    deadline = answer_deadline()
    counts = unit_counts(user, now=now, since=since) if rights.is_official(user) or rights.is_administrator(user) else {}
    sections = {pk: UnitSection(unit=entry["unit"], counts=entry) for pk, entry in counts.items()}
    if sections:
        unit_ids = list(sections)
        proposals = Proposal.objects.filter(work_unit_id__in=unit_ids).select_related("region", "category")
        waiting = waiting_proposals().filter(work_unit_id__in=unit_ids).select_related("region", "category")
        for proposal in _first_per_unit(waiting, F("published_at").asc()):
            sections[proposal.work_unit_id].waiting.append(_mark_waiting(proposal, now, deadline))
        under_review = proposals.filter(status=Proposal.Status.UNDER_REVIEW, is_hidden=False)
        for proposal in _first_per_unit(under_review, F("status_changed_at").asc()):
            sections[proposal.work_unit_id].under_review.append(_mark_waiting(proposal, now, deadline))
        programs = _first_per_unit(
            programs_needing_action(today=today, since=since).filter(work_unit_id__in=unit_ids), F("created_at").asc()
        ).prefetch_related("phases")
        for program in programs:
            phases = program.phase_list
            program.overdue_phase = next(
                (p for p in phases if p.status != Phase.Status.DONE and p.planned_end and p.planned_end < today), None
            )
            program.running = program.running_phase
            program.report_due = program.long_running and not program.recent_report
            program.next_phase = program.current_phase
            sections[program.work_unit_id].programs.append(program)
        consultations = _first_per_unit(
            consultations_needing_action(now=now, since=since).filter(work_unit_id__in=unit_ids), F("closes_at").asc()
        )
        for consultation in consultations:
            consultation.state_now = consultation.state(now)
            sections[consultation.work_unit_id].consultations.append(consultation)
    context = {
        "sections": [sections[pk] for pk in sections],
        "deadline_days": settings.ANSWER_DEADLINE_DAYS,
        "report_days": PROGRESS_REPORT_DAYS,
        "list_limit": LIST_LIMIT,
        "since": None if since == BEGINNING else since,
        "now": now,
        "is_moderator": rights.is_moderator(user),
    }
    if context["is_moderator"]:
        context["moderation"] = moderation_summary(now)
        unrouted = unrouted_proposals().select_related("work_unit", "region").order_by("published_at", "pk")
        context["unrouted"] = [_mark_waiting(p, now, deadline) for p in unrouted[:LIST_LIMIT]]
        context["unrouted_count"] = unrouted.count() if len(context["unrouted"]) == LIST_LIMIT else len(context["unrouted"])
    # The menu's number, from what this page already counted (no second round of counting).
    context["workspace_count"] = sum(entry["total"] for entry in counts.values()) + (
        context["moderation"]["submitted"] if context["is_moderator"] else 0
    )
    return context


def waiting_total(user) -> int:
    """The number in the menu ("Kerja (7)"): one query, reading the visit marker inside it.

    Pages read it through workspace.menu, which keeps it in the cache between pages.
    """
    now = timezone.now()
    total = 0
    if rights.is_official(user) or rights.is_administrator(user):
        total += sum(entry["total"] for entry in unit_counts(user, now=now, since=since_of(user)).values())
    if rights.is_moderator(user):
        total += Proposal.objects.filter(status=Proposal.Status.SUBMITTED).count()
    return total
