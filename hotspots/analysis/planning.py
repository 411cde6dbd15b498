"""Planning new swimming classes or rescue trainings from the map layers: what to site, where courses run.

The glue between the layers as the store returns them and the siting and schedule models:

- :func:`plan_problem` builds the siting problem of one kind of venue with the candidate kinds
  the planner chose (:func:`~hotspots.analysis.siting_problem` always offers them all;
  :func:`restrict_candidates` keeps some);
- :func:`schedule_venues` turns the venues to schedule (sites planned in the store, the sites
  just proposed, and if asked the venues in service) into the one venue layer
  :func:`~hotspots.analysis.schedule_from_geodataframe` plans courses for;
- :func:`plan_feature_collection` writes a plan as GeoJSON (``python -m hotspots plan --out``),
  and :func:`venues_from_plan_file` reads one back for ``python -m hotspots schedule``.

Venues already planned (``status == "planned"``, see :data:`hotspots.schema.VENUE_STATUSES`)
count as open when new sites are chosen, so that choosing again after a plan is stored proposes
the next sites rather than the same ones; cancelled plans do not count.

Children of a venue
    A planned or proposed site counts the children it *newly* brings within reach
    (``new_children`` of :func:`~hotspots.analysis.choose_sites`, kept in the store with the
    planned site); a venue in service, or a planned site stored without that number, counts the
    children of its catchment (:func:`~hotspots.analysis.catchment_children`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.coverage import in_service
from hotspots.analysis.schedule import catchment_children
from hotspots.analysis.siting_layers import (
    CANDIDATE_KINDS,
    DEFAULT_BLACK_SPOT_FACTOR,
    DEFAULT_GRID_SPACING_M,
    SitingPlan,
    SitingProblem,
    siting_problem,
)
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, WGS84
from hotspots.errors import SitingError
from hotspots.i18n import coded_error, t
from hotspots.schema import LAYERS

#: What can be planned: swimming classes or rescue trainings.
PLAN_KINDS: Final = ("swim", "rescue")
#: The layer holding each kind of venue.
PLAN_LAYERS: Final = {"swim": "swim_classes", "rescue": "rescue_trainings"}
#: The default reach of each kind, in metres.
PLAN_RADII: Final = {"swim": DEFAULT_SWIM_RADIUS_M, "rescue": DEFAULT_RESCUE_RADIUS_M}
#: Candidate kinds a planner chooses among; the venues open already and the planner's own sites
#: (clicked on the map) are always in.
CHOOSABLE_CANDIDATES: Final = ("commune_centre", "play_space", "near_venue", "grid")
#: Status of a site a planner has planned, and of a dropped plan.
PLANNED_STATUS: Final = "planned"
CANCELLED_STATUS: Final = "cancelled"
#: Ids of sites proposed but not stored yet, by rank: ``DX-1``, ``DX-2`` (*đề xuất*, proposed).
PROPOSED_ID_PREFIX: Final = "DX"
#: Columns of :func:`schedule_venues`, geometry last.
SCHEDULE_VENUE_COLUMNS: Final = ("venue_id", "name", "commune_id", "children", "source", "geometry")
#: Values of the ``source`` column of :func:`schedule_venues`.
VENUE_SOURCES: Final = ("planned", "proposed", "existing")
#: Properties of each feature of :func:`plan_feature_collection`, in order.
PLAN_PROPERTIES: Final = (
    "site_id",
    "name",
    "kind",
    "rank",
    "candidate_kind",
    "commune_id",
    "commune_name",
    "new_risk_points",
    "new_black_spots",
    "new_weight",
    "new_children",
    "nearest_venue_m",
    "radius_m",
)
# The language of names written into the data (the province's records are in Vietnamese).
_DATA_LANGUAGE: Final = "vi"


def plan_problem(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    kind: str,
    radius_m: float,
    candidate_kinds: Collection[str] = CHOOSABLE_CANDIDATES,
    grid_spacing_m: float = DEFAULT_GRID_SPACING_M,
    extra_sites: Iterable[tuple[float, float]] = (),
    black_spot_factor: float = DEFAULT_BLACK_SPOT_FACTOR,
    weight_by_children: bool = False,
) -> SitingProblem:
    """Build the siting problem of new venues of one kind from the layers.

    Parameters
    ----------
    layers
        Layers by schema name: ``risk_points``, ``communes`` and the kind's venue layer at least;
        ``play_spaces`` and ``province`` when present.
    kind
        ``"swim"`` (swimming classes) or ``"rescue"`` (rescue trainings).
    radius_m
        Reach of a venue, in metres.
    candidate_kinds
        Which of :data:`CHOOSABLE_CANDIDATES` to offer (the open venues and ``extra_sites``
        always are).
    grid_spacing_m, extra_sites, black_spot_factor, weight_by_children
        As for :func:`~hotspots.analysis.siting_problem`.

    Returns
    -------
    SitingProblem
        The venues in service and those planned are the fixed (open) candidates.

    Raises
    ------
    SitingError
        An unknown kind or candidate kind, or what :func:`~hotspots.analysis.siting_problem` refuses.
    """
    venues = venue_layer(layers, kind)
    wanted = _candidate_kinds(candidate_kinds)
    open_now = venues[_status(venues) != CANCELLED_STATUS]
    play_spaces = layers.get("play_spaces") if "play_space" in wanted else None
    province = layers.get("province")
    problem = siting_problem(
        layers["risk_points"],
        open_now,
        layers["communes"],
        radius_m=radius_m,
        play_spaces=play_spaces,
        province=province if province is not None and len(province) else None,
        grid_spacing_m=grid_spacing_m,
        extra_sites=extra_sites,
        black_spot_factor=black_spot_factor,
        weight_by_children=weight_by_children,
    )
    return restrict_candidates(problem, {"existing", "planner", *wanted})


def restrict_candidates(problem: SitingProblem, kinds: Collection[str]) -> SitingProblem:
    """Keep the candidates of ``kinds`` (values of ``candidate_kind``), renumbering the open ones.

    Raises
    ------
    SitingError
        If a kind is not one of :data:`~hotspots.analysis.siting_layers.CANDIDATE_KINDS`.
    """
    unknown = sorted(set(kinds) - set(CANDIDATE_KINDS))
    if unknown:
        raise coded_error(
            SitingError,
            "plan.unknown_candidates",
            kinds=", ".join(unknown),
            allowed=", ".join(CANDIDATE_KINDS),
        )
    keep = np.flatnonzero(problem.candidates["candidate_kind"].isin(list(kinds)).to_numpy())
    if len(keep) == len(problem.candidates):
        return problem
    new_index = np.full(len(problem.candidates), -1, dtype=np.int64)
    new_index[keep] = np.arange(len(keep))
    fixed = new_index[problem.fixed]
    return dataclasses.replace(
        problem,
        candidates=problem.candidates.iloc[keep].reset_index(drop=True),
        cost=problem.cost[:, keep],
        fixed=fixed[fixed >= 0],
    )


def venue_layer(layers: Mapping[str, gpd.GeoDataFrame], kind: str) -> gpd.GeoDataFrame:
    """Return the layer of venues of ``kind`` (``"swim"`` or ``"rescue"``), every status.

    Raises
    ------
    SitingError
        If ``kind`` is not one of :data:`PLAN_KINDS`.
    """
    if kind not in PLAN_KINDS:
        raise coded_error(SitingError, "plan.unknown_kind", kind=repr(kind), kinds=", ".join(PLAN_KINDS))
    return layers[PLAN_LAYERS[kind]]


def planned_venues(venues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the venues a planner planned (``status == "planned"``), not yet held nor cancelled."""
    return venues[(_status(venues) == PLANNED_STATUS).to_numpy()]


