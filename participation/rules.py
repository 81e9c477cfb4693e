"""Who may do what to proposals and comments; registered with `accounts.rights`."""

from accounts.rights import (
    acts_for,
    admin_scope,
    everything,
    is_administrator,
    is_author,
    is_moderator,
    is_verified,
    rule,
    work_unit_ids,
)

# Nobody on the staff acts on these in admin: a draft is the author's private work, a rejected or
# withdrawn proposal has no step left. Administrators still see them.
CLOSED_TO_STAFF = ("draft", "rejected", "withdrawn")

admin_scope("participation.Category", "participation.Region")(everything)


# --- proposals ------------------------------------------------------------------------------------


@rule("participation.Proposal", "view")
def _view_proposal(user, proposal) -> bool:
    if proposal.is_public or is_author(user, proposal) or is_moderator(user):
        return True
    return proposal.status != "draft" and proposal.work_unit_id in work_unit_ids(user)


@rule("participation.Proposal", "edit")
def _edit_proposal(user, proposal) -> bool:
    return is_author(user, proposal) and is_verified(user) and proposal.is_editable


@rule("participation.Proposal", "submit")
def _submit_proposal(user, proposal) -> bool:
    return is_author(user, proposal) and is_verified(user) and proposal.status == "draft"


@rule("participation.Proposal", "resubmit")
def _resubmit_proposal(user, proposal) -> bool:
    """The author reopens a rejected proposal to fix it, while resubmissions are left."""
    return (
        is_author(user, proposal)
        and is_verified(user)
        and proposal.status == "rejected"
        and proposal.resubmissions_left > 0
    )


@rule("participation.Proposal", "withdraw")
def _withdraw_proposal(user, proposal) -> bool:
    return is_author(user, proposal) and proposal.can_move_to("withdrawn")


@rule("participation.Proposal", "support")
def _support_proposal(user, proposal) -> bool:
    return (
        is_verified(user)
        and not is_author(user, proposal)
        and proposal.is_open
    )


@rule("participation.Proposal", "comment")
def _comment_on_proposal(user, proposal) -> bool:
    return is_verified(user) and proposal.is_public


@rule("participation.Proposal", "flag")
def _flag_proposal(user, proposal) -> bool:
    return is_verified(user) and proposal.is_public and not is_author(user, proposal)


@rule("participation.Proposal", "moderate")
def _moderate_proposal(user, proposal) -> bool:
    return is_moderator(user)


@rule("participation.Proposal", "answer")
def _answer_proposal(user, proposal) -> bool:
    """Decide on a proposal (decline it, accept it into a program): while it waits for the decision."""
    return proposal.is_open and acts_for(user, proposal.work_unit_id)


@rule("participation.Proposal", "review")
def _review_proposal(user, proposal) -> bool:
    """Mark "Sedang dikaji": only a published proposal nobody has taken up yet."""
    return proposal.status == "published" and not proposal.is_hidden and acts_for(user, proposal.work_unit_id)


@rule("participation.Proposal", "amend_answer")
def _amend_answer(user, proposal) -> bool:
    """Write or rewrite the official answer once the unit has taken the proposal up (or answered it)."""
    taken_up = proposal.status in ("under_review", "accepted", "declined") or bool(proposal.official_answer)
    return proposal.is_public and taken_up and acts_for(user, proposal.work_unit_id)


@rule("participation.Proposal", "route")
def _route_proposal(user, proposal) -> bool:
    if proposal.status not in ("submitted", "published", "under_review"):
        return False
    return is_moderator(user) or acts_for(user, proposal.work_unit_id)


# --- comments -------------------------------------------------------------------------------------


@rule("participation.Comment", "view")
def _view_comment(user, comment) -> bool:
    return not comment.is_hidden or is_moderator(user)


@rule("participation.Comment", "edit", "delete")
def _edit_comment(user, comment) -> bool:
    return is_author(user, comment) and is_verified(user) and not comment.is_deleted and not comment.is_hidden


@rule("participation.Comment", "hide")
def _hide_comment(user, comment) -> bool:
    return is_moderator(user)


@rule("participation.Comment", "flag")
def _flag_comment(user, comment) -> bool:
    return is_verified(user) and not is_author(user, comment) and not comment.is_deleted and not comment.is_hidden


# --- what staff may open in Django admin ---------------------------------------------------------


@admin_scope("participation.Proposal")
def _proposals_in_admin(user, proposals):
    """Moderators: every proposal still open to a step; officials: those of their units, not hidden."""
    if is_administrator(user):
        return proposals
    proposals = proposals.exclude(status__in=CLOSED_TO_STAFF)
    if is_moderator(user):
        return proposals
    return proposals.filter(work_unit_id__in=work_unit_ids(user), is_hidden=False)


@admin_scope("participation.Comment", "participation.Flag", "participation.Routing")
def _moderated_in_admin(user, queryset):
    """Comments, reports and routings are moderators' work."""
    return queryset if is_moderator(user) else queryset.none()


# --- redaction (participation.redaction) ----------------------------------------------------------


@rule("participation.Proposal", "redact")
@rule("participation.Comment", "redact")
@rule("consultations.Response", "redact")
@rule("programs.ProgressUpdate", "redact")
def _redact(user, obj) -> bool:
    """Moderators (and administrators) edit text out of the live item and all its history."""
    return is_moderator(user)
