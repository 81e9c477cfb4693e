"""Every change to proposals, supports, comments and flags goes through here.

Each service is one transaction: lock the row, ask `rights`, apply the model's rule, save the
changed fields, write history with its reason and an audit event.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import rights
from audit.events import record
from audit.models import AuditEvent
from participation import signals
from participation.exceptions import AlreadyDone
from participation.models import Attachment, Comment, Flag, Proposal, Routing, Support
from participation.uploads import CheckedUpload, delete_stored_files, fill_stored_file

MAX_ATTACHMENTS = 5
Status = Proposal.Status


def _after_commit(signal, **kwargs) -> None:
    """Announce a domain event once the data is really there (never for a rolled-back change)."""
    sender = type(kwargs.get("proposal") or kwargs.get("comment"))
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _save(obj, *, actor, reason: str, fields: list[str]):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj._change_reason = reason
    obj.save(update_fields=fields)


def _add_attachments(proposal: Proposal, files: list[tuple[object, CheckedUpload]]) -> None:
    for uploaded, checked in files:
        attachment = Attachment(proposal=proposal)
        fill_stored_file(attachment, uploaded, checked)
        attachment.save()


@transaction.atomic
def create_proposal(*, actor, data: dict, files: list, submit: bool, token: str = "") -> Proposal:
    """Create a draft (or submit it at once); a repeated token returns the first proposal instead."""
    if not rights.is_verified(actor):
        raise PermissionDenied
    if token:
        existing = Proposal.objects.filter(author=actor, submission_token=token).first()
        if existing is not None:
            return existing
    if len(files) > MAX_ATTACHMENTS:
        raise ValueError("too many attachments")
    now = timezone.now()
    proposal = Proposal(author=actor, submission_token=token, **data)
    if submit:
        proposal.move_to(Status.SUBMITTED, now=now)
    proposal._history_user = actor
    proposal._change_reason = "Diajukan" if submit else "Draf dibuat"
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # A concurrent double submit won the race; hand back its proposal.
        return Proposal.objects.get(author=actor, submission_token=token)
    _add_attachments(proposal, files)
    _after_commit(signals.proposal_created, proposal=proposal, actor=actor)
    return proposal


@transaction.atomic
def update_proposal(
    *, actor, proposal: Proposal, data: dict, files: list, remove_ids: list[int], submit: bool = False
) -> Proposal:
    """Edit a draft or submitted proposal: fields, new attachments, removed attachments; `submit`
    also sends a draft to moderation in the same transaction."""
    proposal = _locked(proposal)
    rights.require(actor, "edit", proposal)
    _apply_edit(proposal, actor=actor, data=data, files=files, remove_ids=remove_ids, reason="Diubah pengusul")
    if submit and proposal.status == Status.DRAFT:
        proposal = _transition(actor=actor, proposal=proposal, action="submit", new_status=Status.SUBMITTED, reason="Diajukan")
    return proposal


@transaction.atomic
def resubmit_proposal(
    *, actor, proposal: Proposal, data: dict, files: list, remove_ids: list[int], submit: bool = True
) -> Proposal:
    """The author of a rejected proposal fixes it and sends it to moderation again (or keeps it
    as a draft to finish later). Reopening counts against PROPOSAL_RESUBMISSION_LIMIT; the last
    rejection reason stays on the proposal so moderators see what was asked for."""
    proposal = _locked(proposal)
    rights.require(actor, "resubmit", proposal)
    proposal.move_to(Status.DRAFT, now=timezone.now())
    proposal.resubmission_count += 1
    _save(
        proposal,
        actor=actor,
        reason="Dibuka kembali oleh pengusul setelah ditolak",
        fields=["status", "status_changed_at", "resubmission_count"],
    )
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=proposal,
        data={"from": Status.REJECTED, "to": Status.DRAFT, "resubmission": proposal.resubmission_count},
    )
    _apply_edit(proposal, actor=actor, data=data, files=files, remove_ids=remove_ids, reason="Diperbaiki pengusul")
    if submit:
        proposal = _transition(
            actor=actor, proposal=proposal, action="submit", new_status=Status.SUBMITTED, reason="Diajukan ulang"
        )
    return proposal


def _apply_edit(proposal: Proposal, *, actor, data: dict, files: list, remove_ids: list[int], reason: str) -> None:
    remaining = proposal.attachments.exclude(pk__in=remove_ids).count()
    if remaining + len(files) > MAX_ATTACHMENTS:
        raise ValueError("too many attachments")
    for removed in proposal.attachments.filter(pk__in=remove_ids):
        delete_stored_files(removed)
        removed.delete()
    for field, value in data.items():
        setattr(proposal, field, value)
    _save(proposal, actor=actor, reason=reason, fields=[*data.keys(), "updated_at"])
    _add_attachments(proposal, files)


def _transition(*, actor, proposal: Proposal, action: str, new_status: str, reason: str, extra_fields=()) -> Proposal:
    locked = _locked(proposal)
    rights.require(actor, action, locked)
    old_status = locked.status
    locked.move_to(new_status, now=timezone.now())
    for field, value in dict(extra_fields).items():
        setattr(locked, field, value)
    fields = ["status", "status_changed_at", "submitted_at", "published_at", *dict(extra_fields).keys()]
    _save(locked, actor=actor, reason=reason, fields=fields)
    record(
        AuditEvent.Action.MODERATION if action == "moderate" else AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=locked,
        data={"from": old_status, "to": new_status, "reason": reason},
    )
    _after_commit(signals.proposal_status_changed, proposal=locked, old_status=old_status, new_status=new_status, actor=actor)
    return locked


@transaction.atomic
def submit_proposal(*, actor, proposal: Proposal) -> Proposal:
    """The author sends a draft to moderation."""
    return _transition(actor=actor, proposal=proposal, action="submit", new_status=Status.SUBMITTED, reason="Diajukan")


@transaction.atomic
def withdraw_proposal(*, actor, proposal: Proposal) -> Proposal:
    """The author takes the proposal back; allowed until it is accepted, declined or rejected."""
    return _transition(
        actor=actor, proposal=proposal, action="withdraw", new_status=Status.WITHDRAWN, reason="Ditarik pengusul"
    )


@transaction.atomic
def publish_proposal(*, actor, proposal: Proposal) -> Proposal:
    """A moderator publishes a submitted proposal."""
    published = _transition(
        actor=actor, proposal=proposal, action="moderate", new_status=Status.PUBLISHED, reason="Dipublikasikan moderator"
    )
    _resolve_flags(published, actor=actor)
    return published


@transaction.atomic
def reject_proposal(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """A moderator rejects a submitted proposal; the reason is required and shown to the author."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    return _transition(
        actor=actor,
        proposal=proposal,
        action="moderate",
        new_status=Status.REJECTED,
        reason=f"Ditolak moderator: {reason}",
        extra_fields={"rejection_reason": reason},
    )


