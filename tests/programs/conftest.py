"""Programs built the way officials build them: through the services, from published proposals."""

import datetime

import pytest
from django.utils import timezone

from programs import services
from programs.models import Phase
from tests import factories


@pytest.fixture
def usulan_pupr(warga, warga_lain, dinas_pupr, kategori, desa):
    """Two published proposals addressed to Dinas PUPR."""
    return [
        factories.ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa, estimated_cost=400_000_000),
        factories.ProposalFactory(author=warga_lain, work_unit=dinas_pupr, category=kategori, region=desa, estimated_cost=850_000_000),
    ]


@pytest.fixture
def program_data(dinas_pupr, kategori, desa):
    def data(**overrides):
        values = {
            "title": f"Rehabilitasi jalan desa {factories.XSS}",
            "description": f"Pengaspalan ulang 1,2 km dan saluran drainase. {factories.XSS}",
            "work_unit": dinas_pupr,
            "category": kategori,
            "region": desa,
            "budget": 1_250_000_000,
            "fiscal_year": 2026,
        }
        values.update(overrides)
        return values

    return data


@pytest.fixture
def program(petugas_pupr, usulan_pupr, program_data):
    """A PUPR program from both proposals, all phases not started."""
    return services.create_program(actor=petugas_pupr, data=program_data(), proposals=usulan_pupr)


def phase_of(program, kind):
    return Phase.objects.get(program=program, kind=kind)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def program_in_monev(program, petugas_pupr):
    """The program with planning and execution done and Monitoring & Evaluasi running."""
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(60))
    services.complete_phase(actor=petugas_pupr, phase=phase_of(program, "perencanaan"), on=days_ago(45))
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"), on=days_ago(44))
    services.complete_phase(actor=petugas_pupr, phase=phase_of(program, "pelaksanaan"), on=days_ago(10))
    services.start_phase(actor=petugas_pupr, phase=phase_of(program, "monev"), on=days_ago(9))
    return program
