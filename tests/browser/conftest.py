"""Headless Chromium against pytest-django's live server, for journeys, axe-core and page weight.

The live server runs the portal in a thread against the test database, so every browser test is
`django_db(transaction=True)`: rows the test creates are committed and visible to the server.
Static files come from `django.contrib.staticfiles` finders (pytest-django's live server wraps the
app in `StaticFilesHandler`), so the CSS and JS are the ones in `static/`.

Tools: Debian's `chromium` (`make browsers` installs it with apt-get) and axe-core from npm
(`npm ci` into node_modules/). Without them the tests skip locally with the reason, and fail in CI
(CI=true), where a missing browser must never look like a green run.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from accounts import rights
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "browser"
# A mid-range phone: the portal is built mobile first, and screenshots show what most citizens see.
VIEWPORT = {"width": 390, "height": 844}
PASSWORD = "rahasia-kuat-123"  # what tests.factories.UserFactory sets
# How long any wait for a condition (an element, a navigation, a file chooser, an `expect`) may
# take before the test fails. Every wait ends as soon as its condition holds, so a long ceiling
# costs nothing on a quiet machine; Playwright's defaults (5 s for expect, 30 s elsewhere) and the
# 10 s used before were shorter than a loaded CI machine needs and made correct changes fail.
CONDITION_TIMEOUT_MS = int(os.environ.get("BROWSER_CONDITION_TIMEOUT_MS", "90000"))


def _unavailable(what: str, how: str) -> None:
    message = f"{what} is missing: {how}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI=true: browser tests must run in CI)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    Not per session: while Playwright's sync API is alive it keeps an asyncio loop running in this
    thread, and the tests of other modules that run afterwards in the same process must not see it.
    """
    if not CHROMIUM.exists():
        _unavailable(f"Chromium ({CHROMIUM})", "run `make browsers` (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright for Python", "install the test extra: pip install -e '.[test]'")
    expect.set_options(timeout=CONDITION_TIMEOUT_MS)
    # Playwright's sync API keeps an asyncio loop in this thread while the browser lives; Django
    # would then refuse ORM calls from the test thread, although nothing here runs concurrently.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def axe_script():
    if not AXE_SCRIPT.exists():
        _unavailable(f"axe-core ({AXE_SCRIPT.relative_to(ROOT)})", "run `npm ci` (or `make browsers`)")
    return AXE_SCRIPT


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies and cache): `new_page(user=None, **options)`.

    With `user`, the context carries a session cookie for that user, made the way Django's test
    client logs in: for pages that are checked, not for journeys (journeys log in through the form).
    """
    from django.core.cache import caches

    # The live server's database is emptied after each test, but the cache table is not: without
    # this, rate limits counted by earlier journeys (ten sign-ups an hour from 127.0.0.1) and
    # cached pages would carry over into this one.
    caches["default"].clear()
    contexts = []

    def open_page(*, user=None, **options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", "id-ID")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(CONDITION_TIMEOUT_MS)
        context.set_default_navigation_timeout(CONDITION_TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"]
            context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class Journey:
    """Screenshots, one per step, in artifacts/browser/<name>/NN-step.png (CI keeps the folder)."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def step(self, page, label: str) -> None:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)


