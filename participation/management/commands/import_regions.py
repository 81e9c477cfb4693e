from django.core.management.base import BaseCommand, CommandError

from participation.regions import RegionImportError, import_regions


class Command(BaseCommand):
    help = "Import regions (kabupaten/kota, kecamatan, desa/kelurahan) from a CSV file: code,name,parent_code"

    def add_arguments(self, parser):
        parser.add_argument("csv_path")

    def handle(self, csv_path, **options):
        try:
            with open(csv_path, encoding="utf-8-sig", newline="") as handle:
                result = import_regions(handle)
        except OSError as exc:
            raise CommandError(f"Tidak dapat membuka {csv_path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"Berkas {csv_path} bukan teks UTF-8") from exc
        except RegionImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} baris bermasalah; tidak ada wilayah yang diimpor.") from exc
        self.stdout.write(f"Wilayah diimpor: {result.created} baru, {result.updated} diperbarui.")
