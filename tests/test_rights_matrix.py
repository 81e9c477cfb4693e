"""Walks every cell of docs/rights.md against the real pages and admin screens.

The table is the specification: each row names an object and an action, each column a role,
each cell `ya`, `tidak`, `milik sendiri` or `unit sendiri`. For every cell the matching
scenario below builds fresh objects, makes the request as that role, and checks the outcome
in the database: an allowed attempt must have its effect; a refused one must answer
403/404 (or send an anonymous visitor to the login page) and write nothing.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import WorkUnit
from audit.models import AuditEvent
from participation import services as participation
from participation.models import Comment, Flag, Proposal, Support
from participation.uploads import check_upload
from tests import factories
from tests.participation.conftest import png_bytes, upload

MATRIX = Path(__file__).resolve().parents[1] / "docs" / "rights.md"
ROLES = ["anonim", "warga", "moderator", "petugas", "admin"]
REFUSED = {302, 403, 404, 405}


def read_matrix():
    text = MATRIX.read_text(encoding="utf-8")
    table = text.split("<!-- matrix:start -->")[1].split("<!-- matrix:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append((cells[0], cells[1], dict(zip(ROLES, cells[2:]))))
    return rows


def cases():
    for subject, action, cells in read_matrix():
        for role in ROLES:
            cell = cells[role]
            scopes = {"ya": ["any"], "tidak": ["any"], "milik sendiri": ["own", "other"], "unit sendiri": ["own", "other"]}[cell]
            kind = {"milik sendiri": "owner", "unit sendiri": "unit"}.get(cell)
            for scope in scopes:
                allowed = cell == "ya" or scope == "own"
                yield pytest.param(subject, action, role, scope, kind, allowed, id=f"{subject}|{action}|{role}|{scope}")


@dataclass
class World:
    """The people and places every scenario uses."""

    users: dict
    warga_lain: object
    pupr: WorkUnit
    dikbud: WorkUnit
    dlh: WorkUnit
    kategori: object
    desa: object
    # What the cell's scope is about: "owner" (milik sendiri), "unit" (unit sendiri) or None.
    kind: str | None = None

    def user(self, role):
        return self.users[role]

    def unit(self, scope):
        """Another unit only when the cell is about units and the scope is `other`; else Dinas PUPR,
        the official's own unit, so that a plain `tidak` is refused even there."""
        return self.dikbud if self.kind == "unit" and scope == "other" else self.pupr

    def owner(self, role, scope):
        """The role's own person only when the cell is about ownership and the scope is `own`."""
        if self.kind == "owner" and scope == "own" and self.users[role] is not None:
            return self.users[role]
        return self.warga_lain

    def proposal(self, *, author=None, unit=None, status="published", **extra):
        if status not in Proposal.PUBLIC_STATUSES:
            extra.setdefault("published_at", None)
        return factories.ProposalFactory(
            author=author or self.warga_lain, work_unit=unit or self.pupr, category=self.kategori, region=self.desa,
            status=status, **extra,
        )


@pytest.fixture
def world(warga, warga_lain, moderator, petugas_pupr, admin, dinas_pupr, dinas_dikbud, kategori, desa):
    dlh = factories.WorkUnitFactory(name="Dinas Lingkungan Hidup", short_name="DLH")
    return World(
        users={"anonim": None, "warga": warga, "moderator": moderator, "petugas": petugas_pupr, "admin": admin},
        warga_lain=warga_lain, pupr=dinas_pupr, dikbud=dinas_dikbud, dlh=dlh, kategori=kategori, desa=desa,
    )


# --- scenarios: each returns (response, effect_happened) ------------------------------------------

SCENARIOS = {}


def scenario(subject, action):
    def register(func):
        SCENARIOS[(subject, action)] = func
        return func

    return register


@scenario("usulan", "lihat usulan terbit")
def _(w, c, role, scope):
    proposal = w.proposal()
    response = c.get(proposal.get_absolute_url())
    return response, response.status_code == 200


