import datetime
import xml.etree.ElementTree as ET

import pytest

from participation.models import Proposal
from programs import services as program_services
from programs.models import Phase
from tests.transparency.conftest import ConsultationFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    return root


def entries(root):
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        found.append(entry)
    return found


def test_proposal_feed_lists_only_public_proposals(client, make_proposal):
    public = make_proposal()
    answered = make_proposal(status="declined", official_answer="Sudah dianggarkan desa.")
    make_proposal(status="submitted")
    make_proposal(status="draft")
    make_proposal(status="rejected", rejection_reason="Duplikat.")
    make_proposal(is_hidden=True)
    items = entries(parse(client.get("/data/feed/usulan/")))
    links = {entry.find(f"{ATOM}link").get("href") for entry in items}
    assert links == {f"http://testserver/usulan/{public.pk}/", f"http://testserver/usulan/{answered.pk}/"}


def test_feed_summaries_reach_readers_as_escaped_text(client, usulan):
    (entry,) = entries(parse(client.get("/data/feed/usulan/")))
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # After XML parsing the reader gets HTML; the citizen's markup must be escaped in it.
    assert "<script>" not in summary.text and "&lt;script&gt;" in summary.text
    assert entry.find(f"{ATOM}title").text == usulan.title  # titles are plain text in Atom


def test_proposal_feed_is_newest_first(client, make_proposal):
    now = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)
    older = make_proposal(published_at=now - datetime.timedelta(days=2))
    newer = make_proposal(published_at=now)
    hrefs = [entry.find(f"{ATOM}link").get("href") for entry in entries(parse(client.get("/data/feed/usulan/")))]
    assert hrefs == [f"http://testserver/usulan/{newer.pk}/", f"http://testserver/usulan/{older.pk}/"]


@pytest.fixture
def reported_program(program, petugas_pupr):
    planning = Phase.objects.get(program=program, kind="perencanaan")
    program_services.start_phase(actor=petugas_pupr, phase=planning, on=datetime.date.today() - datetime.timedelta(days=3))
    update = program_services.post_update(
        actor=petugas_pupr, phase=planning, date=datetime.date.today(), body="Survei lokasi selesai <b>tebal</b>."
    )
    return program, update


def test_program_update_feeds_list_progress_reports(client, reported_program):
    program, update = reported_program
    for path in ("/data/feed/program/", f"/data/feed/program/{program.pk}/"):
        (entry,) = entries(parse(client.get(path)))
        assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/program/{program.pk}/#laporan-{update.pk}"
        assert "Perencanaan" in entry.find(f"{ATOM}title").text
        assert "&lt;b&gt;" in entry.find(f"{ATOM}summary").text


def test_one_programs_feed_leaves_out_other_programs(client, reported_program, petugas_pupr, program_data):
    from tests import factories

    program, _update = reported_program
    source = factories.ProposalFactory(work_unit=program.work_unit, category=program.category, region=program.region)
    other = program_services.create_program(actor=petugas_pupr, data=program_data(title="Program lain"), proposals=[source])
    assert entries(parse(client.get(f"/data/feed/program/{other.pk}/"))) == []


@pytest.mark.parametrize("path", ["/data/feed/program/999999/", "/data/feed/program/abc/", "/data/feed/usulan/1/"])
def test_unknown_feed_objects_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_consultation_feed_leaves_out_drafts(client, dinas_pupr, kategori):
    published = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, is_published=False)
    (entry,) = entries(parse(client.get("/data/feed/uji-publik/")))
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/uji-publik/{published.pk}/"
    assert "Dibuka" in entry.find(f"{ATOM}summary").text


def test_feeds_run_a_fixed_number_of_queries(client, make_proposal, django_assert_max_num_queries):
    for _ in range(12):
        make_proposal()
    with django_assert_max_num_queries(1):
        parse(client.get("/data/feed/usulan/"))
    assert Proposal.objects.count() == 12


def test_data_page_and_list_pages_announce_the_feeds(client, db):
    for path, feed in (
        ("/data/", "/data/feed/usulan/"),
        ("/usulan/", "/data/feed/usulan/"),
        ("/program/", "/data/feed/program/"),
        ("/uji-publik/", "/data/feed/uji-publik/"),
    ):
        content = client.get(path).content.decode()
        assert f'<link rel="alternate" type="application/atom+xml"' in content, path
        assert f'href="{feed}"' in content, path
