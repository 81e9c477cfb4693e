from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the media folder into one new folder (see config/backups.py)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", help="folder that receives the backup folder (default: backups)")

    def handle(self, *args, **options):
        try:
            folder = create_backup(Path(options["to"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))
