"""Program pages run a fixed number of SQL queries, however many programs, updates and comments exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.services import post_comment
from programs import services
from tests import factories
from tests.programs.conftest import days_ago, phase_of

pytestmark = pytest.mark.django_db

LIST_QUERIES = 7
DETAIL_QUERIES = 11  # incl. the Musrenbang origin of the source proposals
# Signed in: + session, user, the person's summary (roles, unit rights, email verified, unread badge: one
# cache read, accounts/summary.py), own rating, follow state.
DETAIL_QUERIES_SIGNED_IN = DETAIL_QUERIES + 5
HISTORY_QUERIES = 12
HOME_PROGRAM_QUERIES = 5


def _programs(count, petugas, dinas, kategori, desa, *, updates=0, comments=0, commenter=None):
    made = []
    for n in range(count):
        proposal = factories.ProposalFactory(work_unit=dinas, category=kategori, region=desa)
        program = services.create_program(
            actor=petugas,
            data={"title": f"Program {n}", "description": "x", "work_unit": dinas, "category": kategori,
                  "region": desa, "budget": 1000 * (n + 1), "fiscal_year": 2026},
            proposals=[proposal],
        )
        planning = services.start_phase(actor=petugas, phase=phase_of(program, "perencanaan"), on=days_ago(30))
        for u in range(updates):
            services.post_update(actor=petugas, phase=planning, date=days_ago(u % 20), body=f"Laporan {u}")
        for c in range(comments):
            comment = post_comment(actor=commenter, target=program, body=f"Komentar {c}")
            post_comment(actor=commenter, target=program, body="Balasan", parent=comment)
        made.append(program)
    return made


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_programs(client, petugas_pupr, dinas_pupr, kategori, desa, django_assert_max_num_queries):
    _programs(1, petugas_pupr, dinas_pupr, kategori, desa)
    few = _count(client, "/program/")
    _programs(25, petugas_pupr, dinas_pupr, kategori, desa)
    assert _count(client, "/program/") == few
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get("/program/?tahap=perencanaan&q=Program&tahun=2026")


def test_detail_queries_do_not_grow_with_updates_and_comments(client, petugas_pupr, dinas_pupr, kategori, desa, warga, django_assert_max_num_queries):
    small = _programs(1, petugas_pupr, dinas_pupr, kategori, desa, updates=1, comments=1, commenter=warga)[0]
    big = _programs(1, petugas_pupr, dinas_pupr, kategori, desa, updates=30, comments=30, commenter=warga)[0]
    assert _count(client, small.get_absolute_url()) == _count(client, big.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(big.get_absolute_url())
    client.force_login(warga)
    assert _count(client, small.get_absolute_url()) == _count(client, big.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_QUERIES_SIGNED_IN):
        client.get(big.get_absolute_url())


def test_history_page_is_bounded(client, petugas_pupr, dinas_pupr, kategori, desa, django_assert_max_num_queries):
    program = _programs(1, petugas_pupr, dinas_pupr, kategori, desa, updates=5)[0]
    with django_assert_max_num_queries(HISTORY_QUERIES):
        assert client.get(f"/program/{program.pk}/riwayat/").status_code == 200


def test_home_program_section_is_bounded(petugas_pupr, dinas_pupr, kategori, desa, django_assert_max_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from programs.home import program_stages

    _programs(12, petugas_pupr, dinas_pupr, kategori, desa)
    with django_assert_max_num_queries(HOME_PROGRAM_QUERIES):
        columns = program_stages(AnonymousUser())
    assert [c["count"] for c in columns] == [12, 0, 0, 0]
    assert len(columns[0]["programs"]) == 3
