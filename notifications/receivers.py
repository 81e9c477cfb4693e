"""Turning domain events into notifications for authors and followers."""

from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import services
from notifications.models import Kind
from participation import signals as participation_signals
from participation.comments import comment_url
from participation.models import Proposal
from programs import signals as programs_signals

PROPOSAL_MESSAGES = {
    Proposal.Status.PUBLISHED: gettext_lazy("Usulan “%(title)s” telah dipublikasikan."),
    Proposal.Status.REJECTED: gettext_lazy("Usulan “%(title)s” ditolak moderator: %(reason)s"),
    Proposal.Status.UNDER_REVIEW: gettext_lazy("Usulan “%(title)s” sedang dikaji oleh %(unit)s."),
    Proposal.Status.ACCEPTED: gettext_lazy("Usulan “%(title)s” diterima dan ditindaklanjuti dalam program kerja."),
    Proposal.Status.DECLINED: gettext_lazy("Usulan “%(title)s” ditolak oleh %(unit)s, dengan jawaban resmi."),
}


def _proposal_audience(proposal) -> list[int]:
    return [proposal.author_id, *services.followers_of(proposal)]


@receiver(participation_signals.proposal_created)
def author_follows_own_proposal(sender, proposal, actor, **kwargs):
    if proposal.author_id is not None:
        services.follow(actor=proposal.author, target=proposal)


@receiver(participation_signals.proposal_status_changed)
def proposal_status_changed(sender, proposal, old_status, new_status, actor, **kwargs):
    template = PROPOSAL_MESSAGES.get(new_status)
    if template is None:
        return
    message = template % {
        "title": proposal.title[:120],
        "reason": proposal.rejection_reason[:120],
        "unit": proposal.work_unit.short_name,
    }
    # Rejected proposals are private to their author; only public news reaches followers.
    audience = [proposal.author_id] if new_status == Proposal.Status.REJECTED else _proposal_audience(proposal)
    services.notify(
        recipients=audience, kind=Kind.PROPOSAL, message=message, url=proposal.get_absolute_url(), subject=proposal, exclude=actor
    )


@receiver(participation_signals.proposal_answered)
def proposal_answered(sender, proposal, actor, **kwargs):
    message = _("Jawaban resmi %(unit)s atas usulan “%(title)s” telah diperbarui.") % {
        "title": proposal.title[:120],
        "unit": proposal.work_unit.short_name,
    }
    services.notify(
        recipients=_proposal_audience(proposal),
        kind=Kind.PROPOSAL,
        message=message,
        url=proposal.get_absolute_url(),
        subject=proposal,
        exclude=actor,
    )


@receiver(participation_signals.comment_posted)
def reply_to_comment(sender, comment, target, actor, **kwargs):
    if comment.parent_id is None:
        return
    parent_author = comment.parent.author_id
    # No names in stored messages: they would outlive an erased account (UU 27/2022).
    message = _("Ada balasan baru atas komentar Anda.")
    services.notify(
        recipients=[parent_author],
        kind=Kind.REPLY,
        message=message,
        url=comment_url(comment, target, AnonymousUser()),  # the thread page that holds the reply
        subject=comment,
        exclude=actor,
    )


@receiver(programs_signals.program_created)
def proposal_people_follow_the_program(sender, program, actor, **kwargs):
    """Authors and followers of the source proposals keep hearing about what became of them."""
    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Follow

    proposal_ids = list(program.source_proposals.values_list("pk", flat=True))
    people = set(program.source_proposals.exclude(author=None).values_list("author_id", flat=True))
    people |= set(
        Follow.objects.filter(content_type=ContentType.objects.get_for_model(Proposal), object_id__in=proposal_ids)
        .values_list("user_id", flat=True)
    )
    program_type = ContentType.objects.get_for_model(program)
    Follow.objects.bulk_create(
        [Follow(user_id=user_id, content_type=program_type, object_id=program.pk) for user_id in sorted(people)],
        ignore_conflicts=True,
    )


@receiver(programs_signals.phase_status_changed)
def program_phase_changed(sender, program, phase, old_status, new_status, actor, **kwargs):
    message = _("Program “%(title)s”: tahap %(phase)s kini %(status)s.") % {
        "title": program.title[:120],
        "phase": phase.get_kind_display(),
        "status": phase.get_status_display().lower(),
    }
    services.notify(
        recipients=services.followers_of(program),
        kind=Kind.PROGRAM,
        message=message,
        url=program.get_absolute_url(),
        subject=program,
        exclude=actor,
    )


@receiver(programs_signals.progress_update_posted)
def program_update_posted(sender, program, update, actor, **kwargs):
    message = _("Kabar terbaru program “%(title)s” telah diterbitkan.") % {"title": program.title[:120]}
    services.notify(
        recipients=services.followers_of(program),
        kind=Kind.PROGRAM,
        message=message,
        url=program.get_absolute_url(),
        subject=program,
        exclude=actor,
        dedupe_key=f"update:{update.pk}",
    )
