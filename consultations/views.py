"""Public pages of consultations: list, detail with responses and results, history, CSV, documents."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import rights
from audit.history import history_entries, role_label
from config.shared_pages import item_reader_state, shared_for_signed_in
from consultations import services
from consultations.exceptions import ConsultationError
from consultations.home import with_response_count
from consultations.forms import ConsultationFilterForm, FollowUpForm, ReplyForm, ResponseForm
from consultations.models import Consultation, ConsultationDocument, Response, ResponseReply
from consultations.rules import may_take_part
from participation.comments import post_comment_view, thread_for
from participation.uploads import serve_stored_file

PER_PAGE = 20
RESPONSES_PER_PAGE = 20
# Only these fields ever appear on the public change history.
HISTORY_FIELDS = ["title", "summary", "body", "work_unit", "category", "opens_at", "closes_at", "is_published", "follow_up"]


def _visible_consultation(request, pk: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("work_unit", "category"), pk=pk)
    rights.require(request.user, "view", consultation)
    return consultation


@require_GET
@shared_for_signed_in
def consultation_list(request):
    now = timezone.now()
    form = ConsultationFilterForm(request.GET or None)
    filters = form.cleaned_or_defaults()
    consultations = Consultation.objects.public()
    if filters.get("satker"):
        consultations = consultations.filter(work_unit=filters["satker"])
    if filters.get("kategori"):
        consultations = consultations.filter(category=filters["kategori"])
    if filters.get("status"):
        consultations = consultations.in_state(filters["status"], now)
    if filters.get("q"):
        consultations = consultations.search(filters["q"])
    consultations = (
        consultations.in_list_order(now)
        .select_related("work_unit", "category")
    )
    consultations = with_response_count(consultations)
    page = Paginator(consultations, PER_PAGE).get_page(request.GET.get("halaman"))
    for consultation in page.object_list:
        consultation.current_state = consultation.state(now)
        consultation.countdown_text = consultation.countdown(now)
    return render(
        request,
        "consultations/list.html",
        {"page": "consultations", "form": form, "consultations": page, "filtered": any(filters.values())},
    )


def _own_response(user, consultation):
    if not getattr(user, "is_authenticated", False):
        return None
    return Response.objects.filter(consultation=consultation, author=user).first()


def _public_responses(request, consultation):
    """One page of responses with comments, and their replies: a fixed number of queries."""
    shown = Response.objects.filter(consultation=consultation).shown_publicly().order_by("created_at", "id")
    page = Paginator(shown, RESPONSES_PER_PAGE).get_page(request.GET.get("tanggapan"))
    responses = list(
        page.object_list.prefetch_related(
            Prefetch("replies", queryset=ResponseReply.objects.select_related("work_unit").order_by("created_at", "id"))
        )
    )
    can_reply = rights.can(request.user, "edit", consultation) and consultation.has_opened()
    for response in responses:
        response.consultation = consultation  # rules read it; no query per row
        response.is_own = rights.is_author(request.user, response)
        response.user_can_reply = can_reply
    return page, responses


def _response_context(request, consultation, *, form=None, edit_form=None):
    now = timezone.now()
    state = consultation.state(now)
    own = _own_response(request.user, consultation)
    page, responses = _public_responses(request, consultation)
    results = services.results_for(consultation) if state == Consultation.State.CLOSED else None
    if own is not None and edit_form is None:
        edit_form = ResponseForm(initial={"position": own.position, "comment": own.comment}, prefix_id="ubah")
    return {
        "page": "consultations",
        "consultation": consultation,
        "state": state,
        "countdown": consultation.countdown(now),
        "documents": list(consultation.documents.all()),
        "own_response": own,
        "response_form": form or ResponseForm(),
        "edit_form": edit_form,
        "can_respond": state == Consultation.State.OPEN and may_take_part(request.user, consultation),
        "is_owner_official": rights.can(request.user, "edit", consultation),
        "responses_page": page,
        "responses": responses,
        "reply_form": ReplyForm(),
        "results": results,
        "thread": thread_for(request, consultation, post_url=reverse("consultations:comment", args=[consultation.pk])),
    }


def _consultation_reader_state(request, pk: int):
    """What of a consultation's page is the reader's own (config/shared_pages.py): besides following
    it, a response or a comment of theirs makes the page theirs alone."""
    user = request.user
    responded = Exists(Response.objects.filter(consultation=OuterRef("pk"), author=user))
    return item_reader_state(Consultation, pk, user, took_part=[responded])


@require_GET
@shared_for_signed_in(reader_state=_consultation_reader_state)
def consultation_detail(request, pk: int):
    consultation = _visible_consultation(request, pk)
    return render(request, "consultations/detail.html", _response_context(request, consultation))


def _login_or_refuse(request, consultation):
    """Anonymous users go to the login page; unverified users get the reason; None means carry on."""
    if not request.user.is_authenticated:
        return redirect_to_login(consultation.get_absolute_url())
    if not rights.is_verified(request.user):
        messages.error(request, _("Konfirmasi alamat email Anda terlebih dahulu untuk memberikan tanggapan."))
        return redirect(f"{consultation.get_absolute_url()}#tanggapi")
    return None


@require_POST
def respond(request, pk: int):
    consultation = _visible_consultation(request, pk)
    refused = _login_or_refuse(request, consultation)
    if refused:
        return refused
    form = ResponseForm(request.POST)
    if not form.is_valid():
        context = _response_context(request, consultation, form=form)
        return render(request, "consultations/detail.html", context, status=400)
    try:
        services.submit_response(
            actor=request.user,
            consultation=consultation,
            position=form.cleaned_data["position"],
            comment=form.cleaned_data["comment"],
        )
    except ConsultationError as error:
        messages.error(request, error.message)
        return redirect(f"{consultation.get_absolute_url()}#tanggapi")
    except PermissionDenied:
        messages.error(request, _("Petugas satuan kerja penyelenggara tidak dapat memberikan tanggapan."))
        return redirect(f"{consultation.get_absolute_url()}#tanggapi")
    messages.success(request, _("Terima kasih, tanggapan Anda telah tercatat. Anda dapat mengubahnya sampai uji publik ditutup."))
    return redirect(f"{consultation.get_absolute_url()}#tanggapi")


@require_POST
def change_response(request, pk: int, response_pk: int):
    consultation = _visible_consultation(request, pk)
    refused = _login_or_refuse(request, consultation)
    if refused:
        return refused
    response = get_object_or_404(Response, pk=response_pk, consultation=consultation)
    if not rights.is_author(request.user, response):
        raise PermissionDenied
    form = ResponseForm(request.POST, prefix_id="ubah")
    if not form.is_valid():
        context = _response_context(request, consultation, edit_form=form)
        return render(request, "consultations/detail.html", context, status=400)
    try:
        services.change_response(
            actor=request.user,
            response=response,
            position=form.cleaned_data["position"],
            comment=form.cleaned_data["comment"],
        )
    except ConsultationError as error:
        messages.error(request, error.message)
        return redirect(f"{consultation.get_absolute_url()}#tanggapi")
    messages.success(request, _("Tanggapan Anda telah diubah."))
    return redirect(f"{consultation.get_absolute_url()}#tanggapi")


@require_POST
def reply(request, pk: int, response_pk: int):
    consultation = _visible_consultation(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(consultation.get_absolute_url())
    response = get_object_or_404(Response.objects.select_related("consultation"), pk=response_pk, consultation=consultation)
    rights.require(request.user, "reply", response)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("body", []):
            messages.error(request, _("Balasan tidak tersimpan: %(error)s") % {"error": error})
        return redirect(f"{consultation.get_absolute_url()}#tanggapan-{response.pk}")
    try:
        services.reply_to_response(actor=request.user, response=response, body=form.cleaned_data["body"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{consultation.get_absolute_url()}#tanggapan-{response.pk}")
    messages.success(request, _("Balasan telah dipublikasikan di bawah tanggapan tersebut."))
    return redirect(f"{consultation.get_absolute_url()}#tanggapan-{response.pk}")


@login_required
def follow_up(request, pk: int):
    """The owning unit writes (or rewrites) what it did with the responses, once the consultation closed."""
    consultation = _visible_consultation(request, pk)
    if not rights.can(request.user, "write_follow_up", consultation):
        if not rights.acts_for(request.user, consultation.work_unit_id):
            raise PermissionDenied
        messages.error(request, _("Tindak lanjut hanya dapat ditulis setelah uji publik ditutup. Tidak ada yang diubah."))
        return redirect(consultation)
    form = FollowUpForm(request.POST or None, initial={"follow_up": consultation.follow_up})
    if request.method == "POST" and form.is_valid():
        try:
            services.write_follow_up(actor=request.user, consultation=consultation, text=form.cleaned_data["follow_up"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Tindak lanjut telah dipublikasikan. Pengikut uji publik ini diberi tahu."))
            return redirect(f"{consultation.get_absolute_url()}#tindak-lanjut")
    context = {"page": "consultations", "consultation": consultation, "form": form, "results": services.results_for(consultation)}
    return render(request, "consultations/follow_up.html", context, status=400 if form.errors else 200)


@require_POST
def comment(request, pk: int):
    consultation = _visible_consultation(request, pk)
    return post_comment_view(request, consultation)


@require_GET
def document(request, pk: int, document_pk: int):
    """A consultation's PDF, only while the consultation itself is visible to this user."""
    consultation = _visible_consultation(request, pk)
    item = get_object_or_404(ConsultationDocument, pk=document_pk, consultation=consultation)
    return serve_stored_file(item.file, original_name=item.original_name, mime_type=item.mime_type)


