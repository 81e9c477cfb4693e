"""Checking uploaded files by their content, and serving stored ones safely.

Shared by every model that takes attachments (proposals, program updates, consultations):
an image must decode as JPEG, PNG or WebP and is stored only as clean WebP renditions
(`participation.images`: upright, without metadata, in display sizes; the original is never
kept); a PDF must carry the PDF signature and an end-of-file marker. The extension and the
browser's claimed type are never trusted.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from participation.images import ProcessedImage, process_image

# Phone photos are large but shrunk on arrival; the limit only stops absurd uploads.
IMAGE_MAX_BYTES = 20 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIME_TYPE = "image/webp"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "image" or "pdf"
    mime_type: str  # of what is stored: image/webp for every image
    extension: str
    image: ProcessedImage | None = None  # the renditions that replace an uploaded image


def check_upload(uploaded, *, allow_images: bool = True, allow_pdf: bool = True) -> CheckedUpload:
    """Return what the file really is, or raise ValidationError with an Indonesian message."""
    name = uploaded.name
    if not uploaded.size:
        raise ValidationError(_("Berkas %(name)s kosong (0 byte). Pilih berkas yang benar.") % {"name": name})
    head = uploaded.read(8)
    uploaded.seek(0)
    if allow_pdf and head.startswith(b"%PDF-"):
        if uploaded.size > PDF_MAX_BYTES:
            raise ValidationError(_("Berkas PDF %(name)s lebih dari 10 MB.") % {"name": name})
        uploaded.seek(max(0, uploaded.size - 2048))
        tail = uploaded.read()
        uploaded.seek(0)
        if b"%%EOF" not in tail:
            raise ValidationError(_("Berkas %(name)s bukan PDF yang utuh.") % {"name": name})
        return CheckedUpload("pdf", "application/pdf", ".pdf")
    if allow_images:
        if uploaded.size > IMAGE_MAX_BYTES:
            raise ValidationError(_("Gambar %(name)s lebih dari 20 MB.") % {"name": name})
        try:
            return CheckedUpload("image", IMAGE_MIME_TYPE, ".webp", process_image(uploaded, name=name))
        except ValidationError as error:
            if error.code != "not_an_image":
                raise
    allowed = []
    if allow_images:
        allowed.append(_("gambar JPEG, PNG, atau WebP"))
    if allow_pdf:
        allowed.append(_("PDF"))
    raise ValidationError(
        _("Isi berkas %(name)s tidak sesuai. Yang diterima hanya %(allowed)s.")
        % {"name": name, "allowed": _(" atau ").join(allowed)}
    )


def serve_stored_file(field_file, *, original_name: str, mime_type: str) -> HttpResponse:
    """Hand a stored file to a visitor whose right to it the calling view has just checked.

    Streamed with headers that stop the browser from treating it as a page; or, with media on a
    bucket and MEDIA_SIGNED_URL_SECONDS set, a redirect to a signed URL that expires after that many
    seconds (the bucket itself stays private, so the URL is useless to anyone later). A missing file
    is a 404, not a 500.
    """
    from django.conf import settings
    from django.utils.http import content_disposition_header

    from config.storage import is_bucket

    as_attachment = mime_type == "application/pdf"
    if not field_file:
        raise Http404
    if settings.MEDIA_SIGNED_URL_SECONDS and is_bucket(field_file.storage):
        if not field_file.storage.exists(field_file.name):
            raise Http404
        url = field_file.storage.url(
            field_file.name,
            parameters={
                "ResponseContentType": mime_type,
                "ResponseContentDisposition": content_disposition_header(as_attachment, original_name),
            },
            expire=settings.MEDIA_SIGNED_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The URL stops working soon: no cache may keep the redirect longer than that.
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        opened = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(opened, as_attachment=as_attachment, filename=original_name, content_type=mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def random_file_name(folder: str, filename: str) -> str:
    """Where an upload is stored: a random name in `folder`, keeping only the (lower-cased) extension."""
    import uuid
    from pathlib import PurePath

    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:6]}"


def fill_stored_file(record, uploaded, checked: CheckedUpload) -> None:
    """Put a checked upload on an unsaved attachment-like record (file, original_name, mime_type, size,
    and kind where the model has it). The stored name is random; only the verified extension is kept.

    An image is stored as its renditions only (the largest in `file`, all of them in `renditions`);
    the uploaded original is not written anywhere.
    """
    record.original_name = uploaded.name[:200]
    record.mime_type = checked.mime_type
    if any(field.name == "kind" for field in record._meta.fields):
        record.kind = checked.kind
    if checked.image is None:
        record.size = uploaded.size
        record.file.save(f"x{checked.extension}", uploaded, save=False)
        return
    store_renditions(record, checked.image)


def store_renditions(record, image: ProcessedImage) -> None:
    """Write an image's renditions next to each other (`<name>.webp` the largest, `<name>-320.webp`
    ...) and list them on the record. If the storage fails half-way, what was written is removed."""
    from django.core.files.base import ContentFile

    largest = image.largest
    record.file.save("x.webp", ContentFile(largest.data), save=False)
    storage, stem = record.file.storage, record.file.name.removesuffix(".webp")
    entries = []
    try:
        for rendition in image.renditions[:-1]:
            name = storage.save(f"{stem}-{rendition.width}.webp", ContentFile(rendition.data))
            entries.append({"width": rendition.width, "height": rendition.height, "name": name, "size": len(rendition.data)})
    except Exception:
        for entry in entries:
            storage.delete(entry["name"])
        record.file.delete(save=False)
        raise
    entries.append({"width": largest.width, "height": largest.height, "name": record.file.name, "size": len(largest.data)})
    record.renditions = entries
    record.size = len(largest.data)


def stored_names(file_name: str, renditions) -> list[str]:
    """Every stored file of one record: its file and its image renditions (which include the file)."""
    names = [file_name] if file_name else []
    return names + [entry["name"] for entry in renditions or [] if entry["name"] != file_name]


def delete_stored_files(record) -> None:
    """Remove a record's file and its renditions from the storage (the caller deletes the row)."""
    storage = record.file.storage
    for name in stored_names(record.file.name, getattr(record, "renditions", None)):
        storage.delete(name)


