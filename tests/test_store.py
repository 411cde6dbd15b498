"""The store of record, on SQLite and (when a server is configured) on PostgreSQL.

Every test taking ``store`` or ``store_url`` runs once per back-end; the
PostgreSQL run needs ``HOTSPOTS_TEST_POSTGRES_URL`` (scripts/start_test_postgres.sh
prints one) and works in a database created for this test run.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box, mapping

from hotspots.cli import commands as cli
from hotspots.errors import SchemaError, StoreError, UnreadableFileError, ValidationError
from hotspots.formats import load_geodata_layer
from hotspots.schema import LAYERS, MAPPED_STATUSES, POINT_STATUSES, RISK_POINTS, STATUS_TRANSITIONS
from hotspots.store import ImportResult, Store, migrations, open_store

POSTGRES_ENV = "HOTSPOTS_TEST_POSTGRES_URL"
NO_POSTGRES = "no PostgreSQL server: set HOTSPOTS_TEST_POSTGRES_URL (see scripts/start_test_postgres.sh)"
#: Hạ Long bay area: every hand-made point sits inside the hand-made province below.
LON0, LAT0 = 107.05, 20.95
PROVINCE = box(106.9, 20.85, 107.4, 21.4)
USER = "Nguyễn Thị Lan"
COMMUNES = [
    (
        {
            "commune_id": "CM-01",
            "name": "Phường Hà Tu",
            "unit_type": "phường",
            "children_under_16": 5210,
            "has_play_space": True,
        },
        box(107.0, 20.9, 107.1, 21.0),
    ),
    (
        {
            "commune_id": "CM-02",
            "name": "Xã Cái Chiên",
            "unit_type": "xã",
            "children_under_16": 310,
            "has_play_space": False,
        },
        box(107.1, 20.9, 107.2, 21.0),
    ),
]


# ---------------------------------------------------------------------- back-ends


@pytest.fixture(scope="session")
def postgres_database() -> sa.URL:
    """A database created for this test run on the test server, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(NO_POSTGRES)
    url = sa.make_url(base).set(drivername="postgresql+psycopg")
    name = f"hotspots_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    yield url.set(database=name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a new SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    url = request.getfixturevalue("postgres_database")
    engine = sa.create_engine(url)
    migrations.metadata.drop_all(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def store(store_url: str, tmp_path: Path):
    """An empty store whose province is a hand-made box around the test points."""
    with open_store(store_url, seed=False) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user="setup")
        yield opened


# ---------------------------------------------------------------------- hand-made data


def point_properties(i: int, **overrides: object) -> dict:
    properties = {
        "point_id": f"QN-{i:04d}",
        "name": f"Ao làng Hà Tu số {i}",
        "water_type": "pond",
        "risk_level": "high",
        "hazards": ["deep_water", "no_fence"],
        "commune_id": "CM-01" if i % 2 else "CM-02",
        "status": "active",
        "source": "Phòng LĐ-TB&XH",
    }
    properties.update(overrides)
    return {k: v for k, v in properties.items() if v is not None}


def point_xy(i: int) -> tuple[float, float]:
    # About 100 m apart: never near duplicates of each other.
    return LON0 + 0.001 * (i % 100), LAT0 + 0.001 * (i // 100)


def write_points(path: Path, numbers: range | list[int], **overrides: object) -> Path:
    features = [(point_properties(i, **overrides), Point(*point_xy(i))) for i in numbers]
    return write_geojson(path, features)


def write_province(folder: Path) -> Path:
    """The hand-made province outline as a file to import."""
    return write_geojson(
        folder / "province.geojson", [({"province_id": "P-01", "name": "Tỉnh thử"}, PROVINCE)]
    )


def write_geojson(path: Path, features: list[tuple[dict, object]]) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geom)} for props, geom in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def new_point(i: int, **overrides: object) -> dict:
    """Properties of a point reported in the app (no status: new points are pending)."""
    properties = point_properties(i, **overrides)
    properties.pop("status", None)
    return properties


def add(store, i: int, **overrides: object) -> str:
    lon, lat = point_xy(i)
    return store.add_risk_point(new_point(i, **overrides), lon=lon, lat=lat, user=USER)