@pytest.fixture
def journey():
    return Journey


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in the way a person does: the "Masuk" link in the header, then the form."""
    page.get_by_role("navigation", name="Akun").get_by_role("link", name="Masuk").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Sandi", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Keluar").wait_for()


def png_photo(folder: Path, name: str = "jalan-rusak.png") -> Path:
    """A small real PNG (the upload check reads the content, not the name)."""
    from PIL import Image, ImageDraw

    path = folder / name
    image = Image.new("RGB", (480, 320), (120, 110, 100))
    draw = ImageDraw.Draw(image)
    for x in range(0, 480, 40):
        draw.ellipse((x, 140, x + 30, 170), fill=(40, 40, 40))
    image.save(path, "PNG")
    return path


@pytest.fixture
def portal(db, media_root, dinas_pupr, dinas_dikbud, kabupaten, kategori):
    """What an administrator sets up before citizens arrive: units, regions, categories."""
    from participation.models import Category

    pendidikan = factories.CategoryFactory(name="Pendidikan")
    kesehatan = factories.CategoryFactory(name="Kesehatan")
    return {
        "pupr": dinas_pupr,
        "dikbud": dinas_dikbud,
        "kabupaten": kabupaten,
        "infrastruktur": kategori,
        "pendidikan": pendidikan,
        "kesehatan": kesehatan,
        "categories": Category.objects.all(),
    }


def make_citizen(email: str, full_name: str):
    return factories.UserFactory(email=email, full_name=full_name, roles=[rights.ROLE_WARGA])


@pytest.fixture
def showcase(portal, warga, warga_lain, moderator, petugas_pupr, tmp_path):
    """One of everything a public page shows, made through the services like the real thing:
    a published proposal with a photo, supports, a comment thread with a reply; a program from it
    with a running phase and a report; an open and a closed consultation with responses."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from consultations.models import Consultation, Response
    from participation import services as participation
    from participation.uploads import check_upload
    from programs import services as programs

    def photo(name):
        upload = SimpleUploadedFile(name, png_photo(tmp_path, name).read_bytes(), content_type="image/png")
        return [(upload, check_upload(upload))]

    desa = portal["kabupaten"].children.get().children.get(name="Desa Sukamaju")
    proposals = []
    for title, files in (
        ("Perbaikan jalan Dusun Krajan yang berlubang", photo("jalan.png")),
        ("Lampu penerangan di jembatan desa", []),
        ("Saluran irigasi Sawah Lor tersumbat", []),
    ):
        proposal = participation.create_proposal(
            actor=warga,
            data={"title": title, "description": "Sudah dua musim hujan tidak diperbaiki.\n\nMohon ditinjau.",
                  "category": portal["infrastruktur"], "work_unit": portal["pupr"], "region": desa,
                  "location_text": "RT 02/RW 05", "estimated_cost": 250_000_000, "volume": "800 meter"},
            files=files,
            submit=True,
        )
        proposals.append(participation.publish_proposal(actor=moderator, proposal=proposal))
    proposal = proposals[0]
    participation.support_proposal(actor=warga_lain, proposal=proposal)
    first = participation.post_comment(actor=warga_lain, target=proposal, body="Setuju, jalan ini dipakai anak sekolah.")
    participation.post_comment(actor=warga, target=proposal, body="Terima kasih dukungannya.", parent=first)
    waiting = participation.create_proposal(
        actor=warga,
        data={"title": "Posyandu butuh timbangan", "description": "Timbangan rusak.", "category": portal["kesehatan"],
              "work_unit": portal["dikbud"], "region": desa, "location_text": "", "estimated_cost": None, "volume": ""},
        files=[],
        submit=True,
    )

    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Rehabilitasi jalan Dusun Krajan", "description": "Pengaspalan ulang 800 meter.",
              "work_unit": portal["pupr"], "category": portal["infrastruktur"], "region": desa,
              "budget": 250_000_000, "fiscal_year": timezone.localdate().year},
        proposals=[proposals[1]],
    )
    planning = program.phases.get(kind="perencanaan")
    today = timezone.localdate()
    programs.start_phase(actor=petugas_pupr, phase=planning, on=today - timedelta(days=20))
    programs.post_update(actor=petugas_pupr, phase=planning, date=today - timedelta(days=5),
                         body="Survei lokasi dan desain teknis selesai.", files=photo("survei.png"))
    participation.post_comment(actor=warga_lain, target=program, body="Kapan mulai dikerjakan?")

    now = timezone.now()

    def consultation(title, opens, closes):
        return Consultation.objects.create(
            title=title, summary="Rancangan untuk ditanggapi warga sebelum ditetapkan.",
            body="Pasal 1\nJam layanan 08.00 sampai 15.00.\n\nPasal 2\nTidak dipungut biaya.",
            work_unit=portal["pupr"], category=portal["infrastruktur"], opens_at=opens, closes_at=closes,
            is_published=True, published_at=opens - timedelta(days=1), created_by=petugas_pupr,
        )

    open_one = consultation("Rancangan Standar Pelayanan Perizinan Bangunan", now - timedelta(days=3), now + timedelta(days=10))
    closed = consultation("Rancangan Perbup Retribusi Pasar", now - timedelta(days=30), now - timedelta(days=2))
    for target in (open_one, closed):
        for person, position, comment in (
            (warga_lain, Response.Position.AGREE, "Setuju, asal diumumkan di balai desa."),
            (factories.UserFactory(), Response.Position.DISAGREE, "Tarifnya terlalu tinggi."),
            (factories.UserFactory(), Response.Position.NEUTRAL, ""),
        ):
            Response.objects.create(consultation=target, author=person, position=position, comment=comment)
    Consultation.objects.filter(pk=closed.pk).update(
        follow_up="Tarif kios diturunkan 10% sesuai masukan warga.", follow_up_at=now - timedelta(days=1)
    )
    return {"proposal": proposal, "proposals": proposals, "waiting": waiting, "program": program,
            "open": open_one, "closed": closed}
