"""The whole proposal story as citizens and a moderator live it, through the pages."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from participation.models import Proposal
from tests.participation.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_proposal_story_from_signup_to_support(kategori, dinas_pupr, desa, moderator, warga_lain, media_root):
    citizen = Client()
    citizen.post(
        "/akun/signup/",
        {"full_name": "Made Wirawan", "email": "made@contoh.id", "password1": "Subak-Lestari-77", "password2": "Subak-Lestari-77", "privacy_consent": "on"},
    )
    link = re.search(r"(/akun/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    citizen.post(link)
    made = User.objects.get(email="made@contoh.id")

    response = citizen.post(
        "/usulan/baru/",
        {
            "title": "Irigasi tersier untuk sawah Subak Abian",
            "description": "Saluran irigasi tersier jebol sepanjang 300 meter.",
            "category": kategori.pk,
            "work_unit": dinas_pupr.pk,
            "region": desa.pk,
            "submission_token": "cerita-1",
            "ajukan": "1",
            "attachments": [upload("saluran.png", png_bytes(), "image/png")],
        },
    )
    proposal = Proposal.objects.get(author=made)
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.status == "submitted" and proposal.attachments.count() == 1
    assert Client().get(proposal.get_absolute_url()).status_code == 404

    staff = Client()
    staff.force_login(moderator)
    assert proposal.title in staff.get("/moderasi/").content.decode()
    staff.post(f"/moderasi/usulan/{proposal.pk}/", {"action": "publish"})

    visitor = Client()
    assert proposal.title in visitor.get("/").content.decode()
    assert proposal.title in visitor.get("/usulan/", {"q": "irigasi"}).content.decode()
    attachment = proposal.attachments.get()
    assert visitor.get(f"/usulan/{proposal.pk}/lampiran/{attachment.pk}/").status_code == 200

    neighbour = Client()
    neighbour.force_login(warga_lain)
    neighbour.post(f"/usulan/{proposal.pk}/dukung/")
    neighbour.post(f"/usulan/{proposal.pk}/komentar/", {"body": "Sawah kami juga kekeringan."})

    mine = citizen.get("/usulan/saya/").content.decode()
    assert proposal.title in mine and "Dipublikasikan" in mine and "1</strong> dukungan" not in mine
    assert "1 dukungan" in mine and "1 komentar" in mine
    detail = citizen.get(proposal.get_absolute_url()).content.decode()
    assert "Sawah kami juga kekeringan." in detail