@scenario("usulan", "lihat draf")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.owner(role, scope), status="draft")
    response = c.get(proposal.get_absolute_url())
    return response, response.status_code == 200


@scenario("usulan", "ajukan usulan baru")
def _(w, c, role, scope):
    response = c.post("/usulan/baru/", {
        "title": "Usulan matriks", "description": "Isi", "category": w.kategori.pk, "work_unit": w.pupr.pk,
        "region": w.desa.pk, "submission_token": "matriks", "ajukan": "1",
    })
    return response, Proposal.objects.filter(title="Usulan matriks").exists()


@scenario("usulan", "ubah usulan yang menunggu moderasi")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.owner(role, scope), status="submitted")
    response = c.post(f"/usulan/{proposal.pk}/ubah/", {
        "title": "Judul diubah", "description": "Isi", "category": w.kategori.pk, "work_unit": w.pupr.pk, "region": w.desa.pk,
    })
    proposal.refresh_from_db()
    return response, proposal.title == "Judul diubah"


@scenario("usulan", "tarik usulan")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.owner(role, scope))
    response = c.post(f"/usulan/{proposal.pk}/tarik/")
    proposal.refresh_from_db()
    return response, proposal.status == "withdrawn"


@scenario("usulan", "ubah dan ajukan ulang usulan yang ditolak")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.owner(role, scope), status="rejected", rejection_reason="Lengkapi lokasi.")
    response = c.post(f"/usulan/{proposal.pk}/ajukan-ulang/", {
        "title": "Judul diperbaiki", "description": "Isi", "category": w.kategori.pk, "work_unit": w.pupr.pk,
        "region": w.desa.pk, "submission_token": "matriks-ulang", "ajukan": "1",
    })
    proposal.refresh_from_db()
    return response, proposal.status == "submitted" and proposal.title == "Judul diperbaiki"


@scenario("usulan", "dukung usulan orang lain yang terbit")
def _(w, c, role, scope):
    proposal = w.proposal()
    response = c.post(f"/usulan/{proposal.pk}/dukung/")
    return response, Support.objects.filter(proposal=proposal).exists()


@scenario("usulan", "dukung usulan sendiri")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.user(role) or w.warga_lain)
    response = c.post(f"/usulan/{proposal.pk}/dukung/")
    return response, Support.objects.filter(proposal=proposal).exists()


@scenario("usulan", "laporkan usulan")
def _(w, c, role, scope):
    proposal = w.proposal()
    response = c.post(f"/usulan/{proposal.pk}/laporkan/", {"reason": "spam"})
    return response, Flag.objects.filter(object_id=proposal.pk).exists()


@scenario("usulan", "publikasikan atau tolak (moderasi)")
def _(w, c, role, scope):
    proposal = w.proposal(status="submitted")
    response = c.post(reverse("participation:moderation_decide", args=[proposal.pk]), {"action": "publish"})
    proposal.refresh_from_db()
    return response, proposal.status == "published"


@scenario("usulan", "buka antrean moderasi")
def _(w, c, role, scope):
    response = c.get("/moderasi/")
    return response, response.status_code == 200


@scenario("usulan", "beri jawaban resmi")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope))
    response = c.post(f"/usulan/{proposal.pk}/jawab/", {"answer": "Jawaban resmi matriks"})
    proposal.refresh_from_db()
    return response, proposal.official_answer == "Jawaban resmi matriks"


@scenario("usulan", "disposisi ke satuan kerja lain")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope))
    response = c.post(f"/usulan/{proposal.pk}/disposisi/", {"to_unit": w.dlh.pk, "note": "Urusan DLH"})
    proposal.refresh_from_db()
    return response, proposal.work_unit_id == w.dlh.pk


@scenario("usulan", "tandai sedang dikaji")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope))
    response = c.post(f"/usulan/{proposal.pk}/jawab/", {"keputusan": "dikaji"})
    proposal.refresh_from_db()
    return response, proposal.status == "under_review"


