"""The whole story of one consultation, through the pages people use, with the clock moved by hand."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from consultations.models import Consultation, Response
from tests import factories
from tests.consultations.conftest import CLOSES, OPENS
from tests.consultations.test_admin import form_data

pytestmark = pytest.mark.django_db


def test_a_consultation_from_scheduling_to_follow_up(client, clock, petugas_pupr, dinas_pupr, kategori, warga, warga_lain):
    ketiga = factories.UserFactory(email="wati@contoh.id", full_name="Wati Lestari")
    terlambat = factories.UserFactory(email="telat@contoh.id", full_name="Joko Telat")

    # An official schedules it in admin, a week before it opens.
    clock.set(OPENS - timedelta(days=7))
    client.force_login(petugas_pupr)
    created = client.post(
        reverse("admin:consultations_consultation_add"),
        form_data(title="Rancangan Standar Pelayanan Pasar", work_unit=dinas_pupr.pk, category=kategori.pk),
    )
    assert created.status_code == 302
    consultation = Consultation.objects.get()
    detail = reverse("consultations:detail", args=[consultation.pk])
    respond = reverse("consultations:respond", args=[consultation.pk])
    assert consultation.state() == "dijadwalkan"

    # Before opening, a citizen is told to wait and nothing is written.
    client.force_login(warga)
    early = client.post(respond, {"position": "setuju"}, follow=True)
    assert "belum dibuka" in early.content.decode()
    assert not Response.objects.exists()

    # It opens by the clock; three citizens respond.
    clock.set(OPENS)
    for person, position, comment in [
        (warga, "setuju", "Jam buka pasar sudah tepat."),
        (warga_lain, "tidak_setuju", "Retribusi terlalu tinggi."),
        (ketiga, "tidak_setuju", ""),
    ]:
        client.force_login(person)
        assert client.post(respond, {"position": position, "comment": comment}).status_code == 302
        clock.advance(hours=1)

    # One changes their mind.
    client.force_login(ketiga)
    own = Response.objects.get(author=ketiga)
    change = reverse("consultations:change_response", args=[consultation.pk, own.pk])
    assert client.post(change, {"position": "netral", "comment": "Setelah sosialisasi, saya netral."}).status_code == 302

    # It closes; a late response is refused with a clear message.
    clock.set(CLOSES)
    client.force_login(terlambat)
    late = client.post(respond, {"position": "setuju"}, follow=True)
    assert "sudah ditutup" in late.content.decode()
    assert Response.objects.count() == 3

    # Results show the right counts.
    client.logout()
    page = client.get(detail)
    counts = {row.position: (row.count, row.percent) for row in page.context["results"].rows}
    assert counts == {"setuju": (1, 33.3), "tidak_setuju": (1, 33.3), "netral": (1, 33.3)}
    assert "Hasil uji publik" in page.content.decode()

    # The official writes the follow-up in admin; it shows on the public page.
    clock.advance(days=2)
    client.force_login(petugas_pupr)
    saved = client.post(
        reverse("admin:consultations_consultation_change", args=[consultation.pk]),
        form_data(consultation, follow_up="Tarif retribusi untuk pedagang kecil diturunkan 20%."),
    )
    assert saved.status_code == 302
    client.logout()
    assert "Tarif retribusi untuk pedagang kecil diturunkan 20%." in client.get(detail).content.decode()

    # The CSV holds positions, comments and times, and nothing that names a person.
    download = client.get(reverse("consultations:responses_csv", args=[consultation.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[1] for row in rows[1:]] == ["Setuju", "Tidak setuju", "Netral"]
    for person in (warga, warga_lain, ketiga, petugas_pupr):
        assert person.email not in body and person.full_name not in body

    # The public history tells the story in plain words, naming the unit, never a person.
    history = client.get(reverse("consultations:history", args=[consultation.pk])).content.decode()
    assert "Tindak lanjut ditulis" in history and "Petugas PUPR" in history
    assert petugas_pupr.email not in history and petugas_pupr.full_name not in history
