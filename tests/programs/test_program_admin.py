"""Programs in Django admin: created from proposals, limited to the official's own units."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from participation.models import Proposal
from programs.admin import create_program_from_proposals
from programs.models import Phase, Program
from tests import factories
from tests.programs.conftest import phase_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:programs_program_add")
LIST_URL = reverse("admin:programs_program_changelist")


def change_url(program):
    return reverse("admin:programs_program_change", args=[program.pk])


def _action_request(user):
    request = RequestFactory().post("/admin/participation/proposal/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_proposal_action_opens_the_program_form_with_usable_proposals(petugas_pupr, usulan_pupr, dinas_dikbud):
    other = factories.ProposalFactory(work_unit=dinas_dikbud)
    submitted = factories.ProposalFactory(work_unit=usulan_pupr[0].work_unit, status="submitted")
    chosen = Proposal.objects.filter(pk__in=[usulan_pupr[0].pk, usulan_pupr[1].pk, other.pk, submitted.pk])
    response = create_program_from_proposals(None, _action_request(petugas_pupr), chosen)
    assert response.status_code == 302
    ids = sorted(p.pk for p in usulan_pupr)
    assert response["Location"] == f"{ADD_URL}?source_proposals={ids[0]},{ids[1]}"


def test_proposal_action_refuses_citizens_and_unusable_selections(warga, petugas_dikbud, usulan_pupr):
    chosen = Proposal.objects.filter(pk__in=[p.pk for p in usulan_pupr])
    assert create_program_from_proposals(None, _action_request(warga), chosen) is None
    assert create_program_from_proposals(None, _action_request(petugas_dikbud), chosen) is None


def test_add_form_is_prefilled_from_the_proposals(client, petugas_pupr, usulan_pupr):
    client.force_login(petugas_pupr)
    ids = ",".join(str(p.pk) for p in usulan_pupr)
    response = client.get(f"{ADD_URL}?source_proposals={ids}")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["work_unit"] == usulan_pupr[0].work_unit_id
    assert form.initial["budget"] == 1_250_000_000
    assert sorted(form.initial["source_proposals"]) == sorted(p.pk for p in usulan_pupr)
    # Only the official's own unit can be chosen.
    assert list(form.fields["work_unit"].queryset) == [usulan_pupr[0].work_unit]


def _add_data(proposals, work_unit, kategori, **overrides):
    data = {
        "title": "Rehabilitasi jalan desa",
        "description": "Pengaspalan ulang.",
        "work_unit": work_unit.pk,
        "category": kategori.pk,
        "region": "",
        "budget": "1250000000",
        "fiscal_year": "2026",
        "source_proposals": [p.pk for p in proposals],
        "phases-TOTAL_FORMS": "0",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_saving_the_add_form_creates_the_program_and_accepts_the_proposals(client, petugas_pupr, usulan_pupr, dinas_pupr, kategori):
    client.force_login(petugas_pupr)
    response = client.post(ADD_URL, _add_data(usulan_pupr, dinas_pupr, kategori))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    program = Program.objects.get()
    assert program.phases.count() == 3
    assert program.created_by == petugas_pupr
    assert set(Proposal.objects.values_list("status", flat=True)) == {"accepted"}
    assert set(program.source_proposals.all()) == set(usulan_pupr)


@pytest.mark.parametrize("case", ["no-proposal", "unpublished", "other-unit"])
def test_bad_add_form_is_explained_and_nothing_written(client, petugas_pupr, usulan_pupr, dinas_pupr, dinas_dikbud, kategori, case):
    client.force_login(petugas_pupr)
    if case == "no-proposal":
        data = _add_data([], dinas_pupr, kategori)
    elif case == "unpublished":
        draft = factories.ProposalFactory(work_unit=dinas_pupr, status="submitted")
        data = _add_data([usulan_pupr[0], draft], dinas_pupr, kategori)
    else:
        data = _add_data(usulan_pupr, dinas_dikbud, kategori)
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Program.objects.exists()
    assert not Proposal.objects.filter(status="accepted").exists()


def test_officials_see_and_change_only_their_units_programs(client, program, petugas_pupr, petugas_dikbud):
    client.force_login(petugas_dikbud)
    assert program.title not in client.get(LIST_URL).content.decode()
    response = client.get(change_url(program))
    assert response.status_code == 404  # another unit's program looks like a missing one
    client.post(change_url(program), {"title": "Dibajak", "description": "x", "category": program.category_id, "budget": "1", "fiscal_year": "2026"})
    program.refresh_from_db()
    assert program.title.startswith("Rehabilitasi")

    client.force_login(petugas_pupr)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(change_url(program)).status_code == 200


def test_official_edits_own_program_in_admin_through_the_service(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    phase_ids = list(program.phases.order_by("order").values_list("pk", flat=True))
    data = {
        "title": "Rehabilitasi jalan desa (revisi)", "description": "x", "category": program.category_id, "region": "",
        "budget": "1300000000", "fiscal_year": "2026",
        "phases-TOTAL_FORMS": "3", "phases-INITIAL_FORMS": "3", "phases-MIN_NUM_FORMS": "0", "phases-MAX_NUM_FORMS": "0",
        **{f"phases-{i}-id": pk for i, pk in enumerate(phase_ids)},
        **{f"phases-{i}-program": program.pk for i in range(3)},
    }
    response = client.post(change_url(program), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.budget == 1_300_000_000
    assert program.history.first().history_change_reason == "Data program diubah"


def test_admin_phase_actions_go_through_the_services(client, program, petugas_pupr, petugas_dikbud):
    client.force_login(petugas_dikbud)
    client.post(LIST_URL, {"action": "start_next_phase", "_selected_action": [program.pk]})
    assert phase_of(program, "perencanaan").status == "not_started"

    client.force_login(petugas_pupr)
    client.post(LIST_URL, {"action": "start_next_phase", "_selected_action": [program.pk]})
    assert phase_of(program, "perencanaan").status == "running"
    client.post(LIST_URL, {"action": "complete_running_phase", "_selected_action": [program.pk]})
    assert phase_of(program, "perencanaan").status == "done"
    assert phase_of(program, "perencanaan").history.first().history_user == petugas_pupr


def test_citizens_and_anonymous_are_kept_out_of_program_admin(client, program, warga):
    assert client.get(LIST_URL).status_code == 302
    client.force_login(warga)
    assert client.get(LIST_URL).status_code == 302  # not staff: the admin login page
    assert client.get(change_url(program)).status_code == 302


def test_officials_cannot_delete_programs(client, program, petugas_pupr):
    client.force_login(petugas_pupr)
    response = client.post(reverse("admin:programs_program_delete", args=[program.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Program.objects.filter(pk=program.pk).exists()
    assert Phase.objects.filter(program=program).count() == 3


def test_progress_update_admin_is_limited_to_own_units(client, program, petugas_pupr, petugas_dikbud):
    from programs import services

    planning = services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"))
    update = services.post_update(actor=petugas_pupr, phase=planning, date=planning.actual_start, body="Laporan PUPR")
    update_url = reverse("admin:programs_progressupdate_change", args=[update.pk])
    client.force_login(petugas_dikbud)
    assert "Laporan PUPR" not in client.get(reverse("admin:programs_progressupdate_changelist")).content.decode()
    assert client.get(update_url).status_code == 404
    client.force_login(petugas_pupr)
    assert client.get(update_url).status_code == 200


def test_program_admin_is_registered():
    assert Program in site._registry
