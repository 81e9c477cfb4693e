"""Program pages: thin views. Visibility queryset → rights → form → service → message + redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import rights
from config.shared_pages import item_reader_state, shared_for_signed_in
from participation.comments import post_comment_view, thread_for
from participation.models import Proposal
from participation.uploads import serve_upload
from programs import services
from programs.exceptions import ProgramRuleError
from programs.forms import PhaseForm, PhaseMoveForm, ProgramFilterForm, ProgramForm, ProgressUpdateForm, RatingForm
from programs.history import program_history_entries
from programs.models import Phase, Program, ProgramDocument, ProgressUpdate, Rating

PROGRAMS_PER_PAGE = 20
UPDATES_PER_PAGE = 10


def _program_for(request, pk: int, action: str = "view") -> Program:
    program = get_object_or_404(
        Program.objects.visible_to(request.user)
        .select_related("work_unit", "category", "region", "region__parent")
        .prefetch_related("phases"),
        pk=pk,
    )
    rights.require(request.user, action, program)
    return program


@require_GET
@shared_for_signed_in
def program_list(request):
    years = Program.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    filters = ProgramFilterForm(request.GET, years=list(years))
    programs = filters.apply(Program.objects.visible_to(request.user).with_stage().with_list_data())
    page = Paginator(programs.order_by("-created_at", "-id"), PROGRAMS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request, "programs/program_list.html", {"page": "programs", "filters": filters, "programs_page": page}
    )


def _program_reader_state(request, pk: int):
    """What of a program's page is the reader's own (config/shared_pages.py): besides following it,
    a rating, a comment or a source proposal of theirs makes the page theirs alone."""
    user = request.user
    rated = Exists(Rating.objects.filter(program=OuterRef("pk"), user=user))
    wrote_a_source = Exists(Proposal.objects.filter(programs=OuterRef("pk"), author=user))
    return item_reader_state(Program, pk, user, took_part=[rated, wrote_a_source])


@require_GET
@shared_for_signed_in(reader_state=_program_reader_state)
def program_detail(request, pk: int):
    program = _program_for(request, pk)
    user = request.user
    sources = Proposal.objects.visible_to(user).filter(programs=program).select_related("work_unit", "region")
    updates = (
        ProgressUpdate.objects.filter(phase__program=program).select_related("phase").prefetch_related("documents")
    )
    updates_page = Paginator(updates, UPDATES_PER_PAGE).get_page(request.GET.get("laporan"))
    rating = program.ratings.aggregate(average=Avg("score"), count=Count("id"))
    own_rating = Rating.objects.filter(program=program, user=user).first() if user.is_authenticated else None
    context = {
        "page": "programs",
        "program": program,
        "phases": program.phase_list,
        "sources": list(sources),
        "updates_page": updates_page,
        "rating": rating,
        "own_rating": own_rating,
        "can_rate": rights.can(user, "rate", program),
        "rating_open": program.allows("rate"),
        "rating_form": RatingForm(initial={"score": own_rating.score if own_rating else None}),
        "can_edit": rights.can(user, "edit", program),
        "thread": thread_for(request, program, post_url=reverse("programs:program_comment", args=[program.pk])),
    }
    return render(request, "programs/program_detail.html", context)


@require_GET
def program_history(request, pk: int):
    program = _program_for(request, pk)
    context = {"page": "programs", "program": program, "entries": program_history_entries(program)}
    return render(request, "programs/program_history.html", context)


@require_GET
def document_download(request, pk: int, document_id: int, width: int | None = None):
    program = _program_for(request, pk)
    document = get_object_or_404(ProgramDocument, pk=document_id, update__phase__program=program)
    return serve_upload(document, width=width)


@require_POST
def program_comment(request, pk: int):
    return post_comment_view(request, _program_for(request, pk))


@require_POST
def program_rate(request, pk: int):
    program = _program_for(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(program.get_absolute_url())
    if not rights.is_verified(request.user):
        messages.error(request, _("Konfirmasi alamat email Anda terlebih dahulu untuk memberi penilaian."))
        return redirect(f"{program.get_absolute_url()}#penilaian")
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Penilaian tidak tersimpan: pilih nilai 1 sampai 5."))
        return redirect(f"{program.get_absolute_url()}#penilaian")
    try:
        services.rate_program(actor=request.user, program=program, score=form.cleaned_data["score"])
    except ProgramRuleError as error:
        messages.error(request, error.message)
        return redirect(f"{program.get_absolute_url()}#penilaian")
    messages.success(request, _("Terima kasih, penilaian Anda telah disimpan."))
    return redirect(f"{program.get_absolute_url()}#penilaian")


# --- pages for the officials of the program's work unit -------------------------------------------


def _manage_page(request, program: Program, *, bound: dict | None = None, status: int = 200):
    """The management page; `bound` replaces default forms with ones carrying the user's input and errors."""
    bound = bound or {}
    today = timezone.localdate()
    phase_panels = []
    previous = None
    for phase in program.phase_list:
        phase_panels.append(
            {
                "phase": phase,
                "previous": previous,
                # Only offer the start button when the order allows it; the service checks again.
                "can_start": phase.status == Phase.Status.NOT_STARTED
                and (previous is None or previous.status == Phase.Status.DONE),
                "edit_form": bound.get(("edit", phase.pk)) or PhaseForm(instance=phase, prefix=f"tahap{phase.pk}"),
                "move_form": bound.get(("move", phase.pk)) or PhaseMoveForm(initial={"on": today}, prefix=f"tgl{phase.pk}"),
            }
        )
        previous = phase
    context = {
        "page": "programs",
        "program": program,
        "phase_panels": phase_panels,
        "program_form": bound.get("program") or ProgramForm(instance=program),
        "update_form": bound.get("update") or ProgressUpdateForm(program=program, initial={"date": today}),
    }
    return render(request, "programs/program_manage.html", context, status=status)


