"""Creating programs, moving phases, reporting progress and rating: the rules and the forbidden moves."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from participation.models import Proposal
from programs import services
from programs.exceptions import InvalidPhaseMove, InvalidRating, InvalidSourceProposals, InvalidUpdate, RatingNotOpen
from programs.models import Phase, Program, ProgressUpdate, Rating
from tests import factories
from tests.participation.conftest import pdf_bytes, png_bytes, upload
from tests.programs.conftest import days_ago, phase_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- creating a program ---------------------------------------------------------------------------


def test_official_creates_a_program_from_two_proposals(petugas_pupr, usulan_pupr, program_data):
    program = services.create_program(actor=petugas_pupr, data=program_data(), proposals=usulan_pupr)

    assert [(p.kind, p.order, p.status, p.progress) for p in program.phases.order_by("order")] == [
        ("perencanaan", 1, "not_started", 0),
        ("pelaksanaan", 2, "not_started", 0),
        ("monev", 3, "not_started", 0),
    ]
    assert set(program.source_proposals.all()) == set(usulan_pupr)
    for proposal in usulan_pupr:
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.ACCEPTED
        assert list(proposal.programs.all()) == [program]
        assert proposal.history.first().history_change_reason.startswith("Ditindaklanjuti dalam program")
    record = program.history.get()
    assert record.history_user == petugas_pupr and "2 usulan" in record.history_change_reason
    assert AuditEvent.objects.filter(object_type="programs.Program", object_id=str(program.pk)).exists()


def _nothing_written(proposals):
    assert not Program.objects.exists()
    assert not Phase.objects.exists()
    for proposal in proposals:
        proposal.refresh_from_db()
        assert proposal.status != Proposal.Status.ACCEPTED


def test_program_needs_at_least_one_proposal(petugas_pupr, program_data):
    with pytest.raises(InvalidSourceProposals):
        services.create_program(actor=petugas_pupr, data=program_data(), proposals=[])
    _nothing_written([])


@pytest.mark.parametrize("status", ["submitted", "draft", "rejected", "declined", "withdrawn", "accepted"])
def test_program_refuses_a_proposal_that_is_not_published(petugas_pupr, usulan_pupr, program_data, status):
    bad = factories.ProposalFactory(work_unit=usulan_pupr[0].work_unit, status=status, rejection_reason="x")
    with pytest.raises(InvalidSourceProposals):
        services.create_program(actor=petugas_pupr, data=program_data(), proposals=[usulan_pupr[0], bad])
    _nothing_written(usulan_pupr)


def test_program_refuses_a_hidden_proposal(petugas_pupr, usulan_pupr, program_data):
    Proposal.objects.filter(pk=usulan_pupr[1].pk).update(is_hidden=True, hidden_reason="spam")
    with pytest.raises(InvalidSourceProposals):
        services.create_program(actor=petugas_pupr, data=program_data(), proposals=usulan_pupr)
    _nothing_written(usulan_pupr)


def test_program_refuses_a_proposal_addressed_to_another_unit(petugas_pupr, usulan_pupr, program_data, dinas_dikbud):
    for_dikbud = factories.ProposalFactory(work_unit=dinas_dikbud)
    with pytest.raises(InvalidSourceProposals):
        services.create_program(actor=petugas_pupr, data=program_data(), proposals=[usulan_pupr[0], for_dikbud])
    _nothing_written([usulan_pupr[0], for_dikbud])


def test_other_units_official_cannot_create_a_program_for_pupr(petugas_dikbud, usulan_pupr, program_data):
    with pytest.raises(PermissionDenied):
        services.create_program(actor=petugas_dikbud, data=program_data(), proposals=usulan_pupr)
    _nothing_written(usulan_pupr)


@pytest.mark.parametrize("who", ["warga", "moderator", "anonim"])
def test_citizens_and_moderators_cannot_create_programs(request, who, usulan_pupr, program_data):
    actor = AnonymousUser() if who == "anonim" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.create_program(actor=actor, data=program_data(), proposals=usulan_pupr)
    _nothing_written(usulan_pupr)


def test_administrator_may_create_a_program_for_any_unit(admin, usulan_pupr, program_data):
    program = services.create_program(actor=admin, data=program_data(), proposals=usulan_pupr)
    assert program.source_proposals.count() == 2


def test_proposal_already_in_a_program_cannot_start_another(petugas_pupr, program, usulan_pupr, program_data):
    with pytest.raises(InvalidSourceProposals):
        services.create_program(actor=petugas_pupr, data=program_data(title="Lagi"), proposals=usulan_pupr[:1])
    assert Program.objects.count() == 1


def test_bad_budget_or_year_is_refused_and_nothing_written(petugas_pupr, usulan_pupr, program_data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_program(actor=petugas_pupr, data=program_data(fiscal_year=1990), proposals=usulan_pupr)
    _nothing_written(usulan_pupr)


# --- phases ---------------------------------------------------------------------------------------


def test_phases_run_in_order_and_transitions_set_actual_dates(program, petugas_pupr):
    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    assert planning.status == "running" and planning.actual_start == TODAY() and planning.actual_end is None

    done = services.complete_phase(actor=petugas_pupr, phase=planning)
    assert done.status == "done" and done.actual_end == TODAY() and done.progress == 100

    execution = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"))
    assert execution.status == "running"
    assert planning.history.first().history_change_reason == "Tahap selesai"
    moves = AuditEvent.objects.filter(object_type="programs.Program", data__phase__isnull=False)
    assert moves.count() == 3


def test_a_phase_cannot_start_before_the_previous_one_is_done(program, petugas_pupr):
    with pytest.raises(InvalidPhaseMove, match="setelah tahap Perencanaan selesai"):
        services.start_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"))
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    with pytest.raises(InvalidPhaseMove):
        services.start_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"))
    with pytest.raises(InvalidPhaseMove):
        services.start_phase(actor=petugas_pupr, phase=phase_of(program, "monev"))
    assert list(program.phases.values_list("status", flat=True).order_by("order")) == ["running", "not_started", "not_started"]


def test_a_phase_cannot_start_twice_nor_complete_before_it_starts(program, petugas_pupr):
    with pytest.raises(InvalidPhaseMove):
        services.complete_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    with pytest.raises(InvalidPhaseMove):
        services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    services.complete_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    with pytest.raises(InvalidPhaseMove):
        services.complete_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))


def test_phase_dates_must_be_consistent(program, petugas_pupr):
    planning = phase_of(program, "perencanaan")
    with pytest.raises(InvalidPhaseMove, match="masa depan"):
        services.start_phase(actor=petugas_pupr, phase=planning, on=TODAY() + datetime.timedelta(days=1))
    services.start_phase(actor=petugas_pupr, phase=planning, on=days_ago(20))
    with pytest.raises(InvalidPhaseMove, match="sebelum tanggal mulai"):
        services.complete_phase(actor=petugas_pupr, phase=planning, on=days_ago(21))
    services.complete_phase(actor=petugas_pupr, phase=planning, on=days_ago(10))
    with pytest.raises(InvalidPhaseMove, match="sebelum tahap sebelumnya selesai"):
        services.start_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"), on=days_ago(11))
    assert phase_of(program, "pelaksanaan").status == "not_started"


@pytest.mark.parametrize("who", ["petugas_dikbud", "warga", "moderator"])
def test_only_the_programs_unit_moves_its_phases(request, who, program):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.start_phase(actor=actor, phase=phase_of(program, "perencanaan"))
    with pytest.raises(PermissionDenied):
        services.update_phase(actor=actor, phase=phase_of(program, "perencanaan"), data={"description": "x"})
    with pytest.raises(PermissionDenied):
        services.update_program(actor=actor, program=program, data={"budget": 1})
    assert phase_of(program, "perencanaan").status == "not_started"
    program.refresh_from_db()
    assert program.budget == 1_250_000_000


def test_anonymous_cannot_move_phases(program):
    with pytest.raises(PermissionDenied):
        services.start_phase(actor=AnonymousUser(), phase=phase_of(program, "perencanaan"))


def test_progress_is_bounded_and_moves_only_while_running(program, petugas_pupr):
    planning = phase_of(program, "perencanaan")
    with pytest.raises(InvalidPhaseMove, match="sedang berjalan"):
        services.update_phase(actor=petugas_pupr, phase=planning, data={"progress": 10})
    services.start_phase(actor=petugas_pupr, phase=planning)
    for bad in (101, -1):
        with pytest.raises(InvalidPhaseMove, match="antara 0 dan 100"):
            services.update_phase(actor=petugas_pupr, phase=planning, data={"progress": bad})
    services.update_phase(actor=petugas_pupr, phase=planning, data={"progress": 40})
    assert phase_of(program, "perencanaan").progress == 40


def test_planned_end_before_start_is_refused(program, petugas_pupr):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_phase(
            actor=petugas_pupr,
            phase=phase_of(program, "pelaksanaan"),
            data={"planned_start": datetime.date(2026, 5, 1), "planned_end": datetime.date(2026, 4, 1)},
        )
    assert phase_of(program, "pelaksanaan").planned_start is None


def test_database_allows_one_running_phase_per_program(program):
    Phase.objects.filter(program=program, order=1).update(status="running", actual_start=TODAY())
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.filter(program=program, order=2).update(status="running", actual_start=TODAY())


@pytest.mark.parametrize(
    "changes",
    [{"progress": 101}, {"status": "running"}, {"status": "done", "actual_start": datetime.date(2026, 1, 2), "actual_end": datetime.date(2026, 1, 1)}],
    ids=["progress-over-100", "running-without-start-date", "end-before-start"],
)
def test_database_refuses_inconsistent_phases(program, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.filter(program=program, order=1).update(**changes)


# --- progress updates -----------------------------------------------------------------------------


def test_official_posts_an_update_with_photo_and_pdf(program, petugas_pupr, media_root):
    from participation.uploads import check_upload

    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(3))
    files = [upload("survei lokasi.png", png_bytes()), upload("ded.pdf", pdf_bytes())]
    update = services.post_update(
        actor=petugas_pupr, phase=planning, date=days_ago(1), body="Survei lokasi selesai.",
        files=[(f, check_upload(f)) for f in files],
    )
    documents = list(update.documents.order_by("id"))
    assert [d.kind for d in documents] == ["image", "pdf"]
    assert documents[0].file.name.startswith("program-files/") and "survei" not in documents[0].file.name


@pytest.mark.parametrize(
    "date_offset, message",
    [(-1, "masa depan"), (5, "sebelum tahap dimulai")],
    ids=["future", "before-phase-start"],
)
def test_update_dates_must_fall_within_the_phase(program, petugas_pupr, date_offset, message):
    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(3))
    with pytest.raises(InvalidUpdate, match=message):
        services.post_update(actor=petugas_pupr, phase=planning, date=days_ago(date_offset), body="x")
    assert not ProgressUpdate.objects.exists()


def test_no_update_on_a_phase_that_has_not_started(program, petugas_pupr):
    with pytest.raises(InvalidUpdate, match="belum dimulai"):
        services.post_update(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), date=TODAY(), body="x")
    assert not ProgressUpdate.objects.exists()


def test_other_units_official_cannot_post_updates(program, petugas_pupr, petugas_dikbud):
    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    with pytest.raises(PermissionDenied):
        services.post_update(actor=petugas_dikbud, phase=planning, date=TODAY(), body="Bukan urusan saya")
    assert not ProgressUpdate.objects.exists()


# --- ratings --------------------------------------------------------------------------------------


def test_citizen_rates_during_monev_once_and_may_change_the_score(program_in_monev, warga):
    services.rate_program(actor=warga, program=program_in_monev, score=4)
    services.rate_program(actor=warga, program=program_in_monev, score=5)
    assert list(Rating.objects.values_list("user_id", "score")) == [(warga.pk, 5)]


def test_database_refuses_a_second_rating_row(program_in_monev, warga):
    Rating.objects.create(program=program_in_monev, user=warga, score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(program=program_in_monev, user=warga, score=4)


@pytest.mark.parametrize("score", [0, 6, -1, "5", 4.5, True, None])
def test_rating_outside_one_to_five_is_refused(program_in_monev, warga, score):
    with pytest.raises(InvalidRating):
        services.rate_program(actor=warga, program=program_in_monev, score=score)
    assert not Rating.objects.exists()


def test_rating_is_closed_outside_monitoring_and_evaluation(program, petugas_pupr, warga):
    with pytest.raises(RatingNotOpen):
        services.rate_program(actor=warga, program=program, score=4)
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    with pytest.raises(RatingNotOpen):
        services.rate_program(actor=warga, program=program, score=4)
    assert not Rating.objects.exists()


def test_rating_closes_when_monev_is_done(program_in_monev, petugas_pupr, warga):
    services.complete_phase(actor=petugas_pupr, phase=phase_of(program_in_monev, "monev"))
    with pytest.raises(RatingNotOpen):
        services.rate_program(actor=warga, program=program_in_monev, score=4)


@pytest.mark.parametrize("who", ["belum_verifikasi", "petugas_pupr", "admin", "anonim"])
def test_unverified_officials_of_the_unit_and_admins_do_not_rate(request, who, program_in_monev):
    actor = AnonymousUser() if who == "anonim" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.rate_program(actor=actor, program=program_in_monev, score=5)
    assert not Rating.objects.exists()


def test_missing_program_is_not_found_for_rating(warga):
    with pytest.raises(Program.DoesNotExist):
        services.rate_program(actor=warga, program=Program(pk=999_999), score=3)


def test_require_hides_nothing_public(program, warga):
    from accounts import rights

    rights.require(warga, "view", program)
    with pytest.raises(Http404):
        rights.require(warga, "view", Program())


def test_phase_changes_and_updates_are_announced_after_commit(program, petugas_pupr, django_capture_on_commit_callbacks):
    from programs import signals

    heard = []

    def listen(sender, **kwargs):
        heard.append((kwargs.get("old_status"), kwargs.get("new_status"), kwargs.get("update")))

    signals.phase_status_changed.connect(listen)
    signals.progress_update_posted.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
            update = services.post_update(actor=petugas_pupr, phase=planning, date=TODAY(), body="Rapat")
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(InvalidPhaseMove):
                services.start_phase(actor=petugas_pupr, phase=phase_of(program, "monev"))
    finally:
        signals.phase_status_changed.disconnect(listen)
        signals.progress_update_posted.disconnect(listen)
    assert heard == [("not_started", "running", None), (None, None, update)]