@transaction.atomic
def set_proposal_hidden(*, actor, proposal: Proposal, hidden: bool, reason: str = "") -> Proposal:
    """A moderator hides a proposal from public pages (or shows it again); history keeps it."""
    locked = _locked(proposal)
    rights.require(actor, "moderate", locked)
    if hidden and not reason.strip():
        raise ValueError("hiding needs a reason")
    locked.is_hidden = hidden
    locked.hidden_reason = reason.strip() if hidden else ""
    label = f"Disembunyikan moderator: {reason.strip()}" if hidden else "Ditampilkan kembali oleh moderator"
    _save(locked, actor=actor, reason=label, fields=["is_hidden", "hidden_reason"])
    record(AuditEvent.Action.MODERATION, actor=actor, target=locked, data={"hidden": hidden, "reason": reason.strip()})
    _resolve_flags(locked, actor=actor)
    _forget_unread_counts(locked)
    return locked


def _clean_answer(text: str, *, required: bool) -> str:
    """The answer text, or ValueError when a required one is empty or any is longer than the field."""
    text = (text or "").strip()
    if (required and not text) or len(text) > Proposal._meta.get_field("official_answer").max_length:
        raise ValueError("an official answer holds 1 to 5,000 characters")
    return text


def _answer_fields(actor, text: str, now, locked: Proposal) -> dict:
    """The fields a written answer sets; the first answer's time is kept through later amendments."""
    if not text:
        return {}
    return {
        "official_answer": text,
        "answered_at": now,
        "answered_by": actor,
        "first_answered_at": locked.first_answered_at or now,
    }


