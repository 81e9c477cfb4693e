"""The Musrenbang cast: a cycle whose desa stage is open today, operators of two desa, of the
kecamatan and of the kabupaten, and helpers that walk a proposal into the cycle the real way."""

import datetime

import pytest
from django.utils import timezone

from musrenbang.demo import demo_windows
from musrenbang.models import Ceiling, Cycle, OperatorAssignment
from participation import services as participation
from participation.models import Region
from tests import factories

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def regions(kabupaten):
    kecamatan = Region.objects.get(code="33.99.01")
    other_kecamatan = Region.objects.create(code="33.99.02", name="Kecamatan Cibening", level=Region.Level.KECAMATAN, parent=kabupaten)
    Region.objects.create(code="33.99.02.2001", name="Desa Cibening", level=Region.Level.DESA, parent=other_kecamatan)
    return {
        "kabupaten": kabupaten,
        "kecamatan": kecamatan,
        "sukamaju": Region.objects.get(code="33.99.01.2001"),
        "mekarsari": Region.objects.get(code="33.99.01.2002"),
        "cibening_kec": other_kecamatan,
        "cibening": Region.objects.get(code="33.99.02.2001"),
    }


@pytest.fixture
def cycle(db, regions, today, dinas_pupr):
    cycle = Cycle.objects.create(year=today.year + 1, title=f"Musrenbang RKPD {today.year + 1}", is_published=True, **demo_windows(today))
    Ceiling.objects.create(cycle=cycle, kecamatan=regions["kecamatan"], amount=350_000_000)
    Ceiling.objects.create(cycle=cycle, work_unit=dinas_pupr, amount=300_000_000)
    return cycle


def make_operator(region, email):
    user = factories.UserFactory(email=email, full_name=f"Operator {region.name}")
    OperatorAssignment.objects.create(user=user, region=region)
    return user


@pytest.fixture
def operator_sukamaju(regions):
    return make_operator(regions["sukamaju"], "op.sukamaju@contoh.id")


@pytest.fixture
def operator_mekarsari(regions):
    return make_operator(regions["mekarsari"], "op.mekarsari@contoh.id")


@pytest.fixture
def operator_kecamatan(regions):
    return make_operator(regions["kecamatan"], "op.kecamatan@contoh.id")


@pytest.fixture
def operator_kabupaten(regions):
    return make_operator(regions["kabupaten"], "op.bappeda@contoh.id")


@pytest.fixture
def submit_online(django_capture_on_commit_callbacks, moderator, kategori, dinas_pupr):
    """A citizen submits through the proposal service (the cycle picks it up) and a moderator publishes it."""

    def submit(author, region, *, title, cost=None, unit=None, publish=True):
        with django_capture_on_commit_callbacks(execute=True):
            proposal = participation.create_proposal(
                actor=author, submit=True, files=[],
                data={"title": title, "description": "Uraian usulan", "category": kategori, "work_unit": unit or dinas_pupr,
                      "region": region, "estimated_cost": cost},
            )
            if publish:
                proposal = participation.publish_proposal(actor=moderator, proposal=proposal)
        return proposal

    return submit
