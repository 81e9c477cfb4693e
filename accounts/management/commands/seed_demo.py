"""Demo data for trying the portal: a region, categories, work units and one account per role.

Idempotent: running it again changes nothing. Refuses to run with DEBUG off, because it
creates accounts with published passwords.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import rights
from accounts.models import User, WorkUnit, WorkUnitMembership
from participation.models import Category, Region

DEMO_PASSWORD = "demo-partisipasi-2026"

REGIONS = [
    ("33.99", "Kabupaten Contoh", ""),
    ("33.99.01", "Kecamatan Sukamaju", "33.99"),
    ("33.99.01.2001", "Desa Sukamaju", "33.99.01"),
    ("33.99.01.2002", "Desa Mekarsari", "33.99.01"),
    ("33.99.01.1003", "Kelurahan Kota Lama", "33.99.01"),
    ("33.99.02", "Kecamatan Cibening", "33.99"),
    ("33.99.02.2001", "Desa Cibening", "33.99.02"),
    ("33.99.02.2002", "Desa Tanjungsari", "33.99.02"),
    ("33.99.03", "Kecamatan Karanganyar", "33.99"),
    ("33.99.03.2001", "Desa Karanganyar", "33.99.03"),
    ("33.99.03.2002", "Desa Wonosari", "33.99.03"),
    ("33.99.03.2003", "Desa Banyuurip", "33.99.03"),
]

CATEGORIES = [
    ("Infrastruktur", "Jalan, jembatan, drainase, dan fasilitas umum."),
    ("Pendidikan", "Sekolah, beasiswa, dan sarana belajar."),
    ("Kesehatan", "Puskesmas, posyandu, dan layanan kesehatan."),
    ("Ekonomi dan UMKM", "Pasar, pelatihan usaha, dan koperasi."),
    ("Lingkungan Hidup", "Sampah, air bersih, dan ruang terbuka hijau."),
    ("Sosial", "Bantuan sosial, disabilitas, dan lansia."),
    ("Pertanian", "Irigasi, pupuk, dan penyuluhan pertanian."),
]

# Which unit takes a category's proposals when the citizen picks none (Ekonomi dan UMKM has none:
# the form then asks for a unit).
CATEGORY_UNITS = {
    "Infrastruktur": "PUPR",
    "Pendidikan": "Disdikbud",
    "Kesehatan": "Dinkes",
    "Lingkungan Hidup": "DLH",
    "Sosial": "Dinsos",
    "Pertanian": "PUPR",
}

WORK_UNITS = [
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR", "Jalan, jembatan, irigasi, dan tata ruang."),
    ("Dinas Pendidikan dan Kebudayaan", "Disdikbud", "Pendidikan dasar, PAUD, dan kebudayaan."),
    ("Dinas Kesehatan", "Dinkes", "Puskesmas, posyandu, dan program kesehatan masyarakat."),
    ("Dinas Lingkungan Hidup", "DLH", "Persampahan, kebersihan, dan pengendalian pencemaran."),
    ("Dinas Sosial", "Dinsos", "Perlindungan dan jaminan sosial."),
]

# (email, full name, role, work unit short name or None, is_staff)
ACCOUNTS = [
    ("warga@demo.partisipasi.id", "Siti Rahmawati", rights.ROLE_WARGA, None, False),
    ("warga2@demo.partisipasi.id", "Budi Santoso", rights.ROLE_WARGA, None, False),
    ("moderator@demo.partisipasi.id", "Dewi Lestari", rights.ROLE_MODERATOR, None, True),
    ("petugas.pupr@demo.partisipasi.id", "Agus Hidayat", rights.ROLE_PETUGAS, "PUPR", True),
    ("petugas.dikbud@demo.partisipasi.id", "Rina Marlina", rights.ROLE_PETUGAS, "Disdikbud", True),
    ("admin@demo.partisipasi.id", "Administrator Portal", rights.ROLE_ADMIN, None, True),
    # Operator of Kecamatan Sukamaju and its desa (musrenbang.demo grants the region).
    ("operator@demo.partisipasi.id", "Rahmat Hidayat", rights.ROLE_OPERATOR, None, False),
]


class Command(BaseCommand):
    help = "Load demo regions, categories, work units and one account per role (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with known passwords; it runs only with DEBUG=true.")
        self._regions()
        self._categories()
        units = self._work_units()
        for name, short_name in CATEGORY_UNITS.items():
            Category.objects.filter(name=name, default_work_unit__isnull=True).update(default_work_unit=units[short_name])
        self._accounts(units)
        # The one place that knows every app's demo data; imported late so accounts stays at the bottom.
        from consultations.demo import seed_consultations
        from participation.demo import seed_participation
        from musrenbang.demo import seed_musrenbang
        from programs.demo import seed_programs

        seed_participation()
        seed_programs()
        seed_consultations()
        from workspace.demo import seed_workspace

        seed_workspace()
        seed_musrenbang()
        self.stdout.write(self.style.SUCCESS("Data demo siap. Akun demo (kata sandi sama untuk semua):"))
        for email, name, role, unit, _ in ACCOUNTS:
            suffix = f" ({unit})" if unit else ""
            self.stdout.write(f"  {role + suffix:<32} {email}")
        self.stdout.write(f"  kata sandi: {DEMO_PASSWORD}")

    def _regions(self):
        by_code = {}
        for code, name, parent_code in REGIONS:
            parent = by_code.get(parent_code)
            level = Region.Level.KABUPATEN if parent is None else parent.level + 1
            region, _ = Region.objects.get_or_create(
                code=code, defaults={"name": name, "level": level, "parent": parent}
            )
            by_code[code] = region

    def _categories(self):
        for name, description in CATEGORIES:
            Category.objects.get_or_create(name=name, defaults={"description": description})

    def _work_units(self):
        units = {}
        for name, short_name, description in WORK_UNITS:
            unit, _ = WorkUnit.objects.get_or_create(
                short_name=short_name,
                defaults={"name": name, "description": description, "contact": f"{short_name.lower()}@example.go.id"},
            )
            units[short_name] = unit
        return units

    def _accounts(self, units):
        region = Region.objects.filter(level=Region.Level.DESA).first()
        for email, full_name, role, unit_name, is_staff in ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    region=region,
                    is_staff=is_staff,
                    is_superuser=role == rights.ROLE_ADMIN,
                )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            user.groups.add(Group.objects.get(name=role))
            if unit_name:
                WorkUnitMembership.objects.get_or_create(user=user, work_unit=units[unit_name])
