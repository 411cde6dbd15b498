"""The store of record: opening it, and risk points (adding, reading, editing, statuses).

Also the back-end fixtures and hand-made data of every store suite
(test_store_imports, test_store_history, test_store_backup, test_store_errors,
test_store_crash, test_store_concurrency import them from here).

Every test taking ``store`` or ``store_url`` runs once per back-end, on SQLite and
(when a server is configured) on PostgreSQL; the PostgreSQL run needs
``HOTSPOTS_TEST_POSTGRES_URL`` (scripts/start_test_postgres.sh prints one) and works
in a database created for this test run.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box, mapping

from hotspots.cli import commands as cli
from hotspots.errors import PermissionDeniedError, SchemaError, StoreError, ValidationError
from hotspots.schema import MAPPED_STATUSES, POINT_STATUSES, RISK_POINTS, STATUS_TRANSITIONS
from hotspots.store import migrations, open_store
from tests.auth_kit import PASSWORD, add_account, make_user

POSTGRES_ENV = "HOTSPOTS_TEST_POSTGRES_URL"
NO_POSTGRES = "no PostgreSQL server: set HOTSPOTS_TEST_POSTGRES_URL (see scripts/start_test_postgres.sh)"
#: Hạ Long bay area: every hand-made point sits inside the hand-made province below.
LON0, LAT0 = 107.05, 20.95
PROVINCE = box(106.9, 20.85, 107.4, 21.4)
USER = "Nguyễn Thị Lan"
#: The logged-in user every store test acts as (an admin: every write is allowed); the history records USER.
ACTOR = make_user("lan", "admin", display_name=USER)
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
        # template1 holds PostGIS (scripts/start_test_postgres.sh): the test role may not create it.
        conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template1 ENCODING 'UTF8'")
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
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
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
    return store.add_risk_point(new_point(i, **overrides), lon=lon, lat=lat, user=ACTOR)


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
        # A rejection needs a reason (the library refuses one without).
        store.set_status(point_id, step, user=ACTOR, reason="trùng điểm" if step == "rejected" else "")


# ---------------------------------------------------------------------- opening


def test_open_creates_the_tables_at_the_latest_version(store):
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.latest_version()
        tables = set(sa.inspect(conn).get_table_names())
    assert {"risk_points", "features", "history", "inspections", "imports", "schema_version"} <= tables


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
        store.add_risk_point(new_point(1), lon=lon, lat=lat, user=ACTOR)


def test_new_points_cannot_skip_the_pending_status(store):
    with pytest.raises(StoreError, match="start as 'pending'"):
        store.add_risk_point(point_properties(1, status="active"), lon=LON0, lat=LAT0, user=ACTOR)


@pytest.mark.parametrize("user", ["", "   ", None, USER])
def test_every_change_needs_a_user(store, user):
    # A typed name is nobody: only a login makes a user.
    with pytest.raises(PermissionDeniedError, match="Log in to report risk points"):
        store.add_risk_point(new_point(1), lon=LON0, lat=LAT0, user=user)


def test_points_are_validated_against_the_stored_province(store):
    with pytest.raises(ValidationError, match="outside the province"):
        store.add_risk_point(new_point(1), lon=106.0, lat=20.0, user=ACTOR)


def test_a_point_a_few_metres_from_a_stored_one_is_a_near_duplicate(store):
    add(store, 1)
    lon, lat = point_xy(1)
    with pytest.raises(ValidationError, match="probably the same place entered twice"):
        store.add_risk_point(new_point(2, point_id=None), lon=lon + 0.00002, lat=lat, user=ACTOR)


def test_the_commune_is_filled_from_the_stored_communes_and_follows_a_move(store, tmp_path):
    store.import_file(write_geojson(tmp_path / "communes.geojson", COMMUNES), layer="communes", user=ACTOR)
    point_id = store.add_risk_point(new_point(1, commune_id=None), lon=107.05, lat=20.95, user=ACTOR)
    assert store.read_layer("risk_points").iloc[0]["commune_id"] == "CM-01"
    store.edit_risk_point(point_id, {"lon": 107.15}, user=ACTOR)
    edit = store.history(point_id).iloc[-1]
    assert (edit["old"]["commune_id"], edit["new"]["commune_id"]) == ("CM-01", "CM-02")
    with pytest.raises(ValidationError, match="not one of the 2 communes"):
        add(store, 5, commune_id="CM-99")


# ---------------------------------------------------------------------- editing


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
        store.edit_risk_point(point_id, changes, user=ACTOR)
    assert len(store.history(point_id)) == 1


def test_an_invalid_edit_changes_nothing(store):
    point_id = add(store, 3)
    with pytest.raises(ValidationError):
        store.edit_risk_point(point_id, {"risk_level": "extreme"}, user=ACTOR)
    assert store.read_layer("risk_points").iloc[0]["risk_level"] == "high"
    assert len(store.history(point_id)) == 1


# ---------------------------------------------------------------------- statuses


TRANSITIONS = [(old, new) for old in POINT_STATUSES for new in POINT_STATUSES]


@pytest.mark.parametrize(("old", "new"), TRANSITIONS, ids=[f"{o}->{n}" for o, n in TRANSITIONS])
def test_status_transitions_follow_the_schema(store, old, new):
    point_id = add(store, 1)
    bring_to(store, point_id, old)
    if new in STATUS_TRANSITIONS[old]:
        store.set_status(point_id, new, user=ACTOR, reason="kiểm tra thực địa")
        assert store.read_layer("risk_points", statuses=[new]).iloc[0]["point_id"] == point_id
        assert store.history(point_id).iloc[-1]["reason"] == "kiểm tra thực địa"
    else:
        allowed = STATUS_TRANSITIONS[old]
        expected = ", ".join(f"'{s}'" for s in allowed) if allowed else "none"
        with pytest.raises(StoreError, match=f"Allowed from '{old}': {expected}"):
            store.set_status(point_id, new, user=ACTOR)


def test_an_unknown_status_lists_the_statuses(store):
    point_id = add(store, 1)
    with pytest.raises(SchemaError, match="statuses are: pending, active"):
        store.set_status(point_id, "closed", user=ACTOR)


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
                kept.append(store.add_risk_point(properties, lon=lon, lat=lat, user=ACTOR))
            except ValidationError:
                assert f"QN-{wanted:04d}" in kept
        layer = store.read_layer("risk_points")
        assert sorted(layer["point_id"]) == sorted(kept)
        assert len(set(kept)) == len(kept)
        assert set(layer["name"]) <= {name}
        assert count_point_history(store) == len(kept)


# ---------------------------------------------------------------------- command line


def run_cli(argv: list[str]) -> int:
    """Run the command line; an import acts as the account ``lan`` (added to the store when missing)."""
    if argv[0] != "import":
        return cli.main(argv)
    with open_store(seed=False) as store:
        if "lan" not in set(store.users()["name"]):
            add_account(store, "lan", "admin", display_name=USER)
    argv = [*argv, *([] if "--as" in argv else ["--as", "lan"]), "--password-stdin"]
    typed, sys.stdin = sys.stdin, io.StringIO(f"{PASSWORD}\n")
    try:
        return cli.main(argv)
    finally:
        sys.stdin = typed


@pytest.fixture
def cli_url(store_url, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_DATABASE_URL", store_url)
    return store_url
