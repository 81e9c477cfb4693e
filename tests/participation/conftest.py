import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from participation.models import Proposal
from tests import factories


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def usulan(warga, dinas_pupr, kategori, desa):
    """A published proposal by `warga`, addressed to Dinas PUPR."""
    return factories.ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)


@pytest.fixture
def make_proposal(warga, dinas_pupr, kategori, desa):
    def make(**kwargs):
        defaults = {"author": warga, "work_unit": dinas_pupr, "category": kategori, "region": desa}
        defaults.update(kwargs)
        if defaults.get("status") not in (None, *Proposal.PUBLIC_STATUSES):
            defaults.setdefault("published_at", None)
        return factories.ProposalFactory(**defaults)

    return make


@pytest.fixture
def form_data(kategori, dinas_pupr, desa):
    def data(**overrides):
        values = {
            "title": "Perbaikan drainase Jalan Melati",
            "description": "Saluran air tersumbat sehingga jalan banjir setiap hujan.",
            "category": kategori.pk,
            "work_unit": dinas_pupr.pk,
            "region": desa.pk,
            "location_text": "Jl. Melati RT 03",
            "estimated_cost": "",
            "volume": "",
            "submission_token": "token-1",
        }
        values.update(overrides)
        return values

    return data
