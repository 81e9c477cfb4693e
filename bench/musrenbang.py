"""Musrenbang at the scale of a real kabupaten, for `make bench`: every desa of ~400 records its forum.

Called by bench/seed.py inside its seeding transaction (`seed(seeder)`), after the proposals exist.
It adds a second set of desa (one per existing desa, same kecamatan) so the kabupaten has ~400,
moves half the proposals of each desa there (their kecamatan stays the same, so other measurements
keep their meaning), and records a finished cycle: one forum per desa ranking up to 25 of its public
proposals (the top 3 advance), one per kecamatan (the top 10 advance, against a ceiling), and the
kabupaten forum handing the top half to their work units. `pages(manifest)` names what bench/run.py
measures: the funnel, a desa, a kecamatan and the kabupaten forum page, and the forum list.
"""

from __future__ import annotations

import datetime

PER_DESA = 25
DESA_ADVANCE = 3
KECAMATAN_ADVANCE = 10


def seed(seeder) -> dict:
    from django.db import connection

    from musrenbang.models import Ceiling, Cycle, CycleProposal, Decision, Forum, PriorityEntry, Reached, Stage
    from participation.models import Region

    rng = seeder.rng
    today = seeder.now.date()
    day = datetime.timedelta(days=1)
    year = today.year
    cycle = Cycle.objects.create(
        year=year, title=f"Musrenbang RKPD {year}", is_published=True,
        collect_start=today - 120 * day, desa_start=today - 90 * day, desa_end=today - 60 * day,
        kecamatan_start=today - 50 * day, kecamatan_end=today - 30 * day, kabupaten_start=today - 20 * day,
        kabupaten_end=today - 5 * day,
    )

    # A second desa beside each one: ~400 in all.
    originals = list(Region.objects.filter(level=Region.Level.DESA).values_list("pk", "code", "name", "parent_id"))
    next_id = Region.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    twin = {}
    new_regions = []
    for offset, (pk, code, name, parent_id) in enumerate(originals):
        twin[pk] = next_id + offset
        new_regions.append(Region(id=next_id + offset, code=code[:-4] + str(int(code[-4:]) + 1000), name=f"{name} Baru",
                                  level=Region.Level.DESA, parent_id=parent_id))
    Region.objects.bulk_create(new_regions)
    with connection.cursor() as cursor:
        for old, new in twin.items():
            cursor.execute("UPDATE participation_proposal SET region_id = %s WHERE region_id = %s AND id %% 2 = 0", [new, old])
        cursor.execute("SELECT setval(pg_get_serial_sequence('participation_region', 'id'), (SELECT max(id) FROM participation_region))")

    parent_of = dict(Region.objects.filter(level=Region.Level.DESA).values_list("pk", "parent_id"))
    by_desa: dict[int, list[tuple]] = {}
    for pk, region_id, cost, supports, unit_id in public_desa_proposals():
        chosen = by_desa.setdefault(region_id, [])
        if len(chosen) < PER_DESA:
            chosen.append((pk, cost, supports, unit_id))

    members = []
    for desa_id, proposals in by_desa.items():
        for pk, *_rest in proposals:
            members.append(CycleProposal(cycle=cycle, proposal_id=pk, kecamatan_id=parent_of[desa_id], entry=Reached.DESA, reached=Reached.DESA))
    CycleProposal.objects.bulk_create(members, batch_size=5000)
    member_of = dict(CycleProposal.objects.filter(cycle=cycle).values_list("proposal_id", "pk"))

    def forum(stage, region_id, held_on):
        return Forum(cycle=cycle, stage=stage, region_id=region_id, held_on=held_on, place="Balai pertemuan", chair="Pimpinan sidang",
                     participants_male=rng.randint(15, 60), participants_female=rng.randint(15, 60),
                     participants_youth=rng.randint(0, 10), participants_elderly=rng.randint(0, 10),
                     participants_disability=rng.randint(0, 3), participants_leaders=rng.randint(2, 8))

    desa_forums = Forum.objects.bulk_create(
        [forum(Stage.DESA, desa_id, today - rng.randint(61, 90) * day) for desa_id in by_desa], batch_size=2000
    )
    entries, reached = [], {}
    to_kecamatan: dict[int, list[tuple]] = {}
    for desa_forum in desa_forums:
        ranked = sorted(by_desa[desa_forum.region_id], key=lambda p: -p[2])
        for rank, (pk, cost, supports, unit_id) in enumerate(ranked, start=1):
            advances = rank <= DESA_ADVANCE
            entries.append(PriorityEntry(forum_id=desa_forum.pk, cycle_proposal_id=member_of[pk], rank=rank, cost=cost, supports=supports,
                                         decision=Decision.ADVANCE if advances else rng.choice([Decision.VILLAGE_FUND, Decision.POSTPONED, Decision.MERGED])))
            if advances:
                reached[pk] = Reached.KECAMATAN
                to_kecamatan.setdefault(parent_of[desa_forum.region_id], []).append((pk, cost, supports, unit_id))

    kecamatan_ids = list(to_kecamatan)
    for kecamatan_id in kecamatan_ids:
        Ceiling.objects.create(cycle=cycle, kecamatan_id=kecamatan_id, amount=rng.randint(3, 8) * 1_000_000_000)
    for unit_id in {p[3] for group in to_kecamatan.values() for p in group}:
        Ceiling.objects.create(cycle=cycle, work_unit_id=unit_id, amount=rng.randint(5, 20) * 1_000_000_000)
    kecamatan_forums = Forum.objects.bulk_create([forum(Stage.KECAMATAN, k, today - rng.randint(31, 50) * day) for k in kecamatan_ids])
    to_kabupaten = []
    for kecamatan_forum in kecamatan_forums:
        ranked = sorted(to_kecamatan[kecamatan_forum.region_id], key=lambda p: -p[2])
        for rank, (pk, cost, supports, unit_id) in enumerate(ranked, start=1):
            advances = rank <= KECAMATAN_ADVANCE
            entries.append(PriorityEntry(forum_id=kecamatan_forum.pk, cycle_proposal_id=member_of[pk], rank=rank, cost=cost, supports=supports,
                                         decision=Decision.ADVANCE if advances else Decision.POSTPONED))
            if advances:
                reached[pk] = Reached.KABUPATEN
                to_kabupaten.append((pk, cost, supports, unit_id))
    kabupaten_id = Region.objects.get(level=Region.Level.KABUPATEN).pk
    kabupaten_forum = Forum.objects.bulk_create([forum(Stage.KABUPATEN, kabupaten_id, today - 10 * day)])[0]
    to_kabupaten.sort(key=lambda p: -p[2])
    for rank, (pk, cost, supports, unit_id) in enumerate(to_kabupaten, start=1):
        advances = rank <= len(to_kabupaten) // 2
        entries.append(PriorityEntry(forum_id=kabupaten_forum.pk, cycle_proposal_id=member_of[pk], rank=rank, cost=cost, supports=supports,
                                     decision=Decision.ADVANCE if advances else Decision.NOT_KABUPATEN))
        if advances:
            reached[pk] = Reached.HANDED
    PriorityEntry.objects.bulk_create(entries, batch_size=5000)
    with connection.cursor() as cursor:
        for level in (Reached.KECAMATAN, Reached.KABUPATEN, Reached.HANDED):
            ids = [member_of[pk] for pk, value in reached.items() if value == level]
            cursor.execute("UPDATE musrenbang_cycleproposal SET reached = %s WHERE id = ANY(%s)", [level, ids])
        cursor.execute(
            "UPDATE musrenbang_cycleproposal SET stopped_at = 'desa' WHERE cycle_id = %s AND reached = 0", [cycle.pk]
        )

    busiest_desa = max(desa_forums, key=lambda f: len(by_desa[f.region_id]))
    busiest_kecamatan = max(kecamatan_forums, key=lambda f: len(to_kecamatan[f.region_id]))
    return {"musrenbang": {
        "year": year, "desa": len(by_desa), "cycle_proposals": len(members), "entries": len(entries),
        "desa_forum": busiest_desa.pk, "desa_forum_entries": len(by_desa[busiest_desa.region_id]),
        "kecamatan_forum": busiest_kecamatan.pk, "kecamatan_forum_entries": len(to_kecamatan[busiest_kecamatan.region_id]),
        "kabupaten_forum": kabupaten_forum.pk, "kabupaten_forum_entries": len(to_kabupaten),
    }}


