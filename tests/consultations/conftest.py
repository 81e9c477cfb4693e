"""Consultation fixtures: a settable clock and one consultation per stage of its life.

Tests move the clock instead of sleeping: `clock.set(...)` or `clock.advance(hours=1)` changes
what `django.utils.timezone.now()` returns for the code under test (and for auto_now fields).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
import pytest
from django.utils import timezone

from consultations.models import Consultation, Response
from tests import factories

JAKARTA = ZoneInfo("Asia/Jakarta")
# Opening and closing instants used across the tests (times in Asia/Jakarta).
OPENS = datetime(2026, 3, 2, 8, 0, tzinfo=JAKARTA)
CLOSES = datetime(2026, 3, 16, 16, 0, tzinfo=JAKARTA)


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock one day before OPENS; tests move it forward as the story needs."""
    fake = Clock(OPENS - timedelta(days=1))
    monkeypatch.setattr(timezone, "now", fake)
    return fake


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A published consultation open from OPENS to CLOSES; pass is_published=False for a draft."""

    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"Rancangan Perbup Retribusi Pasar nomor {n} {factories.XSS}")
    summary = f"Ringkasan rancangan standar pelayanan pasar. {factories.XSS}"
    body = f"Pasal 1\nTarif retribusi kios per bulan.\n\nPasal 2\nWaktu layanan. {factories.XSS}"
    category = factory.SubFactory(factories.CategoryFactory, name="Infrastruktur")
    work_unit = factory.SubFactory(
        factories.WorkUnitFactory, name="Dinas Pekerjaan Umum dan Penataan Ruang", short_name="PUPR"
    )
    opens_at = OPENS
    closes_at = CLOSES
    is_published = True
    published_at = factory.LazyAttribute(lambda o: OPENS - timedelta(days=3) if o.is_published else None)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    consultation = factory.SubFactory(ConsultationFactory)
    author = factory.SubFactory(factories.UserFactory)
    position = Response.Position.AGREE
    comment = f"Saya setuju dengan catatan. {factories.XSS}"


@pytest.fixture
def konsultasi(db, dinas_pupr, kategori):
    """Published, window OPENS..CLOSES, owned by Dinas PUPR."""
    return ConsultationFactory(work_unit=dinas_pupr, category=kategori)


@pytest.fixture
def konsultasi_draf(db, dinas_pupr, kategori):
    return ConsultationFactory(work_unit=dinas_pupr, category=kategori, is_published=False)


def at_open() -> datetime:
    return OPENS


def inside() -> datetime:
    return OPENS + timedelta(days=3)


def after() -> datetime:
    return CLOSES + timedelta(hours=1)


def before() -> datetime:
    return OPENS - timedelta(hours=1)
