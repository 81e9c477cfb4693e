"""Fast seeder for the benchmark and the load test: realistic data at a chosen scale, via COPY.

    python -m bench.seed [--scale 1] [--db bench]

Scale 1 means 50,000 users, 100,000 proposals, 500,000 supports, 200,000 comments (1,000 of
them on one proposal), 1,000 programs with phases and progress updates, 200 consultations with
100,000 responses; `--scale 10` is ten times that, fractions work for quick runs (the load test
seeds at 0.01).

How it is fast: the schema comes from `migrate`, then every big table is filled with PostgreSQL
COPY through psycopg 3 (`cursor.copy().write_row`), rows generated in Python with explicit ids so
no row has to be read back. Foreign-key triggers are switched off for the seeding session
(`session_replication_role = replica`): the generator only writes ids it created. Counters
(`support_count`, `comment_count`) are computed from the very rows written and checked against
the tables with SQL at the end; a mismatch fails the seeding. No history rows are written.

The seeder writes a manifest (bench-results/manifest-<db>.json) naming the interesting objects
(the proposal with the long thread, a closed consultation, a deep page, ...) for the runner.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import time
from datetime import date, datetime, timedelta, timezone as dt_timezone

from bench.common import RESULTS, SEED_PASSWORD, database_url, manifest_path, recreate_database, setup_django

BASE = {
    "users": 50_000,
    "proposals": 100_000,
    "supports": 500_000,
    "comments": 200_000,
    "hot_comments": 1_000,
    "programs": 1_000,
    "consultations": 200,
    "responses": 100_000,
}
MINIMUM = {"users": 300, "proposals": 200, "programs": 10, "consultations": 5, "hot_comments": 30}

ACTIONS = [
    "Perbaikan", "Pembangunan", "Pengaspalan", "Rehabilitasi", "Pengadaan", "Pelebaran", "Normalisasi",
    "Penambahan", "Revitalisasi", "Pemeliharaan", "Pelatihan", "Penyuluhan", "Pendampingan", "Penataan",
]
OBJECTS = [
    "jalan desa", "jalan lingkungan", "drainase", "saluran irigasi", "jembatan gantung", "penerangan jalan umum",
    "posyandu", "puskesmas pembantu", "sumur bor", "sarana air bersih", "tempat pembuangan sampah", "pasar desa",
    "gedung PAUD", "ruang kelas SD", "taman bermain anak", "balai warga", "talud sungai", "tanggul banjir",
    "UMKM kerajinan", "kelompok tani", "bank sampah", "perpustakaan desa", "lapangan olahraga", "trotoar",
    "halte angkutan", "jaringan internet desa", "MCK umum", "embung desa", "rumah tidak layak huni", "gorong-gorong",
]
WORDS = (
    "warga mengeluhkan kondisi yang rusak parah sejak musim hujan tahun lalu sehingga anak sekolah dan petani "
    "kesulitan melintas setiap hari kami mengusulkan agar pemerintah daerah segera menindaklanjuti dengan anggaran "
    "tahun depan lokasi berada dekat masjid dan sekolah dasar banyak kendaraan roda dua terjatuh terutama malam hari "
    "karena penerangan kurang air menggenang berhari-hari menimbulkan nyamuk dan penyakit demam berdarah "
    "masyarakat siap bergotong royong membantu pelaksanaan pekerjaan dan pengawasan mutu hasil pembangunan "
    "usulan ini sudah dibahas dalam musrenbang desa dan didukung kepala dusun serta karang taruna "
    "panjang kurang lebih ratusan meter lebar tiga meter dengan kondisi berlubang dan licin "
    "pedagang pasar mengalami penurunan pendapatan karena akses yang sulit dan biaya angkut yang tinggi "
    "ibu hamil dan balita harus menempuh jarak jauh untuk mendapatkan layanan kesehatan dasar "
    "kelompok perempuan membutuhkan pelatihan pengolahan hasil pertanian dan pemasaran daring"
).split()
RARE_WORDS = ["longsor", "abrasi", "stunting", "sanitasi", "rabat", "paving", "biopori", "hidroponik", "kompos", "difabel"]
FIRST_NAMES = ["Siti", "Budi", "Agus", "Dewi", "Rina", "Andi", "Wahyu", "Sri", "Eko", "Nur", "Putu", "Made", "Yusuf", "Ani", "Hendra", "Lestari"]
LAST_NAMES = ["Rahayu", "Santoso", "Wibowo", "Lestari", "Saputra", "Hidayat", "Nugroho", "Kurniawan", "Pratama", "Siregar", "Harahap", "Wijaya"]
CATEGORIES = [
    "Infrastruktur", "Pendidikan", "Kesehatan", "Ekonomi dan UMKM", "Pertanian", "Lingkungan Hidup", "Sosial",
    "Kebudayaan", "Pariwisata", "Perhubungan", "Air Bersih dan Sanitasi", "Kepemudaan dan Olahraga",
]
WORK_UNITS = [
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR"), ("Dinas Pendidikan dan Kebudayaan", "DIKBUD"),
    ("Dinas Kesehatan", "DINKES"), ("Dinas Koperasi dan UMKM", "KOPUMKM"), ("Dinas Pertanian", "DISTAN"),
    ("Dinas Lingkungan Hidup", "DLH"), ("Dinas Sosial", "DINSOS"), ("Dinas Pariwisata", "DISPAR"),
    ("Dinas Perhubungan", "DISHUB"), ("Dinas Perumahan dan Kawasan Permukiman", "PERKIM"),
    ("Dinas Pemuda dan Olahraga", "DISPORA"), ("Dinas Komunikasi dan Informatika", "DISKOMINFO"),
    ("Badan Perencanaan Pembangunan Daerah", "BAPPEDA"), ("Badan Penanggulangan Bencana Daerah", "BPBD"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "DPMD"), ("Dinas Ketahanan Pangan", "DKP"),
]
KECAMATAN = 20
DESA_PER_KECAMATAN = 10
PUBLIC_STATUSES = ("published", "under_review", "accepted", "declined")


def scaled(scale: float) -> dict[str, int]:
    counts = {key: max(int(round(value * scale)), MINIMUM.get(key, 1)) for key, value in BASE.items()}
    return counts


class Seeder:
    def __init__(self, *, scale: float, db: str, port: int | None = None, seed: int = 7):
        self.scale = scale
        self.db = db
        self.port = port
        self.n = scaled(scale)
        self.rng = random.Random(seed)
        self.now = datetime.now(dt_timezone.utc).replace(microsecond=0)
        self.timings: dict[str, float] = {}
        self.rows: dict[str, int] = {}

    # --- plumbing ---------------------------------------------------------------------------------

    def copy(self, model, columns: list[str], rows) -> int:
        """COPY rows (tuples in `columns` order, attnames) into the model's table.

        Columns not given are filled with the field's default (a constant); a NOT NULL column
        without a default is a programming error and fails before any row is written.
        """
        fields = {field.attname: field for field in model._meta.concrete_fields}
        constants = []
        for field in model._meta.concrete_fields:
            if field.attname in columns:
                continue
            default = field.get_default()
            if default is None and not field.null:
                raise ValueError(f"{model._meta.db_table}.{field.column} needs a value")
            constants.append((field.column, default))
        names = [fields[name].column for name in columns] + [column for column, _ in constants]
        tail = tuple(value for _, value in constants)
        quoted = ", ".join(f'"{name}"' for name in names)
        sql = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'
        count = 0
        with self.cursor.copy(sql) as copy:
            if tail:
                for row in rows:
                    copy.write_row(row + tail)
                    count += 1
            else:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        self.rows[model._meta.db_table] = self.rows.get(model._meta.db_table, 0) + count
        return count

    def step(self, name: str, func) -> None:
        started = time.perf_counter()
        func()
        self.timings[name] = round(time.perf_counter() - started, 2)
        print(f"  {name:<28} {self.timings[name]:>7.2f} s", flush=True)

    def text(self, words: int) -> str:
        chosen = self.rng.choices(WORDS, k=words)
        if self.rng.random() < 0.15:
            chosen.insert(self.rng.randrange(len(chosen)), self.rng.choice(RARE_WORDS))
        return " ".join(chosen).capitalize() + "."

    def when(self, days_back: float) -> datetime:
        return self.now - timedelta(seconds=self.rng.random() * days_back * 86_400)

    # --- steps ------------------------------------------------------------------------------------

    def run(self) -> dict:
        from django.core.management import call_command
        from django.db import connection, transaction

        total_started = time.perf_counter()
        print(f"seeding database {self.db!r} at scale {self.scale}: {self.n}", flush=True)
        self.step("create database", lambda: recreate_database(self.db, port=self.port))
        self.step("migrate", lambda: call_command("migrate", verbosity=0))
        with transaction.atomic():
            connection.ensure_connection()
            raw = connection.connection
            self.cursor = raw.cursor()
            # Foreign-key checks are triggers; the generator only writes ids it created itself.
            self.cursor.execute("SET LOCAL session_replication_role = replica")
            self.step("reference data", self.reference_data)
            self.step("drop secondary indexes", self.drop_indexes)
            self.step("users", self.users)
            self.step("proposals", self.proposals)
            self.step("supports", self.supports)
            self.step("programs", self.programs)
            self.step("consultations", self.consultations)
            self.step("responses", self.responses)
            self.step("comments", self.comments)
            self.step("sequences", self.reset_sequences)
            self.step("recreate indexes", self.recreate_indexes)
            self.step("personas", self.personas)
            self.step("musrenbang", self.musrenbang)
        # Django keeps the connection in autocommit mode, which VACUUM needs.
        self.step("vacuum analyze", lambda: raw.execute("VACUUM (ANALYZE)"))
        self.step("check counters", self.check_counters)
        self.timings["total"] = round(time.perf_counter() - total_started, 2)
        manifest = self.manifest()
        RESULTS.mkdir(exist_ok=True)
        manifest_path(self.db).write_text(json.dumps(manifest, indent=2, default=str))
        print(f"seeded in {self.timings['total']:.1f} s; manifest: {manifest_path(self.db)}", flush=True)
        return manifest

    def reference_data(self) -> None:
        from django.contrib.auth.hashers import make_password
        from django.contrib.contenttypes.models import ContentType

        from accounts.models import WorkUnit
        from consultations.models import Consultation
        from participation.models import Category, Proposal, Region
        from programs.models import Program

        from django.utils.text import slugify

        Category.objects.bulk_create(
            [Category(id=i + 1, name=name, slug=slugify(name)) for i, name in enumerate(CATEGORIES)]
        )
        WorkUnit.objects.bulk_create(
            [WorkUnit(id=i + 1, name=name, short_name=short) for i, (name, short) in enumerate(WORK_UNITS)]
        )
        regions = [Region(id=1, code="33.99", name="Kabupaten Contoh", level=1, parent_id=None)]
        next_id = 2
        self.kecamatan_ids, self.desa_ids = [], []
        for k in range(KECAMATAN):
            kec_id = next_id
            next_id += 1
            regions.append(Region(id=kec_id, code=f"33.99.{k + 1:02d}", name=f"Kecamatan {k + 1:02d}", level=2, parent_id=1))
            self.kecamatan_ids.append(kec_id)
            for d in range(DESA_PER_KECAMATAN):
                regions.append(
                    Region(id=next_id, code=f"33.99.{k + 1:02d}.{2001 + d}", name=f"Desa {k + 1:02d}-{d + 1:02d}", level=3, parent_id=kec_id)
                )
                self.desa_ids.append(next_id)
                next_id += 1
        Region.objects.bulk_create(regions)
        self.category_ids = list(range(1, len(CATEGORIES) + 1))
        self.unit_ids = list(range(1, len(WORK_UNITS) + 1))
        self.password_hash = make_password(SEED_PASSWORD)
        self.ct = {
            "proposal": ContentType.objects.get_for_model(Proposal).pk,
            "program": ContentType.objects.get_for_model(Program).pk,
            "consultation": ContentType.objects.get_for_model(Consultation).pk,
        }

    BIG_TABLES = (
        "accounts_user", "account_emailaddress", "participation_proposal", "participation_support",
        "participation_comment", "consultations_response",
    )

    def drop_indexes(self) -> None:
        """Building an index once after COPY is far faster than updating it row by row (GIN above all).

        Only plain indexes go; those behind primary keys and unique constraints stay, so the data
        is still checked for duplicates as it arrives.
        """
        self.cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            (list(self.BIG_TABLES),),
        )
        self.deferred_indexes = self.cursor.fetchall()
        for name, _ in self.deferred_indexes:
            self.cursor.execute(f'DROP INDEX "{name}"')

    def recreate_indexes(self) -> None:
        self.cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in self.deferred_indexes:
            self.cursor.execute(definition)

    def users(self) -> None:
        from allauth.account.models import EmailAddress

        from accounts.models import User

        count = self.n["users"]
        rng = self.rng
        desa = self.desa_ids

        def user_rows():
            for i in range(1, count + 1):
                name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 16) % len(LAST_NAMES)]} {i}"
                joined = self.when(1_500)
                yield (i, f"warga{i}@bench.example", name, self.password_hash, True, joined, rng.choice(desa), joined)

        self.copy(User, ["id", "email", "full_name", "password", "is_active", "date_joined", "region_id", "privacy_consent_at"], user_rows())
        self.copy(
            EmailAddress,
            ["id", "user_id", "email", "verified", "primary"],
            ((i, i, f"warga{i}@bench.example", True, True) for i in range(1, count + 1)),
        )

    def proposals(self) -> None:
        from participation.models import Proposal

        n, rng = self.n["proposals"], self.rng
        users = self.n["users"]
        statuses = ["published"] * 86 + ["accepted"] * 4 + ["declined"] * 3 + ["submitted"] * 3 + ["draft"] * 2 + ["rejected"] * 1 + ["withdrawn"] * 1
        self.status = [""] * (n + 1)
        self.author = [0] * (n + 1)
        self.published_at: list[datetime | None] = [None] * (n + 1)
        self.supports_of = [0] * (n + 1)
        self.comments_of = [0] * (n + 1)
        for pk in range(1, n + 1):
            self.status[pk] = "published" if pk == 1 else rng.choice(statuses)
            self.author[pk] = rng.randint(1, users)
        # The pk with the long thread is the newest published proposal, like a topic everyone discusses.
        self.hot_proposal = 1
        public = [pk for pk in range(1, n + 1) if self.status[pk] in PUBLIC_STATUSES]
        self.public_proposals = public
        self.supportable = [pk for pk in public if self.status[pk] == "published"]
        self.accepted = [pk for pk in public if self.status[pk] == "accepted"]

        # Supports follow a long tail: a few proposals gather thousands, most a handful.
        weights = [1.0 / (rank + 10) ** 0.9 for rank in range(len(self.supportable))]
        order = self.supportable[:]
        rng.shuffle(order)
        cumulative = list(itertools.accumulate(weights))
        cap = users - 2
        for index in (bisect.bisect_left(cumulative, rng.random() * cumulative[-1]) for _ in range(self.n["supports"])):
            pk = order[min(index, len(order) - 1)]
            if self.supports_of[pk] < cap:
                self.supports_of[pk] += 1

        # Comments: the hot proposal gets its long thread, the rest of the proposal share is spread.
        self.comments_of[self.hot_proposal] = self.n["hot_comments"]
        proposal_share = int(self.n["comments"] * 0.9) - self.n["hot_comments"]
        for _ in range(max(proposal_share, 0)):
            self.comments_of[rng.choice(public)] += 1
        self.comment_budget_rest = self.n["comments"] - sum(self.comments_of)

        def rows():
            for pk in range(1, n + 1):
                status = self.status[pk]
                created = self.when(1_100)
                submitted = created + timedelta(hours=rng.randint(0, 48)) if status != "draft" else None
                published = None
                if status in PUBLIC_STATUSES:
                    published = submitted + timedelta(hours=rng.randint(1, 72))
                    if pk == 1:
                        published = self.now - timedelta(minutes=5)
                    published = min(published, self.now)
                self.published_at[pk] = published
                title = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} Desa {rng.randint(1, KECAMATAN):02d}-{rng.randint(1, DESA_PER_KECAMATAN):02d}"
                answer = self.text(25) if status in ("accepted", "declined") else ""
                answered_at = published + timedelta(days=rng.randint(1, 30)) if answer else None
                yield (
                    pk,
                    title,
                    self.text(rng.randint(40, 110)),
                    rng.choice(self.category_ids),
                    rng.choice(self.unit_ids),
                    rng.choice(self.desa_ids),
                    self.author[pk],
                    status,
                    published or submitted or created,
                    submitted,
                    published,
                    "Tidak sesuai ketentuan usulan." if status == "rejected" else "",
                    answer,
                    answered_at,
                    answered_at,
                    self.supports_of[pk],
                    self.comments_of[pk],
                    created,
                    published or submitted or created,
                    rng.choice([None, rng.randint(5, 900) * 1_000_000]),
                )

        self.copy(
            Proposal,
            [
                "id", "title", "description", "category_id", "work_unit_id", "region_id", "author_id", "status",
                "status_changed_at", "submitted_at", "published_at", "rejection_reason", "official_answer", "answered_at",
                "first_answered_at", "support_count", "comment_count", "created_at", "updated_at", "estimated_cost",
            ],
            rows(),
        )

    def supports(self) -> None:
        from participation.models import Support

        users, rng = self.n["users"], self.rng

        def rows():
            pk_id = 0
            for proposal in self.supportable:
                count = self.supports_of[proposal]
                if not count:
                    continue
                author_index = self.author[proposal] - 1
                # Consecutive users after the author, never wrapping round to the author.
                offset = rng.randint(0, users - 1 - count)
                start = self.published_at[proposal]
                span = max((self.now - start).total_seconds(), 60)
                for j in range(count):
                    pk_id += 1
                    user = (author_index + 1 + offset + j) % users + 1
                    yield (pk_id, proposal, user, start + timedelta(seconds=span * j / (count + 1)))

        self.copy(Support, ["id", "proposal_id", "user_id", "created_at"], rows())

    def programs(self) -> None:
        from programs.models import Phase, Program, ProgressUpdate

        n, rng = self.n["programs"], self.rng
        self.program_ids = list(range(1, n + 1))
        self.program_comments = [0] * (n + 1)
        stages = ["perencanaan"] * 30 + ["pelaksanaan"] * 30 + ["monev"] * 25 + ["selesai"] * 15
        kinds = [("perencanaan", 1), ("pelaksanaan", 2), ("monev", 3)]
        phases, updates = [], []
        links = []
        accepted = self.accepted[:]
        rng.shuffle(accepted)
        program_rows = []
        for pk in self.program_ids:
            stage = rng.choice(stages)
            created = self.when(900)
            current = {"perencanaan": 1, "pelaksanaan": 2, "monev": 3, "selesai": 4}[stage]
            day = created.date()
            for kind, order in kinds:
                planned_start = day + timedelta(days=(order - 1) * 90)
                phase_id = len(phases) + 1
                if order < current:
                    actual_start = day + timedelta(days=(order - 1) * 60)
                    actual_end = actual_start + timedelta(days=rng.randint(10, 59))
                    status, progress = "done", 100
                elif order == current:
                    actual_start = min(day + timedelta(days=(order - 1) * 60), self.now.date())
                    actual_end, status, progress = None, "running", rng.randint(5, 95)
                else:
                    actual_start = actual_end = None
                    status, progress = "not_started", 0
                phases.append(
                    (phase_id, pk, kind, order, planned_start, planned_start + timedelta(days=80), actual_start, actual_end, status, progress, "")
                )
                if status != "not_started":
                    for u in range(rng.randint(1, 4)):
                        update_day = min(actual_start + timedelta(days=7 * (u + 1)), self.now.date())
                        updates.append((len(updates) + 1, phase_id, update_day, self.text(30), None, created))
            for _ in range(rng.randint(1, 3)):
                if accepted:
                    links.append((len(links) + 1, pk, accepted.pop()))
            program_rows.append(pk)
        # Comments on programs: a 5% share of all comments.
        for _ in range(int(self.n["comments"] * 0.05)):
            self.program_comments[rng.choice(self.program_ids)] += 1

        def rows():
            for pk in program_rows:
                created = self.when(900)
                yield (
                    pk,
                    f"Program {rng.choice(ACTIONS).lower()} {rng.choice(OBJECTS)} {2023 + pk % 3}",
                    self.text(80),
                    rng.choice(self.unit_ids),
                    rng.choice(self.category_ids),
                    rng.choice(self.kecamatan_ids),
                    rng.randint(50, 5_000) * 1_000_000,
                    2023 + pk % 3,
                    self.program_comments[pk],
                    created,
                    created,
                )

        self.copy(
            Program,
            ["id", "title", "description", "work_unit_id", "category_id", "region_id", "budget", "fiscal_year", "comment_count", "created_at", "updated_at"],
            rows(),
        )
        self.copy(
            Phase,
            ["id", "program_id", "kind", "order", "planned_start", "planned_end", "actual_start", "actual_end", "status", "progress", "description"],
            phases,
        )
        self.copy(ProgressUpdate, ["id", "phase_id", "date", "body", "author_id", "created_at"], updates)
        self.copy(Program.source_proposals.through, ["id", "program_id", "proposal_id"], links)

    def consultations(self) -> None:
        from consultations.models import Consultation

        n, rng = self.n["consultations"], self.rng
        self.consultation_state = {}
        self.consultation_window = {}
        self.consultation_comments = [0] * (n + 1)
        rows = []
        for pk in range(1, n + 1):
            state = ("closed", "closed", "open", "open", "scheduled")[(pk - 1) % 5]
            if state == "closed":
                opens = self.now - timedelta(days=rng.randint(40, 700))
                closes = opens + timedelta(days=rng.randint(14, 30))
            elif state == "open":
                opens = self.now - timedelta(days=rng.randint(1, 20))
                closes = self.now + timedelta(days=rng.randint(5, 40))
            else:
                opens = self.now + timedelta(days=rng.randint(2, 30))
                closes = opens + timedelta(days=21)
            self.consultation_state[pk] = state
            self.consultation_window[pk] = (opens, min(closes, self.now))
            follow_up = self.text(40) if state == "closed" else ""
            rows.append(
                (
                    pk,
                    f"Uji publik rancangan {rng.choice(['peraturan daerah', 'standar pelayanan', 'rencana kerja'])} {rng.choice(OBJECTS)} {pk}",
                    self.text(30),
                    self.text(300),
                    rng.choice(self.unit_ids),
                    rng.choice(self.category_ids),
                    opens,
                    closes,
                    True,
                    opens - timedelta(days=3),
                    follow_up,
                    closes + timedelta(days=7) if follow_up else None,
                    0,
                    opens - timedelta(days=5),
                    opens - timedelta(days=3),
                )
            )
        for _ in range(int(self.n["comments"] * 0.05)):
            self.consultation_comments[rng.randint(1, n)] += 1
        rows = [row[:12] + (self.consultation_comments[row[0]],) + row[13:] for row in rows]
        self.copy(
            Consultation,
            [
                "id", "title", "summary", "body", "work_unit_id", "category_id", "opens_at", "closes_at", "is_published",
                "published_at", "follow_up", "follow_up_at", "comment_count", "created_at", "updated_at",
            ],
            rows,
        )

    def responses(self) -> None:
        from consultations.models import Response

        users, rng = self.n["users"], self.rng
        taking = [pk for pk, state in self.consultation_state.items() if state != "scheduled"]
        closed = [pk for pk in taking if self.consultation_state[pk] == "closed"]
        self.results_consultation = closed[0]
        total = self.n["responses"]
        per = {pk: 0 for pk in taking}
        per[self.results_consultation] = min(total // 10, users)
        for _ in range(total - per[self.results_consultation]):
            pk = rng.choice(taking)
            if per[pk] < users:
                per[pk] += 1
        self.responses_of = per
        positions = ["setuju"] * 5 + ["tidak_setuju"] * 3 + ["netral"] * 2

        def rows():
            pk_id = 0
            for consultation, count in per.items():
                offset = rng.randint(0, users - count)
                opens, closes = self.consultation_window[consultation]
                span = max((closes - opens).total_seconds(), 60)
                for j in range(count):
                    pk_id += 1
                    created = opens + timedelta(seconds=span * (j + 1) / (count + 2))
                    comment = self.text(rng.randint(8, 40)) if rng.random() < 0.3 else ""
                    yield (pk_id, consultation, offset + j + 1, rng.choice(positions), comment, created, created)

        self.copy(Response, ["id", "consultation_id", "author_id", "position", "comment", "created_at", "updated_at"], rows())

    def comments(self) -> None:
        from participation.models import Comment

        users, rng = self.n["users"], self.rng
        targets = [(self.ct["proposal"], pk, self.comments_of[pk], self.published_at[pk]) for pk in self.public_proposals if self.comments_of[pk]]
        targets += [(self.ct["program"], pk, c, self.now - timedelta(days=300)) for pk, c in enumerate(self.program_comments) if c]
        targets += [
            (self.ct["consultation"], pk, c, self.consultation_window[pk][0]) for pk, c in enumerate(self.consultation_comments) if c
        ]

        def rows():
            pk_id = 0
            for content_type, object_id, count, start in targets:
                span = max((self.now - start).total_seconds(), 60)
                top_level: list[int] = []
                for j in range(count):
                    pk_id += 1
                    parent = rng.choice(top_level) if top_level and rng.random() < 0.25 else None
                    if parent is None:
                        top_level.append(pk_id)
                    created = start + timedelta(seconds=span * (j + 1) / (count + 2))
                    yield (pk_id, content_type, object_id, parent, rng.randint(1, users), self.text(rng.randint(6, 45)), created)

        self.copy(Comment, ["id", "content_type_id", "object_id", "parent_id", "author_id", "body", "created_at"], rows())

    def reset_sequences(self) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        models = [model for model in apps.get_models(include_auto_created=True)]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            self.cursor.execute(statement)

    def personas(self) -> None:
        """Three logged-in people for the benchmark, with the activity a regular user has.

        A verified citizen who supports a share of the proposals on the list's first pages and
        the long thread, follows proposals, programs and consultations and has unread
        notifications; a moderator and an official (act-for right on the program's work unit).
        They are ordinary seeded accounts given roles after the bulk load, through the ORM, so
        the signals that grant work-unit rights run as in production.
        """
        from django.contrib.auth.models import Group

        from accounts import rights
        from accounts.models import User, WorkUnitMembership
        from notifications.models import Follow, Kind, Notification
        from participation.models import Support

        self.cursor.execute("SET LOCAL session_replication_role = origin")
        users = self.n["users"]
        citizen, moderator, official = users, users - 1, users - 2
        program = self.program_ids[len(self.program_ids) // 2]
        self.cursor.execute("SELECT work_unit_id FROM programs_program WHERE id = %s", (program,))
        official_unit = self.cursor.fetchone()[0]
        for user_id, role in ((citizen, rights.ROLE_WARGA), (moderator, rights.ROLE_MODERATOR), (official, rights.ROLE_PETUGAS)):
            User.objects.get(pk=user_id).groups.add(Group.objects.get(name=role))
        User.objects.filter(pk__in=[moderator, official]).update(is_staff=True)
        WorkUnitMembership.objects.create(user_id=official, work_unit_id=official_unit)

        # Supports: every third of the newest 60 supportable proposals and the long thread's proposal.
        newest = sorted(self.supportable, key=lambda pk: (self.published_at[pk], pk), reverse=True)[:60]
        chosen = sorted(set(newest[::3]) | {self.hot_proposal})
        already = set(Support.objects.filter(user_id=citizen, proposal_id__in=chosen).values_list("proposal_id", flat=True))
        fresh = [pk for pk in chosen if pk not in already and self.author[pk] != citizen]
        Support.objects.bulk_create([Support(user_id=citizen, proposal_id=pk) for pk in fresh])
        self.cursor.execute(
            "UPDATE participation_proposal SET support_count = support_count + 1 WHERE id = ANY(%s)", (fresh,)
        )
        for pk in fresh:
            self.supports_of[pk] += 1

        ct = self.ct
        follows = [(ct["proposal"], pk) for pk in chosen[:15]]
        follows += [(ct["program"], pk) for pk in self.program_ids[:5] + [program]]
        follows += [(ct["consultation"], pk) for pk in list(self.consultation_state)[:5]]
        Follow.objects.bulk_create(
            [Follow(user_id=citizen, content_type_id=c, object_id=o) for c, o in dict.fromkeys(follows)]
        )
        notifications = []
        for i in range(200):
            pk = chosen[i % len(chosen)]
            notifications.append(
                Notification(
                    recipient_id=citizen,
                    kind=Kind.PROPOSAL if i % 3 else Kind.REPLY,
                    message=f"Ada kabar baru tentang usulan #{pk} yang Anda ikuti.",
                    url=f"/usulan/{pk}/",
                    read_at=None if i >= 188 else self.now - timedelta(days=200 - i),
                )
            )
        Notification.objects.bulk_create(notifications)
        self.personas_of = {"citizen": citizen, "moderator": moderator, "official": official, "official_unit": official_unit}
        self.cursor.execute("SET LOCAL session_replication_role = replica")

    def check_counters(self) -> None:
        """The counters must equal the rows: fail loudly if the generator and the tables disagree."""
        from django.db import connection

        checks = {
            "proposal.support_count": """
                SELECT count(*) FROM participation_proposal p
                LEFT JOIN (SELECT proposal_id, count(*) AS n FROM participation_support GROUP BY proposal_id) s ON s.proposal_id = p.id
                WHERE p.support_count <> COALESCE(s.n, 0)""",
        }
        with connection.cursor() as cursor:
            for name, sql in checks.items():
                cursor.execute(sql)
                wrong = cursor.fetchone()[0]
                if wrong:
                    raise SystemExit(f"seeding failed: {wrong} rows where {name} does not match the rows")
        for name, wrong in wrong_comment_counts().items():
            if wrong:
                raise SystemExit(f"seeding failed: {wrong} rows where {name}.comment_count does not match the comments")

    def musrenbang(self) -> None:
        from bench import musrenbang

        self.musrenbang_manifest = musrenbang.seed(self)

    def manifest(self) -> dict:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM participation_proposal WHERE status IN ('published','under_review','accepted','declined') AND NOT is_hidden")
            public_count = cursor.fetchone()[0]
            cursor.execute(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN "
                "('accounts_user','participation_proposal','participation_support','participation_comment',"
                "'programs_program','programs_progressupdate','consultations_consultation','consultations_response')"
            )
            tables = dict(cursor.fetchall())
        pages = math.ceil(public_count / 20)
        open_consultation = next(pk for pk, state in self.consultation_state.items() if state == "open")
        return {
            "db": self.db,
            "scale": self.scale,
            "counts": self.n,
            "rows_written": self.rows,
            "table_rows": tables,
            "timings_s": self.timings,
            "seconds": self.timings.get("total"),
            "public_proposals": public_count,
            "list_pages": pages,
            "deep_page": max(pages // 2, 1),
            "hot_proposal": self.hot_proposal,
            "hot_proposal_comments": self.comments_of[self.hot_proposal],
            "program": self.program_ids[len(self.program_ids) // 2],
            "results_consultation": self.results_consultation,
            "results_consultation_responses": self.responses_of[self.results_consultation],
            "open_consultation": open_consultation,
            "users": self.n["users"],
            "user_email_pattern": "warga{i}@bench.example",
            "password": SEED_PASSWORD,
            "search_query": "jalan rusak",
            "rare_search_query": "longsor",
            "filter": {"kategori": 1, "wilayah": self.kecamatan_ids[0]},
            "personas": self.personas_of,
            **getattr(self, "musrenbang_manifest", {}),
        }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 proposals; 10 = ten times that")
    parser.add_argument("--db", default="bench", help="database name (dropped and recreated)")
    parser.add_argument("--port", type=int, default=None, help="PostgreSQL port on 127.0.0.1 (default 5432)")
    args = parser.parse_args(argv)
    setup_django(database_url(args.db, port=args.port))
    return Seeder(scale=args.scale, db=args.db, port=args.port).run()



def wrong_comment_counts() -> dict[str, int]:
    """Rows whose stored `comment_count` differs from `Comment.objects.counted()`, per model."""
    from django.db.models import F

    from consultations.models import Consultation
    from participation.models import Comment, Proposal
    from programs.models import Program

    return {
        model._meta.model_name: model.objects.annotate(counted=Comment.objects.counted_per_row(model))
        .exclude(comment_count=F("counted"))
        .count()
        for model in (Proposal, Program, Consultation)
    }


if __name__ == "__main__":
    main()