def public_desa_proposals():
    """(pk, desa id, estimated cost, supports, unit id) of public proposals in a desa, in id order."""
    from participation.models import Proposal

    return (
        Proposal.objects.filter(status__in=Proposal.PUBLIC_STATUSES, is_hidden=False, region__level=3)
        .order_by("pk").values_list("pk", "region_id", "estimated_cost", "support_count", "work_unit_id").iterator(chunk_size=10_000)
    )


def pages(manifest: dict) -> list[tuple[str, str, str]]:
    """(key, label, path) of the Musrenbang pages bench/run.py measures; none when the seed has no cycle."""
    m = manifest.get("musrenbang")
    if not m:
        return []
    year = m["year"]
    return [
        ("musrenbang_funnel", f"Musrenbang funnel ({m['desa']} desa, {m['cycle_proposals']:,} proposals)", f"/musrenbang/{year}/"),
        ("musrenbang_forums", "Musrenbang forum list, first page", f"/musrenbang/{year}/forum/"),
        ("musrenbang_desa", f"Musrenbang desa forum ({m['desa_forum_entries']} ranked)", f"/musrenbang/{year}/forum/{m['desa_forum']}/"),
        ("musrenbang_kecamatan", f"Musrenbang kecamatan forum ({m['kecamatan_forum_entries']} ranked)", f"/musrenbang/{year}/forum/{m['kecamatan_forum']}/"),
        ("musrenbang_kabupaten", f"Musrenbang kabupaten forum ({m['kabupaten_forum_entries']} ranked)", f"/musrenbang/{year}/forum/{m['kabupaten_forum']}/"),
    ]