def _decide(*, actor, proposal: Proposal, action: str, new_status: str, reason: str, answer: str) -> Proposal:
    """Move a public proposal to the unit's decision, with the written answer in the same row and history entry."""
    locked = _locked(proposal)
    rights.require(actor, action, locked)
    old_status = locked.status
    now = timezone.now()
    locked.move_to(new_status, now=now)
    extra = _answer_fields(actor, answer, now, locked)
    for field, value in extra.items():
        setattr(locked, field, value)
    _save(locked, actor=actor, reason=reason, fields=["status", "status_changed_at", *extra])
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=locked,
        data={"from": old_status, "to": new_status, "answer": answer[:500]},
    )
    _after_commit(signals.proposal_status_changed, proposal=locked, old_status=old_status, new_status=new_status, actor=actor)
    return locked


@transaction.atomic
def review_proposal(*, actor, proposal: Proposal, note: str = "") -> Proposal:
    """The unit marks a published proposal "Sedang dikaji" (under review), with an optional public note."""
    note = _clean_answer(note, required=False)
    reason = f"Sedang dikaji: {note}" if note else "Sedang dikaji"
    return _decide(actor=actor, proposal=proposal, action="review", new_status=Status.UNDER_REVIEW, reason=reason, answer=note)


@transaction.atomic
def decline_proposal(*, actor, proposal: Proposal, answer: str) -> Proposal:
    """The unit declines a published or under-review proposal; the official answer says why."""
    answer = _clean_answer(answer, required=True)
    return _decide(
        actor=actor, proposal=proposal, action="answer", new_status=Status.DECLINED,
        reason=f"Ditolak satuan kerja: {answer}", answer=answer,
    )


@transaction.atomic
def amend_answer(*, actor, proposal: Proposal, answer: str) -> Proposal:
    """The unit rewrites its official answer; history keeps every earlier text."""
    locked = _locked(proposal)
    rights.require(actor, "amend_answer", locked)
    # A declined proposal must keep a reason; the note of a review may be written later or left out.
    answer = _clean_answer(answer, required=True)
    if answer == locked.official_answer:
        return locked
    first = not locked.official_answer
    extra = _answer_fields(actor, answer, timezone.now(), locked)
    for field, value in extra.items():
        setattr(locked, field, value)
    _save(locked, actor=actor, reason="Jawaban resmi ditulis" if first else "Jawaban resmi diubah", fields=list(extra))
    record(
        AuditEvent.Action.STATUS_CHANGED, actor=actor, target=locked,
        data={"answer": answer[:500], "amended": not first, "status": locked.status},
    )
    _after_commit(signals.proposal_answered, proposal=locked, actor=actor)
    return locked


@transaction.atomic
def answer_proposal(*, actor, proposal: Proposal, answer: str, decline: bool) -> Proposal:
    """One entry for "the unit answers": declining closes the proposal; otherwise it is under review with
    this answer (or, once it is, the answer is amended)."""
    if decline:
        return decline_proposal(actor=actor, proposal=proposal, answer=answer)
    if _locked(proposal).status == Status.PUBLISHED:
        _clean_answer(answer, required=True)
        return review_proposal(actor=actor, proposal=proposal, note=answer)
    return amend_answer(actor=actor, proposal=proposal, answer=answer)


