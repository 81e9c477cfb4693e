"""Public Musrenbang pages: cycles, the funnel, forums with their minutes and priority lists, claims."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rights
from musrenbang import services
from musrenbang.exports import CYCLE_COLUMNS, KABUPATEN_COLUMNS
from musrenbang.forms import ClaimForm
from musrenbang.funnel import funnel
from musrenbang.models import STAGE_ORDER, Cycle, CycleProposal, Forum, ForumDocument, PriorityEntry, Stage
from participation.models import Proposal, Region
from participation.uploads import serve_upload

FORUMS_PER_PAGE = 50


def _cycle(request, year) -> Cycle:
    cycle = get_object_or_404(Cycle, year=year)
    rights.require(request.user, "view", cycle)
    return cycle


def cycle_list(request):
    today = timezone.localdate()
    cycles = [(cycle, cycle.phase_label(today)) for cycle in Cycle.objects.public()]
    return render(request, "musrenbang/cycle_list.html", {"page": "musrenbang", "cycles": cycles})


def _stages(cycle, today):
    explanations = {
        Stage.DESA: _("Warga desa atau kelurahan bermusyawarah di balai desa. Semua usulan dari desa itu, baik yang "
                      "dikirim lewat portal maupun yang dibawa langsung ke forum, dibahas dan diberi peringkat. Usulan "
                      "yang dapat dibiayai Dana Desa diselesaikan di desa; sisanya dibawa ke kecamatan."),
        Stage.KECAMATAN: _("Utusan desa bertemu di kecamatan. Usulan dari semua desa diberi peringkat lagi dan "
                           "dibandingkan dengan pagu indikatif kecamatan, yaitu perkiraan dana yang tersedia."),
        Stage.KABUPATEN: _("Forum kabupaten menyaring usulan dari semua kecamatan dan menyerahkan yang disetujui ke "
                           "perangkat daerah (dinas) yang berwenang. Dinas menjawab usulan dan menyusunnya menjadi program kerja."),
    }
    stages = []
    for stage in STAGE_ORDER:
        start, end = cycle.window(stage)
        stages.append({
            "key": stage, "label": Stage(stage).label, "start": start, "end": end, "text": explanations[stage],
            "state": "open" if start <= today <= end else ("done" if today > end else "upcoming"),
        })
    return stages


def cycle_detail(request, year):
    cycle = _cycle(request, year)
    today = timezone.localdate()
    forum_counts = dict(cycle.forums.order_by().values_list("stage").annotate(n=Count("pk")))
    upper_forums = list(cycle.forums.exclude(stage=Stage.DESA).select_related("region").order_by("stage", "region__name"))
    ceilings = list(cycle.ceilings.select_related("kecamatan", "work_unit").order_by("kecamatan__name", "work_unit__short_name"))
    context = {
        "page": "musrenbang",
        "cycle": cycle,
        "today": today,
        "phase_label": cycle.phase_label(today),
        "stages": _stages(cycle, today),
        "funnel": funnel(cycle),
        "forum_counts": forum_counts,
        "kecamatan_forums": [forum for forum in upper_forums if forum.stage == Stage.KECAMATAN],
        "kabupaten_forums": [forum for forum in upper_forums if forum.stage == Stage.KABUPATEN],
        "ceilings": ceilings,
        "cycle_columns": CYCLE_COLUMNS,
        "kabupaten_columns": KABUPATEN_COLUMNS,
    }
    return render(request, "musrenbang/cycle_detail.html", context)


def forum_list(request, year):
    cycle = _cycle(request, year)
    forums = cycle.forums.with_page_data().annotate(entry_count=Count("entries")).order_by("stage", "region__code")
    stage = request.GET.get("tahap")
    if stage in Stage.values:
        forums = forums.filter(stage=stage)
    kecamatan_id = request.GET.get("kecamatan")
    kecamatans = list(Region.objects.filter(level=Region.Level.KECAMATAN).order_by("name").values_list("pk", "name"))
    if kecamatan_id and kecamatan_id.isdigit():
        forums = forums.filter(Q(region__parent_id=int(kecamatan_id)) | Q(region_id=int(kecamatan_id)))
    page = Paginator(forums, FORUMS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(request, "musrenbang/forum_list.html", {
        "page": "musrenbang", "cycle": cycle, "forums_page": page, "stage": stage if stage in Stage.values else "",
        "stages": Stage.choices, "kecamatans": kecamatans, "kecamatan_id": int(kecamatan_id) if kecamatan_id and kecamatan_id.isdigit() else None,
    })


def _forum(request, year, pk) -> Forum:
    forum = get_object_or_404(Forum.objects.with_page_data(), pk=pk, cycle__year=year)
    rights.require(request.user, "view", forum)
    return forum


def forum_detail(request, year, pk):
    forum = _forum(request, year, pk)
    entries = list(
        PriorityEntry.objects.filter(forum=forum)
        .select_related("cycle_proposal__proposal__category", "cycle_proposal__proposal__work_unit", "cycle_proposal__proposal__region")
        .order_by("rank")
    )
    lines, budget = services.budget_lines(forum, entries)
    documents = {document.role: document for document in forum.documents.all()}
    return render(request, "musrenbang/forum_detail.html", {
        "page": "musrenbang", "forum": forum, "cycle": forum.cycle, "lines": lines, "budget": budget,
        "minutes": documents.get(ForumDocument.Role.MINUTES),
        "attendance": documents.get(ForumDocument.Role.ATTENDANCE),
        "may_record": rights.can(request.user, "record", forum),
        "may_see_attendance": ForumDocument.Role.ATTENDANCE in documents and rights.can(request.user, "view", documents[ForumDocument.Role.ATTENDANCE]),
    })


def forum_document(request, year, pk, role):
    forum = _forum(request, year, pk)
    document = get_object_or_404(ForumDocument, forum=forum, role=role)
    if not rights.can(request.user, "view", document):
        raise Http404
    return serve_upload(document)


def proposal_path(proposal: Proposal) -> dict | None:
    """A proposal's way through its cycle, for its page: membership, provenance and every forum that weighed it."""
    member = (
        CycleProposal.objects.select_related("cycle", "kecamatan", "offline", "offline__region")
        .filter(proposal_id=proposal.pk).first()
    )
    if member is None or not member.cycle.is_published:
        return None
    entries = list(
        member.entries.select_related("forum", "forum__region", "forum__cycle").order_by("forum__stage")
    ) if proposal.is_public else []
    entries.sort(key=lambda entry: STAGE_ORDER.index(entry.forum.stage))
    return {"member": member, "cycle": member.cycle, "entries": entries, "offline": getattr(member, "offline", None)}


