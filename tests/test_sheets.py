"""Commune action sheets and the province summary: they print, one A4 page per commune, readable and safe.

The PDFs are read back with poppler's ``pdftotext`` (exact Vietnamese text) and one page is
turned into a PNG with ``pdftoppm -r 50``, saved as ``artifacts/sheets/*.png`` for a look.
"""

import html
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from hotspots.analysis import Cluster, HotspotResult, HotspotSummary, action_text
from hotspots.cli import main as cli_main
from hotspots.config import GEODATA_DIR
from hotspots.i18n import TRANSLATIONS
from hotspots.reports import (
    LEGEND_KINDS,
    SHEET_KINDS,
    TEMPLATE_DIR,
    commune_map,
    commune_sheets_html,
    commune_sheets_pdf,
    legend_symbol,
    map_layers,
    prepare_sheets,
    province_summary_html,
    province_summary_pdf,
    sheet_file_name,
)
from hotspots.schema import LAYERS
from tests import map_fixtures as fx

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "sheets"
TODAY = date(2025, 11, 1)
HOSTILE = "<img src=x onerror=alert(1)>"
A4_RATIO = 210 / 297
needs_sample = pytest.mark.skipif(
    not (GEODATA_DIR / "risk_points.geojson").exists(), reason="the shipped sample is not in geodata/"
)


def pdf_text(data: bytes, *, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", *pages, "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def page_count(data: bytes) -> int:
    done = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout.decode(), re.M).group(1))


