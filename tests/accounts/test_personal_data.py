"""Citizens' rights over their personal data (UU No. 27 Tahun 2022): consent, a copy, erasure."""

import io
import json
import pytest
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from accounts import services
from accounts.exceptions import WrongPassword
from accounts.models import User
from audit.models import AuditEvent
from participation.models import Comment, Flag, Proposal, Support
from programs.models import Rating
from tests.consultations.conftest import ConsultationFactory, ResponseFactory, clock  # noqa: F401
from tests.programs.conftest import program, program_data, usulan_pupr  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-kuat-123"  # tests/factories.py
EXPORT = "/akun/data-saya/"
DELETE = "/akun/hapus/"
PHONE = "0812 7777 8888"


@pytest.fixture
def footprint(warga, warga_lain, desa, dinas_pupr, kategori, make_proposal, program, clock):
    """Everything `warga` has done on the portal, next to a little of what `warga_lain` has done."""
    from notifications.models import Follow

    warga.phone = PHONE
    warga.region = desa
    warga.save()
    published = make_proposal(title="Lampu jalan di gang Melati")
    draft = make_proposal(status="draft", title="Draf rahasia tentang pasar")
    others = make_proposal(author=warga_lain, title="Sumur bor di dusun Krajan")
    proposal_type = ContentType.objects.get_for_model(Proposal)
    comment = Comment.objects.create(content_type=proposal_type, object_id=others.pk, author=warga, body="Komentar saya di usulan tetangga")
    Comment.objects.create(content_type=proposal_type, object_id=published.pk, author=warga_lain, body="Komentar Budi")
    Support.objects.create(proposal=others, user=warga)
    Support.objects.create(proposal=published, user=warga_lain)
    flag = Flag.objects.create(content_type=proposal_type, object_id=others.pk, reporter=warga, reason="spam", note="Isinya iklan")
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Rancangan tarif pasar")
    response = ResponseFactory(consultation=consultation, author=warga, position="tidak_setuju", comment="Tarif terlalu tinggi")
    ResponseFactory(consultation=consultation, author=warga_lain, position="setuju", comment="Tanggapan Budi")
    Rating.objects.create(program=program, user=warga, score=4)
    Follow.objects.create(user=warga, content_type=proposal_type, object_id=others.pk)
    return {
        "published": published,
        "draft": draft,
        "others": others,
        "comment": comment,
        "flag": flag,
        "response": response,
        "consultation": consultation,
    }


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [EXPORT, DELETE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_login(client, db, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/?next=")


def test_profile_page_links_to_export_deletion_and_privacy(client, warga):
    client.force_login(warga)
    content = client.get("/akun/profil/").content.decode()
    assert EXPORT in content and DELETE in content and "/kebijakan-privasi/" in content


# --- consent at signup ---------------------------------------------------------------------------


def _signup(client, **overrides):
    data = {
        "full_name": "Wayan Sudarsana",
        "email": "wayan@contoh.id",
        "password1": "Sawah-Hijau-2026",
        "password2": "Sawah-Hijau-2026",
        "phone": "",
        "region": "",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return client.post("/akun/signup/", data)


def test_signup_without_consent_is_refused_with_a_message(client, db):
    response = _signup(client, privacy_consent="")
    assert response.status_code == 200
    assert "Anda perlu menyetujui Kebijakan Privasi untuk mendaftar." in response.content.decode()
    assert not User.objects.filter(email="wayan@contoh.id").exists()


def test_signup_form_links_the_privacy_page_and_records_consent(client, db):
    assert 'href="/kebijakan-privasi/"' in client.get("/akun/signup/").content.decode()
    assert _signup(client).status_code == 302
    assert User.objects.get(email="wayan@contoh.id").privacy_consent_at is not None


def test_privacy_page_explains_rights_and_links_them(client, db):
    content = client.get("/kebijakan-privasi/").content.decode()
    assert "Kebijakan Privasi" in content and "UU No. 27 Tahun 2022" in content
    assert EXPORT in content and DELETE in content
    assert "Warga (akun dihapus)" in content


# --- export --------------------------------------------------------------------------------------


def test_export_page_explains_the_download(client, warga):
    client.force_login(warga)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert "Unduh data saya (JSON)" in response.content.decode()


def test_export_holds_all_of_the_citizens_data_and_nothing_of_others(client, warga, warga_lain, footprint):
    client.force_login(warga)
    response = client.post(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="data-pribadi-')
    data = json.loads(response.content)

    assert data["profil"]["email"] == "siti@contoh.id"
    assert data["profil"]["nama_lengkap"] == "Siti Rahmawati"
    assert data["profil"]["telepon"] == PHONE
    assert data["profil"]["wilayah"]["nama"] == "Desa Sukamaju"
    assert data["alamat_email"] == [{"email": "siti@contoh.id", "utama": True, "terverifikasi": True}]
    own_titles = set(Proposal.objects.filter(author=warga).values_list("title", flat=True))
    assert {p["judul"] for p in data["usulan"]} == own_titles
    assert {"Lampu jalan di gang Melati", "Draf rahasia tentang pasar"} <= own_titles
    assert [c["isi"] for c in data["komentar"]] == ["Komentar saya di usulan tetangga"]
    assert data["komentar"][0]["pada"] == {"jenis": "usulan", "id": footprint["others"].pk}
    assert [s["usulan_id"] for s in data["dukungan"]] == [footprint["others"].pk]
    assert [f["keterangan"] for f in data["laporan"]] == ["Isinya iklan"]
    assert [(r["sikap"], r["komentar"]) for r in data["tanggapan_uji_publik"]] == [("tidak_setuju", "Tarif terlalu tinggi")]
    assert [r["nilai"] for r in data["penilaian_program"]] == [4]
    assert [f["pada"]["id"] for f in data["mengikuti"]] == [footprint["others"].pk]
    assert any(event["aksi"] == "login" for event in data["catatan_keamanan"])

    text = response.content.decode()
    # Titles of what Siti supported are hers to see; Budi's own data is not.
    for foreign in ("budi@contoh.id", "Budi Santoso", "Komentar Budi", "Tanggapan Budi"):
        assert foreign not in text


def test_export_is_audited(client, warga):
    client.force_login(warga)
    client.post(EXPORT)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORT)
    assert event.actor == warga
    assert event.data == {"dataset": "data_pribadi", "format": "json"}


# --- deletion ------------------------------------------------------------------------------------


def test_wrong_password_changes_nothing(client, warga, footprint):
    client.force_login(warga)
    response = client.post(DELETE, {"password": "bukan-kata-sandinya"})
    assert response.status_code == 400
    assert "Kata sandi salah. Akun Anda tidak dihapus." in response.content.decode()
    warga.refresh_from_db()
    assert warga.email == "siti@contoh.id" and warga.is_active and warga.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(warga.pk)
    assert Proposal.objects.get(pk=footprint["published"].pk).author == warga
    assert Proposal.objects.filter(pk=footprint["draft"].pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).exists()


def test_an_empty_password_is_a_form_error(client, warga):
    client.force_login(warga)
    response = client.post(DELETE, {"password": ""})
    assert response.status_code == 400
    assert User.objects.get(pk=warga.pk).is_active


def test_the_service_refuses_a_wrong_password(warga):
    with pytest.raises(WrongPassword):
        services.delete_account(actor=warga, password="salah")
    assert User.objects.get(pk=warga.pk).email == "siti@contoh.id"


def test_deletion_page_warns_before_acting(client, warga):
    client.force_login(warga)
    content = client.get(DELETE).content.decode()
    assert "tidak dapat dibatalkan" in content and "Warga (akun dihapus)" in content


@pytest.fixture
def deleted(client, warga, footprint):
    """`warga` deletes the account after a failed login and from a second browser still logged in."""
    from django.test import Client

    client.post("/akun/login/", {"login": "siti@contoh.id", "password": "salah-ketik"})  # a failed attempt is logged
    other_browser = Client()
    other_browser.force_login(warga)
    client.force_login(warga)
    reply = client.post(DELETE, {"password": PASSWORD})
    return {**footprint, "reply": reply, "other_browser": other_browser}


def test_deletion_logs_out_everywhere_and_forbids_login(client, warga, deleted):
    reply = deleted["reply"]
    assert reply.status_code == 302 and reply["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert deleted["other_browser"].get("/akun/profil/").status_code == 302  # that session ended too
    client.post("/akun/login/", {"login": "siti@contoh.id", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_deletion_empties_the_account(warga, deleted):
    user = User.objects.get(pk=warga.pk)
    assert user.email == f"akun-{warga.pk}@akun-dihapus.invalid"
    assert (user.full_name, user.phone, user.region, user.privacy_consent_at) == ("", "", None, None)
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email__iexact="siti@contoh.id").exists()


def test_deletion_keeps_public_contributions_without_a_name(client, warga, deleted):
    published = Proposal.objects.get(pk=deleted["published"].pk)
    assert published.author is None and published.is_public
    assert Comment.objects.get(pk=deleted["comment"].pk).author is None
    assert Flag.objects.get(pk=deleted["flag"].pk).reporter is None
    response = deleted["consultation"].responses.get(pk=deleted["response"].pk)
    assert response.author is None and response.position == "tidak_setuju"
    # Counts stay exact: the support and the rating still count, tied to the emptied account.
    assert Support.objects.filter(proposal=deleted["others"], user_id=warga.pk).exists()
    assert Rating.objects.filter(user_id=warga.pk, score=4).exists()
    page = client.get(f"/usulan/{published.pk}/").content.decode()
    assert "Warga (akun dihapus)" in page

    assert deleted["consultation"].responses.count() == 2


def test_deletion_removes_drafts_follows_and_their_history(warga, deleted):
    from notifications.models import Follow

    assert not Proposal.objects.filter(pk=deleted["draft"].pk).exists()
    assert not Proposal.history.filter(id=deleted["draft"].pk).exists()
    assert not Follow.objects.filter(user_id=warga.pk).exists()


def test_history_keeps_no_copy_of_the_erased_data(warga, deleted):
    records = User.history.filter(id=warga.pk)
    assert records.count() >= 2
    for record in records:
        assert record.email == f"akun-{warga.pk}@akun-dihapus.invalid"
        assert (record.full_name, record.phone, record.region_id) == ("", "", None)
    assert not Proposal.history.filter(author_id=warga.pk).exists()
    assert not Comment.history.filter(author_id=warga.pk).exists()


def test_deletion_is_audited(warga, deleted):
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DELETED)
    assert event.actor_id == warga.pk
    kept_proposals = Proposal.objects.filter(author=None).count()  # this one plus the program's source
    assert event.data["kept"] == {"usulan": kept_proposals, "komentar": 1, "tanggapan_uji_publik": 1, "laporan": 1}
    assert event.data["drafts_deleted"] == 1


def test_no_table_anywhere_still_holds_the_erased_personal_data(warga, warga_lain, deleted):
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue()
    for erased in ("siti@contoh.id", "Siti Rahmawati", "Siti", PHONE):
        assert erased not in text, erased
    # The search works: the other citizen is still there.
    assert "budi@contoh.id" in text and "Budi Santoso" in text


def test_the_address_can_sign_up_again(client, deleted):
    response = client.post(
        "/akun/signup/",
        {
            "full_name": "Siti Baru",
            "email": "siti@contoh.id",
            "password1": "Sawah-Hijau-2026",
            "password2": "Sawah-Hijau-2026",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="siti@contoh.id", is_active=True).exists()


def test_an_officials_rights_end_with_the_account(petugas_pupr, dinas_pupr):
    from accounts import rights
    from accounts.models import WorkUnitMembership, WorkUnitUserObjectPermission

    assert rights.work_unit_ids(petugas_pupr) == {dinas_pupr.pk}
    services.delete_account(actor=petugas_pupr, password=PASSWORD)
    user = User.objects.get(pk=petugas_pupr.pk)
    assert not WorkUnitMembership.objects.filter(user=user).exists()
    assert not WorkUnitUserObjectPermission.objects.filter(user=user).exists()
    assert not user.is_staff and not user.groups.exists()
    assert rights.work_unit_ids(user) == frozenset()