def proposed_names(sites: gpd.GeoDataFrame, kind: str) -> list[str]:
    """Return the name each proposed site takes in the store: *Lớp dự kiến – <commune>*.

    A site in no known commune is named by its latitude and longitude. Names are in Vietnamese,
    the language of the province's records, whatever the user's language.
    """
    layer = PLAN_LAYERS[kind] if kind in PLAN_KINDS else kind
    points = sites.geometry.to_crs(WGS84)
    names = []
    for commune, point in zip(_column(sites, "commune_name"), points, strict=True):
        place = commune if isinstance(commune, str) and commune else f"{point.y:.5f}, {point.x:.5f}"
        names.append(t(f"plan.record_name.{layer}", _DATA_LANGUAGE, place=place))
    return names


def schedule_venues(
    communes: gpd.GeoDataFrame,
    *,
    planned: gpd.GeoDataFrame | None = None,
    proposed: gpd.GeoDataFrame | None = None,
    existing: gpd.GeoDataFrame | None = None,
    kind: str = "swim",
    radius_m: float = DEFAULT_SWIM_RADIUS_M,
) -> gpd.GeoDataFrame:
    """Gather the venues to schedule into one layer (see "Children of a venue" above).

    Parameters
    ----------
    communes
        Commune polygons with ``children_under_16`` (for catchments).
    planned
        Planned sites from the store (a venue layer; only ``status == "planned"`` rows are taken).
    proposed
        Sites just proposed (:attr:`~hotspots.analysis.SitingPlan.sites`); ids ``DX-<rank>``.
    existing
        A venue layer whose venues in service are scheduled too (``None``: none).
    kind
        ``"swim"`` or ``"rescue"``: the id field of the venue layers and the proposals' names.
    radius_m
        Catchment radius, when children are counted from the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`SCHEDULE_VENUE_COLUMNS` in EPSG:4326; ``source`` is one of :data:`VENUE_SOURCES`.
        Give it to :func:`~hotspots.analysis.schedule_from_geodataframe` with
        ``id_field="venue_id", children_field="children"``.
    """
    id_field = LAYERS[PLAN_LAYERS[kind] if kind in PLAN_KINDS else kind].id_field
    parts = []
    if planned is not None and len(planned_venues(planned)):
        rows = planned_venues(planned).to_crs(WGS84)
        counted = pd.to_numeric(pd.Series(_column(rows, "new_children"), dtype=object), errors="coerce")
        counted = counted.to_numpy(dtype=float, copy=True)
        missing = np.isnan(counted)
        if missing.any():
            counted[missing] = catchment_children(rows[missing], communes, radius_m=radius_m)
        parts.append(_venue_rows(rows, rows[id_field], rows["name"], counted, "planned"))
    if proposed is not None and len(proposed):
        rows = proposed.to_crs(WGS84)
        ids = [f"{PROPOSED_ID_PREFIX}-{int(rank)}" for rank in rows["rank"]]
        parts.append(_venue_rows(rows, ids, proposed_names(rows, kind), rows["new_children"], "proposed"))
    if existing is not None and len(in_service(existing)):
        rows = in_service(existing).to_crs(WGS84)
        children = catchment_children(rows, communes, radius_m=radius_m)
        parts.append(_venue_rows(rows, rows[id_field], rows["name"], children, "existing"))
    if not parts:
        return gpd.GeoDataFrame({c: [] for c in SCHEDULE_VENUE_COLUMNS[:-1]}, geometry=[], crs=WGS84)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WGS84)