def accept_proposals(*, actor, proposals, program_label: str) -> list[Proposal]:
    """Mark published proposals as accepted into a program; called inside the program's transaction."""
    accepted = []
    for proposal in proposals:
        locked = _locked(proposal)
        old_status = locked.status
        now = timezone.now()
        locked.move_to(Status.ACCEPTED, now=now)
        # Acceptance is an answer too: it starts no later than now.
        locked.first_answered_at = locked.first_answered_at or now
        _save(
            locked,
            actor=actor,
            reason=f"Ditindaklanjuti dalam program: {program_label}",
            fields=["status", "status_changed_at", "first_answered_at"],
        )
        record(
            AuditEvent.Action.STATUS_CHANGED,
            actor=actor,
            target=locked,
            data={"from": old_status, "to": Status.ACCEPTED, "program": program_label},
        )
        _after_commit(
            signals.proposal_status_changed, proposal=locked, old_status=old_status, new_status=Status.ACCEPTED, actor=actor
        )
        accepted.append(locked)
    return accepted


@transaction.atomic
def route_proposal(*, actor, proposal: Proposal, to_unit, note: str) -> Proposal:
    """Hand a proposal to another work unit (disposisi); from then on that unit answers it."""
    locked = _locked(proposal)
    rights.require(actor, "route", locked)
    note = note.strip()
    if not note:
        raise ValueError("a routing needs a note")
    if to_unit.pk == locked.work_unit_id or not to_unit.is_active:
        raise ValueError("route to another, active unit")
    Routing.objects.create(proposal=locked, from_unit_id=locked.work_unit_id, to_unit=to_unit, note=note, routed_by=actor)
    old_unit = locked.work_unit_id
    locked.work_unit = to_unit
    _save(locked, actor=actor, reason=f"Disposisi ke {to_unit.short_name}: {note}", fields=["work_unit"])
    record(
        AuditEvent.Action.STATUS_CHANGED,
        actor=actor,
        target=locked,
        data={"routed_from": old_unit, "routed_to": to_unit.pk},
    )
    return locked


# --- supports -------------------------------------------------------------------------------------


@transaction.atomic
def support_proposal(*, actor, proposal: Proposal) -> Proposal:
    """Add the citizen's support; the unique constraint refuses a second one, even under a race."""
    locked = _locked(proposal)
    rights.require(actor, "support", locked)
    try:
        with transaction.atomic():
            Support.objects.create(proposal=locked, user=actor)
    except IntegrityError:
        raise AlreadyDone from None
    Proposal.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
    locked.refresh_from_db(fields=["support_count"])
    return locked


@transaction.atomic
def withdraw_support(*, actor, proposal: Proposal) -> Proposal:
    """Remove the citizen's support if there is one."""
    locked = _locked(proposal)
    rights.require(actor, "view", locked)
    deleted, _ = Support.objects.filter(proposal=locked, user=actor).delete()
    if not deleted:
        raise AlreadyDone
    Proposal.objects.filter(pk=locked.pk).update(support_count=F("support_count") - 1)
    locked.refresh_from_db(fields=["support_count"])
    return locked


# --- comments -------------------------------------------------------------------------------------


def _clean_comment_body(body: str) -> str:
    """The text of a comment, or ValueError when it is empty or longer than the field allows."""
    body = body.strip()
    if not body or len(body) > Comment._meta.get_field("body").max_length:
        raise ValueError("a comment holds 1 to 5,000 characters")
    return body


def _locked_target(target):
    """Lock the commented item first: every comment change takes the item's row lock before any
    comment row, so they queue up in one order and never deadlock."""
    return type(target).objects.select_for_update().get(pk=target.pk)


def recount_comments(target) -> None:
    """Store the item's `comment_count` as `Comment.objects.counted()` says, the one definition.

    Derived instead of incremented: hiding a comment also hides its replies from the count, and a
    moderator's "show again" must not count twice. Callers hold the item's lock (`_locked_target`),
    so this statement reads every committed change before it.
    """
    model = type(target)
    if any(field.name == "comment_count" for field in model._meta.fields):
        model.objects.filter(pk=target.pk).update(comment_count=Comment.objects.counted_per_row(model))


