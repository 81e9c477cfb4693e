"""Phone list pages (folded filters, removable tags) and confirmations shown where the action happened."""

import pytest
from django.contrib.contenttypes.models import ContentType

from participation.comments import COMMENTS_PER_PAGE
from participation.models import Comment

pytestmark = pytest.mark.django_db


def tags_block(content: str) -> str:
    return content.split('class="filter-tags"')[1].split("</div>")[0] if 'class="filter-tags"' in content else ""


def test_chosen_filters_show_as_removable_tags(client, make_proposal, kategori, dinas_pupr):
    make_proposal(title="Jalan berlubang")
    content = client.get(f"/usulan/?kategori={kategori.pk}&satker={dinas_pupr.pk}&q=jalan&halaman=2&urut=terbaru").content.decode()
    tags = tags_block(content)
    # One tag per chosen filter; each link drops only its own filter (and the page number).
    assert 'href="/usulan/?satker=%d&amp;q=jalan&amp;urut=terbaru#hasil"' % dinas_pupr.pk in tags
    assert ">Infrastruktur <span" in tags
    assert ">PUPR <span" in tags and "“jalan”" in tags
    assert 'href="/usulan/#hasil"' in tags and "hapus semua" in tags
    assert "Terbaru" not in tags  # the default order is not a filter
    # The panel is folded once filters are applied: the tags say what is chosen.
    assert '<details class="filter-more">' in content and "<details class=\"filter-more\" open" not in content
    assert 'action="#hasil"' in content and 'id="hasil"' in content


def test_no_tags_without_filters_and_unknown_values_are_ignored(client, make_proposal):
    make_proposal()
    assert tags_block(client.get("/usulan/").content.decode()) == ""
    response = client.get("/usulan/?kategori=999999&status=bogus")
    assert response.status_code == 200 and tags_block(response.content.decode()) == ""


@pytest.mark.parametrize("path", ["/program/", "/uji-publik/"])
def test_program_and_consultation_lists_have_tags_too(client, kategori, path):
    content = client.get(f"{path}?kategori={kategori.pk}").content.decode()
    assert f'href="{path}#hasil"' in content and ">Infrastruktur <span" in content
    assert '<details class="filter-more">' in content


def test_support_confirmation_is_shown_at_the_support_box(client, usulan, warga_lain):
    client.force_login(warga_lain)
    response = client.post(f"/usulan/{usulan.pk}/dukung/")
    assert response["Location"] == f"/usulan/{usulan.pk}/#dukungan"
    content = client.get(response["Location"]).content.decode()
    box = content.split('id="dukungan"')[1].split('<div class="detail-main">')[0]
    assert "dukungan Anda telah tercatat" in box
    top = content.split('id="dukungan"')[0]
    assert "dukungan Anda telah tercatat" not in top  # not twice


def test_support_box_comes_before_the_description(client, usulan):
    content = client.get(usulan.get_absolute_url()).content.decode()
    assert content.index('id="dukungan"') < content.index('class="prose"')


def test_follow_confirmation_is_shown_at_the_follow_button(client, usulan, warga_lain):
    client.force_login(warga_lain)
    content_type = ContentType.objects.get_for_model(usulan).pk
    response = client.post(f"/ikuti/{content_type}/{usulan.pk}/")
    assert response["Location"] == f"/usulan/{usulan.pk}/#ikuti"
    content = client.get(response["Location"]).content.decode()
    assert "Anda akan diberi tahu setiap ada perubahan." in content.split('id="ikuti"')[1].split("</form>")[0]


def test_a_comment_lands_on_the_page_that_holds_it(client, usulan, warga_lain, warga):
    content_type = ContentType.objects.get_for_model(usulan)
    Comment.objects.bulk_create(
        [Comment(content_type=content_type, object_id=usulan.pk, author=warga, body=f"lama {i}") for i in range(45)]
    )
    client.force_login(warga_lain)
    response = client.post(f"/usulan/{usulan.pk}/komentar/", {"body": "Komentar ke-46"})
    comment = Comment.objects.get(body="Komentar ke-46")
    assert response["Location"] == f"/usulan/{usulan.pk}/?komentar=3#komentar-{comment.pk}"
    content = client.get(response["Location"]).content.decode()
    own = content.split(f'id="komentar-{comment.pk}"')[1].split("</article>")[0]
    assert "Komentar Anda telah dikirim." in own and "Komentar ke-46" in own

    # A reply to a comment on the first page lands on the first page.
    first = Comment.objects.filter(body="lama 0").get()
    response = client.post(f"/usulan/{usulan.pk}/komentar/", {"body": "Balasan", "parent": first.pk})
    reply = Comment.objects.get(body="Balasan")
    assert response["Location"] == f"/usulan/{usulan.pk}/#komentar-{reply.pk}"

    # Editing a comment on page 3 comes back to page 3, with the message at the comment.
    response = client.post(f"/komentar/{comment.pk}/ubah/", {"body": "Komentar ke-46, diperbaiki"})
    assert response["Location"] == f"/usulan/{usulan.pk}/?komentar=3#komentar-{comment.pk}"
    content = client.get(response["Location"]).content.decode()
    assert "Komentar diperbarui." in content.split(f'id="komentar-{comment.pk}"')[1].split("</article>")[0]


def test_hidden_comments_do_not_shift_a_citizens_page(client, usulan, warga_lain, warga):
    content_type = ContentType.objects.get_for_model(usulan)
    Comment.objects.bulk_create(
        [Comment(content_type=content_type, object_id=usulan.pk, author=warga, body=f"lama {i}", is_hidden=i < 5)
         for i in range(COMMENTS_PER_PAGE + 3)]
    )
    client.force_login(warga_lain)
    response = client.post(f"/usulan/{usulan.pk}/komentar/", {"body": "Baru"})
    # 23 earlier comments, 5 of them hidden: the citizen sees 18, so theirs is the 19th, on page 1.
    assert "?komentar=" not in response["Location"]


def test_a_failed_comment_explains_itself_at_the_comment_form(client, usulan, warga_lain):
    client.force_login(warga_lain)
    response = client.post(f"/usulan/{usulan.pk}/komentar/", {"body": "   "})
    assert response["Location"].endswith("#komentar")
    content = client.get(response["Location"]).content.decode()
    assert "Komentar tidak tersimpan" in content.split('id="komentar"')[1].split("<form")[0]


def test_a_placed_message_whose_place_is_missing_still_shows(client, make_proposal, warga, warga_lain):
    """A confirmation meant for the support box must not vanish when the next page has no such box."""
    proposal = make_proposal(status="published", author=warga)
    client.force_login(warga)  # the author may not support
    client.post(f"/usulan/{proposal.pk}/dukung/")
    content = client.get("/usulan/").content.decode()  # a page without the support box
    assert "pengusul tidak dapat mendukung usulannya sendiri" in content


def test_detail_page_queries_stay_pinned_with_placed_messages(client, usulan, warga_lain, django_assert_max_num_queries):
    client.force_login(warga_lain)
    client.post(f"/usulan/{usulan.pk}/dukung/")
    with django_assert_max_num_queries(16):
        client.get(f"/usulan/{usulan.pk}/")
