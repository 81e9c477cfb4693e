"""Clean images stored before uploads were processed (normally done by `migrate`; see
participation.uploads.clean_stored_images). Run it again after a failure the migration reported,
e.g. when the bucket was unreachable; rows already cleaned are skipped."""

from django.core.management.base import BaseCommand, CommandError

from participation.models import Attachment
from participation.uploads import clean_stored_images
from programs.models import ProgramDocument


class Command(BaseCommand):
    help = "Replace stored original photos by clean renditions without metadata (idempotent)."

    def handle(self, *args, **options):
        total_left = 0
        for model in (Attachment, ProgramDocument):
            cleaned, left = clean_stored_images(model)
            total_left += left
            self.stdout.write(f"{model._meta.label}: {cleaned} cleaned, {left} left")
        if total_left:
            raise CommandError(f"{total_left} image(s) could not be cleaned (see the log); they are not served. Run again once the cause is fixed.")
