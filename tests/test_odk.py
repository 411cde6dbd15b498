"""The bridge from offline field apps: the XLSForm for KoBoToolbox / ODK Collect, and its exports imported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_store import ACTOR, COMMUNES, write_geojson, write_province

from hotspots.config import GEODATA_DIR
from hotspots.errors import SchemaError, ValidationError
from hotspots.formats import FIELD_FORM, normalise_form_export, odk, read_form_export
from hotspots.formats.odk import load_field_form
from hotspots.i18n import label, problem_message, t
from hotspots.schema import HAZARDS, RISK_LEVELS, RISK_POINTS, WATER_TYPES
from hotspots.store import open_store
from sample_build.xlsform import build_form, check_form, form_bytes
from tests.auth_kit import make_user

#: A commune health worker with a phone: may report, not approve.
FIELD_WORKER = make_user("tho", "field", display_name="Trần Văn Thọ")
VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"

#: Three submissions (lat, lon inside the test province: CM-01 west of 107.1 E, CM-02 east of it).
SUBMISSIONS = [
    {
        "lat": 20.951234,
        "lon": 107.053456,
        "alt": 3.2,
        "acc": 4.8,
        "name": "Ao làng Hà Tu",
        "water_type": "pond",
        "hazards": ["deep_water", "no_fence"],
        "risk_level": "high",
        "notes": "Ao sâu khoảng 3 m; bờ dốc, trẻ em hay tắm chiều",
        "reporter": "Nguyễn Thị Hoa (y tế xã)",
        "photo": "1718000000001.jpg",
        "uuid": "4f1c2a9e-0b7d-4e55-9d0a-6a1b2c3d4e01",
        "commune": "CM-01",
    },
    {
        "lat": 20.963321,
        "lon": 107.142876,
        "alt": 1.0,
        "acc": 6.0,
        "name": "Bến đò Cái Chiên",
        "water_type": "river",
        "hazards": ["strong_current", "steep_bank", "boat_traffic"],
        "risk_level": "black_spot",
        "notes": "Dòng chảy xiết, không có phao cứu sinh",
        "reporter": "Lê Văn Nam",
        "photo": "",
        "uuid": "4f1c2a9e-0b7d-4e55-9d0a-6a1b2c3d4e02",
        "commune": "CM-02",
    },
    {
        "lat": 20.970512,
        "lon": 107.081103,
        "alt": 0.0,
        "acc": 9.5,
        "name": "Mương thuỷ lợi thôn Đông",
        "water_type": "canal",
        "hazards": [],
        "risk_level": "medium",
        "notes": "",
        "reporter": "Nguyễn Thị Hoa (y tế xã)",
        "photo": "1718000000003.jpg",
        "uuid": "4f1c2a9e-0b7d-4e55-9d0a-6a1b2c3d4e03",
        "commune": "CM-01",
    },
]


@pytest.fixture
def store(tmp_path):
    """An empty SQLite store with the test province and its two communes."""
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        opened.import_file(
            write_geojson(tmp_path / "communes.geojson", COMMUNES), layer="communes", user=ACTOR
        )
        yield opened


# ---------------------------------------------------------------------- exports as the servers write them


def _kobo_header(group: str = "diem") -> list[str]:
    return [
        "start",
        "end",
        "today",
        "deviceid",
        f"{group}/location",
        f"_{group}/location_latitude",
        f"_{group}/location_longitude",
        f"_{group}/location_altitude",
        f"_{group}/location_precision",
        f"{group}/name",
        f"{group}/water_type",
        f"{group}/hazards",
        *(f"{group}/hazards/{h}" for h in HAZARDS),
        f"{group}/risk_level",
        "notes",
        "reporter",
        "photo",
        "photo_URL",
        "meta/instanceID",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    ]


def _kobo_row(k: int, s: dict) -> list[object]:
    """One KoBoToolbox export row: the geopoint as text and as numbers, hazards as names and 0/1."""
    photo_url = f"https://kc.kobotoolbox.org/media/original?media_file=tho/{s['photo']}" if s["photo"] else ""
    return [
        "2025-06-10T08:01:02.000+07:00",
        "2025-06-10T08:09:30.000+07:00",
        "2025-06-10",
        "collect:Xy12AbCd",
        f"{s['lat']} {s['lon']} {s['alt']} {s['acc']}",
        s["lat"],
        s["lon"],
        s["alt"],
        s["acc"],
        s["name"],
        s["water_type"],
        " ".join(s["hazards"]),
        *(int(h in s["hazards"]) for h in HAZARDS),
        s["risk_level"],
        s["notes"],
        s["reporter"],
        s["photo"],
        photo_url,
        f"uuid:{s['uuid']}",
        301 + k,
        s["uuid"],
        "2025-06-10T01:10:00",
        "",
        "[]",
        "submitted_via_web",
        "tho",
        "vFq8s2nTbeWjQnXrJ5Z3Ld",
        "[]",
        k + 1,
    ]


def _csv_bytes(header: list[str], rows: list[list[object]], separator: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def kobo_csv(separator: str = ",", submissions: list[dict] = SUBMISSIONS) -> bytes:
    rows = [_kobo_row(k, s) for k, s in enumerate(submissions)]
    return _csv_bytes(_kobo_header(), rows, separator)


def central_csv() -> bytes:
    """ODK Central's CSV: groups joined by '-', the geopoint split into four columns, no text."""
    header = [
        "SubmissionDate",
        "start",
        "end",
        "diem-location-Latitude",
        "diem-location-Longitude",
        "diem-location-Altitude",
        "diem-location-Accuracy",
        "diem-name",
        "diem-water_type",
        "diem-hazards",
        "diem-risk_level",
        "notes",
        "reporter",
        "photo",
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ]
    rows = [
        [
            "2025-06-10T01:10:00.000Z",
            "2025-06-10T08:01:02.000+07:00",
            "2025-06-10T08:09:30.000+07:00",
            s["lat"],
            s["lon"],
            s["alt"],
            s["acc"],
            s["name"],
            s["water_type"],
            " ".join(s["hazards"]),
            s["risk_level"],
            s["notes"],
            s["reporter"],
            s["photo"],
            f"uuid:{s['uuid']}",
            f"uuid:{s['uuid']}",
            "7",
            "Trần Văn Thọ",
            "1",
            "1",
            "",
            "",
            "collect:Xy12AbCd",
            "0",
            "2025061001",
        ]
        for s in SUBMISSIONS
    ]
    return _csv_bytes(header, rows, ",")


