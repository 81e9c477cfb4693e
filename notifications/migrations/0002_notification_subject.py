import re

import django.db.models.deletion
from django.db import migrations, models

# Notifications written before the subject was stored: their link names the item.
SUBJECT_FROM_URL = [
    (re.compile(r"^/usulan/\d+/#komentar-(\d+)$"), ("participation", "comment")),
    (re.compile(r"^/(?:program|uji-publik)/\d+/#komentar-(\d+)$"), ("participation", "comment")),
    (re.compile(r"^/usulan/(\d+)/$"), ("participation", "proposal")),
    (re.compile(r"^/program/(\d+)/$"), ("programs", "program")),
    (re.compile(r"^/uji-publik/(\d+)/$"), ("consultations", "consultation")),
]


def subjects_from_urls(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {}
    for notification in Notification.objects.filter(subject_type__isnull=True).only("pk", "url").iterator():
        for pattern, (app_label, model) in SUBJECT_FROM_URL:
            match = pattern.match(notification.url)
            if match:
                if (app_label, model) not in types:
                    types[app_label, model] = ContentType.objects.get_or_create(app_label=app_label, model=model)[0]
                Notification.objects.filter(pk=notification.pk).update(
                    subject_type=types[app_label, model], subject_id=int(match.group(1))
                )
                break


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='subject_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='notification',
            name='subject_type',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.RunPython(subjects_from_urls, migrations.RunPython.noop),
    ]
