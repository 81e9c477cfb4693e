"""Who may do what to a program, by person and by phase (the rules in programs/rules.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import rights
from programs import services
from tests.programs.conftest import phase_of

pytestmark = pytest.mark.django_db

PEOPLE = ["anonim", "warga", "belum_verifikasi", "moderator", "petugas_pupr", "petugas_dikbud", "admin"]


def person(request, name):
    return AnonymousUser() if name == "anonim" else request.getfixturevalue(name)


@pytest.mark.parametrize("who", PEOPLE)
def test_everyone_may_view_a_program_and_its_phases(request, who, program):
    user = person(request, who)
    assert rights.can(user, "view", program)
    assert rights.can(user, "view", phase_of(program, "perencanaan"))


MANAGERS = {"petugas_pupr", "admin"}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", ["edit", "post_update"])
def test_only_the_programs_unit_and_administrators_manage_it(request, who, action, program):
    assert rights.can(person(request, who), action, program) is (who in MANAGERS)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", ["start", "complete", "edit"])
def test_only_the_programs_unit_and_administrators_move_phases(request, who, action, program):
    assert rights.can(person(request, who), action, phase_of(program, "pelaksanaan")) is (who in MANAGERS)


@pytest.mark.parametrize("who", PEOPLE)
def test_verified_people_comment(request, who, program):
    expected = who in {"warga", "moderator", "petugas_pupr", "petugas_dikbud", "admin"}
    assert rights.can(person(request, who), "comment", program) is expected


RATERS_IN_MONEV = {"warga", "moderator", "petugas_dikbud"}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("stage", ["not_started", "perencanaan", "monev", "selesai"])
def test_rating_needs_a_verified_outsider_during_monev(request, who, stage, program, petugas_pupr):
    order = ["perencanaan", "pelaksanaan", "monev"]
    target = {"not_started": 0, "perencanaan": 1, "monev": 3, "selesai": 4}[stage]
    for index in range(min(target, 3)):
        phase = phase_of(program, order[index])
        services.start_phase(actor=petugas_pupr, phase=phase)
        if index < target - 1 or stage == "selesai":
            services.complete_phase(actor=petugas_pupr, phase=phase)
    program.refresh_from_db()
    program = type(program).objects.prefetch_related("phases").get(pk=program.pk)
    expected = stage == "monev" and who in RATERS_IN_MONEV
    assert rights.can(person(request, who), "rate", program) is expected


@pytest.mark.parametrize("who", PEOPLE)
def test_unknown_actions_are_denied(request, who, program):
    assert not rights.can(person(request, who), "delete", program)
    assert not rights.can(person(request, who), "launch", phase_of(program, "monev"))
