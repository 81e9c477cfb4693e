"""The pages the browser checks visit, built from the `showcase` fixture's objects."""


def public_pages(showcase) -> dict[str, str]:
    """Every page anyone may read, by a short name."""
    proposal, program = showcase["proposal"], showcase["program"]
    return {
        "beranda": "/",
        "daftar usulan": "/usulan/",
        "usulan tersaring": "/usulan/?q=jalan&kategori=&urut=dukungan",
        "detail usulan": proposal.get_absolute_url(),
        "riwayat usulan": f"{proposal.get_absolute_url()}riwayat/",
        "daftar program": "/program/",
        "detail program": program.get_absolute_url(),
        "riwayat program": f"{program.get_absolute_url()}riwayat/",
        "daftar uji publik": "/uji-publik/",
        "uji publik dibuka": showcase["open"].get_absolute_url(),
        "uji publik ditutup": showcase["closed"].get_absolute_url(),
        "riwayat uji publik": f"{showcase['closed'].get_absolute_url()}riwayat/",
        "data terbuka": "/data/",
        "statistik": "/statistik/",
        "kebijakan privasi": "/kebijakan-privasi/",
        "masuk": "/akun/login/",
        "daftar akun": "/akun/signup/",
        "lupa sandi": "/akun/password/reset/",
    }


def citizen_pages(showcase) -> dict[str, str]:
    """The forms and own pages of a signed-in citizen."""
    return {
        "usulan baru": "/usulan/baru/",
        "usulan saya": "/usulan/saya/",
        "profil": "/akun/profil/",
        "data pribadi": "/akun/data-saya/",
        "hapus akun": "/akun/hapus/",
        "notifikasi": "/notifikasi/",
        "pengaturan notifikasi": "/notifikasi/pengaturan/",
    }


def moderator_pages(showcase) -> dict[str, str]:
    return {
        "antrean moderasi": "/moderasi/",
        "ruang kerja (moderator)": "/kerja/",
        "usulan menunggu moderasi": showcase["waiting"].get_absolute_url(),
        "sunting teks usulan": f"/moderasi/sunting/usulan/{showcase['proposal'].pk}/",
    }


def official_pages(showcase) -> dict[str, str]:
    program = showcase["program"]
    return {
        "detail program (petugas)": program.get_absolute_url(),
        "kelola program": f"{program.get_absolute_url()}kelola/",
        "ruang kerja": "/kerja/",
        "tindak lanjut uji publik": f"{showcase['closed'].get_absolute_url()}tindak-lanjut/",
        "uji publik (petugas)": showcase["open"].get_absolute_url(),
    }
