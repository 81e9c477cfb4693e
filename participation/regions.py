"""Importing the region hierarchy from CSV: validate every row first, then write all or nothing."""

import csv
from dataclasses import dataclass, field

from django.db import transaction

from participation.models import Region

MAX_NAME_LENGTH = Region._meta.get_field("name").max_length
MAX_CODE_LENGTH = Region._meta.get_field("code").max_length


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class RegionImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def import_regions(lines) -> ImportResult:
    """Import rows `code,name,parent_code` (header required). Raises RegionImportError, writing nothing."""
    reader = csv.DictReader(lines)
    required = {"code", "name", "parent_code"}
    if reader.fieldnames is None or not required.issubset({name.strip() for name in reader.fieldnames}):
        raise RegionImportError(["baris 1: header harus berisi kolom code, name, parent_code"])

    existing = {region.code: region for region in Region.objects.all()}
    levels = {code: region.level for code, region in existing.items()}
    rows: list[tuple[int, str, str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}

    for line_number, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = (raw.get("name") or "").strip()
        parent_code = (raw.get("parent_code") or "").strip()
        if not code:
            errors.append(f"baris {line_number}: kode kosong")
            continue
        if len(code) > MAX_CODE_LENGTH:
            errors.append(f"baris {line_number}: kode {code!r} lebih dari {MAX_CODE_LENGTH} karakter")
            continue
        if code in seen:
            errors.append(f"baris {line_number}: kode {code} sudah muncul di baris {seen[code]}")
            continue
        seen[code] = line_number
        if not name:
            errors.append(f"baris {line_number}: nama kosong untuk kode {code}")
        elif len(name) > MAX_NAME_LENGTH:
            errors.append(f"baris {line_number}: nama lebih dari {MAX_NAME_LENGTH} karakter")
        if parent_code == code:
            errors.append(f"baris {line_number}: wilayah {code} tidak boleh menjadi induk dirinya sendiri")
        rows.append((line_number, code, name, parent_code))

    # Levels follow from parents, which may appear later in the file: resolve until stable.
    pending = list(rows)
    resolved_any = True
    file_levels: dict[str, int] = {}
    while pending and resolved_any:
        resolved_any = False
        still_pending = []
        for row in pending:
            _, code, _, parent_code = row
            if not parent_code:
                file_levels[code] = Region.Level.KABUPATEN
                resolved_any = True
            elif parent_code in file_levels or (parent_code in levels and parent_code not in seen):
                parent_level = file_levels.get(parent_code, levels.get(parent_code))
                file_levels[code] = parent_level + 1
                resolved_any = True
            else:
                still_pending.append(row)
        pending = still_pending
    for line_number, code, _, parent_code in pending:
        errors.append(f"baris {line_number}: induk {parent_code!r} untuk kode {code} tidak ditemukan")
    for line_number, code, _, parent_code in rows:
        level = file_levels.get(code)
        if level is not None and level > Region.Level.DESA:
            errors.append(f"baris {line_number}: {code} berada di bawah desa/kelurahan (maksimal tiga tingkat)")
        if code in existing and level is not None and existing[code].level != level:
            errors.append(f"baris {line_number}: kode {code} sudah ada dengan tingkat yang berbeda")

    if errors:
        raise RegionImportError(errors)

    result = ImportResult()
    with transaction.atomic():
        by_code = dict(existing)
        for _, code, name, parent_code in sorted(rows, key=lambda row: file_levels[row[1]]):
            parent = by_code[parent_code] if parent_code else None
            region = by_code.get(code)
            if region is None:
                region = Region.objects.create(code=code, name=name, level=file_levels[code], parent=parent)
                result.created += 1
            elif region.name != name or region.parent_id != (parent.pk if parent else None):
                region.name = name
                region.parent = parent
                region.save(update_fields=["name", "parent"])
                result.updated += 1
            by_code[code] = region
    return result
