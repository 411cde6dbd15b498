"""The layers a command works on: from the store of record, or from a ``--geodata`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd

from hotspots.errors import UnreadableFileError
from hotspots.formats import load_geodata_layer
from hotspots.schema import LAYERS
from hotspots.store import open_store

#: Layers no plan or report can be made without; the others may be missing from a folder.
REQUIRED_LAYERS: Final = ("risk_points", "communes")


def read_layers(directory: Path | None, *, empty_when_missing: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer from the store, or from the GeoJSON files in ``directory``.

    Parameters
    ----------
    directory
        A folder of layer files (``--geodata``), or ``None`` for the store of record.
    empty_when_missing
        Give an optional layer missing from ``directory`` as an empty frame with its fields,
        rather than leaving it out.

    Raises
    ------
    UnreadableFileError
        When ``directory`` lacks the risk points or the communes.
    """
    if directory is None:
        with open_store() as store:
            return {name: store.read_layer(name) for name in LAYERS}
    layers = {}
    for name in LAYERS:
        try:
            layers[name] = load_geodata_layer(name, directory)
        except UnreadableFileError:
            if name in REQUIRED_LAYERS:
                raise
            if empty_when_missing:
                fields = {field: [] for field in LAYERS[name].field_names}
                layers[name] = gpd.GeoDataFrame(fields, geometry=[], crs=4326)
    return layers
