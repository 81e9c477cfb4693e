"""Recompute every stored `comment_count` with the one definition (`CommentQuerySet.counted()`).

Before, the counters were incremented on every comment and never decreased, so hidden and deleted
comments kept counting on cards and in the open data while the page left them out. The
definition is copied here (a migration must not import live code): not hidden, not deleted, and
not a reply under a hidden comment.
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

COUNTED_MODELS = [("participation", "proposal"), ("programs", "program"), ("consultations", "consultation")]


def recount(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Comment = apps.get_model("participation", "Comment")
    for app_label, model_name in COUNTED_MODELS:
        model = apps.get_model(app_label, model_name)
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:  # a fresh database: no comments yet
            continue
        counted = (
            Comment.objects.filter(content_type_id=content_type.pk, object_id=OuterRef("pk"), is_hidden=False, is_deleted=False)
            .filter(Q(parent__isnull=True) | Q(parent__is_hidden=False))
            .order_by()
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        model.objects.update(comment_count=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("participation", "0006_stored_search_document"),
        ("programs", "0002_rating_history"),
        ("consultations", "0003_response_times_from_service"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