def plan_feature_collection(plan: SitingPlan, *, kind: str, radius_m: float) -> dict[str, Any]:
    """Return the chosen sites of ``plan`` as a GeoJSON FeatureCollection (EPSG:4326).

    Each feature has :data:`PLAN_PROPERTIES`: ``site_id`` (``DX-<rank>``), the name it would
    take in the store, what it newly covers and ``radius_m``; the collection says the method,
    whether it is proven optimal and its gap to the bound.
    """
    sites = plan.sites.to_crs(WGS84)
    names = proposed_names(sites, kind)
    features = []
    for row, name, point in zip(sites.to_dict("records"), names, sites.geometry, strict=True):
        values = {
            **{k: _plain(row.get(k)) for k in PLAN_PROPERTIES},
            "site_id": f"{PROPOSED_ID_PREFIX}-{int(row['rank'])}",
            "name": name,
            "kind": kind,
            "radius_m": float(radius_m),
        }
        features.append(
            {
                "type": "Feature",
                "properties": {k: values[k] for k in PLAN_PROPERTIES},
                "geometry": {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]},
            }
        )
    result = plan.result
    return {
        "type": "FeatureCollection",
        "method": result.method,
        "optimal": bool(result.optimal),
        "gap": round(float(result.gap), 6),
        "features": features,
    }


def venues_from_plan_file(plan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn a plan read back from :func:`plan_feature_collection`'s GeoJSON into venues to schedule.

    Raises
    ------
    SitingError
        If the file lacks the ``site_id`` or ``new_children`` properties of a plan.
    """
    missing = [c for c in ("site_id", "new_children") if c not in plan.columns]
    if missing:
        raise coded_error(SitingError, "plan.not_a_plan", columns=", ".join(missing))
    names = plan["name"] if "name" in plan.columns else plan["site_id"]
    rows = plan.to_crs(WGS84) if plan.crs is not None else plan.set_crs(WGS84)
    frame = _venue_rows(rows, rows["site_id"], names, rows["new_children"], "proposed")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def _venue_rows(
    rows: gpd.GeoDataFrame, ids: Iterable[object], names: Iterable[object], children: Any, source: str
) -> pd.DataFrame:
    counted = pd.to_numeric(pd.Series(np.asarray(children, dtype=object)), errors="coerce").fillna(0.0)
    return pd.DataFrame(
        {
            "venue_id": [str(v) for v in ids],
            "name": [str(v) for v in names],
            "commune_id": _column(rows, "commune_id"),
            "children": counted.to_numpy(dtype=float),
            "source": source,
            "geometry": rows.geometry.to_numpy(),
        }
    )


def _candidate_kinds(kinds: Collection[str]) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    unknown = sorted(set(kinds) - set(CHOOSABLE_CANDIDATES))
    if unknown:
        raise coded_error(
            SitingError,
            "plan.unknown_candidates",
            kinds=", ".join(unknown),
            allowed=", ".join(CHOOSABLE_CANDIDATES),
        )
    return tuple(k for k in CHOOSABLE_CANDIDATES if k in kinds)


def _status(venues: pd.DataFrame) -> pd.Series:
    """Each venue's status; ``active`` where the layer has none."""
    if "status" not in venues.columns:
        return pd.Series("active", index=venues.index, dtype=object)
    return venues["status"].astype(object).where(venues["status"].notna(), "active")


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(v) else v for v in frame[name].tolist()]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain(value: object) -> object:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 3)
    return value
