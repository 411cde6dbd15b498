"""The library's contract: importable without Streamlit, schema consistent."""

import subprocess
import sys

import pytest

from hotspots import LAYERS, SchemaError, get_layer_schema
from hotspots.schema import POINT_STATUSES, STATUS_TRANSITIONS


def test_import_hotspots_does_not_import_streamlit():
    code = (
        "import sys, pkgutil, importlib, hotspots\n"
        "names = [m.name for m in pkgutil.walk_packages(hotspots.__path__, 'hotspots.')]\n"
        "assert len(names) > 20, names\n"
        "for name in names:\n"
        "    if not name.endswith('__main__'):\n"
        "        importlib.import_module(name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in {'streamlit', 'streamlit_folium'})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_hotspots_imports_no_sample_build_code_and_no_heavy_engines():
    code = (
        "import sys, hotspots\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'sample_build', 'streamlit', 'sqlalchemy', 'folium'})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_declares_its_id_field(name):
    schema = get_layer_schema(name)
    assert schema.get(schema.id_field).required
    assert len(set(schema.field_names)) == len(schema.field_names)


def test_unknown_layer_lists_the_known_ones():
    with pytest.raises(SchemaError, match="Known layers: risk_points"):
        get_layer_schema("hotspot")


def test_unknown_field_lists_the_fields():
    with pytest.raises(SchemaError, match="its fields are: point_id, name"):
        get_layer_schema("risk_points").get("colour")


def test_status_transitions_cover_every_status():
    assert set(STATUS_TRANSITIONS) == set(POINT_STATUSES)
    for targets in STATUS_TRANSITIONS.values():
        assert set(targets) <= set(POINT_STATUSES)
