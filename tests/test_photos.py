"""Photos of risk points: checking uploads, EXIF GPS, thumbnails, the store beside the database, popups."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import zlib

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile
from PIL.ExifTags import IFD
from streamlit.testing.v1 import AppTest
from test_store import ACTOR, USER, count_rows, new_point, point_xy, write_province

import hotspots.maps
from hotspots.analysis import coverage_table
from hotspots.config import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PROJECT_ROOT
from hotspots.errors import HotspotsError, PermissionDeniedError, StoreError, ValidationError
from hotspots.formats import Photo, exif_location, read_photo, thumbnail_data_uri
from hotspots.i18n import problem_message, t
from hotspots.maps import MAX_POPUP_PHOTOS, build_map, popup_photos
from hotspots.maps.points import PointRows
from hotspots.maps.script import MapSetup
from hotspots.store import DATABASE_URL_ENV, migrations, open_store
from hotspots.store import photos as photo_store
from pages._common import DATA_DIR_VARIABLE, STORE_DIR_VARIABLE
from tests import map_fixtures as fx
from tests.auth_kit import make_user

#: 21°0'44.28"N, 107°7'24.24"E: a pier on Hạ Long bay, as a phone writes it (degrees, minutes, seconds).
GPS_NORTH_EAST = {1: "N", 2: (21.0, 0.0, 44.28), 3: "E", 4: (107.0, 7.0, 24.24)}
EXPECTED_LON, EXPECTED_LAT = 107 + 7 / 60 + 24.24 / 3600, 21 + 44.28 / 3600


# ---------------------------------------------------------------------- hand-made photos


def jpeg(
    size: tuple[int, int] = (64, 48), *, gps: dict | None = None, orientation: int | None = None
) -> bytes:
    """A real JPEG made here, with EXIF GPS tags and an orientation when asked."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    if gps is not None:
        exif.get_ifd(IFD.GPSInfo).update(gps)
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def noisy_jpeg(side: int = 256, seed: int = 1) -> bytes:
    """A JPEG whose pixel data is most of the file (noise does not compress)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.randrange(256) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A 1-bit PNG claiming ``width`` × ``height`` pixels of zeros, compressed: half a megabyte."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = b"\0" * (1 + (width + 7) // 8) * 1000
    compressor = zlib.compressobj(1)
    pixels = b"".join(compressor.compress(rows) for _ in range(height // 1000)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim another size."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def refusal(data: bytes, filename: str = "anh.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_photo(data, filename)
    return caught.value


# ---------------------------------------------------------------------- reading a photo


def test_a_jpeg_with_exif_gps_is_read_with_its_place():
    data = jpeg(gps=GPS_NORTH_EAST)
    photo = read_photo(data, "Bến đò.JPG")
    assert (photo.mime, photo.extension, photo.width, photo.height) == ("image/jpeg", "jpg", 64, 48)
    assert photo.filename == "Bến đò.JPG"
    assert photo.data == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    lon, lat = photo.location
    assert lon == pytest.approx(107.1234, abs=1e-6) and lat == pytest.approx(21.0123, abs=1e-6)
    assert exif_location(data) == pytest.approx((EXPECTED_LON, EXPECTED_LAT), abs=1e-9)


@pytest.mark.parametrize(
    ("refs", "signs"),
    [(("N", "E"), (1, 1)), (("S", "E"), (1, -1)), (("N", "W"), (-1, 1)), (("S", "W"), (-1, -1))],
)
def test_south_and_west_are_negative(refs, signs):
    gps = {**GPS_NORTH_EAST, 1: refs[0], 3: refs[1]}
    lon, lat = exif_location(jpeg(gps=gps))
    assert (lon, lat) == pytest.approx((signs[0] * EXPECTED_LON, signs[1] * EXPECTED_LAT), abs=1e-9)


@pytest.mark.parametrize(
    "gps",
    [
        None,  # no GPS at all
        {2: (21.0, 0.0, 44.28), 4: (107.0, 7.0, 24.24)},  # no N/S, E/W references
        {**GPS_NORTH_EAST, 1: "X"},  # a reference that is no direction
        {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # what cameras write without a fix
        {**GPS_NORTH_EAST, 2: (95.0, 0.0, 0.0)},  # off the globe
        {1: "N", 3: "E"},  # references without values
    ],
)
def test_missing_or_malformed_gps_gives_no_place(gps):
    data = jpeg(gps=gps)
    assert exif_location(data) is None
    assert read_photo(data, "a.jpg").location is None


def _on_the_globe(place: tuple[float, float] | None) -> bool:
    return place is None or (abs(place[0]) <= 180 and abs(place[1]) <= 90 and place != (0.0, 0.0))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_exif_location_never_raises_on_any_bytes(tail):
    assert exif_location(tail) is None
    # Bytes that start like a JPEG with an EXIF segment, then anything.
    assert _on_the_globe(exif_location(b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00MM\x00*" + tail))


_VALUES = st.floats(allow_nan=True, allow_infinity=True, width=32) | st.integers(-1000, 1000)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["N", "S", "E", "W", "", "X", "north"]),
    st.sampled_from(["N", "S", "E", "W", "", "X"]),
    st.lists(_VALUES, min_size=0, max_size=4),
    st.lists(_VALUES, min_size=0, max_size=4),
)
def test_exif_location_is_on_the_globe_or_none_for_any_gps_tags(lat_ref, lon_ref, lat, lon):
    try:
        data = jpeg(gps={1: lat_ref, 2: tuple(lat), 3: lon_ref, 4: tuple(lon)})
    except Exception:  # Pillow cannot write these tags at all: nothing to read back
        return
    place = exif_location(data)
    assert _on_the_globe(place)
    if place is not None:
        assert lat_ref in ("N", "S") and lon_ref in ("E", "W")


def test_a_png_is_accepted():
    photo = read_photo(png((40, 30)), "so-do.png")
    assert (photo.mime, photo.extension, photo.width, photo.height, photo.location) == (
        "image/png",
        "png",
        40,
        30,
        None,
    )


def test_a_text_file_named_jpg_is_refused_with_its_code_in_both_languages():
    error = refusal("đây không phải ảnh\n".encode(), "anh-ben-do.jpg")
    assert error.code == "photo_not_image"
    assert [p.code for p in error.problems] == ["photo_not_image"]
    assert problem_message(error, "vi") == (
        "'anh-ben-do.jpg' không phải là ảnh: nội dung tệp không phải ảnh JPEG hay PNG, dù tên tệp thế nào."
    )
    assert problem_message(error, "en") == (
        "'anh-ben-do.jpg' is not a photo: its content is not a JPEG or PNG image, whatever its name says."
    )


def test_an_empty_file_is_not_a_photo():
    assert refusal(b"").code == "photo_not_image"


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (lambda: _saved(Image.new("RGB", (8, 8)), "GIF"), "GIF"),
        (lambda: _saved(Image.new("RGB", (8, 8)), "BMP"), "BMP"),
        (lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64, "HEIC"),
    ],
)
def test_other_image_formats_are_refused_by_name(data, shown):
    error = refusal(data(), "IMG_0042.jpg")
    assert error.code == "photo_format"
    assert error.params["format"] == shown
    assert problem_message(error, "vi") == (
        f"'IMG_0042.jpg' là ảnh {shown}; chỉ nhận ảnh JPEG và PNG. Hãy lưu hoặc chia sẻ ảnh ở dạng JPEG."
    )


def _saved(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("make", [noisy_jpeg, lambda: _saved(Image.new("RGB", (300, 300), "red"), "PNG")])
@pytest.mark.parametrize("pillow_lenient", [False, True], ids=["pillow-strict", "pillow-lenient"])
def test_a_truncated_photo_is_refused(make, pillow_lenient, monkeypatch):
    """Even where Pillow accepts cut-off files (importing WeasyPrint switches that on for the process)."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_lenient)
    data = make()
    error = refusal(data[: len(data) // 2])
    assert error.code == "photo_damaged"


@pytest.mark.parametrize(
    ("data", "width", "height"),
    [(png_bomb, 30_000, 30_000), (lambda: jpeg_claiming(10_000, 10_000), 10_000, 10_000)],
)
def test_an_image_bomb_is_refused_before_its_pixels_are_decoded(monkeypatch, data, width, height):
    def never(self):
        raise AssertionError("the pixels of an image bomb were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    bomb = data()
    assert len(bomb) < MAX_PHOTO_BYTES
    error = refusal(bomb, "bom.png")
    assert error.code == "photo_too_many_pixels"
    assert (error.params["width"], error.params["height"]) == (width, height)
    assert problem_message(error, "en") == (
        f"The photo 'bom.png' is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"at most {MAX_PHOTO_PIXELS / 1e6:.0f} megapixels are accepted."
    )
    assert exif_location(bomb) is None


def test_the_pixel_limit_is_inclusive(monkeypatch):
    side = int(MAX_PHOTO_PIXELS**0.5)
    assert side * side <= MAX_PHOTO_PIXELS < (side + 1) * (side + 1)
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size))
    assert refusal(jpeg_claiming(side + 1, side + 1)).code == "photo_too_many_pixels"
    assert decoded == []
    # At the limit the header passes and the pixels are decoded (here: counted, not done).
    assert (read_photo(jpeg_claiming(side, side), "a.jpg").width, decoded) == (side, [(side, side)])


def test_the_size_limit_is_5_mib_checked_before_decoding(monkeypatch):
    base = jpeg()
    # JPEG readers stop at the end-of-image marker: the padding after it is never read.
    at_limit = base + b"\0" * (MAX_PHOTO_BYTES - len(base))
    assert MAX_PHOTO_BYTES == 5 * 1024 * 1024
    assert read_photo(at_limit, "a.jpg").width == 64
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    error = refusal(at_limit + b"\0", "lon.jpg")
    assert error.code == "photo_too_large"
    assert problem_message(error, "vi").startswith("Ảnh 'lon.jpg' nặng 5.0 MB; chỉ nhận tối đa 5 MB.")


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\Lan\\Ảnh\\IMG_1.jpg", "IMG_1.jpg"),
        ("ben\x00do\n.jpg", "bendo.jpg"),
        ("x" * 300 + ".jpg", "x" * 200),
    ],
)
def test_the_file_name_is_kept_as_text_only(given_name, kept):
    assert read_photo(jpeg(), given_name).filename == kept


