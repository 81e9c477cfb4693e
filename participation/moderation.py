"""The moderation queue (/moderasi/): submitted proposals and reported items, oldest first."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rights
from participation import services
from participation.exceptions import InvalidTransition
from participation.models import Comment, Flag, Proposal

QUEUE_LIMIT = 100


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by working days (Monday to Friday); national holidays are not modelled."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def _waiting(since: datetime, now: datetime) -> dict:
    deadline = add_working_days(since, settings.MODERATION_DEADLINE_WORKING_DAYS)
    return {"since": since, "deadline": deadline, "overdue": now > deadline}


def _require_moderator(user) -> None:
    if not rights.is_moderator(user):
        raise PermissionDenied


@login_required
def queue(request):
    _require_moderator(request.user)
    now = timezone.now()
    submitted = list(
        Proposal.objects.filter(status=Proposal.Status.SUBMITTED)
        .select_related("category", "work_unit", "region", "author")
        .order_by("submitted_at", "id")[:QUEUE_LIMIT]
    )
    for proposal in submitted:
        proposal.waiting = _waiting(proposal.submitted_at or proposal.created_at, now)
    flagged = _flagged_items(now)
    return render(
        request,
        "participation/moderation_queue.html",
        {
            "page": "moderation",
            "submitted": submitted,
            "flagged": flagged,
            "deadline_days": settings.MODERATION_DEADLINE_WORKING_DAYS,
        },
    )


def _flagged_items(now) -> list[dict]:
    groups = list(
        Flag.objects.filter(resolved_at__isnull=True)
        .values("content_type_id", "object_id")
        .annotate(reports=Count("id"), first_reported=Min("created_at"))
        .order_by("first_reported")[:QUEUE_LIMIT]
    )
    proposal_type = ContentType.objects.get_for_model(Proposal)
    comment_type = ContentType.objects.get_for_model(Comment)
    proposal_ids = [g["object_id"] for g in groups if g["content_type_id"] == proposal_type.pk]
    comment_ids = [g["object_id"] for g in groups if g["content_type_id"] == comment_type.pk]
    proposals = Proposal.objects.select_related("author").in_bulk(proposal_ids)
    comments = Comment.objects.select_related("author", "content_type").in_bulk(comment_ids)
    reasons: dict[tuple[int, int], list[str]] = {}
    for flag in Flag.objects.filter(
        resolved_at__isnull=True, object_id__in=proposal_ids + comment_ids
    ).only("content_type_id", "object_id", "reason", "note"):
        label = flag.get_reason_display() + (f": {flag.note}" if flag.note else "")
        reasons.setdefault((flag.content_type_id, flag.object_id), []).append(label)
    items = []
    for group in groups:
        key = (group["content_type_id"], group["object_id"])
        target = proposals.get(group["object_id"]) if group["content_type_id"] == proposal_type.pk else comments.get(group["object_id"])
        if target is None:
            continue
        items.append(
            {
                "kind": "proposal" if isinstance(target, Proposal) else "comment",
                "target": target,
                "content_type_id": group["content_type_id"],
                "reports": group["reports"],
                "reasons": reasons.get(key, []),
                "waiting": _waiting(group["first_reported"], now),
            }
        )
    return items


@require_POST
@login_required
def decide_proposal(request, pk):
    _require_moderator(request.user)
    proposal = get_object_or_404(Proposal, pk=pk)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:2000]
    try:
        if action == "publish":
            services.publish_proposal(actor=request.user, proposal=proposal)
            messages.success(request, _("Usulan “%(title)s” dipublikasikan.") % {"title": proposal.title})
        elif action in ("reject", "hide", "show"):
            if action != "show" and not reason:
                messages.error(request, _("Tuliskan alasannya; alasan ini dicatat dan ditampilkan kepada pengusul."))
            elif action == "reject":
                services.reject_proposal(actor=request.user, proposal=proposal, reason=reason)
                messages.success(request, _("Usulan “%(title)s” ditolak.") % {"title": proposal.title})
            else:
                services.set_proposal_hidden(actor=request.user, proposal=proposal, hidden=action == "hide", reason=reason[:500])
                messages.success(request, _("Usulan disembunyikan dari halaman publik.") if action == "hide" else _("Usulan ditampilkan kembali."))
        else:
            messages.error(request, _("Tindakan moderasi tidak dikenal."))
    except InvalidTransition:
        messages.error(
            request,
            _("Usulan “%(title)s” berstatus %(status)s sehingga tindakan ini tidak dapat dilakukan.")
            % {"title": proposal.title, "status": proposal.get_status_display()},
        )
    return redirect(request.POST.get("next") if request.POST.get("next") == proposal.get_absolute_url() else "participation:moderation_queue")


@require_POST
@login_required
def dismiss_reports(request, content_type_id, object_id):
    _require_moderator(request.user)
    content_type = get_object_or_404(ContentType, pk=content_type_id, app_label="participation", model__in=["proposal", "comment"])
    target = get_object_or_404(content_type.model_class(), pk=object_id)
    services.dismiss_flags(actor=request.user, target=target)
    messages.success(request, _("Laporan ditandai selesai; konten tetap tampil."))
    return redirect("participation:moderation_queue")