@scenario("usulan", "tolak dengan jawaban resmi")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope))
    response = c.post(f"/usulan/{proposal.pk}/jawab/", {"keputusan": "tolak", "answer": "Tidak ada anggaran"})
    proposal.refresh_from_db()
    return response, proposal.status == "declined"


@scenario("usulan", "ubah jawaban resmi")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope), status="declined", official_answer="Jawaban lama")
    response = c.post(f"/usulan/{proposal.pk}/jawaban/ubah/", {"answer": "Jawaban baru"})
    proposal.refresh_from_db()
    return response, proposal.official_answer == "Jawaban baru"


@scenario("ruang kerja", "buka ruang kerja (/kerja/)")
def _(w, c, role, scope):
    response = c.get("/kerja/")
    return response, response.status_code == 200


@scenario("usulan", "unduh lampiran usulan yang menunggu moderasi")
def _(w, c, role, scope):
    proposal = w.proposal(author=w.owner(role, scope), unit=w.unit(scope), status="submitted")
    image = upload("foto.png", png_bytes())
    participation._add_attachments(proposal, [(image, check_upload(image))])
    attachment = proposal.attachments.get()
    response = c.get(f"/usulan/{proposal.pk}/lampiran/{attachment.pk}/")
    return response, response.status_code == 200


@scenario("komentar", "tulis komentar")
def _(w, c, role, scope):
    proposal = w.proposal()
    response = c.post(f"/usulan/{proposal.pk}/komentar/", {"body": "Komentar matriks"})
    return response, Comment.objects.filter(body="Komentar matriks").exists()


def _comment(w, role, scope):
    proposal = w.proposal()
    return participation.post_comment(actor=w.owner(role, scope), target=proposal, body="Komentar asli")


@scenario("komentar", "ubah komentar")
def _(w, c, role, scope):
    comment = _comment(w, role, scope)
    response = c.post(f"/komentar/{comment.pk}/ubah/", {"body": "Komentar diubah"})
    comment.refresh_from_db()
    return response, comment.body == "Komentar diubah"


@scenario("komentar", "hapus komentar")
def _(w, c, role, scope):
    comment = _comment(w, role, scope)
    response = c.post(f"/komentar/{comment.pk}/hapus/")
    comment.refresh_from_db()
    return response, comment.is_deleted


@scenario("komentar", "sembunyikan komentar")
def _(w, c, role, scope):
    comment = _comment(w, "warga", "other")
    response = c.post(f"/komentar/{comment.pk}/sembunyikan/", {"action": "hide", "reason": "Kasar"})
    comment.refresh_from_db()
    return response, comment.is_hidden


@scenario("komentar", "sunting teks komentar dan riwayatnya (redaksi)")
def _(w, c, role, scope):
    from participation.redaction import REDACTED

    comment = _comment(w, "warga", "other")
    response = c.post(f"/moderasi/sunting/komentar/{comment.pk}/", {"field": "body", "passage": "", "reason": "Data pribadi"})
    comment.refresh_from_db()
    return response, comment.body == REDACTED


def _program(w, scope, *, monev=False):
    from programs import services as programs
    from programs.models import Phase

    unit = w.unit(scope)
    official = factories.make_official(factories.UserFactory(is_staff=True), unit) if unit != w.pupr else w.users["petugas"]
    source = w.proposal(unit=unit)
    program = programs.create_program(
        actor=official,
        data={"title": "Program matriks", "description": "Isi", "work_unit": unit, "category": w.kategori,
              "region": w.desa, "budget": 1_000_000, "fiscal_year": 2026},
        proposals=[source],
    )
    if monev:
        today = timezone.localdate()
        for kind, start, end in (("perencanaan", 30, 20), ("pelaksanaan", 19, 5)):
            phase = Phase.objects.get(program=program, kind=kind)
            programs.start_phase(actor=official, phase=phase, on=today - datetime.timedelta(days=start))
            programs.complete_phase(actor=official, phase=Phase.objects.get(pk=phase.pk), on=today - datetime.timedelta(days=end))
        programs.start_phase(actor=official, phase=Phase.objects.get(program=program, kind="monev"), on=today - datetime.timedelta(days=4))
    return program


