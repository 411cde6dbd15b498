"""Command line: output, exit codes, error handling, and the shipped sample data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

from hotspots.cli import commands as cli
from hotspots.config import GEODATA_DIR, PROJECT_ROOT
from hotspots.errors import Problem, ValidationError
from hotspots.formats import write_layer
from hotspots.schema import LAYERS
from hotspots.validation import ReferenceData, validate_features
from tests.auth_kit import make_user


def write_points(folder, *features):
    path = folder / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False))
    return path


@pytest.fixture
def shipped(geodata_dir, make_point, province):
    """The test geodata folder with a risk-point layer in it, as the sample data ships."""
    features = [
        make_point(name="Bến Tàu", commune_id="CM-001"),
        make_point(107.15, 21.0, point_id="QN-0002", risk_level="black_spot", commune_id="CM-002"),
        make_point(107.2, 21.03, point_id="QN-0003", risk_level="black_spot", commune_id="CM-002"),
    ]
    write_layer(
        validate_features(features, reference=ReferenceData(province=province)).valid,
        geodata_dir / "risk_points.geojson",
    )
    return geodata_dir


def test_valid_file(geodata_dir, make_point, capsys):
    path = write_points(geodata_dir.parent, make_point(), make_point(107.15, 21.0, point_id="QN-0002"))
    assert cli.main(["validate", str(path), "--geodata", str(geodata_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "OK: 2 features valid"
    assert out[1:] == [
        "warning: feature #1, id QN-0001, field 'commune_id': commune_id was missing; filled from the map: "
        "CM-001 (Phường Bãi Cháy)",
        "warning: feature #2, id QN-0002, field 'commune_id': commune_id was missing; filled from the map: "
        "CM-002 (Phường Hồng Gai)",
    ]


def test_invalid_file_prints_one_line_per_problem(geodata_dir, make_point, capsys):
    broken = [
        make_point(commune_id="CM-001", name="a\nb <b>"),
        make_point(107.15, 21.0, risk_level="?", notes="x\ny"),
    ]
    path = write_points(geodata_dir.parent, *broken)
    assert cli.main(["validate", str(path), "--geodata", str(geodata_dir)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "warning: feature #1, id QN-0001, field 'name': looks like HTML or a script; it is kept as plain "
        "text (shown as typed, never run)",
        "feature #2, id QN-0001, field 'risk_level': '?' is not an allowed value; allowed: black_spot, high, "
        "medium, low (Vietnamese words such as 'điểm đen', 'cao', 'trung bình' are accepted too)",
        "feature #2, id QN-0001, field 'point_id': id QN-0001 is used more than once: feature #1 has it too",
        "warning: feature #2, id QN-0001, field 'commune_id': commune_id was missing; filled from the map: "
        "CM-002 (Phường Hồng Gai)",
    ]
    assert captured.err == "INVALID: 2 error(s), 2 warning(s); 1 of 2 feature(s) rejected\n"


def test_layer_option(geodata_dir, capsys):
    communes = geodata_dir / "communes.geojson"
    assert cli.main(["validate", str(communes), "--layer", "communes", "--geodata", str(geodata_dir)]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 features valid")


def test_unknown_layer_is_a_usage_error(geodata_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "x.geojson", "--layer", "hotspot"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'hotspot'" in capsys.readouterr().err


def test_unreadable_file(tmp_path, geodata_dir, capsys):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    assert cli.main(["validate", str(path), "--geodata", str(geodata_dir)]) == 2
    assert capsys.readouterr().err.startswith(
        "error: Files ending in '.docx' cannot be read. Supported formats"
    )


def test_geodata_folder_without_a_province(tmp_path, make_point, capsys):
    path = write_points(tmp_path, make_point())
    assert cli.main(["validate", str(path), "--geodata", str(tmp_path)]) == 2
    assert "There is no province.geojson in" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fmt", "name", "magic"), [("csv", "out.csv", b"\xef\xbb\xbfpoint_id,"), (None, "out.gpkg", b"SQLite")]
)
def test_export(shipped, tmp_path, fmt, name, magic, capsys):
    args = ["export", "--layer", "risk_points", str(tmp_path / name), "--geodata", str(shipped)]
    assert cli.main(args + (["--format", fmt] if fmt else [])) == 0
    assert (tmp_path / name).read_bytes().startswith(magic)
    assert capsys.readouterr().out == f"Wrote 3 feature(s) of layer 'risk_points' to {tmp_path / name}\n"


def test_export_of_a_missing_layer(geodata_dir, tmp_path, capsys):
    assert (
        cli.main(["export", "--layer", "water", str(tmp_path / "w.kml"), "--geodata", str(geodata_dir)]) == 2
    )
    assert "water.geojson is missing; build the sample data with: python -m hotspots build-sample" in (
        capsys.readouterr().err
    )


def test_stats(shipped, capsys):
    assert cli.main(["stats", "--geodata", str(shipped)]) == 0
    out = capsys.readouterr().out
    assert "  risk_points             3" in out
    assert "  water              not available" in out
    assert "Black spots: 2 of 3 risk points (black_spot 2, high 1)" in out
    assert out.endswith("Communes without a children's play space: 1 of 2\n  - Phường Hồng Gai\n")


def test_stats_and_export_read_the_store_by_default(monkeypatch, tmp_path, capsys):
    from hotspots.store import open_store

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HOTSPOTS_DATABASE_URL", raising=False)
    with open_store() as store:
        store.add_risk_point(
            {"point_id": "QN-9001", "name": "Ao mới <b>đào</b>", "water_type": "pond", "risk_level": "high"},
            lon=107.0805,
            lat=20.9695,
            user=make_user("lan", "field", display_name="Nguyễn Thị Lan"),
        )
    assert cli.main(["stats"]) == 0
    assert "risk_points           892" in capsys.readouterr().out
    out = tmp_path / "points.geojson"
    assert cli.main(["export", "--layer", "risk_points", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    added = [f for f in exported["features"] if f["properties"]["point_id"] == "QN-9001"]
    assert added[0]["properties"]["name"] == "Ao mới <b>đào</b>"
    assert added[0]["properties"]["status"] == "pending"


def test_stats_without_data(tmp_path, capsys):
    assert cli.main(["stats", "--geodata", str(tmp_path)]) == 2
    assert "build the sample data with: python -m hotspots build-sample" in capsys.readouterr().out


def test_communes_are_listed_in_vietnamese_order():
    names = ["Xã Thống Nhất", "Xã Đường Hoa", "Xã Điền Xá", "Xã Dực Yên", "Xã Ba Chẽ", "Xã Bình Liêu"]
    assert sorted(names, key=cli._vietnamese_order) == [
        "Xã Ba Chẽ",
        "Xã Bình Liêu",
        "Xã Dực Yên",
        "Xã Điền Xá",
        "Xã Đường Hoa",
        "Xã Thống Nhất",
    ]


def test_build_sample_calls_the_sample_builder(monkeypatch, tmp_path, capsys):
    calls = []

    def build_sample(out_dir):
        calls.append(out_dir)
        return {"province": out_dir / "province.geojson"}

    monkeypatch.setitem(sys.modules, "sample_build", types.SimpleNamespace(build_sample=build_sample))
    assert cli.main(["build-sample", "--out", str(tmp_path)]) == 0
    assert calls == [tmp_path]
    assert capsys.readouterr().out.splitlines()[0] == "Sample data written (1 file(s)):"


def test_build_sample_without_the_builder_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "sample_build", None)  # makes the import fail
    assert cli.main(["build-sample", "--out", str(tmp_path)]) == 2
    assert "pip install -r requirements-build.txt" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_unexpected_errors_hide_the_traceback_unless_debug(monkeypatch, shipped, capsys):
    def broken(name, directory):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "_load_layer_for_export", broken)
    assert cli.main(["stats", "--geodata", str(shipped)]) == 2
    err = capsys.readouterr().err
    assert err == "unexpected error (RuntimeError: disk on fire); rerun with --debug to see the details\n"
    for argv in (["--debug", "stats"], ["stats", "--debug"]):
        with pytest.raises(RuntimeError, match="disk on fire"):
            cli.main(argv)


def test_validation_errors_from_a_command(monkeypatch, capsys):
    def invalid(name, directory):
        raise ValidationError([Problem("bad value", index=0, feature_id="QN-1", field="name")])

    monkeypatch.setattr(cli, "_load_layer_for_export", invalid)
    assert cli.main(["stats"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "1 problem(s) found",
        "feature #1, id QN-1, field 'name': bad value",
    ]


def test_python_dash_m_prints_utf8_whatever_the_locale(geodata_dir, make_point):
    path = write_points(geodata_dir.parent, make_point())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env.update(LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0")
    result = subprocess.run(
        [sys.executable, "-m", "hotspots", "validate", str(path), "--geodata", str(geodata_dir)],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Phường Bãi Cháy" in result.stdout.decode("utf-8")


@pytest.mark.parametrize("layer", list(LAYERS))
def test_every_shipped_file_is_valid(layer, capsys):
    path = GEODATA_DIR / f"{layer}.geojson"
    if not path.is_file():
        pytest.skip(f"{path} not built yet")
    assert cli.main(["validate", str(path), "--layer", layer]) == 0, capsys.readouterr().out