def count_rows(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar()


def count_point_history(store) -> int:
    history = migrations.history
    query = sa.select(sa.func.count()).where(history.c.layer == "risk_points")
    with store.engine.connect() as conn:
        return conn.execute(query).scalar()


def bring_to(store, point_id: str, status: str) -> None:
    """Walk a pending point to ``status`` through allowed transitions."""
    path = {"pending": [], "active": ["active"], "rejected": ["rejected"]}
    path |= {"mitigated": ["active", "mitigated"], "retired": ["active", "retired"]}
    for step in path[status]:
        store.set_status(point_id, step, user=USER)


# ---------------------------------------------------------------------- opening, schema


def test_open_creates_the_tables_at_the_latest_version(store):
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.latest_version()
        tables = set(sa.inspect(conn).get_table_names())
    assert {"risk_points", "features", "history", "inspections", "imports", "schema_version"} <= tables


def test_upgrade_is_idempotent(store_url):
    with open_store(store_url, seed=False, upgrade=False) as store:
        assert store.upgrade() == [1]
        assert store.upgrade() == []
    with open_store(store_url, seed=False) as store:
        assert count_rows(store, "schema_version") == 1


def test_a_new_migration_is_applied_once_and_recorded(store):
    def add_colour(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE features ADD COLUMN colour TEXT")

    chain = (*migrations.MIGRATIONS, migrations.Migration(2, "feature colour", add_colour))
    with store.engine.begin() as conn:
        assert migrations.upgrade(conn, chain) == [2]
    with store.engine.begin() as conn:
        assert migrations.upgrade(conn, chain) == []
        columns = {c["name"] for c in sa.inspect(conn).get_columns("features")}
    assert "colour" in columns
    with pytest.raises(StoreError, match="schema version 2 but this version of the app only knows"):
        store.upgrade()


def test_a_chain_with_gaps_is_refused(store):
    chain = (*migrations.MIGRATIONS, migrations.Migration(3, "skips 2", lambda conn: None))
    with store.engine.begin() as conn, pytest.raises(StoreError, match="without gaps"):
        migrations.upgrade(conn, chain)


def test_default_url_is_sqlite_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("HOTSPOTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "data"))
    with open_store(seed=False) as store:
        assert store.backend == "sqlite"
    assert (tmp_path / "data" / "hotspots.sqlite").exists()


def test_environment_url_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTSPOTS_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite'}")
    with open_store(seed=False):
        pass
    assert (tmp_path / "from-env.sqlite").exists()


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/x", "not a url", "sqlite+pysqlcipher:///x.db"])
def test_unsupported_urls_are_refused_with_the_accepted_forms(url):
    with pytest.raises(StoreError, match=r"Use sqlite:///path/to/hotspots.sqlite or postgresql\+psycopg://"):
        open_store(url, seed=False)


def test_unreachable_postgresql_is_a_store_error():
    with pytest.raises(StoreError, match="cannot be used"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/nothing", seed=False)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path):
    with (
        open_store(f"sqlite:///{tmp_path / 's.sqlite'}", seed=False) as store,
        store.engine.connect() as conn,
    ):
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


# ---------------------------------------------------------------------- adding and reading


def test_added_points_get_the_next_ids_and_start_pending(store):
    assert add(store, 1, point_id=None) == "QN-0001"
    assert add(store, 2, point_id=None) == "QN-0002"
    layer = store.read_layer("risk_points")
    assert list(layer["point_id"]) == ["QN-0001", "QN-0002"]
    assert set(layer["status"]) == {"pending"}


def test_read_layer_has_the_schema_columns_in_wgs84(store):
    add(store, 7, notes="Gần trường tiểu học", reporter_phone="0912 345 678")
    layer = store.read_layer("risk_points")
    assert isinstance(layer, gpd.GeoDataFrame)
    assert layer.crs.to_epsg() == 4326
    assert list(layer.columns[: len(RISK_POINTS.fields)]) == list(RISK_POINTS.field_names)
    assert list(layer.columns[-2:]) == ["reporter_phone", "geometry"]
    row = layer.iloc[0]
    assert row["name"] == "Ao làng Hà Tu số 7"
    assert list(row["hazards"]) == ["deep_water", "no_fence"]
    assert row["notes"] == "Gần trường tiểu học"
    assert row.geometry.equals(Point(*point_xy(7)))


def test_a_given_id_is_kept_and_numbering_continues_after_it(store):
    assert add(store, 40) == "QN-0040"
    assert add(store, 41, point_id=None) == "QN-0041"


def test_an_id_already_used_is_a_validation_error(store):
    add(store, 1)
    with pytest.raises(ValidationError, match="already used"):
        add(store, 2, point_id="QN-0001")
    assert len(store.read_layer("risk_points")) == 1


def test_an_invalid_point_is_refused_and_leaves_no_trace(store):
    with pytest.raises(ValidationError) as caught:
        add(store, 1, risk_level="extreme", water_type=None)
    assert {"risk_level", "water_type"} <= {p.field for p in caught.value.problems}
    assert count_rows(store, "risk_points") == 0
    assert count_point_history(store) == 0


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), LAT0), ("east", LAT0), (LON0, None)])
def test_coordinates_must_be_numbers(store, lon, lat):
    with pytest.raises(ValidationError, match="Coordinates must be numbers"):
        store.add_risk_point(new_point(1), lon=lon, lat=lat, user=USER)