@scenario("program", "lihat program")
def _(w, c, role, scope):
    program = _program(w, scope)
    response = c.get(program.get_absolute_url())
    return response, response.status_code == 200


@scenario("program", "kelola program (halaman kelola)")
def _(w, c, role, scope):
    program = _program(w, scope)
    response = c.get(reverse("programs:program_manage", args=[program.pk]))
    return response, response.status_code == 200


@scenario("tahap", "mulai tahap")
def _(w, c, role, scope):
    from programs.models import Phase

    program = _program(w, scope)
    planning = Phase.objects.get(program=program, kind="perencanaan")
    response = c.post(
        reverse("programs:phase_start", args=[program.pk, planning.pk]),
        {f"tgl{planning.pk}-on": timezone.localdate().isoformat()},
    )
    planning.refresh_from_db()
    return response, planning.status == "running"


@scenario("kabar", "terbitkan kabar kemajuan")
def _(w, c, role, scope):
    from programs import services as programs
    from programs.models import Phase, ProgressUpdate

    program = _program(w, scope)
    planning = Phase.objects.get(program=program, kind="perencanaan")
    programs.start_phase(actor=w.users["admin"], phase=planning, on=timezone.localdate())
    response = c.post(
        reverse("programs:update_create", args=[program.pk]),
        {"phase": planning.pk, "date": timezone.localdate().isoformat(), "body": "Kabar matriks"},
    )
    return response, ProgressUpdate.objects.filter(body="Kabar matriks").exists()


@scenario("program", "beri nilai (Monitoring & Evaluasi)")
def _(w, c, role, scope):
    from programs.models import Rating

    program = _program(w, "any", monev=True)
    response = c.post(reverse("programs:program_rate", args=[program.pk]), {"score": "4"})
    return response, Rating.objects.filter(program=program).exists()


def _consultation(w, scope, *, published=True, state="open"):
    from consultations.models import Consultation

    now = timezone.now()
    windows = {
        "open": (now - datetime.timedelta(days=1), now + datetime.timedelta(days=7)),
        "closed": (now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)),
    }
    opens_at, closes_at = windows[state]
    return Consultation.objects.create(
        title="Uji publik matriks", summary="Ringkasan", body="Isi rancangan", work_unit=w.unit(scope),
        category=w.kategori, opens_at=opens_at, closes_at=closes_at, is_published=published,
        published_at=opens_at if published else None,
    )


@scenario("uji publik", "lihat uji publik terbit")
def _(w, c, role, scope):
    consultation = _consultation(w, scope)
    response = c.get(consultation.get_absolute_url())
    return response, response.status_code == 200


@scenario("uji publik", "lihat draf uji publik")
def _(w, c, role, scope):
    consultation = _consultation(w, scope, published=False)
    response = c.get(consultation.get_absolute_url())
    return response, response.status_code == 200


@scenario("uji publik", "ubah uji publik di admin")
def _(w, c, role, scope):
    consultation = _consultation(w, scope, published=False)
    response = c.get(reverse("admin:consultations_consultation_change", args=[consultation.pk]))
    return response, response.status_code == 200 and b'name="title"' in response.content


def _admin_change_page(c, obj, field_name=None):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    response = c.get(url)
    opened = response.status_code == 200 and (field_name is None or f'name="{field_name}"'.encode() in response.content)
    return response, opened


@scenario("usulan", "buka usulan terbit di admin")
def _(w, c, role, scope):
    return _admin_change_page(c, w.proposal(unit=w.unit(scope)))


