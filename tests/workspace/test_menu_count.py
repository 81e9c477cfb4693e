"""The "Kerja (n)" menu count comes from the cache (workspace/menu.py), yet is never behind:
the very next page after routing, answering, submitting or publishing a proposal, after a visit
to /kerja/ or after a new unit right shows the new number; an entry lives at most
WORKSPACE_COUNT_SECONDS; a failing cache means counting on every page; citizens never get it."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from accounts.models import WorkUnitMembership
from consultations.models import Consultation, Response
from participation import services as participation
from participation.models import Proposal
from workspace import menu
from workspace.models import WorkspaceVisit

pytestmark = pytest.mark.django_db


def menu_count(client, path="/notifikasi/") -> int:
    """The number in the page's menu (0 when the menu shows none)."""
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r"Kerja \((\d+)", page.content.decode())
    return int(found.group(1)) if found else 0


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def counts_again(captured) -> bool:
    """Whether a request ran the count's query (queries.unit_counts reads every unit with its totals)."""
    return any('"accounts_workunit"' in query["sql"] and "COUNT(" in query["sql"] for query in captured.captured_queries)


def test_a_routed_proposal_leaves_one_units_count_and_joins_the_others_in_the_next_request(
    usulan, petugas_pupr, petugas_dikbud, dinas_dikbud, django_capture_on_commit_callbacks
):
    pupr, dikbud = signed_in(petugas_pupr), signed_in(petugas_dikbud)
    assert menu_count(pupr) == 1 and menu_count(dikbud) == 0
    assert menu_count(pupr) == 1 and menu_count(dikbud) == 0  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):
        response = pupr.post(f"/usulan/{usulan.pk}/disposisi/", {"to_unit": dinas_dikbud.pk, "note": "Urusan sekolah"})
    assert response.status_code == 302
    assert menu_count(pupr) == 0 and menu_count(dikbud) == 1


def test_an_answer_lowers_the_count_in_the_next_request(
    client, petugas_pupr, make_proposal, django_capture_on_commit_callbacks
):
    reviewed, declined = make_proposal(title="Saluran tersumbat"), make_proposal(title="Taman kota")
    client.force_login(petugas_pupr)
    assert menu_count(client) == 2 and menu_count(client, "/usulan/") == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/usulan/{reviewed.pk}/jawab/", {"keputusan": "dikaji", "answer": "Kami periksa."})
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.UNDER_REVIEW
    assert menu_count(client) == 1
    with django_capture_on_commit_callbacks(execute=True):
        participation.decline_proposal(actor=petugas_pupr, proposal=declined, answer="Tidak ada anggaran tahun ini.")
    assert menu_count(client, "/usulan/") == 0


def test_a_submitted_proposal_counts_for_moderators_and_once_published_for_its_unit(
    moderator, petugas_pupr, warga, make_proposal, django_capture_on_commit_callbacks
):
    draft = make_proposal(title="Posyandu butuh timbangan", status="draft")
    moderating, official, citizen = signed_in(moderator), signed_in(petugas_pupr), signed_in(warga)
    assert menu_count(moderating) == 0 and menu_count(official) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert citizen.post(f"/usulan/{draft.pk}/ajukan/").status_code == 302
    assert Proposal.objects.get(pk=draft.pk).status == Proposal.Status.SUBMITTED
    assert menu_count(moderating) == 1 and menu_count(official) == 0
    with django_capture_on_commit_callbacks(execute=True):
        moderating.post(f"/moderasi/usulan/{draft.pk}/", {"action": "publish"})
    assert menu_count(moderating) == 0 and menu_count(official) == 1


def test_opening_the_workspace_after_a_break_drops_the_news_from_the_menu_count(client, petugas_pupr, dinas_pupr, kategori, warga):
    now = timezone.now()
    consultation = Consultation.objects.create(
        title="Rancangan jam layanan", summary="-", body="-", work_unit=dinas_pupr, category=kategori,
        opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=5), is_published=True, published_at=now - timedelta(days=2),
    )
    response = Response.objects.create(consultation=consultation, author=warga, position="setuju")
    Response.objects.filter(pk=response.pk).update(created_at=now - timedelta(hours=4))
    # The last working session ended three hours ago and never moved "new since": the response is news.
    WorkspaceVisit.objects.create(user=petugas_pupr, seen_at=now - timedelta(hours=3), since=None)
    client.force_login(petugas_pupr)
    assert menu_count(client) == 1
    assert menu_count(client) == 1  # from the cache

    assert "1 tanggapan baru" not in client.get("/kerja/").content.decode()  # news only since the last session
    assert menu_count(client) == 0