def test_new_points_cannot_skip_the_pending_status(store):
    with pytest.raises(StoreError, match="start as 'pending'"):
        store.add_risk_point(point_properties(1, status="active"), lon=LON0, lat=LAT0, user=USER)


@pytest.mark.parametrize("user", ["", "   ", None])
def test_every_change_needs_a_user(store, user):
    with pytest.raises(StoreError, match="Say who makes the change"):
        store.add_risk_point(new_point(1), lon=LON0, lat=LAT0, user=user)


def test_points_are_validated_against_the_stored_province(store):
    with pytest.raises(ValidationError, match="outside the province"):
        store.add_risk_point(new_point(1), lon=106.0, lat=20.0, user=USER)


def test_a_point_a_few_metres_from_a_stored_one_is_a_near_duplicate(store):
    add(store, 1)
    lon, lat = point_xy(1)
    with pytest.raises(ValidationError, match="probably the same place entered twice"):
        store.add_risk_point(new_point(2, point_id=None), lon=lon + 0.00002, lat=lat, user=USER)


def test_the_commune_is_filled_from_the_stored_communes_and_follows_a_move(store, tmp_path):
    store.import_file(write_geojson(tmp_path / "communes.geojson", COMMUNES), layer="communes", user=USER)
    point_id = store.add_risk_point(new_point(1, commune_id=None), lon=107.05, lat=20.95, user=USER)
    assert store.read_layer("risk_points").iloc[0]["commune_id"] == "CM-01"
    store.edit_risk_point(point_id, {"lon": 107.15}, user=USER)
    edit = store.history(point_id).iloc[-1]
    assert (edit["old"]["commune_id"], edit["new"]["commune_id"]) == ("CM-01", "CM-02")
    with pytest.raises(ValidationError, match="not one of the 2 communes"):
        add(store, 5, commune_id="CM-99")


# ---------------------------------------------------------------------- history


def test_adding_writes_one_history_row_with_the_new_point(store):
    point_id = add(store, 3)
    rows = store.history(point_id)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["action"], row["user"], row["old"]) == ("add", USER, None)
    assert row["new"]["name"] == "Ao làng Hà Tu số 3"
    assert (row["new"]["lon"], row["new"]["lat"]) == point_xy(3)
    assert datetime.fromisoformat(row["at"]).utcoffset() == timedelta(0)


def test_a_multi_field_edit_is_one_history_row_with_old_and_new_values(store):
    point_id = add(store, 3)
    store.edit_risk_point(
        point_id,
        {"name": "Hồ Yên Lập (bờ đông)", "risk_level": "black_spot", "hazards": ["tidal_flow"]},
        user="an",
    )
    rows = store.history(point_id)
    assert list(rows["action"]) == ["add", "edit"]
    edit = rows.iloc[1]
    assert edit["what"] == "hazards, name, risk_level"
    assert edit["old"] == {
        "name": "Ao làng Hà Tu số 3",
        "risk_level": "high",
        "hazards": ["deep_water", "no_fence"],
    }
    assert edit["new"] == {
        "name": "Hồ Yên Lập (bờ đông)",
        "risk_level": "black_spot",
        "hazards": ["tidal_flow"],
    }
    assert store.read_layer("risk_points").iloc[0]["name"] == "Hồ Yên Lập (bờ đông)"