@scenario("usulan", "cari usulan di admin")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope), title="Usulan pencarian admin matriks")
    response = c.get(reverse("admin:participation_proposal_changelist"), {"q": "pencarian admin matriks"})
    found = response.status_code == 200 and reverse("admin:participation_proposal_change", args=[proposal.pk]).encode() in response.content
    if response.status_code == 200 and not found:
        # A scoped search answers an empty list: for this cell that is the refusal ("not found").
        from django.http import HttpResponseNotFound

        return HttpResponseNotFound(), False
    return response, found


@scenario("usulan", "buka riwayat usulan di admin")
def _(w, c, role, scope):
    proposal = w.proposal(unit=w.unit(scope))
    response = c.get(reverse("admin:participation_proposal_history", args=[proposal.pk]))
    return response, response.status_code == 200


@scenario("usulan", "buka draf atau usulan ditolak di admin")
def _(w, c, role, scope):
    draft = w.proposal(status="draft")
    rejected = w.proposal(status="rejected", rejection_reason="Spam")
    draft_response, draft_opened = _admin_change_page(c, draft)
    rejected_response, rejected_opened = _admin_change_page(c, rejected)
    return (draft_response if draft_opened or not rejected_opened else rejected_response), draft_opened or rejected_opened


@scenario("program", "ubah program di admin")
def _(w, c, role, scope):
    return _admin_change_page(c, _program(w, scope), "title")


@scenario("kabar", "ubah kabar kemajuan di admin")
def _(w, c, role, scope):
    from programs import services as programs
    from programs.models import Phase

    program = _program(w, scope)
    planning = programs.start_phase(actor=w.users["admin"], phase=Phase.objects.get(program=program, kind="perencanaan"))
    update = programs.post_update(actor=w.users["admin"], phase=planning, date=planning.actual_start, body="Kabar matriks")
    return _admin_change_page(c, update, "body")


@scenario("tanggapan", "buka tanggapan di admin")
def _(w, c, role, scope):
    from consultations.models import Response

    answer = Response.objects.create(consultation=_consultation(w, scope), author=w.warga_lain, position="setuju", comment="Isi")
    return _admin_change_page(c, answer)


@scenario("komentar", "buka komentar di admin")
def _(w, c, role, scope):
    return _admin_change_page(c, _comment(w, "warga", "other"))


@scenario("tanggapan", "beri tanggapan (uji publik dibuka)")
def _(w, c, role, scope):
    from consultations.models import Response

    consultation = _consultation(w, "any")
    response = c.post(reverse("consultations:respond", args=[consultation.pk]), {"position": "setuju", "comment": ""})
    return response, Response.objects.filter(consultation=consultation).exists()


@scenario("tanggapan", "balas tanggapan warga")
def _(w, c, role, scope):
    from consultations.models import Response, ResponseReply

    consultation = _consultation(w, scope)
    answer = Response.objects.create(consultation=consultation, author=w.warga_lain, position="setuju", comment="Setuju")
    response = c.post(reverse("consultations:reply", args=[consultation.pk, answer.pk]), {"body": "Balasan matriks"})
    return response, ResponseReply.objects.filter(response=answer).exists()


@scenario("tanggapan", "unduh CSV tanggapan (setelah ditutup)")
def _(w, c, role, scope):
    consultation = _consultation(w, scope, state="closed")
    response = c.get(reverse("consultations:responses_csv", args=[consultation.pk]))
    return response, response.status_code == 200


@scenario("uji publik", "tulis tindak lanjut (setelah ditutup)")
def _(w, c, role, scope):
    consultation = _consultation(w, scope, state="closed")
    response = c.post(reverse("consultations:follow_up", args=[consultation.pk]), {"follow_up": "Tindak lanjut matriks"})
    consultation.refresh_from_db()
    return response, consultation.follow_up == "Tindak lanjut matriks"


def _admin_page(c, url):
    response = c.get(url)
    return response, response.status_code == 200


@scenario("kategori", "tambah kategori di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:participation_category_add"))


@scenario("satuan kerja", "tambah satuan kerja di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:accounts_workunit_add"))


@scenario("wilayah", "tambah wilayah di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:participation_region_add"))


