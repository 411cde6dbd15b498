"""Inspections that are due: measures recorded with an inspection, marking a point mitigated, the overdue
points counted per commune, flagged on the map and listed on the review page."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
import test_store
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest
from test_store import ACTOR, USER, add, bring_to, count_point_history

from hotspots.analysis import OVERDUE_COLUMN, coverage_table, inspections_due, overdue_inspections
from hotspots.config import months_setting
from hotspots.errors import HotspotsError, PermissionDeniedError, StoreError, ValidationError
from hotspots.i18n import label, problem_message
from hotspots.maps import build_map
from hotspots.maps.elements import BlackSpotLayer, Legend, PendingPointLayer, RiskPointCluster
from hotspots.maps.points import PointRows
from hotspots.reports import LOCAL_TIMEZONE, history_timeline, inspection_timeline
from hotspots.schema import MITIGATIONS
from hotspots.store import DATABASE_URL_ENV, migrations, open_store
from pages._common import DATA_DIR_VARIABLE, STORE_DIR_VARIABLE
from pages._inspections import points_to_inspect
from tests import map_fixtures as fx
from tests.auth_kit import add_account, make_user

# The back-end fixtures of the store suite: SQLite, and PostgreSQL when a server is configured.
postgres_database = test_store.postgres_database
store_url = test_store.store_url
store = test_store.store

TIMEOUT_S = 60
ROOT = Path(__file__).resolve().parent.parent
FIELD_USER = make_user("an", "field", display_name="Nguyễn Văn An")


# ---------------------------------------------------------------------- the store


def test_measures_round_trip_in_schema_order_without_repeats(store):
    point_id = add(store, 5)
    bring_to(store, point_id, "active")
    store.record_inspection(point_id, inspected_on="01/03/2025", findings="Nước sâu", user=ACTOR)
    store.record_inspection(
        point_id,
        inspected_on="02/03/2025",
        findings="Đã có rào",
        mitigations="Đề nghị thêm phao",
        measures=["fence", "warning_sign", "fence"],
        user=ACTOR,
    )
    frame = store.inspections(point_id)
    assert frame["measures"].tolist() == [[], ["warning_sign", "fence"]]
    assert frame["mitigations"].tolist() == ["", "Đề nghị thêm phao"]
    last = store.history(point_id).iloc[-1]
    assert last["action"] == "inspection"
    assert last["new"]["inspection"]["measures"] == ["warning_sign", "fence"]
    # Without mark_mitigated the status stays.
    assert "status" not in last["new"]
    assert store.read_layer("risk_points").set_index("point_id").loc[point_id, "status"] == "active"


def test_an_unknown_measure_is_refused_with_its_code_and_nothing_is_stored(store):
    point_id = add(store, 5)
    bring_to(store, point_id, "active")
    history_before = count_point_history(store)
    with pytest.raises(ValidationError) as caught:
        store.record_inspection(
            point_id, inspected_on="2025-03-01", findings="OK", measures=["fence", "sandbags"], user=ACTOR
        )
    error = caught.value
    assert error.code == "inspection_not_recorded"
    (problem,) = error.problems
    assert (problem.code, problem.field, problem.feature_id) == ("unknown_measures", "measures", point_id)
    allowed = "warning_sign, fence, cover, rescue_buoy, life_jacket_station"
    assert problem_message(problem, "vi") == (
        f"Không có biện pháp 'sandbags' trong danh sách; các biện pháp có: {allowed}."
    )
    assert problem_message(problem, "en") == f"Unknown measure(s) 'sandbags'; the measures are: {allowed}."
    assert store.inspections(point_id).empty
    assert count_point_history(store) == history_before


def test_mark_mitigated_moves_the_point_in_the_same_transaction_with_one_history_row(store):
    point_id = add(store, 5)
    bring_to(store, point_id, "active")
    history_before = count_point_history(store)
    store.record_inspection(
        point_id,
        inspected_on="2025-06-01",
        findings="Đã lắp rào và biển",
        measures=["warning_sign", "fence"],
        mark_mitigated=True,
        user=ACTOR,
    )
    point = store.read_layer("risk_points").set_index("point_id").loc[point_id]
    assert point["status"] == "mitigated"
    assert str(point["last_inspected"])[:10] == "2025-06-01"
    assert count_point_history(store) == history_before + 1
    row = store.history(point_id).iloc[-1]
    assert (row["action"], row["user"]) == ("inspection", USER)
    assert row["old"] == {"last_inspected": None, "status": "active"}
    assert (row["new"]["status"], row["new"]["last_inspected"]) == ("mitigated", "2025-06-01")
    # The timeline tells the inspection, its measures and the status change in words.
    entry = history_timeline(store.history(point_id).tail(1), "vi")[0]
    assert entry.details[:3] == (
        f"Người kiểm tra: {USER}",
        "Phát hiện: Đã lắp rào và biển",
        "Biện pháp đã có: Biển cảnh báo, Rào chắn",
    )
    # Then what changed (PostgreSQL's jsonb keeps no key order).
    assert sorted(entry.details[3:]) == [
        "Ngày kiểm tra gần nhất: (trống) → 01/06/2025",
        "Trạng thái: Đang theo dõi → Đã khắc phục",
    ]


@pytest.mark.parametrize("status", ["pending", "mitigated", "retired"])
def test_mark_mitigated_is_refused_where_the_status_does_not_allow_it(store, status):
    point_id = add(store, 5)
    bring_to(store, point_id, status)
    history_before = count_point_history(store)
    with pytest.raises(StoreError) as caught:
        store.record_inspection(
            point_id, inspected_on="2025-06-01", findings="OK", mark_mitigated=True, user=ACTOR
        )
    assert caught.value.code == "status_change_forbidden"
    # Nothing of the inspection is kept either: one transaction.
    assert store.inspections(point_id).empty
    assert count_point_history(store) == history_before
    point = store.read_layer("risk_points", include_retired=True).set_index("point_id").loc[point_id]
    assert point["status"] == status
    assert pd.isna(point["last_inspected"])


def test_a_field_user_may_neither_inspect_nor_mark_mitigated(store):
    point_id = add(store, 5)
    bring_to(store, point_id, "active")
    for mark in (False, True):
        with pytest.raises(PermissionDeniedError) as caught:
            store.record_inspection(
                point_id, inspected_on="2025-06-01", findings="OK", mark_mitigated=mark, user=FIELD_USER
            )
        assert caught.value.code == "permission_denied"
    outsider = make_user("ha", "officer", communes=("CM-02",))
    with pytest.raises(PermissionDeniedError) as caught:
        store.record_inspection(
            point_id, inspected_on="2025-06-01", findings="OK", mark_mitigated=True, user=outsider
        )
    assert caught.value.code == "outside_communes"
    assert store.inspections(point_id).empty


def test_version_4_gives_the_inspections_recorded_before_no_measures(store_url, tmp_path):
    with open_store(store_url, seed=False, upgrade=False) as opened:
        with opened.engine.begin() as conn:
            assert migrations.upgrade(conn, migrations.MIGRATIONS[:3]) == [1, 2, 3]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("inspections")}
            assert "measures" not in columns
        opened.import_file(test_store.write_province(tmp_path), layer="province", user=ACTOR)
        point_id = add(opened, 5)
        with opened.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO inspections (point_id, inspected_on, inspector, findings, mitigations,"
                    " recorded_at, recorded_by)"
                    " VALUES (:p, :d, 'Lan', 'Cũ', '', '2024-01-01T00:00:00', 'Lan')"
                ),
                {"p": point_id, "d": date(2024, 1, 1)},
            )
        with opened.engine.begin() as conn:
            assert migrations.upgrade(conn, migrations.MIGRATIONS[:4]) == [4]
        assert opened.inspections(point_id)["measures"].tolist() == [[]]
        opened.upgrade()
        with opened.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("inspections")}
        # A database upgraded step by step has the very columns the library reads and writes.
        assert columns == {c.name for c in migrations.inspections.columns}


# ---------------------------------------------------------------------- configuration


@pytest.mark.parametrize(("text", "months"), [("", 12), ("  ", 12), ("6", 6), (" 24 ", 24), ("120", 120)])
def test_an_inspection_interval_can_be_set_per_deployment(monkeypatch, text, months):
    monkeypatch.setenv("HOTSPOTS_INSPECTION_MONTHS", text)
    assert months_setting("HOTSPOTS_INSPECTION_MONTHS", 12) == months


@pytest.mark.parametrize("text", ["0", "121", "-3", "1.5", "twelve", "１２"])
def test_a_wrong_interval_is_refused_naming_the_variable(monkeypatch, text):
    monkeypatch.setenv("HOTSPOTS_BLACK_SPOT_INSPECTION_MONTHS", text)
    with pytest.raises(HotspotsError, match="HOTSPOTS_BLACK_SPOT_INSPECTION_MONTHS must be a whole number"):
        months_setting("HOTSPOTS_BLACK_SPOT_INSPECTION_MONTHS", 3)


# ---------------------------------------------------------------------- timeline


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("vi", "Biện pháp đã có: Nắp đậy / che chắn, Điểm để áo phao"),
        ("en", "Measures in place: Cover / screen, Life-jacket station"),
    ],
)
def test_the_inspection_timeline_shows_the_measures_translated(lang, line):
    rows = [
        {
            "inspected_on": "2025-06-01",
            "inspector": "Lan",
            "findings": "OK",
            "mitigations": "",
            "measures": [],
        },
        {
            "inspected_on": "2025-07-01",
            "inspector": "Lan",
            "findings": "OK",
            "mitigations": "",
            "measures": ["cover", "life_jacket_station"],
        },
    ]
    first, second = inspection_timeline(rows, lang)
    assert len(first.details) == 1
    assert second.details[1] == line
    # The JSON text a cached page hands over reads the same.
    assert inspection_timeline([{**rows[1], "measures": json.dumps(rows[1]["measures"])}], lang)[0] == second


# ---------------------------------------------------------------------- communes


TODAY = date(2025, 6, 1)


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_id": ["A", "B", "C"], "name": ["Xã A", "Xã B", "Xã C"]},
        geometry=[
            box(107.0, 21.0, 107.1, 21.1),
            box(107.1, 21.0, 107.2, 21.1),
            box(107.2, 21.0, 107.3, 21.1),
        ],
        crs="EPSG:4326",
    )


def _points() -> gpd.GeoDataFrame:
    rows = [
        # id, commune, risk level, status, last inspected, x: next due on TODAY (2025-06-01)
        ("P1", "A", "high", "active", "2024-01-10", 107.01),  # 2025-01-10: overdue
        ("P2", "A", "black_spot", "mitigated", "2025-01-15", 107.02),  # 2025-04-15: overdue
        ("P3", "A", "high", "active", "2025-03-01", 107.03),  # 2026-03-01
        ("P4", "B", "black_spot", "active", "2025-03-01", 107.11),  # due today: not yet overdue
        ("P5", "B", "black_spot", "active", "2025-02-28", 107.12),  # 2025-05-28: overdue
        ("P6", "B", "high", "active", None, 107.13),  # never inspected: no due date
        ("P7", "B", "high", "pending", "2020-01-01", 107.14),  # a report awaiting review
        ("P8", "C", "high", "retired", "2020-01-01", 107.21),  # retired
        ("P9", None, "high", "active", "2024-05-31", 107.22),  # placed in C by location: overdue
    ]
    return gpd.GeoDataFrame(
        {
            "point_id": [r[0] for r in rows],
            "commune_id": [r[1] for r in rows],
            "risk_level": [r[2] for r in rows],
            "status": [r[3] for r in rows],
            "last_inspected": [r[4] for r in rows],
        },
        geometry=[Point(r[5], 21.05) for r in rows],
        crs="EPSG:4326",
    )


def test_overdue_inspections_are_counted_per_commune_exactly():
    counts = overdue_inspections(_communes(), _points(), today=TODAY)
    assert counts.name == OVERDUE_COLUMN
    assert counts.to_dict() == {"A": 2, "B": 1, "C": 1}
    assert counts.dtype.kind == "i"
    # The next day the black spot due today is overdue too.
    assert overdue_inspections(_communes(), _points(), today=TODAY + timedelta(days=1)).to_dict() == {
        "A": 2,
        "B": 2,
        "C": 1,
    }
    # Intervals are parameters: at 24 months P1 and P9 are not due yet.
    longer = overdue_inspections(_communes(), _points(), today=TODAY, interval_months=24)
    assert longer.to_dict() == {"A": 1, "B": 1, "C": 0}
    # Every status may be asked for: the pending and retired points are then overdue as well.
    every = overdue_inspections(
        _communes(), _points(), today=TODAY, statuses=("active", "mitigated", "pending", "retired")
    )
    assert every.to_dict() == {"A": 2, "B": 2, "C": 2}


def test_a_commune_without_points_counts_zero():
    counts = overdue_inspections(_communes(), _points().iloc[0:0], today=TODAY)
    assert counts.to_dict() == {"A": 0, "B": 0, "C": 0}


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.one_of(st.none(), st.integers(0, 1500)), min_size=1, max_size=25),
    black=st.lists(st.booleans(), min_size=25, max_size=25),
    later=st.integers(0, 800),
)
def test_counts_never_fall_as_days_pass_and_sum_to_the_overdue_points(days, black, later):
    points = gpd.GeoDataFrame(
        {
            "point_id": [f"P{i}" for i in range(len(days))],
            "commune_id": [["A", "B", "C"][i % 3] for i in range(len(days))],
            "risk_level": ["black_spot" if black[i] else "high" for i in range(len(days))],
            "status": "active",
            "last_inspected": [None if d is None else (TODAY - timedelta(days=d)).isoformat() for d in days],
        },
        geometry=[Point(107.05, 21.05)] * len(days),
        crs="EPSG:4326",
    )
    now = overdue_inspections(_communes(), points, today=TODAY)
    then = overdue_inspections(_communes(), points, today=TODAY + timedelta(days=later))
    assert (then >= now).all()
    overdue = inspections_due(points, today=TODAY)["inspection_status"] == "overdue"
    assert int(now.sum()) == int(overdue.sum())


# ---------------------------------------------------------------------- the map


def _map(lang: str, today: date):
    layers = fx.layers()
    table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    return build_map(table, layers, lang=lang, swim_radius_m=3000, rescue_radius_m=2000, today=today)


def _flagged(fmap) -> dict[str, list[str]]:
    """Ids whose rows carry the overdue bit, per point layer."""
    field = {name: i for i, name in enumerate(PointRows.FIELDS)}
    offset, _ = PointRows.KIND_BITS["overdue"]
    flagged = {}
    for kind in (RiskPointCluster, BlackSpotLayer, PendingPointLayer):
        (layer,) = [c for c in fmap._children.values() if isinstance(c, kind)]
        rows = json.loads(layer.rows_json)
        flagged[kind.__name__] = sorted(r[field["id"]] for r in rows if (r[field["kind"]] >> offset) & 1)
    return flagged


@pytest.mark.parametrize(
    ("today", "cluster", "black"),
    [
        # QN-4 (black spot, 20/05/2025) is due 20/08/2025; QN-5 (black spot, 02/01/2025) 02/04/2025.
        (date(2025, 4, 2), [], []),
        (date(2025, 4, 3), [], ["QN-5"]),
        (date(2025, 9, 1), [], ["QN-4", "QN-5"]),
        # QN-1 due 01/03/2026, QN-2 12/04/2026; QN-3 was never inspected; QN-6 awaits review.
        (date(2026, 6, 1), ["QN-1", "QN-2"], ["QN-4", "QN-5"]),
    ],
)
def test_the_map_flags_exactly_the_overdue_reviewed_points(today, cluster, black):
    flagged = _flagged(_map("vi", today))
    assert flagged == {"RiskPointCluster": cluster, "BlackSpotLayer": black, "PendingPointLayer": []}


@pytest.mark.parametrize(
    ("lang", "text"),
    [("vi", "Quá hạn kiểm tra định kỳ (viền hồng đậm)"), ("en", "Inspection overdue (deep pink ring)")],
)
def test_the_legend_has_the_overdue_entry_only_when_a_point_is_overdue(lang, text):
    entry = f'<div><span class="hs-sw hs-overdue-sw"></span>{text}</div>'

    def legend(fmap):
        (element,) = [c for c in fmap._children.values() if isinstance(c, Legend)]
        return element.html

    late = _map(lang, date(2025, 9, 1))
    assert entry in legend(late)
    html = late.get_root().render()
    # The ring's style reaches the browser: the markers' colour and the legend swatch's.
    assert '"stroke": "#C51B7D"' in html
    assert ".hs-overdue-sw { background: #fff; border: 3px solid #C51B7D;" in html
    assert entry not in legend(_map(lang, date(2025, 4, 1)))


# ---------------------------------------------------------------------- pages


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    """The app on a fresh store seeded from the hand-made layers (QN-1 to QN-5 reviewed, QN-6 pending)."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(STORE_DIR_VARIABLE, str(tmp_path / "store"))
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))


