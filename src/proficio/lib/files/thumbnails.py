"""Small previews of students' images, made once when the file is stored, so a review queue
of photographed work does not send every full-size photo."""

from io import BytesIO
from typing import IO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

EDGE = 480  # pixels: the longer side of a preview
# Decoding a huge image to thumbnail it would take the server's memory: those get none. A
# JPEG decodes at an eighth of its size for a preview (a 48-megapixel phone photo is fine);
# other kinds decode whole, at up to 4 bytes a pixel.
PIXELS_MAX = 16_000_000
JPEG_PIXELS_MAX = 120_000_000


def thumbnail_of(stream: IO[bytes]) -> ContentFile | None:
    """A JPEG preview of the image in `stream`, at most EDGE pixels a side, turned upright;
    None when Pillow cannot read it (HEIC, a damaged file) or it is too large to decode."""
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            limit = JPEG_PIXELS_MAX if image.format == "JPEG" else PIXELS_MAX
            if image.width * image.height > limit:
                return None
            image.draft("RGB", (EDGE, EDGE))
            image.thumbnail((EDGE, EDGE))  # shrunk first: the copies below are small
            preview = ImageOps.exif_transpose(image).convert("RGB")
            out = BytesIO()
            preview.save(out, "JPEG", quality=82)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        stream.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")