@require_GET
def history(request, pk: int):
    consultation = _visible_consultation(request, pk)
    records = list(consultation.history.select_related("work_unit", "category").order_by("history_date", "history_id"))
    documents = list(ConsultationDocument.history.filter(consultation_id=consultation.pk).order_by("history_date", "history_id"))
    official = _("Petugas %(unit)s") % {"unit": consultation.work_unit.short_name}

    def actor_label(record):
        return role_label(record, official=official, administrator=_("Administrator portal"))

    entries = history_entries(records, fields=HISTORY_FIELDS, actor_label=actor_label)
    entries += history_entries(documents, fields=["title"], actor_label=actor_label, subject=_("Dokumen"))
    for entry in entries:
        if entry.subject and entry.kind in ("created", "deleted") and not entry.reason:
            entry.reason = _("dokumen ditambahkan") if entry.kind == "created" else _("dokumen dihapus")
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return render(request, "consultations/history.html", {"page": "consultations", "consultation": consultation, "entries": entries})


class _Echo:
    def write(self, value):
        return value


def _csv_safe(text: str) -> str:
    """Stop spreadsheet programs from running a comment as a formula (CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


@require_GET
def responses_csv(request, pk: int):
    """Every response after closing: number, position, comment, time. No names, emails or ids of people."""
    consultation = _visible_consultation(request, pk)
    if not rights.can(request.user, "download_responses", consultation):
        raise Http404
    rows = (
        Response.objects.filter(consultation=consultation)
        .order_by("created_at", "id")
        .values_list("position", "comment", "is_hidden", "updated_at")
    )
    labels = dict(Response.Position.choices)
    hidden_text = _("[komentar disembunyikan moderator]")

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([_("nomor"), _("sikap"), _("komentar"), _("waktu")])
        for number, (position, text, is_hidden, updated_at) in enumerate(rows.iterator(chunk_size=2000), start=1):
            shown = hidden_text if is_hidden and text else text
            yield writer.writerow(
                [number, str(labels.get(position, position)), _csv_safe(shown), timezone.localtime(updated_at).isoformat()]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="uji-publik-{consultation.pk}-tanggapan.csv"'
    return response
