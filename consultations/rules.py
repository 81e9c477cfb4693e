"""Who may do what to consultations and their responses; registered with `accounts.rights`.

Time-dependent rules read the current clock; services that take an explicit `now` re-check the
window themselves inside their transaction.
"""

from accounts.rights import acts_for, admin_scope, is_administrator, is_author, is_moderator, is_verified, rule, work_unit_ids


def may_take_part(user, consultation) -> bool:
    """A verified person who cannot also edit the consultation (its unit's officials, administrators)."""
    return is_verified(user) and not acts_for(user, consultation.work_unit_id)


@rule("consultations.Consultation", "view")
def _view_consultation(user, consultation) -> bool:
    return consultation.is_published or acts_for(user, consultation.work_unit_id)


@rule("consultations.Consultation", "edit", "see_responses")
def _edit_consultation(user, consultation) -> bool:
    return acts_for(user, consultation.work_unit_id)


@rule("consultations.Consultation", "respond")
def _respond_to_consultation(user, consultation) -> bool:
    return consultation.is_open() and may_take_part(user, consultation)


@rule("consultations.Consultation", "comment")
def _comment_on_consultation(user, consultation) -> bool:
    return is_verified(user) and consultation.is_published


@rule("consultations.Consultation", "write_follow_up")
def _write_follow_up(user, consultation) -> bool:
    return consultation.is_closed() and acts_for(user, consultation.work_unit_id)


@rule("consultations.Consultation", "download_responses")
def _download_responses(user, consultation) -> bool:
    return consultation.is_closed()


@rule("consultations.Response", "view")
def _view_response(user, response) -> bool:
    consultation = response.consultation
    if not _view_consultation(user, consultation):
        return False
    return not response.is_hidden or is_author(user, response) or is_moderator(user) or acts_for(user, consultation.work_unit_id)


@rule("consultations.Response", "edit")
def _edit_response(user, response) -> bool:
    return is_author(user, response) and response.consultation.is_open() and may_take_part(user, response.consultation)


@rule("consultations.Response", "reply")
def _reply_to_response(user, response) -> bool:
    consultation = response.consultation
    return consultation.has_opened() and acts_for(user, consultation.work_unit_id)


@rule("consultations.Response", "hide")
def _hide_response(user, response) -> bool:
    return is_moderator(user)


# --- what staff may open in Django admin --------------------------------------------------------

_UNIT_PATH = {
    "consultations.Consultation": "work_unit_id",
    "consultations.ConsultationDocument": "consultation__work_unit_id",
    "consultations.Response": "consultation__work_unit_id",
    "consultations.ResponseReply": "response__consultation__work_unit_id",
}


@admin_scope(*_UNIT_PATH)
def _consultations_in_admin(user, queryset):
    """Officials: their units' consultations and what hangs on them; moderators also every response (to hide one)."""
    label = queryset.model._meta.label
    if is_administrator(user) or (label == "consultations.Response" and is_moderator(user)):
        return queryset
    return queryset.filter(**{f"{_UNIT_PATH[label]}__in": work_unit_ids(user)})
