"""Importing files into the store: all or nothing, skip-invalid, idempotence, uploads, review; seeding."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
import sqlalchemy as sa
import test_store
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box
from test_store import (
    ACTOR,
    COMMUNES,
    add,
    count_point_history,
    count_rows,
    point_properties,
    point_xy,
    run_cli,
    write_geojson,
    write_points,
)

from hotspots.errors import StoreError, UnreadableFileError, ValidationError
from hotspots.formats import load_geodata_layer
from hotspots.i18n import problem_message
from hotspots.schema import LAYERS, POINT_STATUSES
from hotspots.store import ImportResult, migrations, open_store
from tests.auth_kit import make_user

#: A second officer importing the same file.
SOMEONE_ELSE = make_user("someone", "officer", display_name="someone else")

# The back-end fixtures of the store suite: SQLite, and PostgreSQL when a server is configured.
postgres_database = test_store.postgres_database
store_url = test_store.store_url
store = test_store.store
cli_url = test_store.cli_url


# ---------------------------------------------------------------------- imports


def test_import_adds_every_point_with_one_history_row_each(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 31))
    result = store.import_file(path, user=ACTOR)
    assert result == ImportResult(
        added=30, skipped_existing=0, rejected=0, rejected_path=None, rejected_csv=None, pending_review=30
    )
    assert len(store.read_layer("risk_points")) == 30
    assert count_point_history(store) == 30
    assert store.history("QN-0030").iloc[0]["what"] == "points.geojson"


def test_importing_the_same_file_twice_adds_nothing_the_second_time(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 11))
    store.import_file(path, user=ACTOR)
    again = store.import_file(path, user=SOMEONE_ELSE)
    assert (again.added, again.skipped_existing) == (0, 10)
    assert count_rows(store, "risk_points") == 10
    assert count_point_history(store) == 10
    bigger = write_points(tmp_path / "more.geojson", range(1, 16))
    assert store.import_file(bigger, user=ACTOR).added == 5


def test_renumbered_points_at_the_same_place_with_the_same_name_are_skipped(store, tmp_path):
    store.import_file(write_points(tmp_path / "a.geojson", range(1, 6)), user=ACTOR)
    features = [(point_properties(i, point_id=f"QN-{i + 500:04d}"), Point(*point_xy(i))) for i in range(1, 6)]
    result = store.import_file(write_geojson(tmp_path / "renumbered.geojson", features), user=ACTOR)
    assert (result.added, result.skipped_existing) == (0, 5)


def test_a_new_point_on_top_of_a_stored_one_is_rejected_on_import(store, tmp_path):
    store.import_file(write_points(tmp_path / "a.geojson", range(1, 4)), user=ACTOR)
    features = [
        (point_properties(2), Point(*point_xy(2))),
        (point_properties(9, name="Tên khác"), Point(*point_xy(2))),
        (point_properties(10), Point(*point_xy(10))),
    ]
    path = write_geojson(tmp_path / "b.geojson", features)
    preview = store.preview_import(path)
    assert [p.index for p in preview.errors] == [1]
    assert "already in the store" in str(preview.warnings)
    assert list(preview.rejected["feature_id"]) == ["QN-0009"]
    with pytest.raises(ValidationError, match="same place"):
        store.import_file(path, user=ACTOR)
    result = store.import_file(path, user=ACTOR, skip_invalid=True)
    assert (result.added, result.skipped_existing, result.rejected) == (1, 1, 1)
    assert "QN-0010" in set(store.read_layer("risk_points")["point_id"])


def test_an_import_with_one_invalid_point_imports_nothing(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 21))
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][12]["properties"]["risk_level"] = "extreme"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="nothing was imported"):
        store.import_file(path, user=ACTOR)
    assert count_rows(store, "risk_points") == 0
    assert count_point_history(store) == 0
    assert not (tmp_path / "points-rejected.csv").exists()


def test_skip_invalid_imports_the_rest_and_writes_the_rejected_rows(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 21))
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][12]["properties"]["risk_level"] = "extreme"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "rejected.csv"
    result = store.import_file(path, user=ACTOR, skip_invalid=True, rejected_out=out)
    assert (result.added, result.rejected, result.rejected_path) == (19, 1, out)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert "QN-0013" in rows[0].values()
    assert "risk_level" in " ".join(rows[0].values())
    assert "QN-0013" not in set(store.read_layer("risk_points")["point_id"])


def test_preview_import_writes_nothing(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 6))
    report = store.preview_import(path)
    assert len(report.valid) == 5
    assert count_rows(store, "risk_points") == 0


def test_an_unreadable_file_is_reported_as_such(store, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(UnreadableFileError):
        store.import_file(path, user=ACTOR)


def test_other_layers_round_trip_with_their_geometry(store, tmp_path):
    path = write_geojson(tmp_path / "communes.geojson", COMMUNES)
    assert store.import_file(path, layer="communes", user=ACTOR).added == 2
    assert store.import_file(path, layer="communes", user=ACTOR).skipped_existing == 2
    layer = store.read_layer("communes")
    assert layer.crs.to_epsg() == 4326
    assert list(layer["name"]) == ["Phường Hà Tu", "Xã Cái Chiên"]
    assert list(layer["children_under_16"]) == [5210, 310]
    assert list(layer["has_play_space"]) == [True, False]
    assert layer.geometry.iloc[1].equals(box(107.1, 20.9, 107.2, 21.0))
    assert list(store.read_layer("communes", commune_ids=["CM-02"])["commune_id"]) == ["CM-02"]
    assert store.history("CM-01", layer="communes").iloc[0]["action"] == "import"


# ---------------------------------------------------------------------- review


def active_black_spots(store) -> int:
    active = store.read_layer("risk_points", statuses=["active"])
    return int((active["risk_level"] == "black_spot").sum())


def held_reason(status: str) -> str:
    return (
        f"Imported as 'pending' for review; the file's status '{status}' applies only to an approved import."
    )


def test_an_imported_black_spot_waits_for_review_unless_the_import_is_approved(store, tmp_path):
    checked = write_points(tmp_path / "checked.geojson", [1, 2], risk_level="black_spot")
    assert store.import_file(checked, user=ACTOR, approved=True).pending_review == 0
    assert active_black_spots(store) == 2

    # A field file marks its black spot 'active': nobody reviewed it, so it does not count yet.
    field = write_points(tmp_path / "field.geojson", [3], risk_level="black_spot", status="active")
    result = store.import_file(field, user=ACTOR)
    assert (result.added, result.pending_review) == (1, 1)
    assert active_black_spots(store) == 2
    pending = store.read_layer("risk_points", statuses=["pending"])
    assert list(pending["point_id"]) == ["QN-0003"]
    assert pending.iloc[0]["risk_level"] == "black_spot"
    row = store.history("QN-0003").iloc[0]
    assert (row["action"], row["new"]["status"], row["reason"]) == (
        "import",
        "pending",
        held_reason("active"),
    )

    officer = write_points(tmp_path / "officer.geojson", [4], risk_level="black_spot")
    result = store.import_file(officer, user=ACTOR, approved=True)
    assert (result.added, result.pending_review) == (1, 0)
    assert active_black_spots(store) == 3
    assert store.read_layer("risk_points", statuses=["active"])["point_id"].tolist()[-1] == "QN-0004"
    assert store.history("QN-0004").iloc[0]["reason"] == ""


@pytest.mark.parametrize("status", POINT_STATUSES)
def test_a_status_in_the_file_does_not_skip_review(store, tmp_path, status):
    path = write_points(tmp_path / "points.geojson", [1, 2], status=status)
    result = store.import_file(path, user=ACTOR)
    assert (result.added, result.pending_review) == (2, 2)
    stored = store.read_layer("risk_points", include_retired=True)
    assert list(stored["status"]) == ["pending", "pending"]
    expected = "" if status == "pending" else held_reason(status)
    assert list(store.history("QN-0002")["reason"]) == [expected]


def test_an_approved_import_keeps_the_file_statuses_and_makes_the_rest_active(store, tmp_path):
    features = [
        (point_properties(1, status="mitigated"), Point(*point_xy(1))),
        (point_properties(2, status=None), Point(*point_xy(2))),
        (point_properties(3, status="pending"), Point(*point_xy(3))),
    ]
    path = write_geojson(tmp_path / "points.geojson", features)
    result = store.import_file(path, user=ACTOR, approved=True)
    assert (result.added, result.pending_review) == (3, 1)
    stored = store.read_layer("risk_points", include_retired=True)
    assert list(stored["status"]) == ["mitigated", "active", "pending"]


def test_other_layers_have_nothing_to_review(store, tmp_path):
    path = write_geojson(tmp_path / "communes.geojson", COMMUNES)
    result = store.import_file(path, layer="communes", user=ACTOR)
    assert (result.added, result.pending_review) == (2, 0)


# ---------------------------------------------------------------------- uploads (bytes)


def test_an_upload_is_previewed_and_imported_from_its_bytes(store, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    path = write_points(folder / "points.geojson", range(1, 6))
    data = path.read_bytes()
    preview = store.preview_import(data, filename="diem-moi.geojson")
    assert_geodataframe_equal(preview.valid, store.preview_import(path).valid)
    result = store.import_file(data, filename="diem-moi.geojson", user=ACTOR)
    assert result == ImportResult(added=5, skipped_existing=0, rejected=0, pending_review=5)
    assert store.history("QN-0001").iloc[0]["what"] == "diem-moi.geojson"
    imports = migrations.imports
    query = sa.select(imports.c.file_name, imports.c.file_sha256).where(imports.c.layer == "risk_points")
    with store.engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ("diem-moi.geojson", hashlib.sha256(data).hexdigest())
    again = store.import_file(data, filename="uploads/diem-moi.geojson", user=SOMEONE_ELSE)
    assert (again.added, again.skipped_existing) == (0, 5)
    assert count_point_history(store) == 5
    assert list(folder.iterdir()) == [path]


def test_the_file_name_of_an_upload_picks_its_format(store):
    table = "point_id,name,water_type,risk_level,latitude,longitude\nQN-0007,Ao làng,pond,high,20.95,107.05\n"
    table = table.encode()
    with pytest.raises(UnreadableFileError):
        store.preview_import(table, filename="diem.geojson")
    result = store.import_file(table, filename="diem.csv", user=ACTOR)
    assert (result.added, result.rejected) == (1, 0)
    point = store.read_layer("risk_points").iloc[0]
    assert (point["point_id"], point["name"], point["status"]) == ("QN-0007", "Ao làng", "pending")


@pytest.mark.parametrize("filename", [None, "", "   "])
def test_bytes_without_a_file_name_are_refused(store, filename):
    with pytest.raises(StoreError, match="Say the uploaded file's name") as caught:
        store.import_file(b'{"type": "FeatureCollection", "features": []}', filename=filename, user=ACTOR)
    assert caught.value.code == "upload_needs_filename"
    with pytest.raises(StoreError, match="Say the uploaded file's name"):
        store.preview_import(b"{}", filename=filename)
    assert count_rows(store, "imports") == 1  # the province of the fixture


def test_an_upload_with_rejected_rows_gets_them_back_as_csv_and_no_file_is_written(store, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    path = write_points(folder / "points.geojson", range(1, 6))
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][2]["properties"]["risk_level"] = "extreme"
    data = json.dumps(collection, ensure_ascii=False).encode()
    refused = r"diem\.geojson: 1 problem\(s\); nothing was imported \(1 feature\(s\) rejected"
    with pytest.raises(ValidationError, match=refused) as caught:
        store.import_file(data, filename="diem.geojson", user=ACTOR)
    assert problem_message(caught.value, "vi") == (
        "diem.geojson: 1 lỗi; chưa nhập gì vào kho dữ liệu (1 điểm bị loại; "
        "hãy chọn bỏ qua các dòng lỗi để nhập các điểm còn lại)"
    )
    result = store.import_file(data, filename="diem.geojson", user=ACTOR, skip_invalid=True)
    assert (result.added, result.rejected, result.rejected_path) == (4, 1, None)
    rows = list(csv.DictReader(result.rejected_csv.decode("utf-8-sig").splitlines()))
    assert [row["feature_id"] for row in rows] == ["QN-0003"]
    assert "risk_level" in rows[0]["reasons"]
    assert list(folder.iterdir()) == [path]


def test_the_rejected_rows_of_a_file_come_back_as_the_csv_written(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 4), water_type="lava")
    out = tmp_path / "rejected.csv"
    result = store.import_file(path, user=ACTOR, skip_invalid=True, rejected_out=out)
    assert (result.added, result.rejected) == (0, 3)
    assert result.rejected_csv == out.read_bytes()
    assert result.rejected_csv.startswith("\ufeff".encode())


# ---------------------------------------------------------------------- seeding


def test_an_empty_store_is_seeded_once_from_geodata(store_url, tmp_path, monkeypatch):
    geodata = tmp_path / "geodata"
    geodata.mkdir()
    write_points(geodata / "risk_points.geojson", range(1, 13))
    monkeypatch.setattr("hotspots.store.front.GEODATA_DIR", geodata)
    with open_store(store_url) as store:
        assert len(store.read_layer("risk_points")) == 12
        assert store.history("QN-0001").iloc[0]["action"] == "seed"
        add(store, 50, point_id=None)
    with open_store(store_url) as store:
        assert len(store.read_layer("risk_points")) == 13


@pytest.mark.parametrize("layer", list(LAYERS))
def test_a_seeded_layer_reads_back_exactly_as_the_shipped_file(seeded_url, layer):
    shipped = load_geodata_layer(layer)
    shipped = shipped.sort_values(LAYERS[layer].id_field).reset_index(drop=True)
    with open_store(seeded_url) as store:
        stored = (
            store.read_layer(layer, include_retired=True)
            if layer == "risk_points"
            else store.read_layer(layer)
        )
    assert_geodataframe_equal(stored, shipped, check_less_precise=True)


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    """A SQLite store seeded once from the shipped geodata/ (the app's first run)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'store.sqlite'}"
    with open_store(url, seed=True):
        pass
    return url


def test_the_shipped_sample_seeds_891_points_and_numbering_continues(seeded_url, tmp_path):
    copy = tmp_path / "copy.sqlite"
    with open_store(seeded_url, seed=False) as store:
        store.backup(copy)
    with open_store(f"sqlite:///{copy}") as store:
        assert len(store.read_layer("risk_points", include_retired=True)) == 891
        point_id = store.add_risk_point(
            {"name": "Bến đò mới", "water_type": "river", "risk_level": "high"},
            lon=107.05,
            lat=20.97,
            user=ACTOR,
        )
        assert point_id == "QN-0892"
        assert store.read_layer("risk_points").iloc[-1]["commune_id"] is not None


# ---------------------------------------------------------------------- command line


def test_cli_import_prints_a_summary_and_is_idempotent(cli_url, tmp_path, capsys):
    path = write_points(tmp_path / "points.geojson", range(1, 9))
    assert run_cli(["import", str(path), "--as", "Lan"]) == 0
    out = capsys.readouterr().out
    assert "8 valid, 0 rejected" in out
    assert "Imported: 8 added, 0 already in the store." in out
    assert run_cli(["import", str(path)]) == 0
    assert "0 added, 8 already in the store" in capsys.readouterr().out


def test_cli_import_of_invalid_data_exits_1_and_skip_invalid_names_the_file(cli_url, tmp_path, capsys):
    path = write_points(tmp_path / "points.geojson", range(1, 5), water_type="lava")
    assert run_cli(["import", str(path)]) == 1
    assert "Nothing was imported" in capsys.readouterr().err
    assert run_cli(["import", str(path), "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert f"4 rejected (listed in {tmp_path / 'points-rejected.csv'})" in out


def test_cli_unreadable_file_exits_2(cli_url, tmp_path, capsys):
    assert run_cli(["import", str(tmp_path / "missing.geojson")]) == 2
    assert "error: There is no file at" in capsys.readouterr().err


def test_cli_import_leaves_points_pending_unless_approved(cli_url, tmp_path, capsys):
    assert run_cli(["import", str(write_points(tmp_path / "field.geojson", [1, 2]))]) == 0
    out = capsys.readouterr().out
    assert "Imported: 2 added, 0 already in the store." in out
    assert "2 risk point(s) wait for review as 'pending'" in out
    assert run_cli(["import", str(write_points(tmp_path / "checked.geojson", [3])), "--approved"]) == 0
    assert "wait for review" not in capsys.readouterr().out
    with open_store(cli_url, seed=False) as store:
        points = store.read_layer("risk_points")
    assert dict(zip(points["point_id"], points["status"], strict=True)) == {
        "QN-0001": "pending",
        "QN-0002": "pending",
        "QN-0003": "active",
    }
