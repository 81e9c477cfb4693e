"""Finding 8: input no person types (NUL bytes, invalid or overlong UTF-8, absurd lengths) is a 400, never a 500.

PostgreSQL refuses NUL in text, so `?judul=\\x00` and a title with `\\x00` used to raise DataError.
The fix is one middleware (config.middleware.RejectUndecodableInput); the sweep below sends bad
values in every field of every form and filter the pages show, as a citizen and as an administrator.
"""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from participation.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

NUL = "judul\x00berbahaya"
OVERLONG_UTF8 = "%C0%80"  # NUL written in two bytes: invalid UTF-8
INVALID_UTF8 = "%FF%FE"
TOO_LONG = "x" * 5000


# --- the two cases the review found -------------------------------------------------------------------


def test_similar_lookup_with_a_nul_byte_is_a_400(client):
    response = client.get("/usulan/mirip/", {"judul": NUL})
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in response.content.decode()


def test_proposal_title_with_a_nul_byte_is_a_400_and_creates_nothing(client, warga, kategori, dinas_pupr, desa):
    client.force_login(warga)
    data = {"title": NUL, "description": "Uraian", "category": kategori.pk, "work_unit": dinas_pupr.pk, "region": desa.pk}
    for button in ("simpan", "cek_serupa"):
        response = client.post("/usulan/baru/", {**data, button: "1"})
        assert response.status_code == 400
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("raw", [OVERLONG_UTF8, INVALID_UTF8, "%00"])
def test_undecodable_query_strings_and_form_bodies_are_400(client, warga, raw):
    assert client.get(f"/usulan/?q=jalan{raw}").status_code == 400
    client.force_login(warga)
    response = client.post("/akun/profil/", f"full_name=Siti{raw}", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_nul_in_a_multipart_field_is_a_400(client, warga, kategori, dinas_pupr, desa):
    client.force_login(warga)
    response = client.post(
        "/usulan/baru/", {"title": NUL, "description": "x", "category": kategori.pk, "work_unit": dinas_pupr.pk, "region": desa.pk,
                          "attachments": []}, format="multipart"
    )
    assert response.status_code == 400


def test_nul_in_a_header_or_cookie_is_a_400(client, warga):
    assert client.get("/", HTTP_USER_AGENT="Mozilla\x00").status_code == 400
    client.cookies["sessionid"] = "abcdefghij\x00klmnopqrstuvwxyz0123"
    assert client.get("/").status_code == 400


def test_nul_in_the_path_is_a_400(client):
    assert client.get("/akun/confirm-email/abc%00def/").status_code == 400


def test_an_absurdly_long_filter_value_is_a_400(client):
    assert client.get("/usulan/", {"q": TOO_LONG}).status_code == 400
    assert client.get("/usulan/", {"q": "x" * 200}).status_code == 200


# --- the sweep: every form and filter on every page ----------------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page: method, action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "fields": {}}
            self.forms.append(self._current)
        elif tag in ("input", "textarea", "select") and self._current is not None and attrs.get("name"):
            kind = attrs.get("type", "text")
            if attrs["name"] != "csrfmiddlewaretoken" and kind not in ("file", "submit", "button"):
                self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.fixture
def world(warga, warga_lain, moderator, petugas_pupr, dinas_pupr, kategori, desa):
    """One of each kind of item, so their pages show their forms."""
    from consultations.models import Consultation
    from participation import services as participation
    from programs import services as programs

    proposal = factories.ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)
    source = factories.ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)
    participation.post_comment(actor=warga_lain, target=proposal, body="Setuju.")
    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Rehabilitasi jalan", "description": "Pengaspalan.", "work_unit": dinas_pupr, "category": kategori,
              "region": desa, "budget": 1_000_000, "fiscal_year": timezone.localdate().year},
        proposals=[source],
    )
    now = timezone.now()
    consultation = Consultation.objects.create(
        title="Rancangan standar pelayanan", summary="Ringkasan.", body="Isi.", work_unit=dinas_pupr, category=kategori,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5), is_published=True,
        published_at=now - timedelta(days=2), created_by=petugas_pupr,
    )
    return [proposal.get_absolute_url(), f"{proposal.get_absolute_url()}riwayat/", program.get_absolute_url(),
            f"{program.get_absolute_url()}kelola/", consultation.get_absolute_url()]


def pages_without_arguments() -> list[str]:
    found = []

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups and "logout" not in entry.name:
                try:
                    found.append(reverse(f"{namespace}{entry.name}"))
                except Exception:  # noqa: BLE001 - optional arguments
                    pass

    walk(get_resolver().url_patterns)
    return found


def sweep(client: Client, paths: list[str]) -> tuple[list[str], int]:
    """Send bad values in every field of every form on these pages; return the failures and the count of fields."""
    failures, fields = [], 0
    for path in paths:
        page = client.get(path)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        parser = Forms()
        parser.feed(page.content.decode())
        for form in parser.forms:
            # As a browser does: relative to the page, without the fragment (e.g. action="#hasil").
            action = urldefrag(urljoin(path, form["action"] or path)).url
            for name in form["fields"]:
                fields += 1
                for label, value, expected in (("NUL", NUL, 400), ("teks terlalu panjang", TOO_LONG, None)):
                    data = {**form["fields"], name: value}
                    if form["method"] == "get":
                        response = client.get(action, data)
                        expected = 400
                    else:
                        response = client.post(action, data)
                    if response.status_code >= 500 or (expected and response.status_code != expected):
                        failures.append(f"{form['method'].upper()} {action} {name}={label}: {response.status_code}")
                body = urlencode({k: v for k, v in form["fields"].items() if k != name}) + f"&{name}=a{OVERLONG_UTF8}"
                if form["method"] == "get":
                    response = client.get(f"{action}?{body}")
                else:
                    response = client.post(action, body, content_type="application/x-www-form-urlencoded")
                if response.status_code != 400:
                    failures.append(f"{form['method'].upper()} {action} {name}=UTF-8 rusak: {response.status_code}")
    return failures, fields


def test_every_form_and_filter_answers_bad_input_without_a_500(world, warga_lain, admin):
    paths = pages_without_arguments() + world
    failures, fields = [], 0
    for user in (None, warga_lain, admin):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        found, count = sweep(client, paths)
        failures += found
        fields += count
    assert fields > 100, fields
    assert not failures, "\n".join(failures)