@login_required
def claim(request):
    """A citizen claims a proposal an operator entered for them, with the receipt code."""
    if not rights.is_verified(request.user):
        return render(request, "participation/verify_first.html", {"page": "musrenbang"}, status=403)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.claim_with_code(actor=request.user, code=form.cleaned_data["code"], request=request)
        except services.ClaimRefused as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(request, _("Usulan ini sekarang tercatat atas nama Anda. Anda akan menerima kabar setiap kali statusnya berubah."))
            return redirect(proposal)
    return render(request, "musrenbang/claim.html", {"page": "musrenbang", "form": form})


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(request, cycle, dataset, fmt):
    from django.http import HttpResponse, StreamingHttpResponse

    from audit.events import record
    from audit.models import AuditEvent
    from musrenbang import exports
    from transparency.exports import csv_lines, json_chunks

    record(AuditEvent.Action.DATA_EXPORT, actor=request.user, request=request, data={"dataset": dataset.slug, "format": fmt})
    rows = dataset.rows()
    if fmt == "xlsx":
        response = HttpResponse(exports.xlsx_bytes(dataset.columns, rows, title=dataset.slug), content_type=EXPORT_TYPES[fmt])
    else:
        chunks = csv_lines(dataset, rows) if fmt == "csv" else json_chunks(rows)
        response = StreamingHttpResponse(chunks, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export(request, year, fmt):
    """Every public proposal of the cycle with its path (CSV or JSON)."""
    from musrenbang import exports

    cycle = _cycle(request, year)
    if fmt not in ("csv", "json"):
        raise Http404
    base = request.build_absolute_uri("/").rstrip("/")
    return _download(request, cycle, exports.cycle_dataset(cycle, lambda path: base + path), fmt)


def kabupaten_list(request, year, fmt):
    """The kabupaten priority list for planners (CSV or XLSX), columns documented on the cycle page."""
    from musrenbang import exports

    cycle = _cycle(request, year)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    base = request.build_absolute_uri("/").rstrip("/")
    return _download(request, cycle, exports.kabupaten_dataset(cycle, lambda path: base + path), fmt)