def kobo_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Báo điểm nguy cơ đuối nước"
    sheet.append(_kobo_header())
    for k, s in enumerate(SUBMISSIONS):
        row = _kobo_row(k, s)
        row[_kobo_header().index("_submission_time")] = dt.datetime(2025, 6, 10, 1, 10)
        sheet.append([None if cell == "" else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kobo_geojson() -> bytes:
    """KoBoToolbox's GeoJSON export: properties named by the form's fields, points with a height."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"], s["alt"]]},
            "properties": {
                "start": "2025-06-10T08:01:02.000+07:00",
                "end": "2025-06-10T08:09:30.000+07:00",
                "diem/name": s["name"],
                "diem/water_type": s["water_type"],
                "diem/hazards": " ".join(s["hazards"]),
                "diem/risk_level": s["risk_level"],
                "notes": s["notes"],
                "reporter": s["reporter"],
                "photo": s["photo"],
                "meta/instanceID": f"uuid:{s['uuid']}",
                "_id": 301 + k,
                "_uuid": s["uuid"],
                "_submission_time": "2025-06-10T01:10:00",
                "__version__": "vFq8s2nTbeWjQnXrJ5Z3Ld",
            },
        }
        for k, s in enumerate(SUBMISSIONS)
    ]
    document = {"type": "FeatureCollection", "name": "bao_diem_nguy_co", "features": features}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def assert_imported_as_reports(store, result, submissions=SUBMISSIONS):
    """Every submission stored once, pending, at its place, in its commune, with its answers."""
    assert (result.added, result.skipped_existing, result.rejected) == (len(submissions), 0, 0)
    assert result.pending_review == len(submissions)
    points = store.read_layer("risk_points").set_index("external_id", drop=False)
    assert len(points) == len(submissions)
    for s in submissions:
        point = points.loc[s["uuid"]]
        assert point["status"] == "pending"
        assert (point.geometry.x, point.geometry.y) == pytest.approx((s["lon"], s["lat"]), abs=1e-9)
        assert point["commune_id"] == s["commune"]
        assert point["name"] == s["name"]
        assert point["water_type"] == s["water_type"]
        assert point["risk_level"] == s["risk_level"]
        assert list(point["hazards"]) == s["hazards"]
        assert point["source"] == s["reporter"]
        assert (point["notes"] if isinstance(point["notes"], str) else "") == s["notes"]
        assert point["point_id"].startswith("QN-")
    for column in ("_id", "_submission_time", "__version__", "deviceid", "start", "_index"):
        assert column not in points.columns


# ---------------------------------------------------------------------- the form


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_form(tmp_path_factory.mktemp("form"))


def _sheet(path, name):
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_form_builds_and_pyxform_converts_it_to_an_xform(built):
    assert built.name == "bao-diem-nguy-co.xlsx"
    result = check_form(built)
    assert result.warnings == []
    root = ET.fromstring(result.xform)
    binds = {b.get("nodeset").split("/")[-1]: b for b in root.iter("{http://www.w3.org/2002/xforms}bind")}
    assert set(binds) == {q.name for q in FIELD_FORM.questions} | {"instanceID", "instanceName"}
    assert binds["location"].get("type") == "geopoint"
    assert binds["location"].get("required") == "true()"
    assert binds["photo"].get("type") == "binary"
    assert binds["hazards"].get("required") is None
    translations = [e.get("lang") for e in root.iter("{http://www.w3.org/2002/xforms}translation")]
    assert translations == ["Tiếng Việt (vi)", "English (en)"]


def test_the_forms_field_names_are_the_schemas(built):
    survey = _sheet(built, "survey")
    assert [row["name"] for row in survey] == [
        "start",
        "end",
        "location",
        "name",
        "water_type",
        "hazards",
        "risk_level",
        "notes",
        "reporter",
        "photo",
    ]
    assert {q.field for q in FIELD_FORM.questions if q.field} <= set(RISK_POINTS.field_names)
    types = {row["name"]: row["type"] for row in survey}
    assert types["water_type"] == "select_one water_type"
    assert types["hazards"] == "select_multiple hazards"
    assert types["risk_level"] == "select_one risk_level"
    assert types["location"] == "geopoint"
    assert types["photo"] == "image"
    assert {row["name"] for row in survey if row["required"] == "yes"} == {
        "location",
        "name",
        "water_type",
        "risk_level",
        "reporter",
    }


def test_the_forms_choices_are_the_schemas_allowed_values_with_the_apps_labels(built):
    choices = _sheet(built, "choices")
    lists = {}
    for row in choices:
        lists.setdefault(row["list_name"], []).append(row["name"])
    assert lists == {
        "water_type": list(WATER_TYPES),
        "hazards": list(HAZARDS),
        "risk_level": list(RISK_LEVELS),
    }
    prefixes = {"water_type": "water_type", "hazards": "hazard", "risk_level": "risk_level"}
    for row in choices:
        prefix = prefixes[row["list_name"]]
        assert row[VI] == label(prefix, row["name"], "vi")
        assert row[EN] == label(prefix, row["name"], "en")
    deep = next(row for row in choices if row["name"] == "deep_water")
    assert (deep[VI], deep[EN]) == ("Nước sâu", "Deep water")


def test_every_row_of_the_form_is_labelled_in_vietnamese_and_english(built):
    for row in _sheet(built, "survey"):
        if row["type"] in ("start", "end"):
            assert row[VI] is None and row[EN] is None
            continue
        assert row[VI] and row[EN], row["name"]
        assert row[VI] != row[EN], row["name"]
    for row in _sheet(built, "choices"):
        assert row[VI] and row[EN], row["name"]
    location = next(row for row in _sheet(built, "survey") if row["name"] == "location")
    assert (location[VI], location[EN]) == (t("report.form_location", "vi"), "Location (GPS)")
    [setting] = _sheet(built, "settings")
    assert setting == {
        "form_title": "Báo điểm nguy cơ đuối nước",
        "form_id": "bao_diem_nguy_co",
        "version": "2025061001",
        "default_language": "Tiếng Việt (vi)",
        "instance_name": "concat(${name}, ' – ', ${reporter})",
    }


def test_a_rebuild_is_byte_identical_and_the_shipped_form_is_current(built, tmp_path):
    again = build_form(tmp_path)
    assert again.read_bytes() == built.read_bytes()
    assert form_bytes() == built.read_bytes()
    assert (GEODATA_DIR / "forms" / "bao-diem-nguy-co.xlsx").read_bytes() == built.read_bytes()
    book = openpyxl.load_workbook(built)
    assert book.properties.created == book.properties.modified == dt.datetime(2025, 6, 10)


def test_a_form_table_naming_a_field_the_schema_lacks_is_refused(tmp_path):
    shipped = Path(odk.__file__).with_name("odk_form.toml")
    table = shipped.read_text(encoding="utf-8")
    broken = tmp_path / "odk_form.toml"
    broken.write_text(table.replace('field = "water_type"', 'field = "water_kind"'), encoding="utf-8")
    with pytest.raises(SchemaError, match="water_kind"):
        load_field_form(broken)
    assert load_field_form(shipped) == FIELD_FORM


# ---------------------------------------------------------------------- the exports imported as reports


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_kobo_csv_export_imports_as_pending_reports(store, separator):
    data = kobo_csv(separator)
    assert data.decode("utf-8-sig").splitlines()[0].count(separator) == len(_kobo_header()) - 1
    result = store.import_file(data, filename="bao_diem_nguy_co_2025_06_10.csv", user=FIELD_WORKER)
    assert_imported_as_reports(store, result)
    points = store.read_layer("risk_points").set_index("external_id")
    first = points.loc[SUBMISSIONS[0]["uuid"]]
    assert first["photo"] == "1718000000001.jpg"
    assert first["photo_url"].endswith("tho/1718000000001.jpg")
    assert first["gps_accuracy_m"] == 4.8
    history = store.history(first["point_id"])
    assert history.iloc[0]["user"] == "Trần Văn Thọ"


def test_importing_the_same_export_again_adds_nothing(store):
    data = kobo_csv(";")
    store.import_file(data, filename="export.csv", user=FIELD_WORKER)
    again = store.import_file(data, filename="export-again.csv", user=FIELD_WORKER)
    assert (again.added, again.skipped_existing, again.rejected) == (0, 3, 0)
    # A later export holds the old submissions and new ones: only the new ones are added.
    extra = {**SUBMISSIONS[2], "lat": 20.93, "lon": 107.03, "name": "Hố công trình", "uuid": "new-1"}
    later = store.import_file(kobo_csv(",", [*SUBMISSIONS, extra]), filename="later.csv", user=FIELD_WORKER)
    assert (later.added, later.skipped_existing) == (1, 3)
    assert len(store.read_layer("risk_points")) == 4


def test_an_odk_central_csv_export_imports_as_pending_reports(store):
    result = store.import_file(central_csv(), filename="bao_diem_nguy_co.csv", user=FIELD_WORKER)
    assert_imported_as_reports(store, result)
    columns = store.read_layer("risk_points").columns
    for column in ("SubmitterName", "ReviewState", "KEY", "FormVersion", "SubmissionDate"):
        assert column not in columns


def test_a_table_with_only_the_geopoint_text_imports(store):
    header = ["location", "name", "water_type", "hazards", "risk_level", "notes", "reporter"]
    rows = [
        [
            f"{s['lat']} {s['lon']} {s['alt']} {s['acc']}",
            s["name"],
            s["water_type"],
            " ".join(s["hazards"]),
            s["risk_level"],
            s["notes"],
            s["reporter"],
        ]
        for s in SUBMISSIONS
    ]
    data = _csv_bytes(header, rows, ";")
    report = store.preview_import(data, filename="nhap-tay.csv")
    assert report.errors == ()
    result = store.import_file(data, filename="nhap-tay.csv", user=FIELD_WORKER)
    assert (result.added, result.pending_review) == (3, 3)
    points = store.read_layer("risk_points").sort_values("name")
    assert list(points["commune_id"]) == ["CM-01", "CM-02", "CM-01"]
    assert [(p.x, p.y) for p in points.geometry] == [(s["lon"], s["lat"]) for s in SUBMISSIONS]
    assert [list(h) for h in points["hazards"]] == [s["hazards"] for s in SUBMISSIONS]
    # Without a submission id, the point id comes from the name and place: the same at every import.
    again = store.import_file(data, filename="nhap-tay.csv", user=FIELD_WORKER)
    assert (again.added, again.skipped_existing) == (0, 3)


def test_a_kobo_xlsx_export_imports_as_pending_reports(store):
    result = store.import_file(kobo_xlsx(), filename="bao_diem_nguy_co.xlsx", user=FIELD_WORKER)
    assert_imported_as_reports(store, result)


def test_a_kobo_geojson_export_with_heights_imports_as_pending_reports(store):
    data = kobo_geojson()
    report = store.preview_import(data, filename="bao_diem_nguy_co.geojson")
    assert "height_dropped" not in {p.code for p in report.problems}
    assert report.errors == ()
    result = store.import_file(data, filename="bao_diem_nguy_co.geojson", user=FIELD_WORKER)
    assert_imported_as_reports(store, result)
    again = store.import_file(data, filename="bao_diem_nguy_co.geojson", user=FIELD_WORKER)
    assert (again.added, again.skipped_existing) == (0, 3)


def test_the_same_submission_gets_the_same_point_id_from_every_export(store):
    ids = []
    for data, name in ((kobo_csv(), "a.csv"), (central_csv(), "b.csv"), (kobo_geojson(), "c.geojson")):
        report = store.preview_import(data, filename=name)
        ids.append(sorted(report.valid["point_id"]))
    assert ids[0] == ids[1] == ids[2]
    assert all(len(i) == len("QN-") + 10 for i in ids[0])


def test_a_bad_geopoint_text_rejects_its_row_with_a_clear_problem(store):
    header = ["location", "name", "water_type", "risk_level", "reporter", "_uuid"]
    rows = [
        ["20.951234 107.053456 3 5", "Ao làng Hà Tu", "pond", "high", "Hoa", "u-1"],
        ["21,0123; 107,0456", "Suối Lộc", "stream", "low", "Hoa", "u-2"],
    ]
    data = _csv_bytes(header, rows, ",")
    report = store.preview_import(data, filename="loi.csv")
    [problem] = [p for p in report.errors if p.code == "geopoint_unreadable"]
    assert problem.index == 1
    assert problem.params == {"value": "'21,0123; 107,0456'"}
    assert "21,0123; 107,0456" in problem_message(problem, "vi")
    assert "vĩ độ kinh độ độ cao độ chính xác" in problem_message(problem, "vi")
    assert list(report.rejected["source_index"]) == [1]
    assert json.loads(report.rejected["properties"].iloc[0])["location"] == "21,0123; 107,0456"
    with pytest.raises(ValidationError):
        store.import_file(data, filename="loi.csv", user=FIELD_WORKER)
    result = store.import_file(data, filename="loi.csv", user=FIELD_WORKER, skip_invalid=True)
    assert (result.added, result.rejected, result.pending_review) == (1, 1, 1)


def test_ordinary_tables_and_other_layers_are_not_taken_for_exports():
    # A "location" column beside latitude/longitude columns is the user's own text.
    header = ["name", "location", "water_type", "risk_level", "lat", "lon", "_note"]
    assert (
        read_form_export(
            header, [["Ao", "thôn Đông", "pond", "high", 20.95, 107.05, ""]], layer="risk_points"
        )
        is None
    )
    kobo = _kobo_header()
    assert read_form_export(kobo, [_kobo_row(0, SUBMISSIONS[0])], layer="swim_classes") is None
    own = [
        {
            "type": "Feature",
            "properties": {"name": "Ao", "hazards": ["deep_water"], "location": "thôn Đông", "end": "2025"},
            "geometry": None,
        }
    ]
    assert normalise_form_export(own, layer="risk_points") == (own, [])


# ---------------------------------------------------------------------- rules for every input


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-90, 90, allow_nan=False),
    lon=st.floats(-180, 180, allow_nan=False),
    altitude=st.one_of(st.none(), st.floats(-500, 9000, allow_nan=False)),
    accuracy=st.floats(0, 5000, allow_nan=False),
)
def test_geopoint_text_and_columns_give_the_same_point(lat, lon, altitude, accuracy):
    parts = (
        [repr(lat), repr(lon)] if altitude is None else [repr(lat), repr(lon), repr(altitude), repr(accuracy)]
    )
    from_text, problems = read_form_export(
        ["location", "name", "water_type"], [[" ".join(parts), "Ao", "pond"]], layer="risk_points"
    )
    from_columns, _ = read_form_export(
        ["_location_latitude", "_location_longitude", "name"], [[lat, lon, "Ao"]], layer="risk_points"
    )
    assert problems == []
    assert (
        from_text[0]["geometry"]
        == from_columns[0]["geometry"]
        == {"type": "Point", "coordinates": [lon, lat]}
    )
    assert from_text[0]["properties"].get("gps_accuracy_m") == (None if altitude is None else accuracy)


@settings(max_examples=60, deadline=None)
@given(chosen=st.sets(st.sampled_from(HAZARDS)))
def test_multiple_choices_as_names_or_as_columns_give_the_same_list(chosen):
    expected = [h for h in HAZARDS if h in chosen]
    header = [
        "_location_latitude",
        "_location_longitude",
        "name",
        "grp/hazards",
        *(f"grp/hazards/{h}" for h in HAZARDS),
    ]
    ticks = [str(int(h in chosen)) for h in HAZARDS]
    names = " ".join(expected)
    results = []
    for row_names, row_ticks in ((names, [""] * len(HAZARDS)), ("", ticks), (names, ticks)):
        [feature], _ = read_form_export(
            header, [[20.95, 107.05, "Ao", row_names, *row_ticks]], layer="risk_points"
        )
        results.append(feature["properties"].get("hazards", []))
    assert results == [expected, expected, expected]
