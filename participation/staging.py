"""Files a proposal form already accepted, kept while the citizen fixes the rest of the form.

A phone upload of a few megabytes should happen once. When the form comes back with an error,
each file that passed its check is stored as a StagedUpload under the form's token (the hidden
`submission_token`), listed as "terlampir: foto-1.jpg ✕", and turned into an attachment when the
form is finally sent. Staged files of forms nobody finished are removed after
STAGED_UPLOAD_MAX_AGE_HOURS (`manage.py clean_staged_uploads`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from participation.images import ProcessedImage, Rendition, process_image
from participation.models import StagedUpload
from participation.uploads import IMAGE_MIME_TYPE, CheckedUpload, fill_stored_file, stored_names

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


def staged_for(owner, token: str) -> list[StagedUpload]:
    if not token or not getattr(owner, "is_authenticated", False):
        return []
    return list(StagedUpload.objects.filter(owner=owner, form_token=token))


def stage(owner, token: str, files: list) -> list[StagedUpload]:
    """Keep checked uploads for the form `token` of `owner`."""
    staged = []
    if not token:
        return staged
    for uploaded, checked in files:
        record = StagedUpload(owner=owner, form_token=token)
        fill_stored_file(record, uploaded, checked)
        record.save()
        staged.append(record)
    return staged


class StagedFile(File):
    """A staged file opened for `_add_attachments`, named as the citizen named it."""

    def __init__(self, staged: StagedUpload):
        staged.file.open("rb")
        super().__init__(staged.file.file, name=staged.original_name)
        self.size = staged.size


def as_uploads(staged: list[StagedUpload]) -> list[tuple[File, CheckedUpload]]:
    """The staged files in the shape the services take for fresh uploads."""
    return [(StagedFile(item), _checked(item)) for item in staged]


def _checked(item: StagedUpload) -> CheckedUpload:
    """A staged image is already cleaned: its renditions are copied to the attachment as they are.
    (One staged before images were cleaned holds an original: it is cleaned now.)"""
    if item.kind != StagedUpload.Kind.IMAGE:
        return CheckedUpload(item.kind, item.mime_type, EXTENSIONS.get(item.mime_type, ""))
    if item.renditions:
        storage = item.file.storage
        renditions = []
        for entry in item.renditions:
            with storage.open(entry["name"], "rb") as stored:
                renditions.append(Rendition(entry["width"], entry["height"], stored.read()))
        image = ProcessedImage(tuple(renditions))
    else:
        with item.file.open("rb") as stored:
            image = process_image(stored, name=item.original_name)
    return CheckedUpload(StagedUpload.Kind.IMAGE, IMAGE_MIME_TYPE, ".webp", image)


def discard(staged: list[StagedUpload]) -> None:
    """Remove staged rows now and their files once the transaction has committed."""
    if not staged:
        return
    names = [name for item in staged for name in stored_names(item.file.name, item.renditions)]
    storage = staged[0].file.storage
    StagedUpload.objects.filter(pk__in=[item.pk for item in staged]).delete()
    transaction.on_commit(lambda: _delete_files(storage, names))


def remove_abandoned(*, now=None) -> int:
    """Delete staged files older than STAGED_UPLOAD_MAX_AGE_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.STAGED_UPLOAD_MAX_AGE_HOURS)
    removed = 0
    while True:
        batch = list(StagedUpload.objects.filter(created_at__lt=cutoff).order_by("pk")[:500])
        if not batch:
            return removed
        with transaction.atomic():
            discard(batch)
        removed += len(batch)


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)
