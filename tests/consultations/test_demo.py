import pytest

from consultations.demo import CLOSED_TITLE, OPEN_TITLE, SCHEDULED_TITLE, seed_consultations
from consultations.models import Consultation

pytestmark = pytest.mark.django_db


def test_demo_consultations_cover_every_public_stage_and_seed_once(
    dinas_pupr, dinas_dikbud, kategori, admin, warga, warga_lain, moderator, petugas_dikbud, media_root
):
    from accounts.models import User

    from tests import factories

    factories.WorkUnitFactory(name="Dinas Lingkungan Hidup", short_name="DLH")
    users = User.objects.count()
    seed_consultations()
    seed_consultations()
    assert User.objects.count() == users  # responses come from the existing demo accounts
    states = {c.title: c.state() for c in Consultation.objects.all()}
    assert states == {OPEN_TITLE: "dibuka", SCHEDULED_TITLE: "dijadwalkan", CLOSED_TITLE: "ditutup"}
    closed = Consultation.objects.get(title=CLOSED_TITLE)
    assert closed.responses.count() == 4 and closed.has_follow_up and closed.documents.count() == 1
    assert closed.responses.filter(replies__isnull=False).exists()
    assert not closed.responses.filter(author=admin).exists()  # administrators do not take part
