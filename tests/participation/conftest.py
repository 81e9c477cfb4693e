import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image



def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


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
