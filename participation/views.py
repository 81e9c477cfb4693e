"""Proposal pages: list, create, detail and the actions around them.

Each view: visibility queryset → rights → form → service → message + redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rights
from audit.history import history_entries, role_label
from config.shared_pages import item_reader_state, shared_for_signed_in
from participation import services, staging
from participation.comments import comment_url, post_comment_view, thread_for
from participation.exceptions import AlreadyDone, InvalidTransition
from participation.forms import (
    SORT_LABELS,
    SORTS,
    AmendAnswerForm,
    AnswerForm,
    FlagForm,
    ProposalFilterForm,
    ProposalForm,
    RouteForm,
    posted_token,
)
from participation.models import Attachment, Comment, Proposal, Support
from participation.pagination import LargeListPaginator
from participation.placement import at
from participation.uploads import serve_upload

PROPOSALS_PER_PAGE = 20
SIMILAR_LIMIT = 5


def _visible_proposal(request, pk) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.with_list_data(), pk=pk)
    rights.require(request.user, "view", proposal)
    return proposal


def _verified_or_explain(request) -> bool:
    if rights.is_verified(request.user):
        return True
    messages.error(request, _("Konfirmasi alamat email Anda terlebih dahulu. Kami telah mengirim tautan konfirmasi saat Anda mendaftar."))
    return False


# --- public pages ---------------------------------------------------------------------------------


@shared_for_signed_in
def proposal_list(request):
    filters = ProposalFilterForm(request.GET)
    chosen = filters.cleaned_or_defaults()
    proposals = Proposal.objects.public().with_list_data().with_cover_photo()
    if chosen.get("kategori"):
        proposals = proposals.filter(category=chosen["kategori"])
    if chosen.get("satker"):
        proposals = proposals.filter(work_unit=chosen["satker"])
    if chosen.get("wilayah"):
        proposals = proposals.filter(Q(region_id=chosen["wilayah"]) | Q(region__parent_id=chosen["wilayah"]))
    if chosen.get("status"):
        proposals = proposals.filter(status=chosen["status"])
    if chosen.get("q"):
        proposals = proposals.search(chosen["q"])
    proposals = proposals.order_by(*SORTS[chosen["urut"]])
    page = LargeListPaginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "participation/proposal_list.html",
        {"page": "proposals", "filters": filters, "chosen": chosen, "proposals_page": page, "sort_labels": SORT_LABELS},
    )


def _proposal_reader_state(request, pk):
    """What of a proposal's page is the reader's own (config/shared_pages.py): their support, besides
    following it; its author and its commenters get pages of their own."""
    user = request.user
    supported = Exists(Support.objects.filter(proposal=OuterRef("pk"), user=user))
    return item_reader_state(Proposal, pk, user, author_field="author_id", supported=supported)


@shared_for_signed_in(reader_state=_proposal_reader_state)
def proposal_detail(request, pk):
    proposal = _visible_proposal(request, pk)
    user = request.user
    context = {
        "page": "proposals",
        "proposal": proposal,
        "attachments": list(proposal.attachments.all()),
        "routings": list(proposal.routings.select_related("from_unit", "to_unit")),
        "programs": _programs_of(proposal),
        "thread": thread_for(request, proposal, post_url=f"/usulan/{proposal.pk}/komentar/") if proposal.is_public else None,
        "has_supported": user.is_authenticated and proposal.supports.filter(user=user).exists(),
        "may": {
            action: rights.can(user, action, proposal)
            for action in (
                "edit", "submit", "resubmit", "withdraw", "support", "flag", "moderate", "answer", "review", "amend_answer", "route",
                "redact",
            )
        },
        "answer_form": AnswerForm(),
        "amend_form": AmendAnswerForm(initial={"answer": proposal.official_answer}),
        "route_form": RouteForm(current_unit_id=proposal.work_unit_id),
    }
    return render(request, "participation/proposal_detail.html", context)


def _programs_of(proposal):
    """The programs a proposal was accepted into, with their phases for the "current phase" line."""
    if proposal.status != Proposal.Status.ACCEPTED:
        return []
    return list(proposal.programs.prefetch_related("phases"))


def proposal_history(request, pk):
    proposal = _visible_proposal(request, pk)
    if not proposal.is_public and not rights.can(request.user, "edit", proposal) and not rights.is_moderator(request.user):
        raise Http404
    records = proposal.history.select_related("work_unit", "category", "region")
    entries = history_entries(
        records,
        fields=["title", "description", "category", "work_unit", "region", "location_text", "estimated_cost", "volume", "status", "official_answer"],
        actor_label=role_label,
    )
    return render(request, "participation/proposal_history.html", {"page": "proposals", "proposal": proposal, "entries": entries})


def attachment_download(request, pk, attachment_pk, width=None):
    proposal = _visible_proposal(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    return serve_upload(attachment, width=width)


def similar_proposals(request):
    """Up to five published proposals whose titles look like the one being written."""
    title = (request.GET.get("judul") or "").strip()[:150]
    return render(request, "participation/includes/similar.html", {"similar": find_similar(title)})


def find_similar(title: str, *, exclude_pk=None) -> list[Proposal]:
    if len(title) < 4:
        return []
    proposals = Proposal.objects.public().select_related("work_unit")
    if exclude_pk:
        proposals = proposals.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql":
        return list(
            proposals.annotate(similarity=TrigramSimilarity("title", title))
            .filter(similarity__gte=0.2)
            .order_by("-similarity", "-support_count")[:SIMILAR_LIMIT]
        )
    words = [word for word in title.split() if len(word) >= 4][:5]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    return list(proposals.filter(condition).order_by("-support_count")[:SIMILAR_LIMIT])


# --- the author's pages ---------------------------------------------------------------------------


@login_required
def my_proposals(request):
    proposals = (
        Proposal.objects.filter(author=request.user)
        .select_related("category", "work_unit", "region")
        .order_by("-created_at")
    )
    page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(request, "participation/my_proposals.html", {"page": "my_proposals", "proposals_page": page})


@login_required
def proposal_create(request):
    if not rights.is_verified(request.user):
        return render(request, "participation/verify_first.html", {"page": "proposals"}, status=403)
    return _proposal_form_page(request, proposal=None)


@login_required
def proposal_edit(request, pk):
    proposal = _visible_proposal(request, pk)
    if proposal.status == Proposal.Status.REJECTED and rights.is_author(request.user, proposal):
        return redirect("participation:proposal_resubmit", pk=proposal.pk)
    rights.require(request.user, "edit", proposal)
    return _proposal_form_page(request, proposal=proposal)


@login_required
def proposal_resubmit(request, pk):
    """"Ubah dan ajukan ulang": the author fixes a rejected proposal and sends it to moderation again."""
    proposal = _visible_proposal(request, pk)
    if not rights.can(request.user, "resubmit", proposal):
        if not rights.is_author(request.user, proposal):
            raise PermissionDenied
        if proposal.status != Proposal.Status.REJECTED:
            messages.error(request, _("Hanya usulan yang ditolak moderator yang dapat diajukan ulang."))
        elif proposal.resubmissions_left == 0:
            messages.error(
                request,
                _("Usulan ini sudah diajukan ulang %(count)d kali, batas yang berlaku. Buat usulan baru bila masih diperlukan.")
                % {"count": proposal.resubmission_count},
            )
        else:
            messages.error(request, _("Konfirmasi alamat email Anda terlebih dahulu."))
        return redirect(proposal)
    return _proposal_form_page(request, proposal=proposal, resubmit=True)


def _proposal_form_page(request, *, proposal, resubmit=False):
    """The proposal form for a new, an edited or a resubmitted proposal.

    Files that pass their check are staged (participation.staging) whenever the form comes back
    with errors, and listed as attached, so they are never chosen twice.
    """
    user = request.user
    saved = list(proposal.attachments.all()) if proposal else []
    token = ""
    if request.method == "POST":
        token = posted_token(request.POST)
    staged = staging.staged_for(user, token)
    context = {"page": "proposals", "proposal": proposal, "resubmit": resubmit, "attachments": saved, "similar": []}

    removing = request.POST.get("hapus_berkas", "") if request.method == "POST" else ""
    if removing or "cek_serupa" in request.POST:
        # Not a submission: remove one staged file or look for similar proposals, keep what was typed.
        if removing.isdigit():
            staging.discard([item for item in staged if item.pk == int(removing)])
            staged = [item for item in staged if item.pk != int(removing)]
        form = ProposalForm(initial=request.POST.dict(), instance=proposal, attached=len(saved) + len(staged))
        form.initial["submission_token"] = token
        if "cek_serupa" in request.POST:
            context["similar"] = find_similar(request.POST.get("title", ""), exclude_pk=proposal.pk if proposal else None)
        return render(request, "participation/proposal_form.html", {**context, "form": form, "staged": staged})

    form = ProposalForm(
        request.POST or None, request.FILES or None, instance=proposal, attached=len(saved) + len(staged), citizen=user
    )
    if request.method == "POST":
        if form.is_valid():
            response = _save_proposal_form(request, form, proposal=proposal, saved=saved, staged=staged, resubmit=resubmit)
            if response is not None:
                return response
        elif form.accepted_files:
            staged += staging.stage(user, token, form.accepted_files)
            form.set_attached(len(saved) + len(staged))
        context["similar"] = find_similar(request.POST.get("title", ""), exclude_pk=proposal.pk if proposal else None)
    elif proposal is not None:
        context["similar"] = find_similar(proposal.title, exclude_pk=proposal.pk)
    return render(request, "participation/proposal_form.html", {**context, "form": form, "staged": staged})


def _save_proposal_form(request, form, *, proposal, saved, staged, resubmit):
    """Hand a valid form to its service; None when the service refused the files (form error added)."""
    files = staging.as_uploads(staged) + form.cleaned_data["attachments"]
    submit = "ajukan" in request.POST
    keep_ids = {attachment.pk for attachment in saved}
    remove_ids = [int(v) for v in request.POST.getlist("remove_attachments") if v.isdigit() and int(v) in keep_ids]
    try:
        with transaction.atomic():
            if proposal is None:
                result = services.create_proposal(
                    actor=request.user, data=form.proposal_data(), files=files, submit=submit,
                    token=form.cleaned_data.get("submission_token", "")[:64],
                )
            elif resubmit:
                result = services.resubmit_proposal(
                    actor=request.user, proposal=proposal, data=form.proposal_data(), files=files,
                    remove_ids=remove_ids, submit=submit,
                )
            else:
                result = services.update_proposal(
                    actor=request.user, proposal=proposal, data=form.proposal_data(), files=files,
                    remove_ids=remove_ids, submit=submit,
                )
            staging.discard(staged)
    except ValueError:
        form.add_error("attachments", _("Satu usulan paling banyak memiliki %(max)d lampiran.") % {"max": services.MAX_ATTACHMENTS})
        return None
    finally:
        for uploaded, _checked in files:
            uploaded.close()
    if resubmit and result.status == Proposal.Status.SUBMITTED:
        messages.success(request, _("Usulan Anda diajukan ulang dan kembali menunggu moderasi."))
    elif proposal is not None and not (submit and result.status == Proposal.Status.SUBMITTED):
        messages.success(request, _("Perubahan usulan tersimpan."))
    elif result.status == Proposal.Status.SUBMITTED:
        messages.success(request, _("Usulan Anda telah diajukan dan menunggu moderasi. Anda akan melihat statusnya di Usulan saya."))
    else:
        messages.success(request, _("Draf usulan tersimpan. Anda dapat mengubah dan mengajukannya kapan saja."))
    return redirect(result)


def _transition_view(request, pk, service, success_message, **kwargs):
    proposal = _visible_proposal(request, pk)
    try:
        service(actor=request.user, proposal=proposal, **kwargs)
    except InvalidTransition:
        messages.error(request, _("Tindakan ini tidak dapat dilakukan pada usulan dengan status %(status)s.") % {"status": proposal.get_status_display()})
    else:
        messages.success(request, success_message)
    return redirect(proposal)


@require_POST
@login_required
def proposal_submit(request, pk):
    return _transition_view(request, pk, services.submit_proposal, _("Usulan diajukan dan menunggu moderasi."))


@require_POST
@login_required
def proposal_withdraw(request, pk):
    return _transition_view(request, pk, services.withdraw_proposal, _("Usulan telah ditarik."))


# --- supports, comments, flags --------------------------------------------------------------------


@require_POST
def proposal_support(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(f"/usulan/{pk}/")
    proposal = _visible_proposal(request, pk)
    if not _verified_or_explain(request):
        return redirect(proposal)
    withdraw = request.POST.get("aksi") == "batal"
    here = at("dukungan")
    try:
        if withdraw:
            services.withdraw_support(actor=request.user, proposal=proposal)
            messages.success(request, _("Dukungan Anda telah dibatalkan."), extra_tags=here)
        else:
            services.support_proposal(actor=request.user, proposal=proposal)
            messages.success(request, _("Terima kasih, dukungan Anda telah tercatat."), extra_tags=here)
    except AlreadyDone:
        messages.info(request, _("Dukungan Anda sudah tercatat sebelumnya.") if not withdraw else _("Anda belum mendukung usulan ini."), extra_tags=here)
    except PermissionDenied:
        messages.error(request, _("Usulan ini tidak dapat didukung: pengusul tidak dapat mendukung usulannya sendiri, dan hanya usulan yang sedang dipublikasikan yang dapat didukung."), extra_tags=here)
    return redirect(f"{proposal.get_absolute_url()}#dukungan")


@require_POST
def proposal_comment(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    return post_comment_view(request, proposal)


def _flag_view(request, target, back_url, template_context, place=""):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _verified_or_explain(request):
        return redirect(back_url)
    rights.require(request.user, "flag", target)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_content(actor=request.user, target=target, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
            messages.success(request, _("Terima kasih. Laporan Anda akan ditinjau moderator."), extra_tags=at(place) if place else "")
        except AlreadyDone:
            messages.info(request, _("Anda sudah melaporkan ini sebelumnya."), extra_tags=at(place) if place else "")
        return redirect(back_url)
    return render(request, "participation/flag_form.html", {"form": form, "back_url": back_url, **template_context})


@login_required
def proposal_flag(request, pk):
    proposal = _visible_proposal(request, pk)
    return _flag_view(request, proposal, proposal.get_absolute_url(), {"page": "proposals", "subject": proposal.title})


def _comment_with_visible_target(request, pk) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("content_type"), pk=pk)
    target = comment.target
    rights.require(request.user, "view", target)
    rights.require(request.user, "view", comment)
    comment.cached_target = target
    return comment


def _comment_url(comment, user) -> str:
    return comment_url(comment, comment.cached_target, user)


@login_required
def comment_flag(request, pk):
    comment = _comment_with_visible_target(request, pk)
    return _flag_view(request, comment, _comment_url(comment, request.user), {"subject": comment.body[:120]}, place=comment.anchor)


@require_POST
@login_required
def comment_edit(request, pk):
    comment = _comment_with_visible_target(request, pk)
    try:
        services.edit_comment(actor=request.user, comment=comment, body=request.POST.get("body", ""))
    except ValueError:
        messages.error(request, _("Komentar harus berisi 1 sampai 5.000 karakter. Perubahan tidak disimpan."), extra_tags=at(comment.anchor))
    else:
        messages.success(request, _("Komentar diperbarui."), extra_tags=at(comment.anchor))
    return redirect(_comment_url(comment, request.user))


@require_POST
@login_required
def comment_delete(request, pk):
    comment = _comment_with_visible_target(request, pk)
    services.delete_comment(actor=request.user, comment=comment)
    messages.success(request, _("Komentar dihapus."), extra_tags=at(comment.anchor))
    return redirect(_comment_url(comment, request.user))


@require_POST
@login_required
def comment_hide(request, pk):
    comment = _comment_with_visible_target(request, pk)
    hide = request.POST.get("action") != "show"
    reason = request.POST.get("reason", "").strip()[:500]
    if hide and not reason:
        messages.error(request, _("Tuliskan alasan menyembunyikan komentar."), extra_tags=at(comment.anchor))
    else:
        services.set_comment_hidden(actor=request.user, comment=comment, hidden=hide, reason=reason)
        messages.success(request, _("Komentar disembunyikan.") if hide else _("Komentar ditampilkan kembali."), extra_tags=at(comment.anchor))
    return redirect(_comment_url(comment, request.user))


# --- officials ------------------------------------------------------------------------------------


def _back_to(request, proposal, anchor: str = ""):
    """After an official's action: back to the workspace when it started there, else to the proposal."""
    if request.POST.get("kembali") == "kerja":
        return redirect("/kerja/")
    return redirect(f"{proposal.get_absolute_url()}{anchor}")


