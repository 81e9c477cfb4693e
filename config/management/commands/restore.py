from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup` into the configured (empty) database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder, e.g. backups/partisipasi-20260101-010000")
        parser.add_argument("--replace", action="store_true", help="drop what the database and MEDIA_ROOT hold and replace it")

    def handle(self, *args, **options):
        try:
            restored = restore_backup(Path(options["folder"]), replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored {options['folder']} (made {restored['created_at']}): database and "
            f"{restored['restored_media_files']} media files. Run `manage.py migrate` if this release is newer than the backup."
        )