def serve_upload(record, *, width: int | None = None) -> HttpResponse:
    """Serve an attachment-like record after the calling view checked the visitor's right to it.

    An image is served only as one of its renditions (`width`, or the largest); an image without
    renditions was never cleaned of its metadata and is not served at all.
    """
    from pathlib import PurePath

    if record.kind == "image":
        stored = record.rendition_file(width)
        if stored is None:
            raise Http404
        return serve_stored_file(stored, original_name=f"{PurePath(record.original_name).stem}.webp", mime_type=IMAGE_MIME_TYPE)
    if width is not None:
        raise Http404
    return serve_stored_file(record.file, original_name=record.original_name, mime_type=record.mime_type)


def clean_stored_images(model) -> tuple[int, int]:
    """Replace each image of `model` stored before uploads were processed (an original, with its
    metadata, and no renditions) by its clean renditions, and delete the original once that is
    committed. Returns (cleaned, left). Safe to run again: a cleaned row is never touched twice,
    and a row that fails (missing file, storage down, undecodable) stays as it was, never served,
    for the next run (`python manage.py clean_images`). One row per transaction, one photo in memory.
    """
    from django.db import transaction

    cleaned = left = 0
    pending = model._default_manager.filter(kind="image", renditions=[]).order_by("pk")
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            record = model._default_manager.select_for_update().filter(pk=pk, renditions=[]).first()
            if record is None:
                continue
            original = record.file.name
            try:
                with record.file.open("rb") as stored:
                    processed = process_image(stored, name=record.original_name)
                store_renditions(record, processed)
            except Exception as error:  # noqa: BLE001 - any storage or decoder failure leaves the row for the next run
                logger.warning("image %s %s not cleaned: %s", model._meta.label, pk, error)
                left += 1
                continue
            record.mime_type = IMAGE_MIME_TYPE
            record.save(update_fields=["file", "renditions", "size", "mime_type"])
            transaction.on_commit(lambda storage=record.file.storage, name=original: storage.delete(name))
            cleaned += 1
    return cleaned, left