def _refuse_state(request, proposal, action: str) -> bool:
    """An official of the proposal's own unit asking for something its state does not allow gets a
    message and nothing changes; anyone else is refused by `rights.require` (403, a security event)."""
    if rights.can(request.user, action, proposal):
        return False
    if not rights.acts_for(request.user, proposal.work_unit_id):
        rights.require(request.user, action, proposal)
    messages.error(
        request,
        _("Tindakan ini tidak dapat dilakukan pada usulan berstatus “%(status)s”. Tidak ada yang diubah.")
        % {"status": proposal.get_status_display()},
    )
    return True


@require_POST
@login_required
def proposal_answer(request, pk):
    """The unit's decision: "Sedang dikaji" (an optional note) or "Ditolak" (the official answer required)."""
    proposal = _visible_proposal(request, pk)
    form = AnswerForm(request.POST)
    valid = form.is_valid()
    decision = form.cleaned_data.get("keputusan") if valid else form.data.get("keputusan")
    if not rights.acts_for(request.user, proposal.work_unit_id):
        # Whatever the decision, someone outside the unit is refused the same way: "answer".
        rights.require(request.user, "answer", proposal)
    if decision == AnswerForm.REVIEW and proposal.status == Proposal.Status.UNDER_REVIEW:
        return proposal_amend_answer(request, pk)
    if _refuse_state(request, proposal, "review" if decision == AnswerForm.REVIEW else "answer"):
        return _back_to(request, proposal, "#jawab")
    if not valid:
        messages.error(request, form.error_message())
        return _back_to(request, proposal, "#jawab")
    answer = form.cleaned_data["answer"]
    if decision == AnswerForm.DECLINE:
        services.decline_proposal(actor=request.user, proposal=proposal, answer=answer)
        messages.success(request, _("Usulan ditolak dengan jawaban resmi. Pengusul dan pengikutnya diberi tahu."))
    else:
        services.review_proposal(actor=request.user, proposal=proposal, note=answer)
        messages.success(request, _("Usulan ditandai “Sedang dikaji”. Pengusul dan pengikutnya diberi tahu."))
    return _back_to(request, proposal)


