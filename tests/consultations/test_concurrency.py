"""Time boundaries and racing late responses, on PostgreSQL's real row locks."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection

from consultations import services
from consultations.exceptions import AlreadyResponded, NotOpen
from consultations.models import Consultation, Response
from tests import factories
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _run_together(workers):
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait()
            outcomes[index] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_exact_boundaries_on_postgres(dinas_pupr, kategori):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    citizens = factories.UserFactory.create_batch(3)
    with pytest.raises(NotOpen):
        services.submit_response(actor=citizens[0], consultation=consultation, position="setuju", now=OPENS - timedelta(microseconds=1))
    assert services.submit_response(actor=citizens[0], consultation=consultation, position="setuju", now=OPENS).pk
    assert services.submit_response(actor=citizens[1], consultation=consultation, position="setuju", now=CLOSES - timedelta(microseconds=1)).pk
    with pytest.raises(NotOpen):
        services.submit_response(actor=citizens[2], consultation=consultation, position="setuju", now=CLOSES)
    assert Consultation.objects.open(OPENS).filter(pk=consultation.pk).exists()
    assert not Consultation.objects.open(CLOSES).filter(pk=consultation.pk).exists()
    assert Consultation.objects.closed(CLOSES).filter(pk=consultation.pk).exists()


def test_responses_racing_an_earlier_close_are_refused_after_it(dinas_pupr, kategori, petugas_pupr):
    """The official closes now while citizens submit: whoever writes after the close is refused."""
    now = OPENS + timedelta(days=1)
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    citizens = factories.UserFactory.create_batch(8)

    def close_now():
        return services.update_consultation(
            actor=petugas_pupr, consultation=consultation.pk, data={"closes_at": now}, confirm_earlier_close=True, now=now
        )

    def respond(user):
        return lambda: services.submit_response(actor=user, consultation=consultation.pk, position="setuju", now=now)

    outcomes = _run_together([close_now, *[respond(u) for u in citizens]])
    assert isinstance(outcomes[0], Consultation), outcomes[0]
    accepted = [o for o in outcomes[1:] if isinstance(o, Response)]
    refused = [o for o in outcomes[1:] if isinstance(o, NotOpen)]
    assert len(accepted) + len(refused) == len(citizens), outcomes
    assert Response.objects.count() == len(accepted)
    consultation.refresh_from_db()
    assert consultation.closes_at == now
    # Every accepted response was written while it held the lock before the close took it.
    closed_at = consultation.history.filter(history_type="~").get().history_date
    assert all(response.created_at < closed_at for response in Response.objects.all())


def test_late_responses_arriving_together_are_all_refused(dinas_pupr, kategori):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    citizens = factories.UserFactory.create_batch(6)
    outcomes = _run_together(
        [lambda u=u: services.submit_response(actor=u, consultation=consultation.pk, position="netral", now=CLOSES) for u in citizens]
    )
    assert all(isinstance(o, NotOpen) for o in outcomes), outcomes
    assert not Response.objects.exists()


def test_one_citizen_double_submitting_gets_one_response(dinas_pupr, kategori, warga):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    inside = OPENS + timedelta(days=1)
    outcomes = _run_together(
        [lambda: services.submit_response(actor=warga, consultation=consultation.pk, position="setuju", now=inside) for _ in range(5)]
    )
    assert sum(isinstance(o, Response) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyResponded) for o in outcomes) == 4, outcomes
    assert Response.objects.filter(author=warga).count() == 1