def png_of_page(data: bytes, out: Path, *, page: int = 1) -> Path:
    """Turn one page into a PNG at 50 dpi (pdftoppm), saved as ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-singlefile", "-f", str(page), "-l", str(page), "-", str(stem)],
        input=data,
        check=True,
    )
    return out


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@pytest.fixture(scope="module")
def sample_inputs():
    layers = {name: gpd.read_file(GEODATA_DIR / f"{name}.geojson") for name in LAYERS}
    return prepare_sheets(layers, today=TODAY)


@pytest.fixture(scope="module")
def all_sheets_vi(sample_inputs):
    return commune_sheets_pdf(sample_inputs, lang="vi")


@pytest.fixture
def small_layers():
    layers = fx.layers()
    layers["communes"].loc[layers["communes"]["commune_id"] == "CM-2", "name"] = HOSTILE
    return layers


# ---------------------------------------------------------------- the sample: every commune, one page each


@needs_sample
@pytest.mark.slow
def test_every_commune_of_the_sample_prints_on_one_page_with_its_name_and_black_spots(
    sample_inputs, all_sheets_vi
):
    assert all_sheets_vi.startswith(b"%PDF")
    ids = sample_inputs.commune_ids
    assert len(ids) == 45
    assert page_count(all_sheets_vi) == 45
    points = sample_inputs.points
    for page, commune_id in enumerate(ids, start=1):
        text = pdf_text(all_sheets_vi, page=page)
        name = sample_inputs.commune(commune_id)["name"]
        assert text.startswith(f"Phiếu hành động – {name}\n"), (page, commune_id)
        black = points[(points["sheet_commune"] == commune_id) & (points["risk_level"] == "black_spot")]
        for point_id in black["point_id"]:
            assert point_id in text, (commune_id, point_id)


@needs_sample
def test_the_sample_has_black_spots_and_overdue_inspections_to_show(sample_inputs):
    # What the page-by-page test relies on: the sample has something to say on every sheet.
    points = sample_inputs.points
    assert int((points["risk_level"] == "black_spot").sum()) == 14
    assert sample_inputs.ranking["overdue"].sum() == int((points["inspection_status"] == "overdue").sum()) > 0


@needs_sample
def test_one_sheet_in_vietnamese_names_the_commune_its_black_spots_and_its_actions(sample_inputs):
    commune_id = sample_inputs.commune_ids[0]
    row = sample_inputs.commune(commune_id)
    data = commune_sheets_pdf(sample_inputs, [commune_id], lang="vi")
    assert page_count(data) == 1
    text = pdf_text(data)
    assert row["name"] == "Phường Hà Tu"
    assert "Phiếu hành động – Phường Hà Tu" in text
    assert "Hạng ưu tiên 1/45" in text
    assert "QN-0341" in text
    flat = " ".join(text.split())
    for action in sample_inputs.actions[commune_id]:
        assert " ".join(action_text(action, "vi").split()) in flat


@needs_sample
def test_a_sheet_page_is_a4_and_saved_as_a_picture(sample_inputs):
    commune_id = sample_inputs.commune_ids[4]
    data = commune_sheets_pdf(sample_inputs, [commune_id], lang="vi")
    picture = png_of_page(data, ARTIFACTS / f"sheet-{commune_id}-vi.png")
    width, height = png_size(picture)
    assert (width, height) == (414, 585)
    assert abs(width / height - A4_RATIO) < 0.005


@needs_sample
def test_the_sheet_in_english(sample_inputs):
    data = commune_sheets_pdf(sample_inputs, ["QN-C01"], lang="en")
    text = pdf_text(data)
    assert "Action sheet – Phường Hà Tu" in text
    assert "Priority rank 1 of 45" in text
    assert "Recommended actions" in text
    png_of_page(data, ARTIFACTS / "sheet-QN-C01-en.png")


@needs_sample
def test_the_province_summary_of_the_sample(sample_inputs):
    data = province_summary_pdf(sample_inputs, lang="vi")
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert "Báo cáo tổng hợp toàn tỉnh – Quảng Ninh" in text
    assert "Xã, phường theo thứ tự ưu tiên" in text
    # Every commune is ranked, with its diacritics.
    for name in sample_inputs.ranking["name"]:
        assert name in flat
    # The cluster the test finds on the sample, in the words of the Analysis page.
    assert (
        "Có 1 cụm điểm nguy cơ có ý nghĩa thống kê sau khi hiệu chỉnh kiểm định bội: quanh Phường Hà Tu."
        in flat
    )
    assert "Chưa có lớp dạy bơi nào được lên kế hoạch" in flat
    width, height = png_size(png_of_page(data, ARTIFACTS / "province-summary-vi.png"))
    assert abs(width / height - A4_RATIO) < 0.005


# ---------------------------------------------------------------- small hand-made data


def test_names_are_escaped_and_print_as_typed(small_layers):
    inputs = prepare_sheets(small_layers, today=TODAY)
    page = commune_sheets_html(inputs, lang="vi")
    assert HOSTILE not in page
    assert html.escape(HOSTILE, quote=False) in page
    assert "<script>alert" not in page
    summary = province_summary_html(inputs, lang="vi")
    assert HOSTILE not in summary
    assert html.escape(HOSTILE, quote=False) in summary
    text = pdf_text(commune_sheets_pdf(inputs, ["CM-2"], lang="vi"))
    assert f"Phiếu hành động – {HOSTILE}" in text


def test_a_commune_sheet_of_the_small_data(small_layers):
    inputs = prepare_sheets(small_layers, today=TODAY)
    data = commune_sheets_pdf(inputs, ["CM-3"], lang="en")
    text = " ".join(pdf_text(data).split())
    assert "Action sheet – Xã Quảng La" in text
    # QN-4 and QN-5 are black spots covered by nothing; CM-3 has no play space.
    for action in inputs.actions["CM-3"]:
        assert " ".join(action_text(action, "en").split()) in text
    assert [a.rule for a in inputs.actions["CM-3"]] == [
        "black_spot_no_swim",
        "black_spot_no_swim",
        "black_spot_no_rescue",
        "black_spot_no_rescue",
        "uncovered_share",
        "inspections_overdue",
        "no_play_space",
    ]


def test_too_few_points_for_the_test_is_said_not_hidden(small_layers):
    points = small_layers["risk_points"]
    small_layers["risk_points"] = points[points["point_id"].isin(["QN-1", "QN-2"])]
    inputs = prepare_sheets(small_layers, today=TODAY)
    assert inputs.hotspots is None
    assert inputs.hotspot_errors["en"].startswith("Too few data for a hot-spot test")
    text = " ".join(pdf_text(province_summary_pdf(inputs, lang="en")).split())
    assert "The hot-spot test could not run: Too few data for a hot-spot test" in text
    # The sheets still print, without clusters.
    assert inputs.points["cluster"].isna().all()
    assert page_count(commune_sheets_pdf(inputs, lang="en")) == 3


def test_a_given_hot_spot_result_marks_points_communes_and_sheets(small_layers):
    # As the Analysis page hands over its own result: one hot cluster over Quảng La's black spots.
    units = gpd.GeoDataFrame(
        {
            "cell_id": ["R1C1", "R1C2"],
            "hotspot_class": ["hot_95", "not_significant"],
            "cluster": pd.array([1, pd.NA], dtype="Int64"),
        },
        geometry=[box(107.22, 20.92, 107.28, 21.07), box(107.0, 20.9, 107.1, 21.0)],
        crs="EPSG:4326",
    )
    cluster = Cluster(1, ("R1C1",), ("CM-3",), ("Xã Quảng La",), risk_points=2, black_spots=2)
    summary = HotspotSummary(
        support="hexagons",
        measure="weighted_points",
        units=2,
        tested=2,
        islands=(),
        left_out=(),
        hot=1,
        cold=0,
        clusters=(cluster,),
        total_risk_points=5,
        total_black_spots=2,
        alpha=0.05,
        fdr_cutoff=0.01,
        inference="exact",
        permutations=999,
        seed=1,
        min_detectable=1,
        swim_radius_m=3000.0,
        rescue_radius_m=2000.0,
    )
    inputs = prepare_sheets(small_layers, today=TODAY, hotspots=HotspotResult(units=units, summary=summary))
    in_cluster = inputs.points.dropna(subset=["cluster"])
    assert in_cluster.set_index("point_id")["cluster"].to_dict() == {"QN-4": 1, "QN-5": 1}
    assert inputs.ranking.set_index("commune_id")["clusters"].to_dict() == {
        "CM-3": (1,),
        "CM-1": (),
        "CM-2": (),
    }
    assert ("hot_cluster", "CM-3") in [(a.rule, a.subject) for a in inputs.actions["CM-3"]]
    sheet = " ".join(pdf_text(commune_sheets_pdf(inputs, ["CM-3"], lang="vi")).split())
    assert "Số 1 Cụm điểm nóng" in sheet
    assert (
        "Xã Quảng La nằm trong cụm điểm nóng có ý nghĩa thống kê số 1 (2 điểm nguy cơ của địa bàn)" in sheet
    )
    summary_text = " ".join(pdf_text(province_summary_pdf(inputs, lang="en")).split())
    assert (
        "1 cluster of risk points is significant after correcting for multiple testing: around Xã Quảng La."
        in (summary_text)
    )


def test_only_reviewed_points_are_on_the_sheets(small_layers):
    inputs = prepare_sheets(small_layers, today=TODAY)
    assert sorted(inputs.points["point_id"]) == ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5"]
    assert inputs.points.set_index("point_id")["sheet_commune"].to_dict() == {
        "QN-1": "CM-1",
        "QN-2": "CM-1",
        "QN-3": "CM-2",
        "QN-4": "CM-3",
        "QN-5": "CM-3",
    }


def test_the_inspections_are_judged_on_the_day_given(small_layers):
    inputs = prepare_sheets(small_layers, today=date(2025, 6, 1))
    due = inputs.points.set_index("point_id")
    # QN-4 (black spot) inspected 20/05/2025: due 20/08/2025; QN-3 never inspected.
    assert due.loc["QN-4", "next_due"] == date(2025, 8, 20)
    assert due.loc["QN-4", "inspection_status"] == "on_schedule"
    assert due.loc["QN-3", "inspection_status"] == "never_inspected"
    assert due.loc["QN-5", "inspection_status"] == "overdue"
    assert int(due.loc["QN-5", "days_overdue"]) == 60


def test_the_plan_when_classes_are_planned(small_layers):
    swim = small_layers["swim_classes"]
    planned = gpd.GeoDataFrame(
        {
            "class_id": ["SC-009"],
            "name": ["Lớp bơi dự kiến Quảng La"],
            "venue_type": ["portable_pool"],
            "organiser": ["Đoàn thanh niên"],
            "start_date": ["2026-06-01"],
            "end_date": ["2026-06-30"],
            "capacity": [30],
            "commune_id": ["CM-3"],
            "status": ["planned"],
        },
        geometry=[Point(107.25, 21.04)],
        crs="EPSG:4326",
    )
    small_layers["swim_classes"] = gpd.GeoDataFrame(
        pd.concat([swim.assign(status="active"), planned], ignore_index=True), crs="EPSG:4326"
    )
    inputs = prepare_sheets(small_layers, today=TODAY)
    # The planned class is not counted as held: QN-4 is still uncovered, but the plan reaches it.
    assert inputs.points.set_index("point_id").loc["QN-4", "covered_swim"] == False  # noqa: E712
    rules = [(a.rule, a.subject) for a in inputs.actions["CM-3"]]
    assert ("black_spot_swim_planned", "QN-4") in rules
    text = " ".join(pdf_text(province_summary_pdf(inputs, lang="en")).split())
    assert (
        "1 planned swimming classes. With them, 60% of the risk points and 50% of the black spots would have "
        "a class within 3.0 km (now 40% and 0%)."
    ) in text
    assert "SC-009 Lớp bơi dự kiến Quảng La Xã Quảng La 01 Jun 2026" in text


def test_an_unknown_commune_is_refused(small_layers):
    inputs = prepare_sheets(small_layers, today=TODAY)
    with pytest.raises(Exception, match="There is no commune 'CM-9'"):
        commune_sheets_html(inputs, ["CM-9"], lang="vi")


def test_the_map_draws_every_black_spot_with_its_id(small_layers):
    inputs = prepare_sheets(small_layers, today=TODAY)
    svg = str(commune_map(map_layers(inputs), "CM-3", lang="vi"))
    assert svg.startswith('<svg class="map" width="186mm" height="96mm"')
    assert ">QN-4</text>" in svg and ">QN-5</text>" in svg
    # No tile, no image, no link: vector shapes only.
    assert "<image" not in svg and "href" not in svg


@pytest.mark.parametrize("kind", LEGEND_KINDS)
def test_every_legend_entry_has_a_symbol_and_a_text(kind):
    assert str(legend_symbol(kind)).startswith('<svg class="sym"')
    assert f"sheet.legend.{kind}" in TRANSLATIONS


def test_an_unknown_legend_entry_is_refused():
    with pytest.raises(Exception, match="Unknown legend entry 'tiles'"):
        legend_symbol("tiles")


def test_every_text_key_of_the_templates_exists():
    keys = set()
    for path in TEMPLATE_DIR.glob("*.html"):
        keys |= set(re.findall(r"""tr\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    assert len(keys) > 20
    assert sorted(keys - set(TRANSLATIONS)) == []


