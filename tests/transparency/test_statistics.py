from datetime import timedelta

import pytest

from participation.models import Region
from programs.models import Program
from tests import factories
from tests.transparency.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory
from transparency.statistics import human_duration, statistics

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def dataset(clock, make_proposal, dinas_pupr, dinas_dikbud, desa, kategori, warga_lain):
    """A small, known data set. The clock stands one hour after CLOSES."""
    t0 = OPENS - 30 * DAY
    pendidikan = factories.CategoryFactory(name="Pendidikan")
    mekarsari = Region.objects.get(code="33.99.01.2002")

    def moderated(published_after, **kwargs):
        return make_proposal(submitted_at=t0, published_at=t0 + published_after, **kwargs)

    # Dinas PUPR: moderation 1, 2 and 10 days (median 2); answers after 4 and 2 days (median 3): the
    # declined one answered once, the accepted one was accepted into a program without a written answer.
    declined = moderated(
        1 * DAY, status="declined", official_answer="Tidak ada anggaran.", answered_at=t0 + 5 * DAY, first_answered_at=t0 + 5 * DAY
    )
    accepted = moderated(2 * DAY, status="accepted", status_changed_at=t0 + 4 * DAY, first_answered_at=t0 + 4 * DAY)
    make_proposal(status="rejected", rejection_reason="Duplikat.", submitted_at=t0, status_changed_at=t0 + 10 * DAY)
    # Disdikbud: moderation 1, 3 and 5 days (median 3; the hidden one was moderated too); no answers.
    for days, hidden in ((1, False), (3, False), (5, True)):
        moderated(days * DAY, category=pendidikan, work_unit=dinas_dikbud, region=mekarsari, is_hidden=hidden)
    make_proposal(status="draft")
    make_proposal(status="submitted", submitted_at=t0)

    with_source = Program.objects.create(
        title="Jalan desa", description="-", work_unit=dinas_pupr, category=kategori, budget=1, fiscal_year=2026
    )
    with_source.source_proposals.add(accepted)
    Program.objects.create(title="Program lain", description="-", work_unit=dinas_pupr, category=kategori, budget=1, fiscal_year=2026)

    first = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Tarif pasar")
    second = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Standar pelayanan")
    running = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=CLOSES, closes_at=CLOSES + 7 * DAY)
    draft = ConsultationFactory(work_unit=dinas_pupr, category=kategori, is_published=False)
    for consultation, count in ((first, 3), (second, 1), (running, 2), (draft, 2)):
        for _ in range(count):
            ResponseFactory(consultation=consultation)
    clock.set(CLOSES + timedelta(hours=1))
    return {"declined": declined, "accepted": accepted}


def bars(chart):
    return [(bar.label, bar.value) for bar in chart.bars]


def test_counts_read_only_public_proposals(dataset):
    stats = statistics()
    assert stats["total_public"] == 4
    assert bars(stats["charts"]["category"]) == [("Infrastruktur", 2), ("Pendidikan", 2)]
    assert bars(stats["charts"]["unit"]) == [("Disdikbud", 2), ("PUPR", 2)]
    assert bars(stats["charts"]["district"]) == [("Kecamatan Sukamaju", 4)]
    assert bars(stats["charts"]["status"]) == [
        ("Dipublikasikan", 2),
        ("Sedang dikaji", 0),
        ("Diterima", 1),
        ("Ditolak", 1),
    ]


def test_proposals_that_became_programs(dataset):
    stats = statistics()
    assert stats["into_programs"] == 1
    assert stats["into_programs_percent"] == 25.0
    assert (stats["programs_total"], stats["programs_from_proposals"]) == (2, 1)


def test_median_moderation_and_answer_times_per_work_unit(dataset):
    timings = {timing.short_name: timing for timing in statistics()["timings"]}
    assert set(timings) == {"PUPR", "Disdikbud"}
    pupr, dikbud = timings["PUPR"], timings["Disdikbud"]
    assert (pupr.moderated, pupr.moderation_median) == (3, pytest.approx(2 * 86_400))
    assert (pupr.answered, pupr.answer_median) == (2, pytest.approx(3 * 86_400))  # even count: mean of the middle two
    assert (dikbud.moderated, dikbud.moderation_median) == (3, pytest.approx(3 * 86_400))
    assert (dikbud.answered, dikbud.answer_median) == (0, None)
    assert pupr.moderation_text == "2,0 hari" and dikbud.answer_text == "—"


def test_consultation_participation_counts_only_closed_public_consultations(dataset):
    stats = statistics()
    assert stats["consultations"] == {"published": 3, "open": 1, "closed": 2}
    assert stats["closed_responses"] == 4
    assert stats["responses_per_closed"] == 2.0
    assert sorted(bars(stats["charts"]["participation"])) == [("Standar pelayanan", 1), ("Tarif pasar", 3)]


def test_page_shows_numbers_in_tables_and_svg_charts(client, dataset):
    response = client.get("/statistik/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="bar-chart"') == 7
    assert 'role="img"' in html and "<table" in html
    assert "Kecamatan Sukamaju" in html and "2,0 hari" in html and "3,0 hari" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # no JavaScript needed


def test_bar_widths_are_relative_to_the_largest_bar(dataset):
    chart = statistics()["charts"]["participation"]
    widths = {bar.label: bar.width for bar in chart.bars}
    assert widths == {"Tarif pasar": 100.0, "Standar pelayanan": pytest.approx(33.33)}


def test_page_with_no_data_at_all(client, db):
    response = client.get("/statistik/")
    assert response.status_code == 200
    assert "Belum ada data." in response.content.decode()


def test_page_runs_a_pinned_number_of_queries(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(11):
        assert client.get("/statistik/").status_code == 200


def test_query_count_does_not_grow_with_data(client, dataset, make_proposal, dinas_dikbud, django_assert_num_queries):
    for _ in range(10):
        make_proposal(work_unit=dinas_dikbud, submitted_at=OPENS - 5 * DAY)
    with django_assert_num_queries(11):
        assert client.get("/statistik/").status_code == 200


@pytest.mark.parametrize(
    "seconds, text",
    [(None, "—"), (0, "0 jam"), (600, "1 jam"), (5 * 3600, "5 jam"), (86_400, "1,0 hari"), (3.5 * 86_400, "3,5 hari")],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text
