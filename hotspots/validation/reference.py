"""The reference data a layer is validated against: the province, its communes, what is stored."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely


@dataclass(frozen=True)
class ReferenceData:
    """What new features are checked against, passed as one object to every reader and validator.

    Parameters
    ----------
    province
        Province outline in EPSG:4326. ``None`` loads ``geodata/province.geojson`` when it
        exists; otherwise the inside-the-province check is skipped with a warning.
    communes
        Communes (column ``commune_id``, any CRS). A feature without ``commune_id`` gets the
        commune it lies in (with a warning); an unknown ``commune_id`` is an error.
    existing
        Features already stored in the layer: reusing one of their ids, or lying closer than
        ``NEAR_DUPLICATE_M`` to one of their points, is an error.

    Examples
    --------
    >>> reference = ReferenceData(province=outline, communes=communes)  # doctest: +SKIP
    >>> validate_features(features, reference=reference)  # doctest: +SKIP
    """

    province: shapely.Geometry | None = None
    communes: gpd.GeoDataFrame | None = None
    existing: gpd.GeoDataFrame | None = None

    def with_existing(self, existing: gpd.GeoDataFrame | None) -> ReferenceData:
        """Return the same reference with other already-stored features."""
        return ReferenceData(province=self.province, communes=self.communes, existing=existing)


#: No reference data: the shipped province outline, when there is one, and nothing else.
NO_REFERENCE = ReferenceData()