def test_a_thumbnail_is_a_small_upright_jpeg_data_uri():
    # Orientation 6: the camera was turned; the picture must be turned a quarter to stand upright.
    uri = thumbnail_data_uri(jpeg((640, 320), orientation=6), max_px=100)
    prefix = "data:image/jpeg;base64,"
    assert uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))
    assert image.format == "JPEG"
    assert image.size == (50, 100)


def test_a_transparent_png_thumbnail_is_laid_on_white():
    uri = thumbnail_data_uri(png((40, 30)), max_px=320)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.size == (40, 30)
    red, green, blue = image.convert("RGB").getpixel((20, 15))
    # Half-transparent red on white: a pale red, not the dark red it would be on black.
    assert red > 200 and 120 < green < 170 and 120 < blue < 170


def test_a_thumbnail_of_a_bomb_is_refused():
    with pytest.raises(ValidationError) as caught:
        thumbnail_data_uri(png_bomb())
    assert caught.value.code == "photo_too_many_pixels"


# ---------------------------------------------------------------------- the store


@pytest.fixture
def store(tmp_path):
    """A SQLite store in its own folder, with the hand-made province."""
    folder = tmp_path / "db"
    folder.mkdir()
    with open_store(f"sqlite:///{folder / 'store.sqlite'}", seed=False) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        yield opened


