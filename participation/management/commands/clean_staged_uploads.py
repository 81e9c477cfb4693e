from django.core.management.base import BaseCommand

from participation.staging import remove_abandoned


class Command(BaseCommand):
    help = (
        "Remove files that proposal forms accepted but that were never sent "
        "(older than STAGED_UPLOAD_MAX_AGE_HOURS; run every hour or so)."
    )

    def handle(self, *args, **options):
        removed = remove_abandoned()
        self.stdout.write(f"{removed} staged upload(s) removed")
