"""The operators' pages (/kerja/musrenbang/): record a forum with its priority list on one page,
enter proposals gathered face to face, print the receipt, link a proposal to its proposer's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rights
from accounts.models import User
from musrenbang import services
from musrenbang.forms import ForumForm, OfflineProposalForm, parse_priority_rows
from musrenbang.models import REGION_LEVEL, Cycle, Decision, Forum, OfflineEntry, PriorityEntry, Stage
from musrenbang.rules import is_operator, operator_region_ids
from participation.models import Region

RECEIPTS_SESSION_KEY = "musrenbang_receipts"
RECENT_ENTRIES = 50


def _require_operator(user) -> None:
    if not (is_operator(user) or rights.is_administrator(user)):
        raise PermissionDenied


def _regions_of(user):
    if rights.is_administrator(user):
        return Region.objects.all()
    return Region.objects.filter(pk__in=operator_region_ids(user))


@login_required
def workspace(request):
    _require_operator(request.user)
    today = timezone.localdate()
    cycles = list(Cycle.objects.public().filter(kabupaten_end__gte=today).order_by("year"))
    cycle = cycles[0] if cycles else None
    stage = cycle.current_stage(today) if cycle else None
    regions = []
    if stage:
        level_regions = _regions_of(request.user).filter(level=REGION_LEVEL[stage]).select_related("parent").order_by("code")
        recorded = dict(Forum.objects.filter(cycle=cycle, stage=stage, region__in=level_regions).values_list("region_id", "pk"))
        regions = [(region, recorded.get(region.pk)) for region in level_regions[:500]]
    entries = list(
        OfflineEntry.objects.filter(region__in=_regions_of(request.user))
        .select_related("cycle_proposal__proposal", "region", "claimed_by")
        .order_by("-pk")[:RECENT_ENTRIES]
    )
    matches = services.phone_matches(entries)
    return render(request, "musrenbang/workspace.html", {
        "page": "musrenbang_work", "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label if stage else "",
        "regions": regions, "entries": [(entry, matches.get(entry.pk, [])) for entry in entries],
        "collecting": bool(cycle and cycle.collecting(today)),
    })


def _priority_rows(forum_or_none, cycle, stage, region, post=None):
    """The proposals the forum weighs, with what is saved (or was just typed) for each."""
    probe = forum_or_none or Forum(cycle=cycle, stage=stage, region=region)
    candidates = services.eligible_for(probe).select_related(
        "proposal", "proposal__region", "proposal__work_unit", "proposal__category"
    )
    saved = {}
    if forum_or_none is not None:
        saved = {entry.cycle_proposal_id: entry for entry in PriorityEntry.objects.filter(forum=forum_or_none)}
        candidates = candidates.annotate(
            saved_rank=Case(*[When(pk=cp_id, then=Value(entry.rank)) for cp_id, entry in saved.items()],
                            default=Value(100000), output_field=IntegerField())
        ) if saved else candidates.annotate(saved_rank=Value(100000, output_field=IntegerField()))
        candidates = candidates.order_by("saved_rank", "-proposal__support_count", "pk")
    else:
        candidates = candidates.order_by("-proposal__support_count", "pk")
    rows = []
    for member in candidates:
        entry = saved.get(member.pk)
        if post is not None:
            values = {"rank": post.get(f"rank-{member.pk}", ""), "decision": post.get(f"decision-{member.pk}", ""),
                      "note": post.get(f"note-{member.pk}", "")}
        else:
            values = {"rank": entry.rank if entry else "", "decision": entry.decision if entry else "", "note": entry.note if entry else ""}
        rows.append({"member": member, "proposal": member.proposal, **values})
    return rows


@login_required
def forum_edit(request, year, stage, region_id):
    """One page for the whole forum: details, minutes, attendance photo and the priority list."""
    _require_operator(request.user)
    cycle = get_object_or_404(Cycle.objects.public(), year=year)
    if stage not in Stage.values:
        raise Http404
    region = get_object_or_404(Region.objects.select_related("parent"), pk=region_id, level=REGION_LEVEL[stage])
    if not rights.can(request.user, "operate_musrenbang", region):
        raise PermissionDenied
    forum = Forum.objects.filter(cycle=cycle, stage=stage, region=region).first()
    today = timezone.localdate()
    form = ForumForm(request.POST or None, request.FILES or None, instance=forum,
                     initial=None if forum else {"held_on": today})
    errors = []
    if request.method == "POST":
        rows, errors = parse_priority_rows(request.POST)
        if form.is_valid() and not errors:
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                saved = _save_forum(request, cycle, stage, region, data, form, rows, today)
            except services.MusrenbangError as refused:
                errors.append(refused.message)
            else:
                messages.success(request, _("Forum dan daftar prioritasnya tersimpan dan tampil untuk publik."))
                lines, budget = services.budget_lines(saved, list(saved.entries.select_related("cycle_proposal__proposal")))
                if budget["over"]:
                    messages.warning(request, _("Perhatian: jumlah biaya usulan yang dilanjutkan melebihi pagu indikatif. "
                                                "Daftar tetap tersimpan; tinjau kembali bila perlu."))
                return redirect(saved)
    rows = _priority_rows(forum, cycle, stage, region, post=request.POST if request.method == "POST" else None)
    ceiling = None
    if stage == Stage.KECAMATAN:
        ceiling = cycle.ceilings.filter(kecamatan=region).values_list("amount", flat=True).first()
    return render(request, "musrenbang/forum_form.html", {
        "page": "musrenbang_work", "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label, "region": region,
        "forum": forum, "form": form, "rows": rows, "errors": errors, "decisions": Decision.choices,
        "window": cycle.window(stage), "window_open": cycle.stage_open(stage, today), "ceiling": ceiling,
    }, status=200)


def _save_forum(request, cycle, stage, region, data, form, rows, today) -> Forum:
    """Forum and priority list in one transaction: a refused list leaves the forum unchanged too."""
    with transaction.atomic():
        forum = services.record_forum(
            actor=request.user, cycle=cycle, stage=stage, region=region, data=data,
            minutes=form.cleaned_data.get("minutes"), attendance=form.cleaned_data.get("attendance"), day=today, request=request,
        )
        services.save_priority_list(actor=request.user, forum=forum, rows=rows, day=today, request=request)
    return forum


@login_required
def offline_create(request):
    _require_operator(request.user)
    is_admin = rights.is_administrator(request.user)
    form = OfflineProposalForm(request.POST or None, region_ids=operator_region_ids(request.user), all_regions=is_admin,
                               initial={"gathered_on": timezone.localdate()})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            proposal, code = services.enter_offline_proposal(
                actor=request.user, region=form.cleaned_data["region"], data=form.proposal_data(),
                proposer_name=form.cleaned_data["proposer_name"], name_consent=form.cleaned_data["name_consent"],
                proposer_phone=form.cleaned_data["proposer_phone"], gathered_on=form.cleaned_data["gathered_on"],
                source=form.cleaned_data["source"], request=request,
            )
        except services.MusrenbangError as refused:
            error = refused.message
        else:
            receipts = request.session.get(RECEIPTS_SESSION_KEY, {})
            receipts[str(proposal.pk)] = code
            request.session[RECEIPTS_SESSION_KEY] = receipts
            return redirect("musrenbang_work:receipt", pk=proposal.pk)
    return render(request, "musrenbang/offline_form.html", {"page": "musrenbang_work", "form": form, "error": error})


@login_required
def receipt(request, pk):
    _require_operator(request.user)
    offline = get_object_or_404(OfflineEntry.objects.select_related("cycle_proposal__proposal", "cycle_proposal__cycle", "region"),
                                cycle_proposal__proposal_id=pk)
    if not rights.can(request.user, "view_private", offline):
        raise PermissionDenied
    receipts = request.session.get(RECEIPTS_SESSION_KEY, {})
    code = receipts.get(str(pk))
    return render(request, "musrenbang/receipt.html", {
        "page": "musrenbang_work", "offline": offline, "proposal": offline.cycle_proposal.proposal,
        "cycle": offline.cycle_proposal.cycle, "code": code, "claim_path": "/musrenbang/klaim/",
    })


@login_required
@require_POST
def receipt_done(request, pk):
    """The operator handed the receipt over: the code leaves the session for good."""
    receipts = request.session.get(RECEIPTS_SESSION_KEY, {})
    receipts.pop(str(pk), None)
    request.session[RECEIPTS_SESSION_KEY] = receipts
    return redirect("musrenbang_work:workspace")


@login_required
@require_POST
def link_account(request, pk, user_pk):
    _require_operator(request.user)
    offline = get_object_or_404(OfflineEntry, pk=pk)
    user = get_object_or_404(User, pk=user_pk)
    try:
        services.link_to_account(actor=request.user, offline=offline, user=user, request=request)
    except services.MusrenbangError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Usulan dihubungkan ke akun pengusul."))
    return redirect("musrenbang_work:workspace")
