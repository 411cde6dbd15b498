"""PostGIS in a shared PostgreSQL store: generated geometry columns, GiST indexes, read-only layer views.

The PostgreSQL tests (marked ``postgres``) need ``HOTSPOTS_TEST_POSTGRES_URL``
(scripts/start_test_postgres.sh installs PostGIS and prints one); they skip without it
on a developer's machine and fail in CI. The views are read back as QGIS and a GIS
analyst would: ``geopandas.read_postgis`` on ``select * from layer_...``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import geopandas as gpd
import numpy as np
import pytest
import sqlalchemy as sa
import test_store
from test_store import ACTOR, add, bring_to, write_points, write_province

from hotspots.cli import commands as cli
from hotspots.config import METRIC_CRS
from hotspots.errors import StoreError
from hotspots.i18n import problem_message
from hotspots.schema import LAYERS, MAPPED_STATUSES, POINT_STATUSES
from hotspots.store import migrations, open_store
from hotspots.store.spatial import view_name, view_names

postgres_database = test_store.postgres_database
#: The login role scripts/start_test_postgres.sh makes for the read-only test (same password).
READER = "hotspots_test_qgis"


def _read_view(engine: sa.Engine, layer: str) -> gpd.GeoDataFrame:
    frame = gpd.read_postgis(f"select * from {view_name(layer)}", engine, geom_col="geom")
    return frame.sort_values(LAYERS[layer].id_field, ignore_index=True)


@pytest.fixture(scope="module")
def sample_url(postgres_database: sa.URL):
    """A PostgreSQL store holding the shipped sample, in its own database (dropped afterwards)."""
    target = postgres_database.set(database=f"{postgres_database.database}_gis")
    admin = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}" TEMPLATE template1')
    url = target.render_as_string(hide_password=False)
    with open_store(url, seed=True) as store:
        assert len(store.read_layer("risk_points")) > 100
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module")
def sample(sample_url: str):
    with open_store(sample_url, seed=False) as store:
        yield store


@pytest.fixture
def pg_store(postgres_database: sa.URL, tmp_path):
    """An empty PostgreSQL store (the run's database, emptied) with the hand-made province."""
    engine = sa.create_engine(postgres_database)
    migrations.metadata.drop_all(engine)  # drops the layer views first (they read the tables)
    engine.dispose()
    with open_store(postgres_database.render_as_string(hide_password=False), seed=False) as store:
        store.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        yield store


# ---------------------------------------------------------------------- the sample, read as QGIS would


@pytest.mark.postgres
def test_risk_points_view_has_the_apps_points_to_the_nanodegree(sample):
    app = sample.read_layer("risk_points")
    view = _read_view(sample.engine, "risk_points")
    assert set(app["status"]) <= set(MAPPED_STATUSES)
    assert list(view["point_id"]) == list(app["point_id"])
    assert view.crs.to_epsg() == 4326
    np.testing.assert_allclose(view.geometry.x, app.geometry.x, rtol=0, atol=1e-9)
    np.testing.assert_allclose(view.geometry.y, app.geometry.y, rtol=0, atol=1e-9)
    # Typed columns: the schema fields with their values, hazards as a list.
    assert list(view.columns) == [*LAYERS["risk_points"].field_names, "geom"]
    for column in ("name", "water_type", "risk_level", "commune_id", "status"):
        assert list(view[column]) == list(app[column]), column
    assert [list(h) for h in view["hazards"]] == [list(h) for h in app["hazards"]]


@pytest.mark.postgres
def test_the_retired_and_rejected_sample_points_are_not_in_the_view(sample):
    everything = sample.read_layer("risk_points", include_retired=True)
    ended = set(POINT_STATUSES) - set(MAPPED_STATUSES)
    assert ended == {"retired", "rejected"}
    view_ids = set(_read_view(sample.engine, "risk_points")["point_id"])
    assert view_ids == set(everything.loc[~everything["status"].isin(ended), "point_id"])


@pytest.mark.postgres
def test_communes_view_has_the_apps_polygons(sample):
    app = sample.read_layer("communes").sort_values("commune_id", ignore_index=True)
    view = _read_view(sample.engine, "communes")
    assert list(view["commune_id"]) == list(app["commune_id"])
    assert list(view["name"]) == list(app["name"])
    assert list(view["children_under_16"]) == list(app["children_under_16"])
    assert set(view.geom_type) == {"MultiPolygon"}
    view_area = view.to_crs(METRIC_CRS).area.to_numpy()
    app_area = app.to_crs(METRIC_CRS).area.to_numpy()
    np.testing.assert_allclose(view_area, app_area, rtol=1e-6, atol=0)
    assert view.geometry.symmetric_difference(app.geometry).to_crs(METRIC_CRS).area.max() < 1e-3


@pytest.mark.postgres
@pytest.mark.parametrize("layer", [name for name in LAYERS if name != "risk_points"])
def test_every_other_layer_has_a_view_with_the_apps_features(sample, layer):
    app = sample.read_layer(layer).sort_values(LAYERS[layer].id_field, ignore_index=True)
    if "status" in app.columns:
        app = app[app["status"] != "cancelled"].reset_index(drop=True)
    view = _read_view(sample.engine, layer)
    assert list(view.columns) == [*LAYERS[layer].field_names, "geom"]
    assert list(view[LAYERS[layer].id_field]) == list(app[LAYERS[layer].id_field])
    # The same shapes (a commune stored as a Polygon is a one-part MultiPolygon in the view).
    assert view.geometry.geom_equals(app.geometry).all()
    assert np.allclose(view.geometry.bounds.to_numpy(), app.geometry.bounds.to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.postgres
def test_geometry_columns_are_typed_for_qgis_and_indexed(sample):
    with sample.engine.connect() as conn:
        geometry_columns = "select f_table_name, type || ':' || srid from geometry_columns"
        columns = dict(conn.execute(sa.text(geometry_columns + " where f_geometry_column = 'geom'")).all())
        indexes = dict(
            conn.execute(
                sa.text("select indexname, indexdef from pg_indexes where indexname like '%\\_geom'")
            ).all()
        )
        views = {r[0] for r in conn.execute(sa.text("select table_name from information_schema.views"))}
    assert columns["risk_points"] == "POINT:4326"
    assert columns["features"] == "GEOMETRY:4326"
    assert columns["layer_risk_points"] == columns["layer_swim_classes"] == "POINT:4326"
    assert columns["layer_communes"] == columns["layer_province"] == "MULTIPOLYGON:4326"
    assert columns["layer_water"] == "GEOMETRY:4326"
    assert "USING gist (geom)" in indexes["ix_risk_points_geom"]
    assert "USING gist (geom)" in indexes["ix_features_geom"]
    assert set(view_names()) <= views
    assert set(view_names()) == {f"layer_{name}" for name in LAYERS}


# ---------------------------------------------------------------------- the views follow the store at once


@pytest.mark.postgres
def test_a_point_added_through_the_store_is_in_the_view_at_once(pg_store, tmp_path):
    pg_store.import_file(write_points(tmp_path / "p.geojson", range(1, 4)), user=ACTOR)
    point_id = add(pg_store, 7)
    view = _read_view(pg_store.engine, "risk_points")
    assert list(view["point_id"]) == ["QN-0001", "QN-0002", "QN-0003", point_id]
    added = view.set_index("point_id").loc[point_id]
    assert added["status"] == "pending"
    assert (added.geom.x, added.geom.y) == pytest.approx(test_store.point_xy(7), abs=1e-9)


@pytest.mark.postgres
def test_a_moved_point_moves_and_a_retired_or_rejected_one_leaves_the_view(pg_store):
    kept, retired, rejected = add(pg_store, 1), add(pg_store, 2), add(pg_store, 3)
    pg_store.edit_risk_point(kept, {"lon": 107.0525, "lat": 20.9525}, user=ACTOR)
    bring_to(pg_store, retired, "retired")
    bring_to(pg_store, rejected, "rejected")
    view = _read_view(pg_store.engine, "risk_points")
    assert list(view["point_id"]) == [kept] == list(pg_store.read_layer("risk_points")["point_id"])
    assert (view.geom[0].x, view.geom[0].y) == (107.0525, 20.9525)
    with pg_store.engine.connect() as conn:
        stored = conn.execute(sa.text("select point_id, ST_X(geom), ST_Y(geom) from risk_points order by 1"))
        assert [tuple(r) for r in stored][1:] == [
            (retired, *test_store.point_xy(2)),
            (rejected, *test_store.point_xy(3)),
        ]


@pytest.mark.postgres
def test_the_store_never_writes_geom_and_cannot_be_made_to(pg_store):
    add(pg_store, 1)
    assert "geom" not in migrations.risk_points.c and "geom" not in migrations.features.c
    with pg_store.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="generated column"):
        conn.execute(sa.text("update risk_points set geom = ST_SetSRID(ST_MakePoint(0, 0), 4326)"))


# ---------------------------------------------------------------------- rights


@pytest.mark.postgres
def test_a_server_without_postgis_is_a_clear_coded_error_and_changes_nothing(postgres_database):
    # template0 has no PostGIS, and the test role may not create it: what a fresh server looks like.
    target = postgres_database.set(database=f"{postgres_database.database}_nogis")
    admin = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE \"{target.database}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        with pytest.raises(StoreError) as caught:
            open_store(target.render_as_string(hide_password=False), seed=False)
        assert caught.value.code == "postgis_unavailable"
        english = problem_message(caught.value, "en")
        vietnamese = problem_message(caught.value, "vi")
        for text in (english, vietnamese):
            assert "postgresql-15-postgis-3" in text and "CREATE EXTENSION postgis" in text
        assert "superuser" in english and "quyền superuser" in vietnamese
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            assert migrations.current_version(conn) == 0  # the whole upgrade was rolled back
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_a_readonly_role_reads_the_views_and_nothing_else(sample, sample_url):
    granted = sample.grant_readonly(READER)
    assert granted == view_names()
    url = sa.make_url(sample_url)
    reader = sa.create_engine(url.set(username=READER))
    try:
        view = gpd.read_postgis("select * from layer_risk_points", reader, geom_col="geom")
        assert len(view) == len(sample.read_layer("risk_points"))
        with reader.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("select count(*) from risk_points"))
        with reader.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("delete from layer_risk_points"))
    finally:
        reader.dispose()