def _local_today() -> date:
    return datetime.now(LOCAL_TIMEZONE).date()


def test_the_communes_page_shows_the_overdue_inspections_column(geodata):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    at.switch_page("pages/communes.py").run()
    assert not at.exception, at.exception
    element = at.dataframe[0]
    order = list(element.proto.column_order)
    assert order[order.index("black_spots") + 1] == OVERDUE_COLUMN
    assert json.loads(element.proto.columns)[OVERDUE_COLUMN]["label"] == "Quá hạn kiểm tra"
    # Every inspection of the hand-made data was due by 12/04/2026: QN-1 and QN-2 in CM-1, the two
    # black spots in CM-3; QN-3 (CM-2) was never inspected and QN-6 (CM-2) awaits review.
    assert _local_today() > date(2026, 4, 12)
    table = element.value.set_index("commune_id")
    assert table[OVERDUE_COLUMN].to_dict() == {"CM-3": 2, "CM-1": 2, "CM-2": 0}
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert json.loads(at.dataframe[0].proto.columns)[OVERDUE_COLUMN]["label"] == "Inspections overdue"


def test_points_to_inspect_lists_the_overdue_first_then_those_never_inspected():
    points = _points().assign(name=[f"Điểm {i}" for i in range(1, 10)])
    table = points_to_inspect(points, {"A": "Xã A", "B": "Xã B"}, today=TODAY, lang="vi")
    assert table["point_id"].tolist() == ["P1", "P2", "P5", "P9", "P6"]
    assert table["commune"].tolist() == ["Xã A", "Xã A", "Xã B", "", "Xã B"]
    assert table["risk_level"].tolist() == ["Cao", "Điểm đen", "Điểm đen", "Cao", "Cao"]
    assert table["last_inspected"].tolist() == [
        "10/01/2024",
        "15/01/2025",
        "28/02/2025",
        "31/05/2024",
        "Chưa kiểm tra lần nào",
    ]
    assert table["next_due"].tolist() == ["10/01/2025", "15/04/2025", "28/05/2025", "31/05/2025", "—"]
    assert table["days_overdue"].tolist()[:4] == [142, 47, 4, 1]
    assert pd.isna(table["days_overdue"].tolist()[4])