@transaction.atomic
def post_comment(*, actor, target, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a proposal, program or consultation; a reply attaches to a top-level comment."""
    target = _locked_target(target)
    rights.require(actor, "comment", target)
    body = _clean_comment_body(body)
    content_type = ContentType.objects.get_for_model(target)
    if parent is not None:
        valid_parent = (
            parent.content_type_id == content_type.pk
            and parent.object_id == target.pk
            and parent.parent_id is None
            and rights.can(actor, "view", parent)
        )
        if not valid_parent:
            raise ValueError("replies attach to a visible top-level comment of the same item")
    comment = Comment(content_type=content_type, object_id=target.pk, parent=parent, author=actor, body=body)
    comment._history_user = actor
    comment.save()
    recount_comments(target)
    _after_commit(signals.comment_posted, comment=comment, target=target, actor=actor)
    return comment


@transaction.atomic
def edit_comment(*, actor, comment: Comment, body: str) -> Comment:
    """The author rewrites their own comment; history keeps the earlier text."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    rights.require(actor, "edit", comment)
    body = _clean_comment_body(body)
    comment.body = body
    comment.edited_at = timezone.now()
    _save(comment, actor=actor, reason="Diubah penulis", fields=["body", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(*, actor, comment: Comment) -> Comment:
    """The author deletes their comment: the text goes, the place and its replies stay."""
    target = _locked_target(comment.target)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    rights.require(actor, "delete", comment)
    comment.is_deleted = True
    comment.body = ""
    _save(comment, actor=actor, reason="Dihapus penulis", fields=["is_deleted", "body"])
    recount_comments(target)
    return comment


@transaction.atomic
def set_comment_hidden(*, actor, comment: Comment, hidden: bool, reason: str = "") -> Comment:
    """A moderator hides a comment from public pages (or shows it again)."""
    target = _locked_target(comment.target)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    rights.require(actor, "hide", comment)
    if hidden and not reason.strip():
        raise ValueError("hiding needs a reason")
    comment.is_hidden = hidden
    comment.hidden_reason = reason.strip() if hidden else ""
    label = f"Disembunyikan moderator: {reason.strip()}" if hidden else "Ditampilkan kembali oleh moderator"
    _save(comment, actor=actor, reason=label, fields=["is_hidden", "hidden_reason"])
    record(AuditEvent.Action.MODERATION, actor=actor, target=comment, data={"hidden": hidden, "reason": reason.strip()})
    _resolve_flags(comment, actor=actor)
    recount_comments(target)
    _forget_unread_counts(comment)
    return comment


def _forget_unread_counts(target) -> None:
    from notifications.services import forget_unread_counts_about

    forget_unread_counts_about(target)


# --- flags ----------------------------------------------------------------------------------------


@transaction.atomic
def flag_content(*, actor, target, reason: str, note: str = "") -> Flag:
    """A citizen reports a proposal or comment; a second report by the same citizen is refused."""
    rights.require(actor, "flag", target)
    if reason not in Flag.Reason.values:
        raise ValueError("unknown reason")
    try:
        with transaction.atomic():
            flag = Flag(
                content_type=ContentType.objects.get_for_model(target),
                object_id=target.pk,
                reporter=actor,
                reason=reason,
                note=note.strip()[:500],
            )
            flag._history_user = actor
            flag.save()
    except IntegrityError:
        raise AlreadyDone from None
    return flag


def _resolve_flags(target, *, actor) -> None:
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(target)
    for flag in Flag.objects.filter(content_type=content_type, object_id=target.pk, resolved_at__isnull=True):
        flag.resolved_at = now
        flag.resolved_by = actor
        _save(flag, actor=actor, reason="Ditangani moderator", fields=["resolved_at", "resolved_by"])


@transaction.atomic
def dismiss_flags(*, actor, target) -> None:
    """A moderator looked at the reports and keeps the item as it is."""
    if not rights.is_moderator(actor):
        raise PermissionDenied
    _resolve_flags(target, actor=actor)
    record(AuditEvent.Action.MODERATION, actor=actor, target=target, data={"flags": "dismissed"})
