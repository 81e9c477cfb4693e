import pytest
from django.db import connection

from participation.models import Proposal
from participation.views import find_similar

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search and trigram similarity")


def test_indonesian_stemming_finds_the_root_word(client, make_proposal):
    make_proposal(title="Bangun jembatan gantung", description="Warga menyeberang sungai dengan rakit.")
    make_proposal(title="Posyandu lansia", description="Pemeriksaan rutin")
    content = client.get("/usulan/", {"q": "pembangunan"}).content.decode()
    assert "Bangun jembatan gantung" in content and "Posyandu lansia" not in content


def test_search_uses_the_gin_index_expression(make_proposal):
    make_proposal()
    sql = str(Proposal.objects.public().search("jalan").query)
    assert "search_document" in sql and "indonesian" in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'proposal_search_gin'")
        (definition,) = cursor.fetchone()
        cursor.execute(
            "SELECT generation_expression FROM information_schema.columns "
            "WHERE table_name = 'participation_proposal' AND column_name = 'search_document'"
        )
        (generated,) = cursor.fetchone()
    assert "gin (search_document)" in definition
    assert "to_tsvector('indonesian'" in generated


def test_similar_titles_use_trigram_similarity(make_proposal):
    make_proposal(title="Perbaikan jalan rusak Desa Sukamaju")
    make_proposal(title="Pelatihan UMKM batik")
    make_proposal(title="Usulan tersembunyi jalan rusak", is_hidden=True)
    similar = find_similar("perbaikan jalan rusak")
    titles = [p.title for p in similar]
    assert titles == ["Perbaikan jalan rusak Desa Sukamaju"]


def test_websearch_syntax_never_breaks_the_page(client, make_proposal):
    make_proposal()
    for query in ['"jalan', "jalan & | !", "-", "'; DROP TABLE participation_proposal; --"]:
        assert client.get("/usulan/", {"q": query}).status_code == 200