def test_a_new_unit_right_shows_that_units_work_at_once(client, petugas_pupr, dinas_dikbud, make_proposal):
    make_proposal(title="Jalan berlubang")
    make_proposal(title="Atap sekolah bocor", work_unit=dinas_dikbud)
    client.force_login(petugas_pupr)
    assert menu_count(client) == 1
    WorkUnitMembership.objects.create(user=petugas_pupr, work_unit=dinas_dikbud)
    assert menu_count(client) == 2


def test_the_count_is_kept_at_most_workspace_count_seconds(client, settings, petugas_pupr, usulan):
    settings.WORKSPACE_COUNT_SECONDS = 60
    client.force_login(petugas_pupr)
    assert menu_count(client) == 1
    # Behind the signals' back (a queryset update), as a deadline passing is: the stored count stays...
    Proposal.objects.filter(pk=usulan.pk).update(official_answer="Dijawab lewat jalur lain.")
    assert menu_count(client) == 1
    # ...until its lifetime is over (the database cache compares expiry with the clock).
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("django.core.cache.backends.db.tz_now", return_value=later):
        assert menu_count(client) == 0


def test_with_workspace_count_seconds_zero_every_page_counts(client, settings, petugas_pupr, usulan):
    settings.WORKSPACE_COUNT_SECONDS = 0
    client.force_login(petugas_pupr)
    assert menu_count(client) == 1
    Proposal.objects.filter(pk=usulan.pk).update(official_answer="Dijawab lewat jalur lain.")
    assert menu_count(client) == 0
    assert cache.get(f"workspace-count:v1:{petugas_pupr.pk}") is None


def test_with_the_cache_failing_the_count_is_computed_on_every_page(client, petugas_pupr, make_proposal):
    first = make_proposal(title="Jalan berlubang")
    client.force_login(petugas_pupr)
    failing = mock.patch.multiple(
        "django.core.cache.backends.db.DatabaseCache",
        get=mock.DEFAULT, get_many=mock.DEFAULT, set=mock.DEFAULT, add=mock.DEFAULT, delete=mock.DEFAULT,
    )
    with failing as methods:
        for method in methods.values():
            method.side_effect = DatabaseError("the cache table is unreachable")
        assert menu_count(client) == 1
        # No on_commit renewal runs in a test transaction: only counting again can show this.
        make_proposal(title="Lampu jalan mati")
        assert menu_count(client) == 2
        participation.review_proposal(actor=petugas_pupr, proposal=first, note="Kami periksa.")
        assert menu_count(client) == 1


def test_a_citizen_never_gets_the_count(client, warga, usulan):
    client.force_login(warga)
    with mock.patch("workspace.queries.waiting_total", side_effect=AssertionError("counted for a citizen")):
        for path in ("/", "/usulan/", "/notifikasi/"):
            page = client.get(path).content.decode()
            assert 'href="/kerja/"' not in page and "Kerja (" not in page
    assert cache.get(f"workspace-count:v1:{warga.pk}") is None


@pytest.mark.parametrize("path, pinned", [("/notifikasi/", 5), ("/usulan/", 9)])
def test_an_officials_pages_read_the_count_from_the_cache(client, petugas_pupr, make_proposal, django_assert_max_num_queries, path, pinned):
    make_proposal(title="Jalan berlubang")
    client.force_login(petugas_pupr)
    assert menu_count(client, path) == 1  # stores the person's summary and the count
    # session, user, summary, the count with the data version (one read) + the page's own queries
    with django_assert_max_num_queries(pinned) as captured:
        assert menu_count(client, path) == 1
    assert not counts_again(captured)
    reads = [query["sql"] for query in captured.captured_queries if menu.DATA_VERSION_KEY in query["sql"]]
    assert len(reads) == 1 and f"workspace-count:v1:{petugas_pupr.pk}" in reads[0]  # both keys in one read


def test_the_data_version_is_renewed_only_once_the_change_commits(usulan, django_capture_on_commit_callbacks):
    before = cache.get(menu.DATA_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Proposal.objects.get(pk=usulan.pk).save()
        assert cache.get(menu.DATA_VERSION_KEY) == before  # a count taken now must not be stored under the next version
    assert callbacks
    for callback in callbacks:
        callback()
    assert cache.get(menu.DATA_VERSION_KEY) not in (None, before)