@scenario("pengguna", "kelola pengguna di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:accounts_user_changelist"))


@scenario("pengguna", "ubah hak akses diri sendiri")
def _(w, c, role, scope):
    from accounts import rights

    me = w.user(role)
    if me is None:
        response = c.post(reverse("admin:accounts_workunit_permissions_manage_user", args=[w.dikbud.pk, w.warga_lain.pk]),
                          {"permissions": ["act_for_workunit"]})
        return response, rights.acts_for(w.warga_lain, w.dikbud.pk)
    response = c.post(
        reverse("admin:accounts_workunit_permissions_manage_user", args=[w.dikbud.pk, me.pk]), {"permissions": ["act_for_workunit"]}
    )
    granted = me.workunituserobjectpermission_set.filter(content_object=w.dikbud).exists()
    return response, granted


@scenario("catatan audit", "baca jejak audit")
def _(w, c, role, scope):
    response = c.get("/audit/")
    return response, response.status_code == 200


@scenario("catatan audit", "ubah atau hapus catatan audit")
def _(w, c, role, scope):
    event = AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, object_repr="asli")
    response = c.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    changed = c.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"object_repr": "diubah"})
    gone_or_changed = not AuditEvent.objects.filter(pk=event.pk, object_repr="asli").exists()
    return (response if response.status_code not in REFUSED else changed), gone_or_changed


def test_every_row_of_the_matrix_has_a_scenario():
    missing = [(subject, action) for subject, action, _ in read_matrix() if (subject, action) not in SCENARIOS]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("subject, action, role, scope, kind, allowed", list(cases()))
def test_matrix_cell(world, media_root, subject, action, role, scope, kind, allowed):
    world.kind = kind
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    response, effect = SCENARIOS[(subject, action)](world, client, role, scope)
    if allowed:
        assert effect, f"{role} should be able to: {action} ({scope}); got {response.status_code}"
    else:
        assert not effect, f"{role} must not be able to: {action} ({scope})"
        refused_in_page = response.status_code == 200 and re.search(rb"message-(error|info)|form-errors", response.content)
        assert response.status_code in REFUSED or refused_in_page, (
            f"{role} / {action}: expected a refusal, got {response.status_code}"
        )
        if response.status_code == 302 and role == "anonim":
            assert "login" in response["Location"]


# --- Musrenbang: the operators' table ---------------------------------------------------------------

MUSRENBANG_ROLES = ["anonim", "warga", "operator", "petugas", "admin"]


