"""The pages `make bench` measures for Musrenbang exist at the paths it builds from the seed manifest."""

from django.urls import resolve

from bench import musrenbang


def test_bench_pages_resolve_to_the_public_musrenbang_views():
    manifest = {"musrenbang": {"year": 2030, "desa": 400, "cycle_proposals": 10_000, "desa_forum": 1, "desa_forum_entries": 25,
                               "kecamatan_forum": 2, "kecamatan_forum_entries": 60, "kabupaten_forum": 3, "kabupaten_forum_entries": 200}}
    pages = musrenbang.pages(manifest)
    assert [resolve(path).view_name for _key, _label, path in pages] == [
        "musrenbang:cycle", "musrenbang:forums", "musrenbang:forum", "musrenbang:forum", "musrenbang:forum",
    ]
    assert musrenbang.pages({}) == []
