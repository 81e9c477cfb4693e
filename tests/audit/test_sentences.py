"""The audit page reads as sentences: every event type the code can write has one."""

import re
from html import unescape
from pathlib import Path

import pytest

from accounts import rights, roles
from audit.models import AuditEvent
from audit.sentences import SENTENCES, sentence
from participation import services
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _written_action_names() -> set[str]:
    """Every `Action.X` the portal's own code mentions (tests and the virtualenv left out)."""
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "node_modules"} or "migrations" in parts:
            continue
        names |= set(re.findall(r"\bAction\.([A-Z][A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
    return names


def test_every_event_type_has_a_sentence():
    assert set(AuditEvent.Action) <= set(SENTENCES), set(AuditEvent.Action) - set(SENTENCES)


def test_every_event_type_the_code_writes_has_a_sentence():
    written = _written_action_names()
    assert "MODERATION" in written and "ROLE_GRANTED" in written  # the scan finds the writers
    for name in written:
        assert getattr(AuditEvent.Action, name) in SENTENCES, name


# Typical data for each type, as the code writes it; each must give a specific sentence with no gaps.
SAMPLES = {
    "login": {}, "login_failed": {"attempted_email": "x@contoh.id"}, "logout": {}, "signup": {},
    "email_confirmed": {}, "password_changed": {}, "password_reset": {},
    "role_granted": {"roles": ["Moderator"]}, "role_revoked": {"roles": ["Moderator"]},
    "right_granted": {"permission": "act_for_workunit", "holder_type": "user", "holder_id": 1},
    "right_revoked": {"permission": "act_for_workunit", "holder_type": "group", "holder_id": 2},
    "moderation": {"from": "submitted", "to": "rejected", "reason": "Iklan"},
    "status_changed": {"answered": True},
    "data_export": {"dataset": "usulan", "format": "csv"},
    "account_deleted": {"drafts_deleted": 2},
    "mfa_added": {"type": "totp"}, "mfa_removed": {"type": "totp"}, "mfa_codes_renewed": {"type": "recovery_codes"},
    "mfa_used": {"type": "totp"}, "mfa_failed": {"type": "totp"},
    "access_denied": {"reason": "forum_outside_operator_regions"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(AuditEvent.Action))
def test_each_type_reads_as_a_full_sentence(action, warga):
    event = AuditEvent(action=action, actor=warga, object_type="accounts.User", object_id=str(warga.pk),
                       object_repr=str(warga), data=SAMPLES[action.value])
    text = unescape(re.sub(r"<[^>]+>", "", str(sentence(event))))
    assert text.endswith(".")
    assert "{" not in text and "?" not in text
    assert f"{action.label} — " not in text  # not the fallback "label — object"


@pytest.mark.django_db
def test_a_rejection_reads_like_the_moderator_wrote_it_with_links(moderator, make_proposal):
    proposal = make_proposal(status="submitted", title="Lampu jalan di gang Melati padam sejak Januari")
    services.reject_proposal(actor=moderator, proposal=proposal, reason="Sudah diusulkan orang lain")
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION, object_id=str(proposal.pk))
    html = str(sentence(event))
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert text == (
        "Dewi Moderator menolak usulan 'Lampu jalan di gang Melati padam sejak Januari'"
        " — alasan: Sudah diusulkan orang lain."
    )
    assert f'href="/usulan/{proposal.pk}/"' in html
    assert f'href="/admin/accounts/user/{moderator.pk}/change/"' in html


@pytest.mark.django_db
def test_the_audit_page_shows_making_and_unmaking_an_official_as_sentences(client, admin, dinas_pupr, django_assert_max_num_queries):
    calon = factories.UserFactory(email="calon@contoh.id", full_name="Calon Petugas")
    client.force_login(admin)
    # Through the admin page, so the events carry the administrator as actor.
    from django.urls import reverse

    from tests.accounts.test_role_form import page_data

    url = reverse("admin:accounts_user_change", args=[calon.pk])
    client.post(url, page_data(client, calon, role=rights.ROLE_PETUGAS, work_units=[str(dinas_pupr.pk)]))
    client.post(url, page_data(client, calon, role=rights.ROLE_WARGA, work_units=[]))
    assert roles.current_role(calon) == rights.ROLE_WARGA

    client.get("/audit/")  # stores the person's summary and menu count, as any earlier page would have
    with django_assert_max_num_queries(12):
        page = client.get("/audit/")
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode())))
    assert "Admin Portal memberi peran Petugas Satuan Kerja kepada akun 'Calon Petugas'." in text
    assert "Admin Portal memberi Calon Petugas hak bertindak atas nama satuan kerja 'PUPR'." in text
    assert "Admin Portal mencabut hak Calon Petugas untuk bertindak atas nama satuan kerja 'PUPR'." in text
    assert "Admin Portal mencabut peran Petugas Satuan Kerja dari akun 'Calon Petugas'." in text
    # Raw fields stay available, folded under each sentence.
    assert "<details>" in page.content.decode() and "act_for_workunit" in page.content.decode()


@pytest.mark.django_db
def test_the_audit_page_runs_a_fixed_number_of_queries(client, admin, warga, django_assert_max_num_queries):
    for _ in range(30):
        AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor=warga, object_type="accounts.User", object_id=str(warga.pk))
        AuditEvent.objects.create(
            action=AuditEvent.Action.RIGHT_GRANTED, actor=admin, object_type="accounts.WorkUnit", object_id="1",
            data={"holder_type": "user", "holder_id": warga.pk},
        )
    client.force_login(admin)
    client.get("/audit/")  # the first page after signing in stores the person's summary (accounts/summary.py)
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, expected",
    [
        ({"from": "published", "to": "under_review", "answer": ""}, "Dewi Moderator menandai usulan 'Lampu jalan' sedang dikaji."),
        ({"from": "under_review", "to": "declined", "answer": "Di luar kewenangan"},
         "Dewi Moderator menolak usulan 'Lampu jalan' — jawaban: Di luar kewenangan."),
        ({"answer": "Disurvei Maret", "amended": False, "status": "published"},
         "Dewi Moderator memberi jawaban resmi atas usulan 'Lampu jalan' — jawaban: Disurvei Maret."),
        ({"answer": "Disurvei April", "amended": True, "status": "published"},
         "Dewi Moderator mengubah jawaban resmi atas usulan 'Lampu jalan' — jawaban: Disurvei April."),
        ({"from": "published", "to": "accepted", "program": "Penerangan jalan 2026"},
         "Dewi Moderator menindaklanjuti usulan 'Lampu jalan' dalam program 'Penerangan jalan 2026'."),
        ({"from": "rejected", "to": "draft", "resubmission": 1},
         "Dewi Moderator membuka kembali usulan 'Lampu jalan' yang ditolak untuk diperbaiki."),
        ({"from": "draft", "to": "submitted", "reason": "Diajukan"},
         "Dewi Moderator mengajukan usulan 'Lampu jalan' untuk diperiksa moderator."),
    ],
)
def test_answer_states_read_as_sentences(moderator, data, expected):
    event = AuditEvent(action=AuditEvent.Action.STATUS_CHANGED, actor=moderator, object_type="participation.Proposal",
                       object_id="7", object_repr="Lampu jalan", data=data)
    assert unescape(re.sub(r"<[^>]+>", "", str(sentence(event)))) == expected
