"""A citizen's 4000 × 3000 phone photo costs a phone a few tens of KB, not megabytes.

The proposal list and the proposal page are opened at 360 × 800 CSS pixels on a phone screen of
density 2 and 3, in a fresh context (empty cache). What crosses the network for the photo is read
from Chromium's own accounting (`request.sizes()`: body as transferred plus headers).
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
CARD_BUDGET_BYTES = 40 * 1024


@pytest.fixture
def proposal_with_camera_photo(portal, warga, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from participation import services
    from participation.uploads import check_upload
    from tests.photos import photo_jpeg

    original = photo_jpeg(4000, 3000, quality=92)
    photo = SimpleUploadedFile("IMG_20261129_083012.jpg", original, content_type="image/jpeg")
    desa = portal["kabupaten"].children.get().children.get(name="Desa Sukamaju")
    proposal = services.create_proposal(
        actor=warga,
        data={"title": "Jembatan bambu Dusun Krajan rusak", "description": "Papan lantai jembatan patah di tiga tempat.",
              "category": portal["infrastruktur"], "work_unit": portal["pupr"], "region": desa},
        files=[(photo, check_upload(photo))],
        submit=True,
    )
    services.publish_proposal(actor=moderator, proposal=proposal)
    return proposal, len(original)


def watch_photos(page) -> list:
    """Every uploaded photo the page fetches from now on (the list keeps growing, e.g. when a lazy
    image scrolls into view)."""
    finished = []
    page.on("requestfinished", lambda request: finished.append(request) if "/lampiran/" in request.url else None)
    return finished


def transfers(requests) -> list[tuple[str, int]]:
    """(URL path, bytes transferred: body as sent plus headers) per photo request."""
    return [
        ("/" + request.url.split("://", 1)[1].split("/", 1)[1], request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])
        for request in requests
    ]


@pytest.mark.parametrize("density", [2, 3])
def test_a_camera_photo_on_a_phone_card_transfers_at_most_40_kb(new_page, proposal_with_camera_photo, density):
    proposal, original_bytes = proposal_with_camera_photo
    assert original_bytes > 1_000_000
    page = new_page(viewport=PHONE, device_scale_factor=density)
    photos = watch_photos(page)
    page.goto("/usulan/")
    cover = page.locator(".proposal-card img.cover")
    expect(cover).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=cover.element_handle())
    page.wait_for_load_state("networkidle")
    fetched = transfers(photos)
    assert [url for url, _size in fetched] == [f"/usulan/{proposal.pk}/lampiran/{proposal.attachments.get().pk}/320/"]
    assert 1_000 < fetched[0][1] <= CARD_BUDGET_BYTES, fetched  # a real photo, measured, within budget
    print(f"card photo at density {density}: {fetched[0][1]} bytes transferred (original {original_bytes} bytes)")


def test_the_proposal_page_on_a_phone_loads_a_thumbnail_and_links_the_large_photo(new_page, proposal_with_camera_photo):
    proposal, _original_bytes = proposal_with_camera_photo
    page = new_page(viewport=PHONE, device_scale_factor=2)
    photos = watch_photos(page)
    page.goto(proposal.get_absolute_url())
    photo = page.get_by_role("img", name="Foto lampiran: IMG_20261129_083012.jpg")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    page.wait_for_load_state("networkidle")
    fetched = transfers(photos)
    assert [url.rsplit("/", 2)[-2] for url, _size in fetched] == ["320"], fetched
    assert 1_000 < fetched[0][1] <= CARD_BUDGET_BYTES
    # The thumbnail opens the large version: 1280 pixels wide, still a fraction of the original.
    large = page.request.get(page.get_by_role("link", name="Foto lampiran: IMG_20261129_083012.jpg").get_attribute("href"))
    assert large.ok and large.headers["content-type"] == "image/webp" and len(large.body()) < 400_000
