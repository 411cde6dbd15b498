"""Writing the sample: deterministic GeoJSON text, the schema tables and ``geodata/README.md``.

The README's prose is ``data/README.template.md`` and its tables of sources and type
labels are ``data/readme.toml``; the figures come from the built layers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, WGS84
from hotspots.errors import HotspotsError
from hotspots.schema import LAYERS, LayerSchema
from sample_build.checks import covered_share
from sample_build.facilities import SWIM_OPTIONS
from sample_build.geography import ISLAND_REACH_M, MIN_ISLAND_M2, MISPLACED_UNITS, SIMPLIFY_M
from sample_build.settings import SAMPLE_FILES
from sample_build.shapes import rounded
from sample_build.sources import CAT_BA, TRA_CO, Sources
from sample_build.tables import load_table, load_text

if TYPE_CHECKING:
    from sample_build.build import Layers

_TABLE: Final = load_table("readme")
#: Every source of the sample: (data, licence, attribution, what it is used for).
SOURCES: Final[tuple[tuple[str, str, str, str], ...]] = tuple(
    (s["data"], s["licence"], s["attribution"], s["used_for"]) for s in _TABLE["sources"]
)
#: How each kind of schema field is named in the schema tables.
KIND_LABELS: Final[dict[str, str]] = _TABLE["kind_labels"]
#: The README with ``{placeholders}`` (the file's final newline is not part of it).
_README_TEMPLATE: Final = load_text("README.template.md").rstrip("\n")


def feature_collection_text(frame: gpd.GeoDataFrame, schema: LayerSchema) -> str:
    r"""Return a layer as deterministic RFC 7946 GeoJSON text.

    Coordinates are WGS 84 longitude/latitude rounded to
    :data:`~sample_build.settings.COORDINATE_DECIMALS`, polygon rings follow the
    right-hand rule, properties appear in schema order, features are sorted by id and
    written one per line, and the text ends with a newline: the same data always gives
    the same bytes.

    Parameters
    ----------
    frame
        Features with every field of ``schema`` (missing optional fields are written as null,
        or left out when the field says ``omit_when_missing``).
    schema
        The layer's schema: property order and id field.

    Returns
    -------
    str
        UTF-8 ready text, diacritics kept (no ``\\u`` escapes).

    Raises
    ------
    HotspotsError
        If the frame has no CRS.
    """
    if frame.crs is None:
        msg = f"The {schema.name} layer has no coordinate reference system; set one (e.g. {WGS84})."
        raise HotspotsError(msg)
    frame = frame.to_crs(WGS84).sort_values(schema.id_field, kind="stable")
    geometries = rounded(frame.geometry.to_numpy())
    lines = []
    for (_, row), geometry in zip(frame.iterrows(), geometries, strict=True):
        values = {f.name: _json_value(row.get(f.name)) for f in schema.fields}
        properties = {
            f.name: values[f.name]
            for f in schema.fields
            if values[f.name] is not None or not f.omit_when_missing
        }
        feature = {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'


def _json_value(value: object) -> object:
    """Convert a property to plain JSON: numpy scalars unwrapped, dates ISO, missing values null."""
    if isinstance(value, tuple | list | np.ndarray):
        return [_json_value(v) for v in value]
    if value is None or pd.isna(value):
        return None
    if isinstance(value, datetime):
        # The schema has dates only: a timestamp read from a file keeps its day.
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def schema_table_markdown(schema: LayerSchema) -> str:
    """Return a Markdown table of a layer's fields: name, type, required, meaning, allowed values.

    Generated from :mod:`hotspots.schema`, so the documentation never drifts from the code.
    """
    rows = ["| Field | Type | Required | Meaning | Allowed values |", "|---|---|---|---|---|"]
    for f in schema.fields:
        if f.allowed:
            allowed = ", ".join(f"`{v}`" for v in f.allowed)
        elif f.minimum is not None:
            allowed = f"≥ {f.minimum:g}"
        else:
            allowed = ""
        required = "yes" if f.required else "no"
        if f.default not in (None, ()):
            required += f" (default `{f.default}`)"
        rows.append(f"| `{f.name}` | {KIND_LABELS[f.kind]} | {required} | {f.description} | {allowed} |")
    return "\n".join(rows) + "\n"


def _markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join(f"| {' | '.join(line)} |" for line in lines)


def _kilobytes(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f}"


def readme_text(layers: Layers, sources: Sources, seed: int, written: dict[str, Path]) -> str:
    """Return ``geodata/README.md``: what the sample is, its sources, how it was built, its schemas.

    Parameters
    ----------
    layers
        The built layers.
    sources
        The inputs read (for their SHA-256).
    seed
        The seed of the build.
    written
        Layer name to the file written (for the sizes).

    Returns
    -------
    str
        The README text, without a final newline.
    """
    m = layers.metric
    points = m["risk_points"]
    communes = m["communes"]
    swim_share = covered_share(points, m["swim_classes"], DEFAULT_SWIM_RADIUS_M)
    rescue_share = covered_share(points, m["rescue_trainings"], DEFAULT_RESCUE_RADIUS_M)
    counts = "\n".join(
        f"| `{SAMPLE_FILES[layer]}` | {len(layers.frames[layer])} | {_kilobytes(written[layer])} kB |"
        for layer in SAMPLE_FILES
    )
    by_type = points.groupby("water_type").size()
    water_types = ", ".join(f"{k} {v}" for k, v in by_type.items())
    provenance = "\n".join(f"| {what} | `{digest}` |" for what, digest in sources.provenance)
    schemas = "\n".join(
        f"### `{SAMPLE_FILES[layer]}` ({LAYERS[layer].description.rstrip('.')})\n\n"
        f"Geometry: {', '.join(LAYERS[layer].geometry_types)}. Id field: `{LAYERS[layer].id_field}`.\n\n"
        + schema_table_markdown(LAYERS[layer])
        for layer in SAMPLE_FILES
    )
    commune_rows = "\n".join(
        f"| {row.commune_id} | {row.name} | {row.unit_type} | {row.children_under_16:,} | "
        f"{'yes' if row.has_play_space else '**no**'} | {row.area / 1e6:.0f} |"
        for row in communes.assign(area=communes.geometry.area).itertuples()
    )
    return _README_TEMPLATE.format(
        points=len(points),
        black=int((points["risk_level"] == "black_spot").sum()),
        communes=len(communes),
        with_play=int(communes["has_play_space"].sum()),
        without=int((~communes["has_play_space"]).sum()),
        options=SWIM_OPTIONS,
        children=int(communes["children_under_16"].sum()),
        counts=counts,
        water_types=water_types,
        seed=seed,
        swim=f"{swim_share:.0%}",
        rescue=f"{rescue_share:.0%}",
        swim_radius=DEFAULT_SWIM_RADIUS_M,
        rescue_radius=DEFAULT_RESCUE_RADIUS_M,
        provenance=provenance,
        sources=_markdown_table(("Data", "Licence", "Attribution", "Used for"), SOURCES),
        schemas=schemas,
        commune_rows=commune_rows,
        misplaced=", ".join(MISPLACED_UNITS),
        reach=ISLAND_REACH_M // 1000,
        simplify=f"{SIMPLIFY_M:.0f}",
        min_island=f"{MIN_ISLAND_M2 / 10_000:.0f}",
        cat_ba=CAT_BA,
        tra_co=TRA_CO,
        province_area=f"{m['province'].geometry.area.iloc[0] / 1e6:,.0f}",
    )