def _review_sections(lang: str, point_id: str) -> None:
    """What the review page does with the two sections (pages/review.py passes its own write)."""
    from hotspots.errors import HotspotsError
    from pages._common import all_points, data_source, save_and_rerun, show_notice, show_problems, store
    from pages._inspections import inspection_form, overdue_section
    from tests.auth_kit import PASSWORD

    user = store().authenticate("cuong", PASSWORD)
    show_notice()
    points = all_points(data_source())
    overdue_section(points, lang, user)

    def write(action, notice):
        try:
            action(user)
        except HotspotsError as error:
            show_problems(notice, error)
        else:
            save_and_rerun(notice)

    statuses = dict(zip(points["point_id"], points["status"], strict=True))
    inspection_form(point_id, statuses[point_id], lang, write)


def _sections(lang: str, point_id: str) -> AppTest:
    from pages._common import store

    add_account(store(), "cuong", "officer", display_name="Cán bộ Lê Văn Cường")
    at = AppTest.from_function(_review_sections, args=(lang, point_id), default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    return at


def test_the_overdue_section_and_the_form_record_measures_and_mark_mitigated(geodata):
    from pages._common import store

    at = _sections("vi", "QN-1")
    today = _local_today()
    assert at.subheader[0].value == "Cần kiểm tra: 4 điểm quá hạn, 1 điểm chưa kiểm tra lần nào"
    table = at.dataframe[0].value
    assert table["point_id"].tolist() == ["QN-5", "QN-4", "QN-1", "QN-2", "QN-3"]
    due = [date(2025, 4, 2), date(2025, 8, 20), date(2026, 3, 1), date(2026, 4, 12)]
    assert table["days_overdue"].tolist()[:4] == [(today - d).days for d in due]
    assert at.multiselect(key="inspection_measures").options == [
        "Biển cảnh báo",
        "Rào chắn",
        "Nắp đậy / che chắn",
        "Phao cứu sinh",
        "Điểm để áo phao",
    ]
    at.text_area(key="inspection_findings").input("Đã lắp rào chắn và biển")
    at.multiselect(key="inspection_measures").set_value(["fence", "warning_sign"])
    at.checkbox(key="inspection_mark_mitigated").check()
    at.button(key="inspection_record").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "Đã lưu kết quả kiểm tra của QN-1; điểm chuyển sang Đã khắc phục."
    ]
    inspections = store().inspections("QN-1")
    assert inspections["measures"].tolist() == [["warning_sign", "fence"]]
    assert inspections["inspected_on"].tolist() == [today.isoformat()]
    assert inspections["inspector"].tolist() == ["Cán bộ Lê Văn Cường"]
    assert store().read_layer("risk_points").set_index("point_id").loc["QN-1", "status"] == "mitigated"
    # Inspected today: no longer listed; a mitigated point cannot be marked mitigated again.
    assert at.subheader[0].value == "Cần kiểm tra: 3 điểm quá hạn, 1 điểm chưa kiểm tra lần nào"
    assert not [c for c in at.checkbox if c.key == "inspection_mark_mitigated"]
    assert "Biện pháp đã có: Biển cảnh báo, Rào chắn" in [t.value for t in at.text]


def test_the_form_of_a_pending_point_offers_no_mitigated_box(geodata):
    at = _sections("en", "QN-6")
    assert at.subheader[0].value == "To inspect: 4 overdue, 1 never inspected"
    assert not [c for c in at.checkbox if c.key == "inspection_mark_mitigated"]
    assert at.date_input(key="inspection_on").value == _local_today()
    assert [i.value for i in at.info] == ["No inspection yet."]


def test_every_mitigation_has_a_label_in_both_languages():
    assert [label("mitigation", m, "vi") for m in MITIGATIONS] == [
        "Biển cảnh báo",
        "Rào chắn",
        "Nắp đậy / che chắn",
        "Phao cứu sinh",
        "Điểm để áo phao",
    ]
    assert [label("mitigation", m, "en") for m in MITIGATIONS] == [
        "Warning sign",
        "Fence",
        "Cover / screen",
        "Rescue buoy",
        "Life-jacket station",
    ]
