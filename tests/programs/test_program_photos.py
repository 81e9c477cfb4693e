"""Officials' progress photos go through the same cleaning as citizens' (participation.images)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from participation.uploads import check_upload
from programs import services
from tests.photos import has_metadata, photo_jpeg
from tests.programs.conftest import days_ago, phase_of

pytestmark = pytest.mark.django_db


def test_a_progress_photo_is_served_upright_without_exif(client, program, petugas_pupr, media_root):
    planning = phase_of(program, "perencanaan")
    services.start_phase(actor=petugas_pupr, phase=planning, on=days_ago(3))
    photo = SimpleUploadedFile("progres.jpg", photo_jpeg(900, 600), content_type="image/jpeg")
    update = services.post_update(
        actor=petugas_pupr, phase=planning, date=days_ago(0), body="Survei lokasi.", files=[(photo, check_upload(photo))]
    )
    document = update.documents.get()
    for entry in document.renditions:
        response = client.get(f"/program/{program.pk}/berkas/{document.pk}/{entry['width']}/")
        assert response.status_code == 200 and has_metadata(b"".join(response.streaming_content)) == []
    page = client.get(program.get_absolute_url()).content.decode()
    assert f"/program/{program.pk}/berkas/{document.pk}/320/ 320w" in page
