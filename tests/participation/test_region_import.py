import io

import pytest
from django.core.management import CommandError, call_command

from participation.models import Region
from participation.regions import RegionImportError, import_regions

pytestmark = pytest.mark.django_db

GOOD_CSV = """code,name,parent_code
33.10.01.2001,Desa Kalisari,33.10.01
33.10,Kabupaten Banyumili,
33.10.01,Kecamatan Sumber,33.10
33.10.02,Kecamatan Lor,33.10
"""


def test_import_builds_the_hierarchy_whatever_the_row_order():
    result = import_regions(io.StringIO(GOOD_CSV))
    assert (result.created, result.updated) == (4, 0)
    desa = Region.objects.get(code="33.10.01.2001")
    assert desa.level == Region.Level.DESA
    assert desa.parent.code == "33.10.01"
    assert desa.parent.parent.level == Region.Level.KABUPATEN


def test_importing_the_same_file_twice_changes_nothing():
    import_regions(io.StringIO(GOOD_CSV))
    result = import_regions(io.StringIO(GOOD_CSV))
    assert (result.created, result.updated) == (0, 0)
    assert Region.objects.count() == 4


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported():
    bad = GOOD_CSV + (
        ",Tanpa Kode,33.10\n"  # line 6
        "33.10.03,,33.10\n"  # line 7
        "33.10.04,Kecamatan Yatim,99.99\n"  # line 8
        "33.10.01,Kecamatan Ganda,33.10\n"  # line 9
        "33.10.01.2001.1,Dusun,33.10.01.2001\n"  # line 10
    )
    with pytest.raises(RegionImportError) as excinfo:
        import_regions(io.StringIO(bad))
    errors = "\n".join(excinfo.value.errors)
    assert "baris 6: kode kosong" in errors
    assert "baris 7: nama kosong" in errors
    assert "baris 8: induk '99.99'" in errors
    assert "baris 9: kode 33.10.01 sudah muncul di baris 4" in errors
    assert "baris 10:" in errors and "maksimal tiga tingkat" in errors
    assert Region.objects.count() == 0


def test_missing_header_is_refused():
    with pytest.raises(RegionImportError, match="header"):
        import_regions(io.StringIO("kode;nama\n1;A\n"))
    assert Region.objects.count() == 0


def test_management_command_reports_errors_and_fails(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text("code,name,parent_code\n33.10.01,Kecamatan Sumber,33.10\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="tidak ada wilayah yang diimpor"):
        call_command("import_regions", str(path), stderr=err)
    assert "baris 2" in err.getvalue()
    assert Region.objects.count() == 0

    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import_regions", str(path), stdout=out)
    assert "4 baru" in out.getvalue()


def test_management_command_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Tidak dapat membuka"):
        call_command("import_regions", str(tmp_path / "tidak-ada.csv"))
