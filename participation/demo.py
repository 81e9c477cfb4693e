"""Demo proposals for `seed_demo`: a few in each state, with supports and comments.

Idempotent: proposals are looked up by title and left alone when they exist.
"""

from django.utils import timezone

from accounts.models import User, WorkUnit
from participation import services
from participation.models import Category, Proposal, Region

DEMO_PROPOSALS = [
    # (title, description, category, unit, region code, final status, supporters)
    (
        "Perbaikan jalan rusak di Desa Sukamaju",
        "Jalan desa sepanjang 800 meter dari balai desa menuju SD Negeri 1 Sukamaju berlubang dan tergenang "
        "setiap hujan. Anak sekolah dan pedagang pasar kesulitan lewat.\n\nKami mengusulkan pengaspalan ulang "
        "dan pembuatan saluran air di kedua sisi jalan.",
        "Infrastruktur", "PUPR", "33.99.01.2001", "published", 2,
    ),
    (
        "Posyandu lansia di Desa Mekarsari",
        "Warga lanjut usia harus pergi 6 km ke puskesmas untuk pemeriksaan rutin. Kami mengusulkan posyandu "
        "lansia sebulan sekali di balai desa, dengan pemeriksaan tekanan darah dan gula darah.",
        "Kesehatan", "Dinkes", "33.99.01.2002", "published", 1,
    ),
    (
        "Penambahan ruang kelas SD Negeri 2 Cibening",
        "Satu ruang kelas dipakai bergantian oleh dua rombongan belajar. Dibutuhkan dua ruang kelas baru "
        "beserta mebelnya.",
        "Pendidikan", "Disdikbud", "33.99.02.2001", "published", 2,
    ),
    (
        "Tempat pembuangan sampah sementara di Kelurahan Kota Lama",
        "Sampah rumah tangga menumpuk di tepi sungai karena tidak ada TPS. Usul: TPS tertutup dan jadwal "
        "pengangkutan dua kali seminggu.",
        "Lingkungan Hidup", "DLH", "33.99.01.1003", "submitted", 0,
    ),
    (
        "Lampu penerangan jalan di Desa Wonosari",
        "Ruas jalan antara Dusun Krajan dan Dusun Kidul gelap total pada malam hari.",
        "Infrastruktur", "PUPR", "33.99.03.2002", "draft", 0,
    ),
]


def seed_participation() -> None:
    if Proposal.objects.exists():
        return
    author = User.objects.get(email="warga@demo.partisipasi.id")
    supporters = list(User.objects.filter(email__in=["warga2@demo.partisipasi.id", "moderator@demo.partisipasi.id"]))
    moderator = User.objects.get(email="moderator@demo.partisipasi.id")
    for title, description, category, unit, region_code, status, support_count in DEMO_PROPOSALS:
        proposal = services.create_proposal(
            actor=author,
            data={
                "title": title,
                "description": description,
                "category": Category.objects.get(name=category),
                "work_unit": WorkUnit.objects.get(short_name=unit),
                "region": Region.objects.get(code=region_code),
            },
            files=[],
            submit=status != "draft",
        )
        if status == "published":
            services.publish_proposal(actor=moderator, proposal=proposal)
            for supporter in supporters[:support_count]:
                services.support_proposal(actor=supporter, proposal=proposal)
            comment = services.post_comment(
                actor=supporters[0], target=proposal, body="Setuju sekali, kondisi ini sudah lama dikeluhkan warga."
            )
            services.post_comment(actor=author, target=proposal, body="Terima kasih dukungannya.", parent=comment)
    Proposal.objects.filter(published_at__isnull=False).update(published_at=timezone.now())
