import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404

from audit.models import AuditEvent
from participation import services
from participation.exceptions import InvalidTransition
from participation.models import Proposal

pytestmark = pytest.mark.django_db
Status = Proposal.Status

ALLOWED = {
    (Status.DRAFT, Status.SUBMITTED),
    (Status.DRAFT, Status.WITHDRAWN),
    (Status.SUBMITTED, Status.PUBLISHED),
    (Status.SUBMITTED, Status.REJECTED),
    (Status.REJECTED, Status.DRAFT),  # reopened by the author to resubmit
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.PUBLISHED, Status.UNDER_REVIEW),
    (Status.PUBLISHED, Status.ACCEPTED),
    (Status.PUBLISHED, Status.DECLINED),
    (Status.PUBLISHED, Status.WITHDRAWN),
    (Status.UNDER_REVIEW, Status.ACCEPTED),
    (Status.UNDER_REVIEW, Status.DECLINED),
    (Status.UNDER_REVIEW, Status.WITHDRAWN),
}


@pytest.mark.parametrize("current, requested", list(itertools.product(Status.values, Status.values)))
def test_transition_table_allows_exactly_the_lifecycle(current, requested):
    proposal = Proposal(status=current)
    if (current, requested) in ALLOWED:
        proposal.move_to(requested, now=None)
        assert proposal.status == requested
    else:
        with pytest.raises(InvalidTransition):
            proposal.move_to(requested, now=None)
        assert proposal.status == current


def test_moderator_publishes_a_submitted_proposal_with_history_and_audit(make_proposal, moderator):
    proposal = make_proposal(status=Status.SUBMITTED)
    published = services.publish_proposal(actor=moderator, proposal=proposal)
    assert published.status == Status.PUBLISHED and published.published_at is not None
    record = published.history.latest()
    assert record.history_user == moderator
    assert record.history_change_reason == "Dipublikasikan moderator"
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION, object_id=str(proposal.pk))
    assert event.actor == moderator and event.data["to"] == "published"


def test_rejection_needs_a_reason_and_keeps_it(make_proposal, moderator):
    proposal = make_proposal(status=Status.SUBMITTED)
    with pytest.raises(ValueError):
        services.reject_proposal(actor=moderator, proposal=proposal, reason="   ")
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    rejected = services.reject_proposal(actor=moderator, proposal=proposal, reason="Bukan kewenangan daerah")
    assert rejected.rejection_reason == "Bukan kewenangan daerah"
    assert "Bukan kewenangan daerah" in rejected.history.latest().history_change_reason


def test_database_refuses_a_rejection_without_reason(make_proposal):
    proposal = make_proposal(status=Status.SUBMITTED)
    proposal.status = Status.REJECTED
    with pytest.raises(IntegrityError):
        proposal.save()


@pytest.mark.parametrize("actor_name", ["warga", "warga_lain", "petugas_pupr"])
def test_only_moderators_publish(make_proposal, request, actor_name):
    proposal = make_proposal(status=Status.SUBMITTED)
    actor = request.getfixturevalue(actor_name)
    with pytest.raises((PermissionDenied, Http404)):
        services.publish_proposal(actor=actor, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_publishing_twice_is_an_invalid_transition(usulan, moderator):
    with pytest.raises(InvalidTransition):
        services.publish_proposal(actor=moderator, proposal=usulan)


def test_author_withdraws_before_acceptance_but_not_after(make_proposal, warga, warga_lain):
    proposal = make_proposal(status=Status.PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(actor=warga_lain, proposal=proposal)
    assert services.withdraw_proposal(actor=warga, proposal=proposal).status == Status.WITHDRAWN
    accepted = make_proposal(status=Status.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(actor=warga, proposal=accepted)


def test_official_of_target_unit_answers_and_may_decline(usulan, petugas_pupr, petugas_dikbud):
    with pytest.raises(PermissionDenied):
        services.answer_proposal(actor=petugas_dikbud, proposal=usulan, answer="Bukan urusan kami", decline=True)
    answered = services.answer_proposal(actor=petugas_pupr, proposal=usulan, answer="Masuk rencana 2027", decline=False)
    assert answered.status == Status.UNDER_REVIEW and answered.official_answer == "Masuk rencana 2027"
    declined = services.answer_proposal(actor=petugas_pupr, proposal=usulan, answer="Anggaran tidak tersedia", decline=True)
    assert declined.status == Status.DECLINED and declined.answered_by == petugas_pupr


def test_routing_hands_the_proposal_to_the_new_unit(usulan, petugas_pupr, petugas_dikbud, dinas_dikbud):
    services.route_proposal(actor=petugas_pupr, proposal=usulan, to_unit=dinas_dikbud, note="Menyangkut gedung sekolah")
    usulan.refresh_from_db()
    assert usulan.work_unit == dinas_dikbud
    assert usulan.routings.get().note == "Menyangkut gedung sekolah"
    # From now on the new unit answers, the old one no longer can.
    with pytest.raises(PermissionDenied):
        services.answer_proposal(actor=petugas_pupr, proposal=usulan, answer="x", decline=False)
    services.answer_proposal(actor=petugas_dikbud, proposal=usulan, answer="Kami tangani", decline=False)


def test_routing_is_refused_for_other_units_and_needs_a_note(usulan, petugas_dikbud, petugas_pupr, dinas_dikbud, dinas_pupr):
    with pytest.raises(PermissionDenied):
        services.route_proposal(actor=petugas_dikbud, proposal=usulan, to_unit=dinas_dikbud, note="ambil alih")
    with pytest.raises(ValueError):
        services.route_proposal(actor=petugas_pupr, proposal=usulan, to_unit=dinas_dikbud, note="  ")
    with pytest.raises(ValueError):
        services.route_proposal(actor=petugas_pupr, proposal=usulan, to_unit=dinas_pupr, note="ke diri sendiri")
    usulan.refresh_from_db()
    assert usulan.work_unit == dinas_pupr and not usulan.routings.exists()


def test_accepting_marks_published_proposals_and_refuses_others(make_proposal, petugas_pupr):
    published = make_proposal(status=Status.PUBLISHED)
    draft = make_proposal(status=Status.DRAFT)
    services.accept_proposals(actor=petugas_pupr, proposals=[published], program_label="Program Jalan Desa")
    published.refresh_from_db()
    assert published.status == Status.ACCEPTED
    assert "Program Jalan Desa" in published.history.latest().history_change_reason
    with pytest.raises(InvalidTransition):
        services.accept_proposals(actor=petugas_pupr, proposals=[draft], program_label="x")


def test_hidden_proposal_leaves_public_lists_but_stays_in_history(usulan, moderator):
    services.set_proposal_hidden(actor=moderator, proposal=usulan, hidden=True, reason="Mengandung data pribadi")
    assert not Proposal.objects.public().filter(pk=usulan.pk).exists()
    assert usulan.history.filter(is_hidden=True).exists()
