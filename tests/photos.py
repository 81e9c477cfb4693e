"""Photo-like test images: what a phone camera sends (EXIF with a GPS position, camera make and
model, an orientation tag), with enough detail and noise that they compress like a real photo."""

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Somewhere in Kabupaten Contoh: what must never reach the public.
GPS_POSITION = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}


def photo_jpeg(width: int = 1600, height: int = 1200, *, orientation: int | None = None, quality: int = 90, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    small = Image.new("RGB", (max(width // 8, 1), max(height // 8, 1)))
    draw = ImageDraw.Draw(small)
    w, h = small.size
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=(90 + y * 100 // h, 130 + y * 60 // h, 200 - y * 120 // h))
    for _ in range(150):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(3, max(w // 5, 4))
        draw.ellipse((x, y, x + r, y + r * 2 // 3), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    # Detail and sensor noise at a quarter of the size, then scaled up: photo-like, and quick to make.
    detail = (max(width // 4, 1), max(height // 4, 1))
    image = small.resize(detail, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1))
    image = Image.blend(image, Image.effect_noise(detail, 40).convert("RGB"), 0.2)
    image = image.resize((width, height), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x010F] = "Telepon Contoh"
    exif[0x0110] = "Model 12"
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = GPS_POSITION
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` × `height` pixels: a decompression bomb's disguise."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


def has_metadata(data: bytes) -> list[str]:
    """What metadata an encoded image still carries (empty when clean)."""
    with Image.open(io.BytesIO(data)) as image:
        found = [key for key in ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "comment") if image.info.get(key)]
        if image.getexif():
            found.append("EXIF tags")
    return found