def test_an_edit_that_changes_nothing_writes_no_history(store):
    point_id = add(store, 3)
    store.edit_risk_point(point_id, {"name": "Ao làng Hà Tu số 3"}, user=USER)
    assert len(store.history(point_id)) == 1


@pytest.mark.parametrize(
    ("mutate", "action", "old", "new"),
    [
        (
            lambda s, p: s.set_status(p, "active", user=USER),
            "status",
            {"status": "pending"},
            {"status": "active"},
        ),
        (
            lambda s, p: s.edit_risk_point(p, {"notes": "Đã có biển báo"}, user=USER),
            "edit",
            {"notes": None},
            None,
        ),
        (
            lambda s, p: s.record_inspection(
                p, inspected_on="2025-05-30", inspector="An", findings="OK", user=USER
            ),
            "inspection",
            {"last_inspected": None},
            None,
        ),
    ],
    ids=["status", "edit", "inspection"],
)
def test_each_mutation_leaves_exactly_one_history_row(store, mutate, action, old, new):
    point_id = add(store, 3)
    other = add(store, 4)
    mutate(store, point_id)
    rows = store.history(point_id)
    assert list(rows["action"]) == ["add", action]
    assert rows.iloc[1]["old"] == old
    if new is not None:
        assert rows.iloc[1]["new"] == new
    assert len(store.history(other)) == 1
    assert count_point_history(store) == 3


def test_moving_a_point_records_the_new_coordinates(store):
    point_id = add(store, 3)
    store.edit_risk_point(point_id, {"lon": LON0 + 0.05, "lat": LAT0 + 0.01}, user=USER)
    edit = store.history(point_id).iloc[-1]
    assert edit["new"]["lon"] == pytest.approx(LON0 + 0.05)
    assert edit["old"]["lat"] == pytest.approx(point_xy(3)[1])
    assert store.read_layer("risk_points").geometry.iloc[0].equals(Point(LON0 + 0.05, LAT0 + 0.01))


def test_history_of_an_unknown_point_is_a_store_error(store):
    with pytest.raises(StoreError, match="no risk point with id 'QN-9999'"):
        store.history("QN-9999")


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"point_id": "QN-0100"}, StoreError, "ids never change"),
        ({"status": "active"}, StoreError, "use set_status"),
        ({"colour": "red"}, SchemaError, "editable: commune_id, hazards"),
    ],
)
def test_edits_refuse_ids_statuses_and_unknown_fields(store, changes, error, match):
    point_id = add(store, 3)
    with pytest.raises(error, match=match):
        store.edit_risk_point(point_id, changes, user=USER)
    assert len(store.history(point_id)) == 1


def test_an_invalid_edit_changes_nothing(store):
    point_id = add(store, 3)
    with pytest.raises(ValidationError):
        store.edit_risk_point(point_id, {"risk_level": "extreme"}, user=USER)
    assert store.read_layer("risk_points").iloc[0]["risk_level"] == "high"
    assert len(store.history(point_id)) == 1


# ---------------------------------------------------------------------- statuses


TRANSITIONS = [(old, new) for old in POINT_STATUSES for new in POINT_STATUSES]


@pytest.mark.parametrize(("old", "new"), TRANSITIONS, ids=[f"{o}->{n}" for o, n in TRANSITIONS])
def test_status_transitions_follow_the_schema(store, old, new):
    point_id = add(store, 1)
    bring_to(store, point_id, old)
    if new in STATUS_TRANSITIONS[old]:
        store.set_status(point_id, new, user=USER, reason="kiểm tra thực địa")
        assert store.read_layer("risk_points", statuses=[new]).iloc[0]["point_id"] == point_id
        assert store.history(point_id).iloc[-1]["reason"] == "kiểm tra thực địa"
    else:
        allowed = STATUS_TRANSITIONS[old]
        expected = ", ".join(f"'{s}'" for s in allowed) if allowed else "none"
        with pytest.raises(StoreError, match=f"Allowed from '{old}': {expected}"):
            store.set_status(point_id, new, user=USER)