def add(store, i: int, **options) -> str:
    lon, lat = point_xy(i)
    return store.add_risk_point(new_point(i), lon=lon, lat=lat, user=ACTOR, **options)


def photo_history(store, point_id: str):
    frame = store.history(point_id)
    return frame[frame["action"] == "photo"]


def test_the_photos_table_is_migration_3(store):
    assert migrations.MIGRATIONS[2].version == 3
    assert migrations.MIGRATIONS[2].description.startswith("photos:")
    assert sa.inspect(store.engine).has_table("photos")


def test_a_photo_is_stored_beside_the_database_named_by_its_hash(store, tmp_path):
    data = jpeg(gps=GPS_NORTH_EAST)
    point_id = add(store, 1, photos=[read_photo(data, "Bến đò Rừng Lim.jpg")])
    sha = hashlib.sha256(data).hexdigest()
    path = tmp_path / "db" / "photos" / f"{sha}.jpg"
    assert store.photo_dir == (tmp_path / "db" / "photos").resolve()
    assert path.read_bytes() == data
    assert (PROJECT_ROOT / "static").resolve() not in path.resolve().parents
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert store.photo_bytes(sha) == data
    assert store.photo_bytes(sha.upper()) == data
    assert store.photo_index() == {point_id: [sha]}
    frame = store.photos(point_id)
    assert list(frame.columns) == list(photo_store.PHOTO_COLUMNS)
    row = frame.iloc[0].to_dict()
    assert {
        k: row[k] for k in ("sha256", "filename", "mime", "width", "height", "size_bytes", "added_by")
    } == {
        "sha256": sha,
        "filename": "Bến đò Rừng Lim.jpg",
        "mime": "image/jpeg",
        "width": 64,
        "height": 48,
        "size_bytes": len(data),
        "added_by": USER,
    }
    assert (row["lon"], row["lat"]) == pytest.approx((EXPECTED_LON, EXPECTED_LAT), abs=1e-9)


