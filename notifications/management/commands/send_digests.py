from django.core.management.base import BaseCommand

from notifications.tasks import send_daily_digests


class Command(BaseCommand):
    help = "Send each citizen one email with the notifications waiting for their daily digest (run once a day)."

    def handle(self, *args, **options):
        sent = send_daily_digests()
        self.stdout.write(f"Ringkasan harian terkirim: {sent}")