def read_musrenbang_matrix():
    text = MATRIX.read_text(encoding="utf-8")
    table = text.split("<!-- musrenbang-matrix:start -->")[1].split("<!-- musrenbang-matrix:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append((cells[0], cells[1], dict(zip(MUSRENBANG_ROLES, cells[2:]))))
    return rows


def musrenbang_cases():
    for subject, action, cells in read_musrenbang_matrix():
        for role in MUSRENBANG_ROLES:
            cell = cells[role]
            scopes = {"ya": ["any"], "tidak": ["any"], "wilayah sendiri": ["own", "other"]}[cell]
            for scope in scopes:
                allowed = cell == "ya" or scope == "own"
                yield pytest.param(subject, action, role, scope, allowed, id=f"{subject}|{action}|{role}|{scope}")


@dataclass
class MusrenbangWorld:
    users: dict
    cycle: object
    sukamaju: object
    mekarsari: object
    kategori: object
    pupr: object
    operator_lain: object

    def region(self, scope):
        """The operator's own desa, except for the `other` scope; so a plain `tidak` is refused even there."""
        return self.mekarsari if scope == "other" else self.sukamaju

    def region_operator(self, scope):
        return self.operator_lain if scope == "other" else self.users["operator"]


@pytest.fixture
def musrenbang_world(warga, petugas_pupr, admin, dinas_pupr, kategori, kabupaten):
    from musrenbang.demo import demo_windows
    from musrenbang.models import Cycle, OperatorAssignment
    from participation.models import Region

    sukamaju = Region.objects.get(code="33.99.01.2001")
    mekarsari = Region.objects.get(code="33.99.01.2002")
    operator = factories.UserFactory(email="op.sukamaju@contoh.id", full_name="Operator Sukamaju")
    OperatorAssignment.objects.create(user=operator, region=sukamaju)
    operator_lain = factories.UserFactory(email="op.mekarsari@contoh.id", full_name="Operator Mekarsari")
    OperatorAssignment.objects.create(user=operator_lain, region=mekarsari)
    today = timezone.localdate()
    cycle = Cycle.objects.create(year=today.year + 1, title="Musrenbang matriks", is_published=True, **demo_windows(today))
    return MusrenbangWorld(
        users={"anonim": None, "warga": warga, "operator": operator, "petugas": petugas_pupr, "admin": admin},
        cycle=cycle, sukamaju=sukamaju, mekarsari=mekarsari, kategori=kategori, pupr=dinas_pupr, operator_lain=operator_lain,
    )


MUSRENBANG_SCENARIOS = {}


def musrenbang_scenario(subject, action):
    def register(func):
        MUSRENBANG_SCENARIOS[(subject, action)] = func
        return func

    return register


def _forum_post(w, region, **extra):
    today = timezone.localdate()
    return {"held_on": today.isoformat(), "place": "Balai matriks", "chair": "Kades", "participants_male": "3",
            "participants_female": "4", "participants_youth": "0", "participants_elderly": "0", "participants_disability": "0",
            "participants_leaders": "0", "summary": "", **extra}


def _recorded_forum(w, scope, *, attendance=False):
    from musrenbang import services
    from musrenbang.demo import tiny_pdf

    region = w.region(scope)
    minutes = upload("ba.pdf", tiny_pdf())
    files = {"minutes": (minutes, check_upload(minutes))}
    if attendance:
        photo = upload("hadir.png", png_bytes())
        files["attendance"] = (photo, check_upload(photo))
    return services.record_forum(
        actor=w.region_operator(scope), cycle=w.cycle, stage="desa", region=region,
        data={"held_on": timezone.localdate(), "place": "Balai asli", "chair": "Kades", "participants_male": 1,
              "participants_female": 1}, **files,
    )


def _offline(w, scope):
    from musrenbang import services

    proposal, code = services.enter_offline_proposal(
        actor=w.region_operator(scope), region=w.region(scope), gathered_on=timezone.localdate(), proposer_name="Bu Sri",
        name_consent=False, proposer_phone="0812 5555 6666",
        data={"title": "Usulan tatap muka matriks", "description": "Isi", "category": w.kategori, "work_unit": w.pupr},
    )
    return proposal, code


@musrenbang_scenario("forum Musrenbang", "lihat forum dan daftar prioritas")
def _(w, c, role, scope):
    forum = _recorded_forum(w, scope)
    response = c.get(forum.get_absolute_url())
    return response, response.status_code == 200


@musrenbang_scenario("forum Musrenbang", "unduh berita acara")
def _(w, c, role, scope):
    forum = _recorded_forum(w, scope)
    response = c.get(f"/musrenbang/{w.cycle.year}/forum/{forum.pk}/dokumen/minutes/")
    return response, response.status_code == 200


@musrenbang_scenario("forum Musrenbang", "lihat foto daftar hadir")
def _(w, c, role, scope):
    forum = _recorded_forum(w, scope, attendance=True)
    response = c.get(f"/musrenbang/{w.cycle.year}/forum/{forum.pk}/dokumen/attendance/")
    return response, response.status_code == 200


@musrenbang_scenario("forum Musrenbang", "catat forum dan daftar prioritas")
def _(w, c, role, scope):
    from musrenbang.models import Forum

    region = w.region(scope)
    response = c.post(f"/kerja/musrenbang/{w.cycle.year}/desa/{region.pk}/", _forum_post(w, region))
    return response, Forum.objects.filter(region=region, place="Balai matriks").exists()


@musrenbang_scenario("forum Musrenbang", "ubah forum yang sudah dicatat")
def _(w, c, role, scope):
    forum = _recorded_forum(w, scope)
    response = c.post(f"/kerja/musrenbang/{w.cycle.year}/desa/{forum.region_id}/", _forum_post(w, forum.region, place="Tempat diubah"))
    forum.refresh_from_db()
    return response, forum.place == "Tempat diubah"


@musrenbang_scenario("usulan tatap muka", "input usulan untuk warga tanpa akun")
def _(w, c, role, scope):
    region = w.region(scope)
    response = c.post("/kerja/musrenbang/usulan/baru/", {
        "proposer_name": "Bu Sri", "proposer_phone": "", "title": "Usulan matriks tatap muka", "description": "Isi",
        "region": region.pk, "category": w.kategori.pk, "work_unit": w.pupr.pk, "source": "desa",
        "gathered_on": timezone.localdate().isoformat(), "location_text": "", "estimated_cost": "", "volume": "",
    })
    return response, Proposal.objects.filter(title="Usulan matriks tatap muka").exists()


@musrenbang_scenario("usulan tatap muka", "lihat tanda terima dan nomor telepon")
def _(w, c, role, scope):
    proposal, _code = _offline(w, scope)
    response = c.get(f"/kerja/musrenbang/usulan/{proposal.pk}/tanda-terima/")
    return response, response.status_code == 200


@musrenbang_scenario("usulan tatap muka", "hubungkan ke akun bernomor telepon sama")
def _(w, c, role, scope):
    from musrenbang.models import OfflineEntry

    proposal, _code = _offline(w, scope)
    citizen = factories.UserFactory(email="bersama@contoh.id", phone="081255556666")
    entry = OfflineEntry.objects.get(cycle_proposal__proposal=proposal)
    response = c.post(f"/kerja/musrenbang/usulan-tatap-muka/{entry.pk}/hubungkan/{citizen.pk}/")
    proposal.refresh_from_db()
    return response, proposal.author_id == citizen.pk


@musrenbang_scenario("usulan tatap muka", "klaim dengan kode tanda terima")
def _(w, c, role, scope):
    proposal, code = _offline(w, "other")
    response = c.post("/musrenbang/klaim/", {"code": code})
    proposal.refresh_from_db()
    return response, proposal.author_id is not None


@musrenbang_scenario("siklus Musrenbang", "buka halaman kerja operator")
def _(w, c, role, scope):
    response = c.get("/kerja/musrenbang/")
    return response, response.status_code == 200


@musrenbang_scenario("siklus Musrenbang", "atur siklus dan pagu di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:musrenbang_cycle_change", args=[w.cycle.pk]))


@musrenbang_scenario("siklus Musrenbang", "jadikan orang operator di admin")
def _(w, c, role, scope):
    return _admin_page(c, reverse("admin:musrenbang_operatorassignment_add"))


def test_every_row_of_the_musrenbang_matrix_has_a_scenario():
    missing = [(subject, action) for subject, action, _ in read_musrenbang_matrix() if (subject, action) not in MUSRENBANG_SCENARIOS]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("subject, action, role, scope, allowed", list(musrenbang_cases()))
def test_musrenbang_matrix_cell(musrenbang_world, media_root, subject, action, role, scope, allowed):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    user = musrenbang_world.users[role]
    if user is not None:
        client.force_login(user)
    response, effect = MUSRENBANG_SCENARIOS[(subject, action)](musrenbang_world, client, role, scope)
    if allowed:
        assert effect, f"{role} should be able to: {action} ({scope}); got {response.status_code}"
    else:
        assert not effect, f"{role} must not be able to: {action} ({scope})"
        assert response.status_code in REFUSED, f"{role} / {action}: expected a refusal, got {response.status_code}"
        if response.status_code == 302 and role == "anonim":
            assert "login" in response["Location"]