def test_an_unknown_status_lists_the_statuses(store):
    point_id = add(store, 1)
    with pytest.raises(SchemaError, match="statuses are: pending, active"):
        store.set_status(point_id, "closed", user=USER)


def test_retired_and_rejected_points_leave_the_map_but_stay_in_the_store(store):
    kept, retired, rejected = add(store, 1), add(store, 2), add(store, 3)
    bring_to(store, retired, "retired")
    bring_to(store, rejected, "rejected")
    assert list(store.read_layer("risk_points")["point_id"]) == [kept]
    everything = store.read_layer("risk_points", include_retired=True)
    assert list(everything["point_id"]) == [kept, retired, rejected]
    assert list(store.read_layer("risk_points", statuses=["retired"])["point_id"]) == [retired]
    assert len(store.history(retired)) == 3


def test_read_layer_filters_by_commune_and_status(store):
    for i in range(1, 7):
        add(store, i)
    bring_to(store, "QN-0001", "active")
    odd = store.read_layer("risk_points", commune_ids=["CM-01"])
    assert list(odd["point_id"]) == ["QN-0001", "QN-0003", "QN-0005"]
    active_odd = store.read_layer("risk_points", commune_ids=["CM-01"], statuses=["active"])
    assert list(active_odd["point_id"]) == ["QN-0001"]
    assert store.read_layer("risk_points", commune_ids=[]).empty


@pytest.mark.parametrize(
    ("layer", "kwargs", "match"),
    [
        ("risk_points", {"statuses": ["open"]}, "Unknown status 'open'"),
        ("communes", {"statuses": list(MAPPED_STATUSES)}, "Only risk points have a status"),
        ("hotspot", {}, "Known layers: risk_points"),
        ("water", {"commune_ids": ["CM-01"]}, "commune filters apply to: risk_points, swim_classes"),
    ],
)
def test_read_layer_rejects_wrong_filters(store, layer, kwargs, match):
    with pytest.raises(SchemaError, match=match):
        store.read_layer(layer, **kwargs)


# ---------------------------------------------------------------------- inspections


def test_inspections_are_listed_and_last_inspected_only_moves_forward(store):
    point_id = add(store, 5)
    store.record_inspection(
        point_id,
        inspected_on=date(2025, 6, 1),
        inspector="Trần Văn Minh",
        findings="Chưa có rào chắn",
        mitigations="Đề nghị xã lắp biển cảnh báo",
        user=USER,
    )
    store.record_inspection(
        point_id, inspected_on="2025-03-02", inspector="An", findings="Nước sâu", user=USER
    )
    frame = store.inspections(point_id)
    assert list(frame["inspected_on"]) == ["2025-03-02", "2025-06-01"]
    assert frame.iloc[1]["mitigations"] == "Đề nghị xã lắp biển cảnh báo"
    assert str(store.read_layer("risk_points").iloc[0]["last_inspected"])[:10] == "2025-06-01"
    history = store.history(point_id)
    assert history.iloc[-1]["old"] == {"last_inspected": "2025-06-01"}
    assert history.iloc[-1]["new"]["last_inspected"] == "2025-06-01"


def test_an_inspection_with_problems_lists_them_all(store):
    point_id = add(store, 5)
    tomorrow_plus = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as caught:
        store.record_inspection(point_id, inspected_on=tomorrow_plus, inspector=" ", findings="", user=USER)
    assert {p.field for p in caught.value.problems} == {"inspected_on", "inspector", "findings"}
    with pytest.raises(ValidationError, match="write it as YYYY-MM-DD"):
        store.record_inspection(point_id, inspected_on="1/6/2025", inspector="An", findings="OK", user=USER)
    assert store.inspections(point_id).empty


def test_inspecting_an_unknown_point_is_a_store_error(store):
    with pytest.raises(StoreError, match="no risk point"):
        store.record_inspection(
            "QN-0404", inspected_on="2025-01-01", inspector="An", findings="OK", user=USER
        )
    with pytest.raises(StoreError, match="no risk point"):
        store.inspections("QN-0404")


