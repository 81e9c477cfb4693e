"""Routing without guessing (the category's unit when the citizen picks none, region from the
profile) and an error summary that names every error and links to its field."""

import re

import pytest

from participation.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db
CREATE = "/usulan/baru/"


@pytest.fixture
def kategori_pupr(kategori, dinas_pupr):
    kategori.default_work_unit = dinas_pupr
    kategori.save()
    return kategori


def test_without_a_chosen_unit_the_proposal_goes_to_the_categorys_unit(client, warga, form_data, kategori_pupr, dinas_pupr):
    client.force_login(warga)
    response = client.post(CREATE, form_data(work_unit="", ajukan="1"))
    assert response.status_code == 302
    assert Proposal.objects.get().work_unit == dinas_pupr


def test_a_chosen_unit_wins_over_the_category_default(client, warga, form_data, kategori_pupr, dinas_dikbud):
    client.force_login(warga)
    client.post(CREATE, form_data(work_unit=dinas_dikbud.pk, ajukan="1"))
    assert Proposal.objects.get().work_unit == dinas_dikbud


@pytest.mark.parametrize("how", ["never-set", "unit-deleted", "unit-inactive"])
def test_a_category_without_a_working_unit_asks_for_one(client, warga, form_data, kategori, how):
    if how != "never-set":
        unit = factories.WorkUnitFactory(name="Dinas Perhubungan", short_name="Dishub")
        kategori.default_work_unit = unit
        kategori.save()
        if how == "unit-deleted":
            unit.delete()
        else:
            unit.is_active = False
            unit.save()
    client.force_login(warga)
    response = client.post(CREATE, form_data(work_unit="", ajukan="1"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "belum memiliki satuan kerja penanggung jawab. Pilih satuan kerja tujuan." in content
    assert '<a href="#id_work_unit">' in content
    assert Proposal.objects.count() == 0


def test_the_form_says_which_unit_will_handle_it(client, warga, kategori_pupr):
    client.force_login(warga)
    content = client.get(CREATE).content.decode()
    # Without JavaScript: the table of every category's unit, and the map the script reads.
    assert "Infrastruktur: Dinas Pekerjaan Umum dan Penataan Ruang" in content
    assert "data-category-units=" in content
    # After a round trip with the category chosen, the line itself names the unit.
    content = client.post(CREATE, {"category": kategori_pupr.pk, "title": "", "ajukan": "1"}).content.decode()
    assert "usulan kategori Infrastruktur akan ditangani Dinas Pekerjaan Umum dan Penataan Ruang" in content


def test_region_is_taken_from_the_profile(client, warga, desa):
    warga.region = desa
    warga.save()
    client.force_login(warga)
    content = client.get(CREATE).content.decode()
    assert re.search(rf'<option value="{desa.pk}" selected>', content)


def test_admin_sets_a_categorys_unit(client, admin, kategori, dinas_pupr):
    client.force_login(admin)
    response = client.post(
        f"/admin/participation/category/{kategori.pk}/change/",
        {"name": kategori.name, "slug": kategori.slug, "description": "", "default_work_unit": dinas_pupr.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    kategori.refresh_from_db()
    assert kategori.default_work_unit == dinas_pupr


def test_error_summary_lists_every_error_as_a_link_to_its_field(client, warga, form_data):
    client.force_login(warga)
    content = client.post(CREATE, form_data(title="", description="", region="", ajukan="1")).content.decode()
    summary = content.split('class="form-errors error-summary"')[1].split("</div>")[0]
    for field_id in ("id_title", "id_description", "id_region"):
        assert f'<a href="#{field_id}">' in summary
        assert f'id="{field_id}"' in content
    assert summary.count("<li>") == 3


def test_error_summary_on_other_forms_links_too(client, warga, usulan):
    client.force_login(warga)
    response = client.post("/akun/profil/", {"full_name": "", "phone": "abc"})
    content = response.content.decode()
    assert '<a href="#id_full_name">' in content and '<a href="#id_phone">' in content
