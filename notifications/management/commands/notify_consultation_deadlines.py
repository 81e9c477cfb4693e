from django.core.management.base import BaseCommand

from notifications.deadlines import notify_consultation_moments


class Command(BaseCommand):
    help = "Tell followers when consultations open, are closing within 24 hours, close, or get a follow-up (run every few minutes)."

    def handle(self, *args, **options):
        created = notify_consultation_moments()
        self.stdout.write(f"Notifikasi uji publik dibuat: {created}")