# ---------------------------------------------------------------------- imports


def test_import_adds_every_point_with_one_history_row_each(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 31))
    result = store.import_file(path, user=USER)
    assert result == ImportResult(added=30, skipped_existing=0, rejected=0, rejected_path=None)
    assert len(store.read_layer("risk_points")) == 30
    assert count_point_history(store) == 30
    assert store.history("QN-0030").iloc[0]["what"] == "points.geojson"


def test_importing_the_same_file_twice_adds_nothing_the_second_time(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 11))
    store.import_file(path, user=USER)
    again = store.import_file(path, user="someone else")
    assert (again.added, again.skipped_existing) == (0, 10)
    assert count_rows(store, "risk_points") == 10
    assert count_point_history(store) == 10
    bigger = write_points(tmp_path / "more.geojson", range(1, 16))
    assert store.import_file(bigger, user=USER).added == 5


def test_renumbered_points_at_the_same_place_with_the_same_name_are_skipped(store, tmp_path):
    store.import_file(write_points(tmp_path / "a.geojson", range(1, 6)), user=USER)
    features = [(point_properties(i, point_id=f"QN-{i + 500:04d}"), Point(*point_xy(i))) for i in range(1, 6)]
    result = store.import_file(write_geojson(tmp_path / "renumbered.geojson", features), user=USER)
    assert (result.added, result.skipped_existing) == (0, 5)


def test_a_new_point_on_top_of_a_stored_one_is_rejected_on_import(store, tmp_path):
    store.import_file(write_points(tmp_path / "a.geojson", range(1, 4)), user=USER)
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
        store.import_file(path, user=USER)
    result = store.import_file(path, user=USER, skip_invalid=True)
    assert (result.added, result.skipped_existing, result.rejected) == (1, 1, 1)
    assert "QN-0010" in set(store.read_layer("risk_points")["point_id"])


def test_an_import_with_one_invalid_point_imports_nothing(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 21))
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][12]["properties"]["risk_level"] = "extreme"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="nothing was imported"):
        store.import_file(path, user=USER)
    assert count_rows(store, "risk_points") == 0
    assert count_point_history(store) == 0
    assert not (tmp_path / "points-rejected.csv").exists()


def test_skip_invalid_imports_the_rest_and_writes_the_rejected_rows(store, tmp_path):
    path = write_points(tmp_path / "points.geojson", range(1, 21))
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][12]["properties"]["risk_level"] = "extreme"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "rejected.csv"
    result = store.import_file(path, user=USER, skip_invalid=True, rejected_out=out)
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
        store.import_file(path, user=USER)


def test_other_layers_round_trip_with_their_geometry(store, tmp_path):
    path = write_geojson(tmp_path / "communes.geojson", COMMUNES)
    assert store.import_file(path, layer="communes", user=USER).added == 2
    assert store.import_file(path, layer="communes", user=USER).skipped_existing == 2
    layer = store.read_layer("communes")
    assert layer.crs.to_epsg() == 4326
    assert list(layer["name"]) == ["Phường Hà Tu", "Xã Cái Chiên"]
    assert list(layer["children_under_16"]) == [5210, 310]
    assert list(layer["has_play_space"]) == [True, False]
    assert layer.geometry.iloc[1].equals(box(107.1, 20.9, 107.2, 21.0))
    assert list(store.read_layer("communes", commune_ids=["CM-02"])["commune_id"]) == ["CM-02"]
    assert store.history("CM-01", layer="communes").iloc[0]["action"] == "import"