def test_each_photo_is_one_history_row(store):
    point_id = add(store, 1)
    first, second = read_photo(jpeg(), "a.jpg"), read_photo(png(), "b.png")
    assert store.attach_photos(point_id, [first, second, first], user=ACTOR) == [first.sha256, second.sha256]
    history = photo_history(store, point_id)
    assert history["new"].tolist() == [
        {"sha256": first.sha256, "filename": "a.jpg"},
        {"sha256": second.sha256, "filename": "b.png"},
    ]
    assert history["user"].tolist() == [USER, USER]
    assert history["old"].tolist() == [None, None]
    assert store.photos(point_id)["sha256"].tolist() == [first.sha256, second.sha256]


def test_the_same_photo_is_one_file_and_attached_to_a_point_once(store):
    photo = read_photo(jpeg(), "a.jpg")
    one, two = add(store, 1, photos=[photo]), add(store, 2, photos=[photo])
    store.attach_photos(one, [photo], user=ACTOR)  # again: nothing new
    assert sorted(os.listdir(store.photo_dir)) == [f"{photo.sha256}.jpg"]
    assert count_rows(store, "photos") == 2
    assert len(photo_history(store, one)) == len(photo_history(store, two)) == 1
    assert store.photo_index() == {one: [photo.sha256], two: [photo.sha256]}


def test_a_backup_copies_the_photo_files_beside_the_database_copy(store, tmp_path):
    first, second = read_photo(jpeg(), "a.jpg"), read_photo(png(), "b.png")
    add(store, 1, photos=[first, second])
    out = store.backup(tmp_path / "backups" / "copy.sqlite")
    copied = out.with_name("copy.sqlite.photos")
    assert sorted(p.name for p in copied.iterdir()) == sorted([f"{first.sha256}.jpg", f"{second.sha256}.png"])
    assert (copied / f"{first.sha256}.jpg").read_bytes() == first.data
    with open_store(f"sqlite:///{out}", seed=False, photo_dir=copied) as restored:
        assert restored.photo_bytes(second.sha256) == second.data


def test_a_backup_of_a_store_without_photos_has_no_photo_folder(store, tmp_path):
    add(store, 1)
    store.backup(tmp_path / "copy.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite"]


