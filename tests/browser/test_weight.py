"""Page weight on a first visit, and every page working without JavaScript.

Budget: 60 KB per page, compressed, for everything the page makes the browser fetch (HTML, CSS,
JS, fonts, layout images, favicon). How it is measured: each page opens in a fresh browser context
(empty cache, no cookies, like a first visit); every response the page loads, until the network is
idle, is recorded with `page.on("response")`, and its body is compressed with gzip level 6, which
is what whitenoise (static files, pre-compressed) and a gzip-enabled proxy in front of gunicorn
send. The live test server itself does not compress, so the test compresses each body itself
rather than trusting `content-length`. Headers are not counted. Photos that citizens and officials
upload are content, not layout: they load lazily, are listed in the report, and are not counted.
The per-page numbers are written to artifacts/browser/weight.md.
"""

import gzip
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import pages
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 60 * 1024
UPLOADED_CONTENT = re.compile(r"/(lampiran|berkas|dokumen)/\d+/")


def weigh(page, path: str) -> dict:
    responses = []
    page.on("response", lambda item: responses.append(item))
    response = page.goto(path, wait_until="load")
    assert response.ok, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")
    counted, content = [], []
    for item in responses:
        if item.status in (301, 302, 303, 304, 307, 308):
            continue
        body = item.body()
        parts = urlsplit(item.url)
        entry = (parts.path + (f"?{parts.query}" if parts.query else ""), len(body), len(gzip.compress(body, 6)))
        (content if UPLOADED_CONTENT.search(item.url) else counted).append(entry)
    return {
        "path": path,
        "raw": sum(raw for _url, raw, _gz in counted),
        "compressed": sum(gz for _url, _raw, gz in counted),
        "files": counted,
        "content": content,
    }


def write_report(rows: list[tuple[str, dict]], name: str) -> None:
    lines = [f"# Page weight, first visit ({name})", "", "| page | path | requests | raw KB | gzip KB |", "|---|---|---:|---:|---:|"]
    for label, row in rows:
        lines.append(f"| {label} | `{row['path']}` | {len(row['files'])} | {row['raw'] / 1024:.1f} | {row['compressed'] / 1024:.1f} |")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"weight-{name}.md").write_text("\n".join(lines) + "\n")


def check_budget(new_page, targets: dict[str, str], name: str, user=None) -> None:
    rows = []
    for label, path in targets.items():
        rows.append((label, weigh(new_page(user=user), path)))
    write_report(rows, name)
    over = [
        f"{label} ({row['path']}): {row['compressed'] / 1024:.1f} KB > 60 KB; "
        + ", ".join(f"{url} {gz / 1024:.1f} KB" for url, _raw, gz in row["files"])
        for label, row in rows
        if row["compressed"] > BUDGET_BYTES
    ]
    assert not over, "\n".join(over)


@pytest.fixture
def full_pages(showcase, portal, warga, warga_lain, petugas_pupr):
    """Lists filled past their first page and a long comment thread: the heaviest pages people see."""
    from django.utils import timezone

    from participation import services as participation
    from programs import services as programs
    from tests import factories

    desa = showcase["proposal"].region
    fillers = [
        factories.ProposalFactory(
            title=f"Usulan warga nomor {n}: perbaikan fasilitas umum di dusun yang cukup panjang judulnya",
            description="Uraian usulan warga. " * 40, author=warga, work_unit=portal["pupr"],
            category=portal["infrastruktur"], region=desa,
        )
        for n in range(25)
    ]
    for n in range(22):
        programs.create_program(
            actor=petugas_pupr,
            data={"title": f"Program kerja nomor {n} untuk perbaikan fasilitas umum", "description": "Uraian. " * 30,
                  "work_unit": portal["pupr"], "category": portal["infrastruktur"], "region": desa,
                  "budget": 1_000_000_000 + n, "fiscal_year": timezone.localdate().year},
            proposals=[fillers[n]],
        )
    for n in range(30):
        participation.post_comment(actor=warga_lain, target=showcase["proposal"], body=f"Komentar warga nomor {n}. " * 8)
    return showcase


def test_every_public_page_fits_the_budget_on_a_first_visit(new_page, full_pages):
    showcase = full_pages
    check_budget(new_page, pages.public_pages(showcase), "anonim")


def test_the_citizen_forms_fit_the_budget(new_page, showcase, warga_lain):
    targets = {**pages.citizen_pages(showcase), "detail usulan": showcase["proposal"].get_absolute_url()}
    check_budget(new_page, targets, "warga", user=warga_lain)


FORM_PAGES = {"masuk", "daftar akun", "lupa sandi", "daftar usulan", "usulan tersaring"}


def test_every_public_page_works_without_javascript(new_page, showcase):
    page = new_page(java_script_enabled=False)
    for label, path in pages.public_pages(showcase).items():
        response = page.goto(path)
        assert response.ok, f"{label} ({path}) answered {response.status}"
        expect(page.locator("main h1"), label).to_be_visible()
        if label in FORM_PAGES:
            expect(page.locator("main form").get_by_role("button").first, label).to_be_visible()


def test_a_visitor_searches_and_a_citizen_proposes_without_javascript(new_page, showcase, warga_lain, portal):
    from participation.models import Proposal

    page = new_page(java_script_enabled=False)
    page.goto("/usulan/")
    page.get_by_label("Cari usulan").fill("irigasi")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("main")).to_contain_text("1 usulan ditemukan")
    expect(page.get_by_role("link", name="Saluran irigasi Sawah Lor tersumbat")).to_be_visible()

    page = new_page(user=warga_lain, java_script_enabled=False)
    page.goto("/usulan/baru/")
    page.get_by_label("Judul usulan").fill("Tempat sampah terpilah di pasar desa")
    page.get_by_label("Uraian").fill("Sampah pasar menumpuk di selokan setiap Senin.")
    page.get_by_label("Kategori").select_option(label="Kesehatan")
    page.get_by_label("Satuan kerja tujuan").select_option(label=f"{portal['pupr'].name} ({portal['pupr'].short_name})")
    page.get_by_role("combobox", name="Wilayah", exact=True).select_option(label="Desa Sukamaju — Kecamatan Sukamaju")
    page.get_by_role("button", name="Ajukan ke moderator").click()
    expect(page.locator("main h1")).to_have_text("Tempat sampah terpilah di pasar desa")
    assert Proposal.objects.get(title="Tempat sampah terpilah di pasar desa").status == Proposal.Status.SUBMITTED