def test_the_templates_use_fonts_that_cover_vietnamese():
    css = (TEMPLATE_DIR / "sheet.css").read_text(encoding="utf-8")
    assert 'font-family: "Noto Sans", "DejaVu Sans", sans-serif' in css
    assert "size: A4" in css


@pytest.mark.parametrize(
    ("kind", "lang", "commune", "expected"),
    [
        ("commune", "vi", "QN-C01", "phieu-hanh-dong-QN-C01.pdf"),
        ("commune", "en", "CM/../3", "action-sheet-CM----3.pdf"),
        ("all", "vi", None, "phieu-hanh-dong.pdf"),
        ("province", "en", None, "province-summary.pdf"),
    ],
)
def test_file_names(kind, lang, commune, expected):
    assert kind in SHEET_KINDS
    assert sheet_file_name(kind, lang, commune_id=commune) == expected


# ---------------------------------------------------------------- the command line


def test_report_command_writes_each_kind_of_pdf(tmp_path, capsys):
    folder = fx.write_geodata(tmp_path / "geodata")
    out = tmp_path / "out"
    common = ["--geodata", str(folder), "--today", "2025-11-01"]
    assert cli_main(["report", *common, str(out / "province.pdf")]) == 0
    assert cli_main(["report", *common, "--commune", "CM-3", "--lang", "en", str(out / "cm3.pdf")]) == 0
    assert cli_main(["report", *common, "--commune", "all", str(out / "all.pdf")]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote the action sheet of Xã Quảng La to {out / 'cm3.pdf'}" in printed
    assert "Wrote the action sheets of 3 communes" in printed
    assert "Báo cáo tổng hợp toàn tỉnh – Quảng Ninh" in pdf_text((out / "province.pdf").read_bytes())
    assert "Action sheet – Xã Quảng La" in pdf_text((out / "cm3.pdf").read_bytes())
    assert page_count((out / "all.pdf").read_bytes()) == 3


def test_report_command_refuses_an_unknown_commune(tmp_path, capsys):
    folder = fx.write_geodata(tmp_path / "geodata")
    code = cli_main(["report", "--geodata", str(folder), "--commune", "CM-9", str(tmp_path / "x.pdf")])
    assert code == 1
    assert "There is no commune 'CM-9'" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_report_command_is_listed_in_the_help():
    done = subprocess.run(
        [sys.executable, "-m", "hotspots", "report", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0
    assert "--commune ID" in done.stdout and "--lang {vi,en}" in done.stdout