@require_POST
@login_required
def proposal_amend_answer(request, pk):
    proposal = _visible_proposal(request, pk)
    if _refuse_state(request, proposal, "amend_answer"):
        return _back_to(request, proposal, "#jawaban")
    form = AmendAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Jawaban resmi wajib diisi (paling banyak 5.000 karakter). Jawaban sebelumnya tetap berlaku."))
        return _back_to(request, proposal, "#jawaban")
    services.amend_answer(actor=request.user, proposal=proposal, answer=form.cleaned_data["answer"])
    messages.success(request, _("Jawaban resmi telah disimpan. Versi sebelumnya tetap tercatat di riwayat perubahan."))
    return _back_to(request, proposal, "#jawaban")


@require_POST
@login_required
def proposal_route(request, pk):
    proposal = _visible_proposal(request, pk)
    if rights.is_moderator(request.user):
        rights.require(request.user, "route", proposal)
    elif _refuse_state(request, proposal, "route"):
        return _back_to(request, proposal, "#disposisi")
    form = RouteForm(request.POST, current_unit_id=proposal.work_unit_id)
    if not form.is_valid():
        messages.error(request, _("Pilih satuan kerja lain yang aktif dan tuliskan catatan disposisi."))
        return _back_to(request, proposal, "#disposisi")
    services.route_proposal(actor=request.user, proposal=proposal, to_unit=form.cleaned_data["to_unit"], note=form.cleaned_data["note"])
    messages.success(request, _("Usulan telah didisposisikan ke %(unit)s.") % {"unit": form.cleaned_data["to_unit"].name})
    return _back_to(request, proposal)
