import pytest

from programs import services as program_services
from tests.factories import ProposalFactory


@pytest.fixture
def program(petugas_pupr, dinas_pupr, kategori, desa, warga):
    """Dinas PUPR's program built from a proposal by warga (its phases not started)."""
    proposal = ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)
    data = {"title": "Rehabilitasi jalan desa", "description": "Pengaspalan ulang.", "work_unit": dinas_pupr,
            "category": kategori, "region": desa, "budget": 1_000_000, "fiscal_year": 2026}
    return program_services.create_program(actor=petugas_pupr, data=data, proposals=[proposal])