def test_a_point_without_photos_has_an_empty_table(store):
    point_id = add(store, 1)
    frame = store.photos(point_id)
    assert list(frame.columns) == list(photo_store.PHOTO_COLUMNS) and len(frame) == 0
    assert store.photo_index() == {}
    with pytest.raises(StoreError) as caught:
        store.photos("QN-9999")
    assert caught.value.code == "unknown_point"


def test_the_store_reads_every_photo_again(store):
    forged = Photo(
        filename="anh.jpg",
        data="không phải ảnh".encode(),
        sha256="0" * 64,
        mime="image/jpeg",
        extension="jpg",
        width=1,
        height=1,
        location=None,
    )
    point_id = add(store, 1)
    with pytest.raises(ValidationError) as caught:
        store.attach_photos(point_id, [forged], user=ACTOR)
    assert caught.value.code == "photo_not_image"
    # A photo whose declared hash and format lie is stored under its real ones.
    real = read_photo(png(), "b.png")
    lying = Photo(**{**real.__dict__, "sha256": "1" * 64, "mime": "image/jpeg", "extension": "jpg"})
    assert store.attach_photos(point_id, [lying], user=ACTOR) == [real.sha256]
    assert os.listdir(store.photo_dir) == [f"{real.sha256}.png"]
    assert store.photos(point_id)["mime"].tolist() == ["image/png"]


@pytest.mark.parametrize("who", [None, "Nguyễn Thị Lan"])
def test_nobody_logged_in_may_not_attach_photos(store, who):
    point_id = add(store, 1)
    with pytest.raises(PermissionDeniedError) as caught:
        store.attach_photos(point_id, [read_photo(jpeg(), "a.jpg")], user=who)
    assert caught.value.code == "login_required"
    with pytest.raises(PermissionDeniedError):
        store.add_risk_point(new_point(2), lon=point_xy(2)[0], lat=point_xy(2)[1], user=who)
    assert count_rows(store, "photos") == 0


def test_a_field_user_attaches_photos_in_their_communes_only(store):
    inside = make_user("tuan", "field", display_name="Lê Văn Tuấn", communes=("CM-01",))
    outside = make_user("hoa", "field", display_name="Phạm Thị Hoa", communes=("CM-02",))
    point_id = add(store, 1)  # commune CM-01
    photo = read_photo(jpeg(), "a.jpg")
    with pytest.raises(PermissionDeniedError) as caught:
        store.attach_photos(point_id, [photo], user=outside)
    assert caught.value.code == "outside_communes"
    assert count_rows(store, "photos") == 0
    assert store.attach_photos(point_id, [photo], user=inside) == [photo.sha256]
    assert photo_history(store, point_id)["user"].tolist() == ["Lê Văn Tuấn"]


def test_a_point_and_its_photos_are_stored_together_or_not_at_all(store, monkeypatch):
    seen = []

    def fail_after_the_rows(conn, *args, **kwargs):
        seen.append(conn.execute(sa.select(sa.func.count()).select_from(migrations.photos)).scalar())
        raise RuntimeError("crash after the photo rows")

    monkeypatch.setattr(photo_store, "log", fail_after_the_rows)
    with pytest.raises(RuntimeError, match="crash after the photo rows"):
        add(store, 1, photos=[read_photo(jpeg(), "a.jpg")])
    assert seen == [1]  # the photo's row was written, then the transaction failed
    assert count_rows(store, "risk_points") == 0
    assert count_rows(store, "photos") == 0
    assert count_rows(store, "history") == 1  # the province's import only


def test_a_photo_that_cannot_be_written_stores_nothing(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the photos folder should be")
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}", seed=False, photo_dir=blocked) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        with pytest.raises(StoreError) as caught:
            add(opened, 1, photos=[read_photo(jpeg(), "a.jpg")])
        assert caught.value.code == "photo_not_saved"
        assert count_rows(opened, "risk_points") == count_rows(opened, "photos") == 0


@pytest.mark.parametrize("name", ["../x", "../" * 10 + "etc/passwd", "a" * 63, "g" * 64, "", "0" * 64 + "/"])
def test_photo_bytes_takes_only_a_sha256(store, name):
    with pytest.raises(StoreError) as caught:
        store.photo_bytes(name)
    assert caught.value.code == "photo_name_invalid"