# ---------------------------------------------------------------------- backup


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in migrations.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def test_backup_is_a_store_with_the_same_counts(store, store_url, tmp_path, request):
    for i in range(1, 6):
        add(store, i)
    store.record_inspection("QN-0002", inspected_on="2025-01-01", inspector="An", findings="OK", user=USER)
    out = store.backup(tmp_path / "backups" / "copy.db")
    assert out.exists()
    if store.backend == "sqlite":
        restored = f"sqlite:///{out}"
        with closing(sqlite3.connect(out)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    else:
        restored = request.getfixturevalue("restored_postgres")
        _pg_restore(out, sa.make_url(restored))
    assert table_counts(restored) == table_counts(store_url)
    with open_store(restored, seed=False) as copy:
        assert list(copy.read_layer("risk_points")["point_id"]) == [f"QN-{i:04d}" for i in range(1, 6)]


@pytest.fixture
def restored_postgres(postgres_database: sa.URL) -> str:
    """An empty database beside the run's one, for restoring a dump; dropped afterwards."""
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    target = postgres_database.set(database=f"{postgres_database.database}_restored")
    admin = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    yield target.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


def _pg_restore(dump: Path, target: sa.URL) -> None:
    plain = target.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": str(target.password or "")}
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(dump)], check=True, env=env)


def test_backup_never_overwrites_and_names_files_in_a_directory(store, tmp_path):
    first = store.backup(tmp_path)
    assert first.parent == tmp_path
    assert first.name.startswith("hotspots-")
    assert store.backup(f"{tmp_path}/new folder/").parent == tmp_path / "new folder"
    with pytest.raises(StoreError, match="already exists"):
        store.backup(first)


def test_postgresql_backup_without_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    # No server needed: the store looks for pg_dump before it connects.
    store = Store(sa.create_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(StoreError, match="needs the pg_dump program"):
        store.backup(tmp_path / "x.dump")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------- seeding


def test_an_empty_store_is_seeded_once_from_geodata(store_url, tmp_path, monkeypatch):
    geodata = tmp_path / "geodata"
    geodata.mkdir()
    write_points(geodata / "risk_points.geojson", range(1, 13))
    monkeypatch.setattr("hotspots.store.core.GEODATA_DIR", geodata)
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
            user=USER,
        )
        assert point_id == "QN-0892"
        assert store.read_layer("risk_points").iloc[-1]["commune_id"] is not None


# ---------------------------------------------------------------------- properties


@settings(max_examples=20, deadline=None)
@given(
    plan=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=12)), min_size=1, max_size=8),
    name=st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằẳẵắặầẩẫấậờởỡớợ ", min_size=1, max_size=30),
)
def test_ids_stay_unique_and_values_round_trip(tmp_path_factory, plan, name):
    name = " ".join(name.split()) or "ao"
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 's.sqlite'}"
    kept = []
    with open_store(url, seed=False) as store:
        for n, wanted in enumerate(plan):
            lon, lat = point_xy(n)
            properties = new_point(n, point_id=None if wanted is None else f"QN-{wanted:04d}", name=name)
            try:
                kept.append(store.add_risk_point(properties, lon=lon, lat=lat, user=USER))
            except ValidationError:
                assert f"QN-{wanted:04d}" in kept
        layer = store.read_layer("risk_points")
        assert sorted(layer["point_id"]) == sorted(kept)
        assert len(set(kept)) == len(kept)
        assert set(layer["name"]) <= {name}
        assert count_point_history(store) == len(kept)


# ---------------------------------------------------------------------- command line


def run_cli(argv: list[str]) -> int:
    return cli.main(argv)


@pytest.fixture
def cli_url(store_url, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_DATABASE_URL", store_url)
    return store_url


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


def test_cli_history_lists_the_changes(cli_url, capsys):
    with open_store(cli_url, seed=False) as store:
        point_id = add(store, 1)
        store.set_status(point_id, "active", user="Trưởng phòng", reason="đã xác minh")
    assert run_cli(["history", point_id]) == 0
    out = capsys.readouterr().out
    assert "History of QN-0001 (2 change(s)" in out
    assert "status: pending → active (đã xác minh)" in out
    assert run_cli(["history", "QN-0999"]) == 2


def test_cli_db_upgrade_and_backup(cli_url, tmp_path, capsys):
    assert run_cli(["db", "upgrade"]) == 0
    assert "applied 1" in capsys.readouterr().out
    assert run_cli(["db", "upgrade"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    out = tmp_path / "backup.db"
    assert run_cli(["db", "backup", str(out)]) == 0
    assert f"Backup written to {out}" in capsys.readouterr().out
    assert run_cli(["db", "backup", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