@login_required
@require_GET
def program_manage(request, pk: int):
    return _manage_page(request, _program_for(request, pk, "edit"))


@login_required
@require_POST
def program_edit(request, pk: int):
    program = _program_for(request, pk, "edit")
    form = ProgramForm(request.POST, instance=Program.objects.get(pk=program.pk))
    if not form.is_valid():
        return _manage_page(request, program, bound={"program": form}, status=400)
    services.update_program(actor=request.user, program=program, data=form.program_data())
    messages.success(request, _("Data program telah disimpan."))
    return redirect("programs:program_manage", program.pk)


def _phase_of(program: Program, phase_id: int) -> Phase:
    for phase in program.phase_list:
        if phase.pk == phase_id:
            return phase
    raise Http404


@login_required
@require_POST
def phase_move(request, pk: int, phase_id: int, move: str):
    program = _program_for(request, pk, "edit")
    phase = _phase_of(program, phase_id)
    rights.require(request.user, "start" if move == "start" else "complete", phase)
    form = PhaseMoveForm(request.POST, prefix=f"tgl{phase.pk}")
    if form.is_valid():
        service = services.start_phase if move == "start" else services.complete_phase
        try:
            service(actor=request.user, phase=phase, on=form.cleaned_data["on"])
        except ProgramRuleError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _manage_page(request, program, bound={("move", phase.pk): form}, status=400)
    if move == "start":
        messages.success(request, _("Tahap %(phase)s telah dimulai.") % {"phase": phase.get_kind_display()})
    else:
        messages.success(request, _("Tahap %(phase)s telah selesai.") % {"phase": phase.get_kind_display()})
    return redirect("programs:program_manage", program.pk)


@login_required
@require_POST
def phase_edit(request, pk: int, phase_id: int):
    program = _program_for(request, pk, "edit")
    phase = _phase_of(program, phase_id)
    rights.require(request.user, "edit", phase)
    form = PhaseForm(request.POST, instance=phase, prefix=f"tahap{phase.pk}")
    if form.is_valid():
        try:
            services.update_phase(actor=request.user, phase=phase, data=form.phase_data())
        except ProgramRuleError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _manage_page(request, program, bound={("edit", phase.pk): form}, status=400)
    messages.success(request, _("Tahap %(phase)s telah diperbarui.") % {"phase": phase.get_kind_display()})
    return redirect("programs:program_manage", program.pk)


@login_required
@require_POST
def update_create(request, pk: int):
    program = _program_for(request, pk, "post_update")
    form = ProgressUpdateForm(request.POST, request.FILES, program=program)
    if form.is_valid():
        try:
            services.post_update(
                actor=request.user,
                phase=form.cleaned_data["phase"],
                date=form.cleaned_data["date"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ProgramRuleError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _manage_page(request, program, bound={"update": form}, status=400)
    messages.success(request, _("Laporan kemajuan telah diterbitkan."))
    return redirect(f"{program.get_absolute_url()}#laporan")
