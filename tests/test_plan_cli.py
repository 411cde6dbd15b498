"""The planning commands: `plan` writes the chosen sites as GeoJSON, `schedule` their courses as .ics."""

import csv
import io
import json

import geopandas as gpd
import icalendar
import openpyxl
import pytest

from hotspots.analysis import PLAN_PROPERTIES
from hotspots.cli import commands as cli
from hotspots.store import DATABASE_URL_ENV, open_store
from tests import map_fixtures as fx
from tests.auth_kit import make_user

PLANNER = make_user("lan", "planner", display_name="Lê Thị Lan")


@pytest.fixture
def geodata(tmp_path):
    return fx.write_geodata(tmp_path / "geodata")


@pytest.fixture
def store_url(tmp_path, geodata, monkeypatch):
    """A store seeded with the small test layers, named by HOTSPOTS_DATABASE_URL as in production."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_store(url, seed_from=geodata).close()
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def _plan(out, *options):
    return cli.main(["plan", "--k", "2", "--radius", "2000", "--out", str(out), *options])


def test_plan_writes_k_sites_with_what_each_newly_covers(tmp_path, geodata, capsys):
    out = tmp_path / "plan.geojson"
    assert _plan(out, "--geodata", str(geodata)) == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert (plan["type"], plan["method"], plan["optimal"], plan["gap"]) == (
        "FeatureCollection",
        "exact",
        True,
        0.0,
    )
    assert len(plan["features"]) == 2
    properties = [f["properties"] for f in plan["features"]]
    assert [tuple(p) for p in properties] == [PLAN_PROPERTIES, PLAN_PROPERTIES]
    assert [p["site_id"] for p in properties] == ["DX-1", "DX-2"]
    # The two black spots of Xã Quảng La lie 11 km apart: one new site reaches each.
    assert [
        (p["commune_id"], p["new_risk_points"], p["new_black_spots"], p["new_weight"]) for p in properties
    ] == [
        ("CM-3", 1, 1, 5.0),
        ("CM-3", 1, 1, 5.0),
    ]
    assert {p["name"] for p in properties} == {"Lớp dự kiến – Xã Quảng La"}
    assert {(p["kind"], p["radius_m"]) for p in properties} == {("swim", 2000.0)}
    assert all(f["geometry"]["type"] == "Point" for f in plan["features"])
    out_lines = capsys.readouterr().out.splitlines()
    # Risk weight: 3 points of weight 1 and 2 black spots of weight 5; the two classes reach QN-2 and QN-3.
    assert out_lines[1] == "Risk weight covered within 2000 m: 15.4 % now, 92.3 % with them."
    assert out_lines[-1] == f"Wrote 2 site(s) to {out}"


def test_plan_reads_the_store_where_planned_sites_count_as_open(tmp_path, store_url, capsys):
    first = tmp_path / "first.geojson"
    assert _plan(first) == 0
    assert "15.4 % now, 92.3 % with them." in capsys.readouterr().out
    chosen = gpd.read_file(first)
    with open_store(store_url) as store:
        store.add_planned_sites("swim_classes", chosen.iloc[:1], user=PLANNER)
    again = tmp_path / "again.geojson"
    assert _plan(again) == 0
    # The planned class now covers a black spot: 7 of 13; the next two sites add the other one and QN-1.
    assert "53.8 % now, 100.0 % with them." in capsys.readouterr().out
    sites = json.loads(again.read_text(encoding="utf-8"))["features"]
    assert sorted((f["properties"]["commune_id"], f["properties"]["new_weight"]) for f in sites) == [
        ("CM-1", 1.0),
        ("CM-3", 5.0),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--candidates", "beach"], "There is no candidate kind beach"),
        (["--k", "0"], "error: The number of new sites must be a whole number, 1 or more; got 0."),
    ],
)
def test_plan_refuses_bad_options_with_exit_code_1(tmp_path, geodata, capsys, options, message):
    assert cli.main(["plan", "--out", str(tmp_path / "p.geojson"), "--geodata", str(geodata), *options]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p.geojson").exists()


def test_schedule_writes_a_calendar_that_parses_and_the_same_courses_as_csv_and_excel(
    tmp_path, geodata, capsys
):
    plan = tmp_path / "plan.geojson"
    assert cli.main(["plan", "--k", "3", "--out", str(plan), "--geodata", str(geodata)]) == 0
    ics, table, book = tmp_path / "june.ics", tmp_path / "june.csv", tmp_path / "june.xlsx"
    arguments = ["schedule", str(plan), "--out", str(ics), "--csv", str(table), "--xlsx", str(book)]
    options = ["--start", "01/06/2026", "--end", "30/06/2026", "--uptake", "0.5", "--geodata", str(geodata)]
    assert cli.main([*arguments, *options]) == 0
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    rows = list(csv.reader(io.StringIO(table.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Ngày bắt đầu", "Ngày kết thúc", "Địa điểm"]
    assert len(events) == len(rows) - 1 > 0
    assert {str(e["uid"]) for e in events} == {f"{row[9]}@hotspots" for row in rows[1:]}
    assert all(row[0].endswith("/06/2026") for row in rows[1:])
    assert all(str(e["summary"]).startswith("Lớp dạy bơi miễn phí – Lớp dự kiến – ") for e in events)
    sheet = openpyxl.load_workbook(book).active
    assert sheet.max_row - 1 == len(events)
    assert f"Scheduled {len(events)} course(s) at 3 site(s); wrote {ics}" in capsys.readouterr().out


def test_schedule_refuses_a_file_that_is_not_a_plan(tmp_path, geodata, capsys):
    other = tmp_path / "classes.geojson"
    fx.swim_classes().to_file(other, driver="GeoJSON")
    assert (
        cli.main(["schedule", str(other), "--out", str(tmp_path / "x.ics"), "--geodata", str(geodata)]) == 1
    )
    assert "not a plan written by the plan command" in capsys.readouterr().err
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    assert (
        cli.main(["schedule", str(broken), "--out", str(tmp_path / "x.ics"), "--geodata", str(geodata)]) == 2
    )
    assert not (tmp_path / "x.ics").exists()
