"""The pages under Streamlit's AppTest: they run, show the right numbers and speak both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hotspots.config import GEODATA_DIR
from hotspots.store import DATABASE_URL_ENV
from pages._common import DATA_DIR_VARIABLE, STORE_DIR_VARIABLE
from tests import map_fixtures as fx

TIMEOUT_S = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def fresh_store(tmp_path, monkeypatch):
    """Every test gets its own empty SQLite store, seeded on first use."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(STORE_DIR_VARIABLE, str(tmp_path / "store"))
    return tmp_path / "store"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def _shares(at):
    return at.dataframe[0].value


def test_map_page_shows_counts_and_shares(app):
    assert _metrics(app) == {
        "Điểm nguy cơ hiển thị": "6",
        "Điểm đen": "2",
        "Xã chưa có điểm vui chơi": "1",
    }
    shares = _shares(app)
    assert shares.loc["Có lớp dạy bơi gần", "Điểm nguy cơ"] == "33 %"
    assert shares.loc["Chưa có cả hai", "Điểm đen"] == "100 %"
    assert app.title[0].value == "Điểm nguy cơ đuối nước – Quảng Ninh"


@pytest.mark.parametrize(
    ("key", "values", "shown", "black"),
    [
        ("filter_risk_level", ["black_spot"], "2", "2"),
        ("filter_coverage", ["neither"], "3", "2"),
        ("filter_status", ["pending"], "1", "0"),
        ("filter_water_type", ["pond", "sea"], "2", "0"),
    ],
)
def test_filters_change_the_metrics(app, key, values, shown, black):
    app.sidebar.multiselect(key=key).set_value(values).run()
    assert not app.exception
    metrics = _metrics(app)
    assert (metrics["Điểm nguy cơ hiển thị"], metrics["Điểm đen"]) == (shown, black)


def test_commune_filter_counts_its_communes_only(app):
    app.sidebar.multiselect(key="filter_communes").set_value(["CM-1"]).run()
    assert _metrics(app)["Xã chưa có điểm vui chơi"] == "0"
    assert _metrics(app)["Điểm nguy cơ hiển thị"] == "2"


def test_radius_slider_changes_coverage(app):
    app.sidebar.slider(key="swim_radius_m").set_value(0).run()
    assert _shares(app).loc["Có lớp dạy bơi gần", "Điểm nguy cơ"] == "0 %"


def test_language_switch_translates_the_page(app):
    app.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Drowning-risk hotspots – Quảng Ninh"
    assert _metrics(app)["Risk points shown"] == "6"


def test_sidebar_shows_sample_badge_and_data_date(app):
    captions = [c.value for c in app.sidebar.caption]
    assert "Dữ liệu cập nhật đến 20/05/2025" in captions


def test_communes_page(app):
    app.switch_page("pages/communes.py").run()
    assert not app.exception
    assert app.title[0].value == "Ưu tiên theo xã, phường"
    table = app.dataframe[0].value
    assert table["commune_id"].tolist() == ["CM-3", "CM-1", "CM-2"]
    assert app.selectbox(key="focus_commune").value == "CM-3"
    app.selectbox(key="focus_commune").set_value("CM-2").run()
    assert not app.exception


def test_unreadable_data_shows_an_error_not_a_crash(tmp_path, monkeypatch):
    folder = fx.write_geodata(tmp_path / "geodata")
    (folder / "risk_points.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert at.error
    assert not at.metric


@pytest.mark.skipif(
    not (GEODATA_DIR / "risk_points.geojson").exists(), reason="the shipped sample is not in geodata/"
)
def test_sample_black_spot_filter_shows_14(monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert _metrics(at)["Xã chưa có điểm vui chơi"] == "9"
    at.sidebar.multiselect(key="filter_risk_level").set_value(["black_spot"]).run()
    assert _metrics(at)["Điểm nguy cơ hiển thị"] == "14"
