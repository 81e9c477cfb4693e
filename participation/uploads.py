"""Checking uploaded files by their content, and serving stored ones safely.

Shared by every model that takes attachments (proposals, program updates, consultations):
an image must decode as JPEG, PNG or WebP; a PDF must carry the PDF signature and an
end-of-file marker. The extension and the browser's claimed type are never trusted.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Phone photos are large; they are accepted up to this size because they are shrunk for display.
IMAGE_MAX_BYTES = 20 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
# Pillow refuses images beyond this many pixels instead of exhausting memory (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "image" or "pdf"
    mime_type: str
    extension: str


def check_upload(uploaded, *, allow_images: bool = True, allow_pdf: bool = True) -> CheckedUpload:
    """Return what the file really is, or raise ValidationError with an Indonesian message."""
    name = uploaded.name
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
            with Image.open(uploaded) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            image_format = None
        finally:
            uploaded.seek(0)
        if image_format in IMAGE_FORMATS:
            mime_type, extension = IMAGE_FORMATS[image_format]
            return CheckedUpload("image", mime_type, extension)
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
    and kind where the model has it). The stored name is random; only the verified extension is kept."""
    record.original_name = uploaded.name[:200]
    record.mime_type = checked.mime_type
    record.size = uploaded.size
    if any(field.name == "kind" for field in record._meta.fields):
        record.kind = checked.kind
    record.file.save(f"x{checked.extension}", uploaded, save=False)

