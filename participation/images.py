"""Photos as the public sees them: decoded, turned upright, stripped of metadata, re-encoded small.

Every uploaded image (proposal attachments, program progress photos, anything `check_upload`
accepts) goes through `process_image` before anything is stored. The original bytes are never
kept: a phone photo carries its GPS position, the camera's serial number and the time it was
taken, and a 4000-pixel photo is useless in a 320-pixel slot on a slow connection. What is stored
instead is a few WebP renditions (`DISPLAY_WIDTHS`), made from the decoded pixels only, so no
EXIF, XMP, ICC profile or comment survives.

WebP only, no JPEG fallback: every browser the portal supports (Chrome and the Android WebView
since 2014, Firefox 65, Safari 14 / iOS 14) displays it, and a second set of JPEG files would cost
storage for nobody.

Bounded memory and time: the header is read first and images beyond `MAX_SIDE` pixels per side or
`MAX_PIXELS` in total are refused before any pixel is decoded (decompression bombs declare their
size there). A JPEG is decoded at a reduced scale (libjpeg's DCT scaling, `Image.draft`) just large
enough for the widest rendition, so even a 50-megapixel photo needs about 10 MB of pixels; a PNG
or WebP has no such shortcut and is therefore limited to `MAX_PIXELS_UNSCALED`, about 64 MB of
RGBA pixels at most; everything after decoding works on the image already shrunk to the widest
rendition. Decoding time is proportional to those pixels (well under a second for a
phone photo).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, UnidentifiedImageError

DISPLAY_WIDTHS = (320, 640, 1280)
MAX_SIDE = 12_000
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo (8160 × 6120) passes
MAX_PIXELS_UNSCALED = 16_000_000  # PNG and WebP are decoded at full size
WEBP_QUALITY = 72
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXIF_ORIENTATION = 0x0112
ROTATED_ORIENTATIONS = (5, 6, 7, 8)  # the stored width is the displayed height

# Pillow's own guard, as a second line behind the explicit checks below: beyond twice this it
# raises DecompressionBombError instead of decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    renditions: tuple[Rendition, ...]  # narrowest first; the last one is the largest kept

    @property
    def largest(self) -> Rendition:
        return self.renditions[-1]


def rendition_widths(display_width: int) -> list[int]:
    """The widths made for an upright image this wide: every display width it exceeds, plus its own
    width (capped at the largest display width), so a small image is never enlarged."""
    largest = min(display_width, DISPLAY_WIDTHS[-1])
    return [*(width for width in DISPLAY_WIDTHS if width < largest), largest]


def process_image(uploaded, *, name: str) -> ProcessedImage:
    """Decode an uploaded image and return its clean WebP renditions, or raise ValidationError with
    an Indonesian message (code "not_an_image" when the content is no JPEG, PNG or WebP at all).
    `uploaded` is a file object positioned anywhere; it is read, not kept, and left open."""
    uploaded.seek(0)
    try:
        image = Image.open(uploaded)
    except Image.DecompressionBombError:
        raise _too_large(name, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_unreadable(name).message, code="not_an_image") from None
    try:
        return _process_opened(image, name)
    finally:
        # Free the pixels, but leave the upload open: it belongs to the caller (Pillow's close()
        # would close the file it was given).
        image.fp = image._fp = None
        image.close()
        uploaded.seek(0)


def _process_opened(image, name: str) -> ProcessedImage:
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(_unreadable(name).message, code="not_an_image")
    width, height = image.size
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_UNSCALED
    if width < 1 or height < 1 or max(width, height) > MAX_SIDE or width * height > limit:
        raise _too_large(name, (width, height))
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block must not stop the photo: it is thrown away anyway
        orientation = 1
    display_width = height if orientation in ROTATED_ORIENTATIONS else width
    if image.format == "JPEG":
        # Decode at the smallest DCT scale that still covers the widest rendition.
        scale = min(1.0, DISPLAY_WIDTHS[-1] / display_width)
        image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
    try:
        image.load()
        pixels = _upright_srgb(_shrunk(image, orientation), image.info, orientation)
    except Image.DecompressionBombError:
        raise _too_large(name, (width, height)) from None
    except Exception:  # any decoder failure means the file is not the image it claims to be
        raise _unreadable(name) from None
    renditions = []
    source = pixels
    for target in reversed(rendition_widths(pixels.width)):
        target_height = max(1, round(pixels.height * target / pixels.width))
        if (target, target_height) != source.size:
            source = source.resize((target, target_height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        renditions.append(Rendition(target, target_height, _encode_webp(source)))
    return ProcessedImage(tuple(reversed(renditions)))


# How each EXIF orientation is undone (as Pillow's ImageOps.exif_transpose does).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
RESIZABLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info)


def _shrunk(image, orientation: int):
    """The decoded pixels brought down to the widest rendition first, so every later step (turning,
    colour conversion, cleaning) works on at most 1280 pixels across instead of the full photo."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    elif image.mode not in RESIZABLE_MODES:
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    # The decoded size, which a JPEG draft may already have reduced.
    display_width = image.height if orientation in ROTATED_ORIENTATIONS else image.width
    if display_width <= DISPLAY_WIDTHS[-1]:
        return image
    scale = DISPLAY_WIDTHS[-1] / display_width
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _upright_srgb(image, info: dict, orientation: int):
    """Plain RGB or RGBA pixels, upright, in sRGB, with every piece of metadata left behind."""
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
    mode = "RGBA" if _has_alpha(image) else "RGB"
    converted = image.convert(mode)
    icc = info.get("icc_profile")
    if icc:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(converted, source_profile, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable profile: the pixels are taken as sRGB, which most are
    if mode == "RGBA" and converted.getchannel("A").getextrema() == (255, 255):
        converted = converted.convert("RGB")  # fully opaque: the alpha channel only costs bytes
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    return clean


def _encode_webp(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4, exif=b"", xmp=b"", icc_profile=None)
    return buffer.getvalue()


def _too_large(name: str, size) -> ValidationError:
    limits = {
        "name": name,
        "side": number_format(MAX_SIDE, force_grouping=True),
        "megapixels": MAX_PIXELS // 1_000_000,
    }
    if size is None:
        return ValidationError(
            _("Gambar %(name)s terlalu besar untuk diproses. Paling besar %(side)s piksel per sisi dan %(megapixels)d megapiksel; perkecil fotonya lalu unggah lagi.")
            % limits
        )
    return ValidationError(
        _("Gambar %(name)s terlalu besar untuk diproses (%(width)s × %(height)s piksel). Paling besar %(side)s piksel per sisi dan %(megapixels)d megapiksel (PNG dan WebP: %(unscaled)d megapiksel); perkecil fotonya lalu unggah lagi.")
        % {
            **limits,
            "width": number_format(size[0], force_grouping=True),
            "height": number_format(size[1], force_grouping=True),
            "unscaled": MAX_PIXELS_UNSCALED // 1_000_000,
        }
    )


def _unreadable(name: str) -> ValidationError:
    return ValidationError(
        _("Berkas %(name)s tidak dapat dibaca sebagai gambar JPEG, PNG, atau WebP (rusak, terpotong, atau bukan gambar).")
        % {"name": name}
    )