def test_unknown_and_missing_photos_are_coded(store):
    with pytest.raises(StoreError) as caught:
        store.photo_bytes("ab" * 32)
    assert caught.value.code == "unknown_photo"
    photo = read_photo(jpeg(), "a.jpg")
    add(store, 1, photos=[photo])
    (store.photo_dir / f"{photo.sha256}.jpg").unlink()
    with pytest.raises(StoreError) as caught:
        store.photo_bytes(photo.sha256)
    assert caught.value.code == "photo_file_missing"
    assert problem_message(caught.value, "vi").startswith(f"Ảnh '{photo.sha256}' có trong dữ liệu nhưng")


def test_the_photos_folder_follows_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "data"))
    assert (
        photo_store.photo_folder(sa.make_url(f"sqlite:///{tmp_path}/a/b.sqlite")) == tmp_path / "a" / "photos"
    )
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u:p@host/db"):
        assert photo_store.photo_folder(sa.make_url(url)) == tmp_path / "data" / "photos"
    with open_store("sqlite://", seed=False) as opened:
        assert opened.photo_dir == tmp_path / "data" / "photos"
    with open_store("sqlite://", seed=False, photo_dir=tmp_path / "elsewhere") as opened:
        assert opened.photo_dir == tmp_path / "elsewhere"


@pytest.mark.parametrize("inside", ["static", "static/vendor/photos"])
def test_a_photos_folder_inside_the_served_folder_is_refused(inside):
    with pytest.raises(StoreError) as caught:
        open_store("sqlite://", seed=False, photo_dir=PROJECT_ROOT / inside)
    assert caught.value.code == "photo_folder_served"


# ---------------------------------------------------------------------- the map popup


def _map_with_photos(photos, lang="vi"):
    layers = fx.layers()
    table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    fmap = build_map(table, layers, lang=lang, swim_radius_m=3000, rescue_radius_m=2000, photos=photos)
    return fmap, fmap.get_root().render()