@pytest.mark.postgres
def test_granting_to_a_role_that_does_not_exist_is_a_coded_error(sample):
    with pytest.raises(StoreError, match="no PostgreSQL role 'nobody_here'") as caught:
        sample.grant_readonly("nobody_here")
    assert caught.value.code == "readonly_role_unknown"


@pytest.mark.postgres
def test_the_command_line_grants_the_views(sample, sample_url, monkeypatch, capsys):
    monkeypatch.setenv("HOTSPOTS_DATABASE_URL", sample_url)
    assert cli.main(["db", "grant-readonly", READER]) == 0
    assert f"{READER} may now read layer_risk_points, layer_swim_classes" in capsys.readouterr().out
    with sample.engine.connect() as conn:
        query = "select has_table_privilege(:r, :v, 'SELECT'), has_table_privilege(:r, 'features', 'SELECT')"
        for view in view_names():
            assert tuple(conn.execute(sa.text(query), {"r": READER, "v": view}).one()) == (True, False)
    assert cli.main(["db", "grant-readonly", "nobody_here"]) == 2
    assert "There is no PostgreSQL role 'nobody_here'" in capsys.readouterr().err


# ---------------------------------------------------------------------- SQLite: as before


def test_sqlite_store_records_migration_5_and_has_no_geometry_column(tmp_path):
    path = tmp_path / "store.sqlite"
    with open_store(f"sqlite:///{path}", seed=False) as store:
        store.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        point_id = add(store, 1)
        assert list(store.read_layer("risk_points")["point_id"]) == [point_id]
        with pytest.raises(StoreError) as caught:
            store.grant_readonly("qgis")
        assert caught.value.code == "readonly_needs_postgresql"
    with closing(sqlite3.connect(path)) as conn:
        versions = conn.execute("select version, description from schema_version order by version").fetchall()
        columns = {
            table: [row[1] for row in conn.execute(f"pragma table_info({table})")]
            for table in ("risk_points", "features")
        }
        views = conn.execute("select name from sqlite_master where type = 'view'").fetchall()
    assert versions[4] == (5, "PostGIS: geometry columns, GiST indexes, read-only layer views")
    assert [v for v, _ in versions] == list(range(1, migrations.latest_version() + 1))
    assert "geom" not in columns["risk_points"] and "geom" not in columns["features"]
    assert columns["risk_points"][-2:] == ["updated_at", "updated_by"]
    assert views == []
