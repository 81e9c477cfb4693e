"""What a phone downloads: the proposal list and a proposal with photos at 360 × 800 CSS pixels.

    python -m bench.phone_weight [--db bench] [--port 8191]     (make bench runs it after the pages)

Headless Chromium (Debian's /usr/bin/chromium through Playwright) opens each page in a fresh
context (empty cache, no cookies: a first visit) at 360 × 800 CSS pixels and a screen density of 2,
against the portal under gunicorn with production settings. Every request is counted with the
bytes Chromium itself received for it (`request.sizes()`: body as transferred plus headers), once
after the page loaded (the first screen: lazy images below it are not fetched yet) and once after
scrolling to the end (everything a reader who scrolls through gets). gunicorn does not compress
pages; whitenoise serves the CSS and JS compressed; a gzip proxy in front would shrink the HTML
further, not the photos.

Photos: the seeded data has none, so five published proposals get a 4000 × 3000 camera photo
(GPS in its EXIF, as a phone sends it) through the same upload check citizens go through, the
first of them three. They are made once per database and reused (titles start with "[foto bench]").
Writes bench-results/phone-weight-<db>.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.common import RESULTS, database_url, setup_django

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PHONE = {"viewport": {"width": 360, "height": 800}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TITLE_PREFIX = "[foto bench]"
PHOTO_PROPOSALS = 5


def proposals_with_photos() -> list[int]:
    """Five published proposals with camera photos, newest first on the list; made once."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts.models import User
    from participation import services
    from participation.models import Proposal
    from participation.uploads import check_upload
    from tests.photos import photo_jpeg

    existing = list(Proposal.objects.filter(title__startswith=TITLE_PREFIX).order_by("pk").values_list("pk", flat=True))
    if len(existing) >= PHOTO_PROPOSALS:
        Proposal.objects.filter(pk__in=existing).update(published_at=timezone.now())  # first on the list again
        return existing
    template = Proposal.objects.filter(status=Proposal.Status.PUBLISHED).select_related("author").order_by("pk").first()
    moderator = User.objects.filter(is_superuser=True).first() or User.objects.filter(groups__name="Moderator").first()
    made = []
    for n in range(PHOTO_PROPOSALS):
        photos = []
        for k in range(3 if n == 0 else 1):
            upload = SimpleUploadedFile(f"IMG_2026112{n}_08301{k}.jpg", photo_jpeg(4000, 3000, quality=92, seed=n * 10 + k), "image/jpeg")
            photos.append((upload, check_upload(upload)))
        proposal = services.create_proposal(
            actor=template.author,
            data={
                "title": f"{TITLE_PREFIX} Jembatan dan jalan rusak nomor {n + 1}",
                "description": "Foto kondisi terkini terlampir. " * 6,
                "category": template.category,
                "work_unit": template.work_unit,
                "region": template.region,
            },
            files=photos,
            submit=True,
        )
        services.publish_proposal(actor=moderator, proposal=proposal)
        made.append(proposal.pk)
    return made


def forget_cached_pages() -> None:
    """The anonymous page cache may still hold the list from before the photos (bench.run loads it)."""
    from django.core.cache import cache

    cache.clear()


def weigh(browser, base: str, path: str) -> dict:
    context = browser.new_context(base_url=base, locale="id-ID", **PHONE)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))

    def totals() -> dict:
        rows = []
        for request in finished:
            sizes = request.sizes()
            rows.append((request.resource_type, request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))
        photos = [size for kind, url, size in rows if "/lampiran/" in url]
        return {"requests": len(rows), "bytes": sum(size for *_, size in rows), "photos": len(photos), "photo_bytes": sum(photos)}

    response = page.goto(path, wait_until="load")
    assert response.ok, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")
    first_screen = totals()
    # Scroll step by step, as a reader does, so every lazy image gets its turn.
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + 800, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_load_state("networkidle")
    page.wait_for_function("[...document.images].every(img => img.complete)")
    scrolled = totals()
    context.close()
    return {"path": path, "first_screen": first_screen, "scrolled": scrolled}


def measure(base: str, db: str) -> dict | None:
    """Weigh the pages on the running portal at `base`; None (with a note) without Chromium."""
    if not CHROMIUM.exists():
        print(f"  phone weight: skipped, {CHROMIUM} is missing (make browsers)", flush=True)
        return None
    from playwright.sync_api import sync_playwright

    photo_ids = proposals_with_photos()
    forget_cached_pages()
    targets = [("Proposal list, first page", "/usulan/"), ("Proposal with 3 photos", f"/usulan/{photo_ids[0]}/")]
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for label, path in targets:
            row = {"label": label, **weigh(browser, base, path)}
            rows.append(row)
            first, scrolled = row["first_screen"], row["scrolled"]
            print(
                f"  phone 360px  {label:<28} first screen {first['bytes'] / 1024:6.1f} KB ({first['requests']} requests, "
                f"{first['photos']} photos {first['photo_bytes'] / 1024:.1f} KB); scrolled to the end {scrolled['bytes'] / 1024:6.1f} KB "
                f"({scrolled['photos']} photos {scrolled['photo_bytes'] / 1024:.1f} KB)",
                flush=True,
            )
        browser.close()
    result = {"device": PHONE, "pages": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"phone-weight-{db}.json").write_text(json.dumps(result, indent=2))
    lines = [
        "# Bytes transferred on a phone (360 × 800 CSS px, density 2, first visit)",
        "",
        "| page | path | first screen KB | requests | photos KB | scrolled to the end KB | photos | photos KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        first, scrolled = row["first_screen"], row["scrolled"]
        lines.append(
            f"| {row['label']} | `{row['path']}` | {first['bytes'] / 1024:.1f} | {first['requests']} | {first['photo_bytes'] / 1024:.1f} "
            f"| {scrolled['bytes'] / 1024:.1f} | {scrolled['photos']} | {scrolled['photo_bytes'] / 1024:.1f} |"
        )
    (RESULTS / f"phone-weight-{db}.md").write_text("\n".join(lines) + "\n")
    return result


def main(argv=None) -> dict | None:
    from bench.server import Gunicorn, collectstatic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench")
    parser.add_argument("--port", type=int, default=8191)
    args = parser.parse_args(argv)
    db_url = database_url(args.db)
    setup_django(db_url)
    collectstatic(db_url)
    server = Gunicorn(db_url, port=args.port, workers=2)
    with server.start():
        return measure(server.base, args.db)


if __name__ == "__main__":
    main()
