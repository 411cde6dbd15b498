"""Photos of risk points: checking an upload is a real JPEG or PNG, its EXIF GPS place, and thumbnails.

:func:`read_photo` takes the bytes of an upload and either returns a :class:`Photo` or raises a
coded :class:`~hotspots.errors.ValidationError`. It never trusts the file's name: the format is
read from the content, the size is checked before anything is decoded, and the pixel count
declared by the image's header is checked before the pixels are (an *image bomb* declares
hundreds of megapixels in a few kilobytes). Only then is the whole image decoded, which
catches truncated and fake files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin
from PIL.ExifTags import IFD

from hotspots.config import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS
from hotspots.errors import ValidationError
from hotspots.i18n import make_problem, message

#: The formats accepted, by Pillow's name: ``(mime type, file extension)``.
PHOTO_FORMATS: Final[Mapping[str, tuple[str, str]]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
}
#: The longest original file name kept (the name is only shown; the stored file is named by its hash).
MAX_PHOTO_NAME_LENGTH: Final = 200
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE: Final = b"\xff\xd8\xff"
# ISO base-media brands of the photos phones take when not set to "most compatible".
_HEIF_BRANDS: Final = {b"heic": "HEIC", b"heix": "HEIC", b"hevc": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}
_OPENERS: Final = {"JPEG": JpegImagePlugin.JpegImageFile, "PNG": PngImagePlugin.PngImageFile}
# GPS IFD tags (EXIF 2.3): latitude reference and value, longitude reference and value.
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


@dataclass(frozen=True)
class Photo:
    """A checked photo, ready to store.

    Parameters
    ----------
    filename
        The name the user's file had (only shown; never used as a path).
    data
        The file's bytes, unchanged.
    sha256
        Hex SHA-256 of ``data``: the stored file's name.
    mime
        ``"image/jpeg"`` or ``"image/png"``, from the content.
    extension
        ``"jpg"`` or ``"png"``, from the content.
    width, height
        Pixels, as stored (before any EXIF rotation).
    location
        ``(lon, lat)`` in WGS 84 degrees from the photo's EXIF GPS tags, or ``None``.
    """

    filename: str
    data: bytes = field(repr=False)
    sha256: str
    mime: str
    extension: str
    width: int
    height: int
    location: tuple[float, float] | None


#: The last bytes of a whole file of each kind: JPEG's end-of-image marker, PNG's ``IEND`` chunk.
_FILE_ENDS: Final[Mapping[str, bytes]] = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82"}
#: Bytes a camera or an editor may leave after the end of the image (a trailer; zero padding is skipped).
_TAIL_BYTES: Final = 4096


def _ends_whole(data: bytes, kind: str) -> bool:
    """Tell whether the file ends as a whole one of its kind does (a cut-off upload does not).

    Pillow's own check is switched off process-wide by ``ImageFile.LOAD_TRUNCATED_IMAGES``,
    which WeasyPrint sets when it is imported (for the printable sheets): this one is not.
    """
    return _FILE_ENDS[kind] in data.rstrip(b"\0")[-_TAIL_BYTES:]


def read_photo(data: bytes, filename: str) -> Photo:
    """Check the bytes of an uploaded photo and return it as a :class:`Photo`.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The name the user's file had; shown in messages and kept as text, never trusted
        for the format or as a path.

    Returns
    -------
    Photo

    Raises
    ------
    ValidationError
        Coded ``photo_too_large`` (over :data:`~hotspots.config.MAX_PHOTO_BYTES`),
        ``photo_not_image`` (not an image at all, whatever its name), ``photo_format``
        (an image, but not JPEG or PNG), ``photo_too_many_pixels`` (over
        :data:`~hotspots.config.MAX_PHOTO_PIXELS`, checked before decoding) or
        ``photo_damaged`` (truncated or corrupt).

    Examples
    --------
    >>> photo = read_photo(upload.getvalue(), upload.name)  # doctest: +SKIP
    >>> photo.mime, photo.location  # doctest: +SKIP
    ('image/jpeg', (107.1234, 21.0123))
    """
    data = bytes(data)
    name = clean_filename(filename)
    image, kind = _checked_header(data, name)
    if not _ends_whole(data, kind):
        raise _refusal("photo_damaged", name=name)
    try:
        image.load()
    except Exception:  # Pillow raises OSError, SyntaxError, EOFError, ValueError... for broken files
        raise _refusal("photo_damaged", name=name) from None
    mime, extension = PHOTO_FORMATS[kind]
    width, height = image.size
    return Photo(
        filename=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        mime=mime,
        extension=extension,
        width=int(width),
        height=int(height),
        location=_gps_location(image),
    )


def exif_location(data: bytes) -> tuple[float, float] | None:
    """Return where a photo was taken, ``(lon, lat)`` in WGS 84 degrees, from its EXIF GPS tags.

    Degrees, minutes and seconds are turned into decimal degrees, negative south of the
    equator and west of Greenwich. Never raises: a file that is not a photo, a photo
    without GPS tags, malformed tags, a place off the globe or the ``0, 0`` that cameras
    write without a fix all give ``None``.

    Examples
    --------
    >>> exif_location(jpeg_bytes)  # doctest: +SKIP
    (107.1234, 21.0123)
    """
    try:
        image, _ = _checked_header(bytes(data), "")
        return _gps_location(image)
    except Exception:  # documented: bad input gives None
        return None


def thumbnail_data_uri(data: bytes, max_px: int = 320) -> str:
    """Return a small JPEG copy of a photo as a ``data:image/jpeg;base64,...`` URI (for map popups).

    The EXIF orientation is applied (a phone photo taken upright shows upright),
    transparency is laid on white, and the longer side is at most ``max_px`` pixels.

    Parameters
    ----------
    data
        The photo's bytes (checked again, as :func:`read_photo` does).
    max_px
        Longest side of the thumbnail in pixels (at least 1).

    Raises
    ------
    ValidationError
        As :func:`read_photo`, for bytes that are not a usable JPEG or PNG photo.
    """
    size = (max(int(max_px), 1),) * 2
    image, kind = _checked_header(bytes(data), "")
    try:
        if kind == "JPEG":
            image.draft("RGB", size)  # decode at 1/2, 1/4 or 1/8 scale: much less work and memory
        image.load()
        image = ImageOps.exif_transpose(image)
        image = _on_white(image)
        image.thumbnail(size)
    except Exception:
        raise _refusal("photo_damaged", name="") from None
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def clean_filename(filename: object) -> str:
    """Return the user's file name as safe text: its last path part, NFC, no control characters, bounded."""
    text = unicodedata.normalize("NFC", str(filename or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text[:MAX_PHOTO_NAME_LENGTH]


def _checked_header(data: bytes, name: str) -> tuple[Image.Image, str]:
    """Open a JPEG or PNG by its header only, after the size check; refuse bombs before decoding."""
    if len(data) > MAX_PHOTO_BYTES:
        size_mb, limit_mb = len(data) / 1024 / 1024, MAX_PHOTO_BYTES / 1024 / 1024
        raise _refusal("photo_too_large", name=name, size_mb=size_mb, limit_mb=limit_mb)
    kind = _sniff(data, name)
    try:
        # The format's own reader, not Image.open: only that parser sees the bytes, and only
        # the header is read (Image.open's bomb check would refuse without saying the size).
        image = _OPENERS[kind](io.BytesIO(data))
    except Exception:
        raise _refusal("photo_damaged", name=name) from None
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise _refusal(
            "photo_too_many_pixels",
            name=name,
            width=width,
            height=height,
            megapixels=width * height / 1e6,
            limit_mp=MAX_PHOTO_PIXELS / 1e6,
        )
    return image, kind


def _sniff(data: bytes, name: str) -> str:
    """Return ``"JPEG"`` or ``"PNG"`` from the first bytes; refuse anything else, naming it if known."""
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise _refusal("photo_format", name=name, format=_HEIF_BRANDS[data[8:12]])
    try:
        with Image.open(io.BytesIO(data)) as other:  # header only: which image format is it?
            shown = other.format
    except Exception:
        shown = None
    if shown:
        raise _refusal("photo_format", name=name, format=shown)
    raise _refusal("photo_not_image", name=name)


def _gps_location(image: Image.Image) -> tuple[float, float] | None:
    """``(lon, lat)`` from the image's GPS IFD, or ``None`` when absent or unusable."""
    try:
        gps = image.getexif().get_ifd(IFD.GPSInfo)
        lat = _degrees(gps.get(_LAT), gps.get(_LAT_REF), "N", "S")
        lon = _degrees(gps.get(_LON), gps.get(_LON_REF), "E", "W")
    except Exception:  # malformed EXIF of any kind: no place
        return None
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    return lon, lat


def _degrees(value: object, ref: object, positive: str, negative: str) -> float | None:
    """Decimal degrees of an EXIF ``(degrees, minutes, seconds)`` triple and its N/S or E/W reference."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref or "").strip("\x00 ").upper()
    if ref not in (positive, negative) or not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    parts = [float(v) for v in value]
    if not all(math.isfinite(p) and p >= 0 for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    return -degrees if ref == negative else degrees


def _on_white(image: Image.Image) -> Image.Image:
    """Return an RGB copy; transparent parts become white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _refusal(code: str, **params: object) -> ValidationError:
    """Return the coded error refusing a photo: one problem, summed up by the same catalogue message."""
    problem = make_problem(code, **params)
    return ValidationError([problem], summary=message(code, **params)).with_code(code, params)