def _popups(fmap) -> dict[str, str]:
    """Run the map's own hsMap.popup in Node over every point row; return each point's popup HTML."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is needed to run the map's popup code")
    (setup,) = [c for c in fmap._children.values() if isinstance(c, MapSetup)]
    script = setup._template.module.script(setup, {})
    rows = [json.loads(c.rows_json) for c in fmap._children.values() if hasattr(c, "rows_json")]
    name = fmap.get_name()
    stub = (
        "var window = globalThis;\n"
        "var L = {Icon: {Default: {}}, control: {scale: function () { return {addTo: function () {}}; }}};\n"
        f"var {name} = {{on: function () {{}}, getZoom: function () {{ return 9; }},\n"
        "  getContainer: function () { return {classList: {toggle: function () {}}}; },\n"
        "  createPane: function () { return {style: {}}; }};\n"
    )
    run = f"\nvar out = {{}}; {json.dumps(rows)}.forEach(function (layer) {{ layer.forEach(function (r) {{\n"
    run += "  out[r[" + str(PointRows.FIELDS.index("id")) + "]] = hsMap.popup(r); }); });\n"
    run += "process.stdout.write(JSON.stringify(out));\n"
    result = subprocess.run([node, "-e", stub + script + run], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_popup_of_a_point_with_photos_shows_them_and_no_other_popup_does():
    uris = [thumbnail_data_uri(jpeg(), 64), thumbnail_data_uri(png(), 64)]
    fmap, page = _map_with_photos({"QN-1": uris, "QN-4": [uris[1]], "QN-99": [uris[0]]})
    popups = _popups(fmap)
    assert sorted(popups) == ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5", "QN-6"]
    alt = t("popup.photo", "vi")
    assert alt == "Ảnh chụp điểm nguy cơ"
    assert popups["QN-1"].endswith(
        f'</table><div class="hs-photos"><img src="{uris[0]}" alt="{alt}">'
        f'<img src="{uris[1]}" alt="{alt}"></div></div>'
    )
    assert popups["QN-4"].count("<img ") == 1  # a black spot's popup too
    assert all("<img" not in popups[i] for i in ("QN-2", "QN-3", "QN-5", "QN-6"))
    # Only the photos of points on the map travel with the page.
    assert page.count(uris[0]) == 1


def test_a_popup_shows_at_most_three_photos():
    uris = [thumbnail_data_uri(jpeg((8 + i, 8)), 32) for i in range(5)]
    assert len(set(uris)) == 5
    fmap, page = _map_with_photos({"QN-2": uris})
    assert _popups(fmap)["QN-2"].count("<img ") == MAX_POPUP_PHOTOS == 3
    assert uris[3] not in page and uris[4] not in page


def test_without_photos_the_map_carries_an_empty_table():
    fmap, page = _map_with_photos(None)
    assert "var PHOTOS = {};" in page
    assert all("<img" not in html for html in _popups(fmap).values())
    assert "var PHOTOS = {};" in _map_with_photos({})[1]


@pytest.mark.parametrize(
    "uri",
    [
        'data:image/jpeg;base64,AAAA" onerror="alert(1)',
        "javascript:alert(1)",
        "https://example.com/a.jpg",
        "data:image/svg+xml;base64,PHN2Zz4=",
    ],
)
def test_only_base64_jpeg_or_png_data_uris_reach_a_popup(uri):
    rows = PointRows.from_table(fx.risk_points(), communes=fx.communes(), lang="vi")
    with pytest.raises(HotspotsError, match="QN-1"):
        popup_photos(rows, {"QN-1": [uri]})


def test_a_point_id_is_matched_as_the_rows_carry_it():
    table = fx.risk_points()
    table.loc[0, "point_id"] = "QN-<1>"
    rows = PointRows.from_table(table, communes=fx.communes(), lang="vi")
    uri = thumbnail_data_uri(jpeg(), 16)
    assert popup_photos(rows, {"QN-<1>": [uri], "constructor": [uri]}) == {"QN-&lt;1&gt;": [uri]}


# ---------------------------------------------------------------------- the map page


def _map_page_photos(tmp_path, monkeypatch, prepare) -> list:
    """Run the map page on a store prepared by ``prepare(store)``; return the photos of each map built."""
    geodata = fx.write_geodata(tmp_path / "geodata")
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(STORE_DIR_VARIABLE, str(tmp_path / "store"))
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(geodata))
    with open_store(seed_from=geodata) as opened:
        prepare(opened)
    seen = []
    build = hotspots.maps.build_map

    def recording(*args, **kwargs):
        seen.append(kwargs.get("photos"))
        return build(*args, **kwargs)

    monkeypatch.setattr(hotspots.maps, "build_map", recording)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return seen


def test_the_map_page_shows_the_stored_photos_as_thumbnails(tmp_path, monkeypatch):
    big = jpeg((800, 400), gps=GPS_NORTH_EAST)
    photos = [read_photo(big, "toàn cảnh.jpg"), read_photo(png((30, 60)), "biển báo.png")]
    seen = _map_page_photos(tmp_path, monkeypatch, lambda s: s.attach_photos("QN-1", photos, user=ACTOR))
    ((shown,),) = [list(p.items()) for p in seen]
    point_id, uris = shown
    assert point_id == "QN-1" and len(uris) == 2
    sizes = [Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size for uri in uris]
    assert sizes == [(240, 120), (30, 60)]


def test_a_photo_file_gone_missing_does_not_keep_the_map_from_showing(tmp_path, monkeypatch):
    kept, lost = read_photo(jpeg((20, 10)), "a.jpg"), read_photo(jpeg((10, 20)), "b.jpg")

    def prepare(opened):
        opened.attach_photos("QN-2", [kept, lost], user=ACTOR)
        (opened.photo_dir / f"{lost.sha256}.jpg").unlink()

    assert [list(p) for p in _map_page_photos(tmp_path, monkeypatch, prepare)] == [["QN-2"]]
