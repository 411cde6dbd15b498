"""What the commune action sheets and the province summary are made of: every figure, computed once.

:func:`prepare_sheets` reads the layers once for all the sheets of a data revision: coverage of
the reviewed risk points (:func:`hotspots.analysis.coverage_table`), their next inspections
(:func:`hotspots.analysis.inspections_due`), the significant hot clusters
(:func:`hotspots.analysis.hexagon_hotspots`, unless a result is given), the communes ranking
(:func:`hotspots.analysis.commune_summary`), the recommended actions of every commune
(:func:`hotspots.analysis.commune_actions`) and, when swimming classes with the status
``planned`` exist, what the plan would change. Nothing here is in a language yet:
:mod:`hotspots.reports.sheets` says it in Vietnamese or English.

Which points: the reviewed ones (``active`` and ``mitigated``), as on the Communes page; the
hot-spot test counts the ``active`` ones (see :mod:`hotspots.analysis.cluster_layers`). A point
belongs to the commune its ``commune_id`` names, or else to the commune holding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis import (
    REVIEWED_STATUSES,
    Action,
    HotspotResult,
    commune_actions,
    commune_summary,
    coverage_table,
    data_date,
    hexagon_hotspots,
    in_service,
    inspections_due,
    is_sample,
    nearest_facilities,
)
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, PROVINCE_NAME, WGS84
from hotspots.errors import HotspotsError
from hotspots.i18n import LANGUAGES, problem_message
from hotspots.reports.timeline import LOCAL_TIMEZONE
from hotspots.schema import LAYERS

#: Status of a swimming class that is planned, not yet held (set by the planning tools).
PLANNED_STATUS: Final = "planned"
#: Columns added to the ranking of :func:`hotspots.analysis.commune_summary`.
RANKING_EXTRA_COLUMNS: Final = ("overdue", "never_inspected", "clusters", "actions")
_PLANNED_PREFIX: Final = "planned_swim"


@dataclass(frozen=True)
class PlanEffect:
    """What the planned swimming classes would change.

    Attributes
    ----------
    classes
        The planned classes: ``class_id``, ``name``, ``commune_name``, ``start_date``.
    swim_share_now, black_share_now
        Share of the reviewed risk points, and of the black spots, with a class within reach now.
    swim_share_planned, black_share_planned
        The same once the planned classes are held too.
    """

    classes: pd.DataFrame
    swim_share_now: float | None
    black_share_now: float | None
    swim_share_planned: float | None
    black_share_planned: float | None


@dataclass(frozen=True, eq=False)
class SheetInputs:
    """Everything the sheets of one data revision need, in EPSG:4326 (read-only by convention).

    Attributes
    ----------
    province_name
        The province's name (from its layer, else :data:`~hotspots.config.PROVINCE_NAME`).
    layers
        ``communes``, ``swim_classes`` (in service), ``planned_classes``,
        ``rescue_trainings`` (in service), ``play_spaces``, ``water`` and ``province``, possibly empty.
    points
        The reviewed risk points with the coverage columns, ``planned_swim_id`` /
        ``planned_swim_distance_m``, ``sheet_commune`` (the commune the point belongs to), the
        columns of :func:`hotspots.analysis.inspections_due` and ``cluster`` (number of the
        significant hot cluster holding it, missing outside one).
    ranking
        :func:`hotspots.analysis.commune_summary` without the geometry, plus
        :data:`RANKING_EXTRA_COLUMNS`: inspections overdue, never inspected, the clusters the
        commune's points lie in (a tuple) and the number of actions.
    actions
        ``{commune_id: actions}`` in rule order.
    hotspots
        The hot-spot result; ``None`` when the test could not run (see ``hotspot_errors``).
    hotspot_errors
        ``{lang: why the test could not run}``, empty when it ran.
    plan
        What the planned classes would change; ``None`` without planned classes.
    today, data_date, is_sample
        The day the sheets are made, the data's date, whether it is the illustrative sample.
    swim_radius_m, rescue_radius_m
        The reach used for coverage.
    """

    province_name: str
    layers: Mapping[str, gpd.GeoDataFrame]
    points: gpd.GeoDataFrame
    ranking: pd.DataFrame
    actions: Mapping[str, tuple[Action, ...]]
    hotspots: HotspotResult | None
    hotspot_errors: Mapping[str, str]
    plan: PlanEffect | None
    today: date
    data_date: date | None
    is_sample: bool
    swim_radius_m: float
    rescue_radius_m: float

    @property
    def commune_ids(self) -> tuple[str, ...]:
        """Every commune, in priority order."""
        return tuple(str(c) for c in self.ranking["commune_id"])

    def commune(self, commune_id: str) -> dict[str, object]:
        """Return the ranking row of one commune.

        Raises
        ------
        HotspotsError
            If there is no such commune.
        """
        rows = self.ranking[self.ranking["commune_id"] == commune_id]
        if not len(rows):
            msg = f"There is no commune '{commune_id}'; the communes are: {', '.join(self.commune_ids)}."
            raise HotspotsError(msg)
        return rows.iloc[0].to_dict()

    def commune_points(self, commune_id: str) -> gpd.GeoDataFrame:
        """Return the reviewed risk points of one commune."""
        return self.points[self.points["sheet_commune"] == commune_id]


def prepare_sheets(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    today: date | None = None,
    swim_radius_m: float = DEFAULT_SWIM_RADIUS_M,
    rescue_radius_m: float = DEFAULT_RESCUE_RADIUS_M,
    hotspots: HotspotResult | None = None,
) -> SheetInputs:
    """Compute what every sheet says, once for all communes.

    Parameters
    ----------
    layers
        The layers by schema name (``risk_points`` and ``communes`` at least; any other may
        be missing or empty). Risk points of every status may be given: the reviewed ones are kept.
    today
        The day inspections are judged on; default: today in Việt Nam.
    swim_radius_m, rescue_radius_m
        Reach of a swimming class and of a rescue training, in metres.
    hotspots
        A hot-spot result to use (the Analysis page's); by default
        :func:`hotspots.analysis.hexagon_hotspots` runs with its defaults. When the test
        cannot run (too few points...), the sheets say why instead.

    Returns
    -------
    SheetInputs

    Raises
    ------
    CRSError, HotspotsError
        A layer without CRS, a negative radius.
    """
    today = today or datetime.now(LOCAL_TIMEZONE).date()
    communes = _layer(layers, "communes")
    all_points = _layer(layers, "risk_points")
    reviewed = all_points[all_points["status"].isin(REVIEWED_STATUSES)].reset_index(drop=True)
    swim = _layer(layers, "swim_classes")
    held, planned = in_service(swim), _planned(swim)
    rescue = in_service(_layer(layers, "rescue_trainings"))
    province = _layer(layers, "province")

    table = coverage_table(
        reviewed, held, rescue, swim_radius_m=swim_radius_m, rescue_radius_m=rescue_radius_m
    )
    nearest_planned = nearest_facilities(reviewed, planned, prefix=_PLANNED_PREFIX)
    for column in nearest_planned.columns:
        table[column] = nearest_planned[column]
    table["sheet_commune"] = _commune_of(table, communes)
    due = inspections_due(table, today=today)
    for column in ("last_inspected", "next_due", "days_overdue", "inspection_status"):
        table[column] = due[column]

    errors: dict[str, str] = {}
    if hotspots is None:
        try:
            hotspots = hexagon_hotspots(
                all_points,
                communes,
                land=province if len(province) else None,
                swim_classes=held,
                rescue_trainings=rescue,
                swim_radius_m=swim_radius_m,
                rescue_radius_m=rescue_radius_m,
            )
        except HotspotsError as error:
            errors = {lang: problem_message(error, lang) for lang in LANGUAGES}
    table["cluster"] = _cluster_of(table, hotspots)

    ranking = pd.DataFrame(
        commune_summary(communes, table.assign(commune_id=table["sheet_commune"])).drop(columns="geometry")
    )
    actions: dict[str, tuple[Action, ...]] = {}
    extra: dict[str, list[object]] = {column: [] for column in RANKING_EXTRA_COLUMNS}
    for row in ranking.to_dict("records"):
        commune_id = str(row["commune_id"])
        mine = table[table["sheet_commune"] == commune_id]
        actions[commune_id] = commune_actions(
            row, mine, mine, swim_radius_m=swim_radius_m, rescue_radius_m=rescue_radius_m
        )
        status = mine["inspection_status"]
        extra["overdue"].append(int((status == "overdue").sum()))
        extra["never_inspected"].append(int((status == "never_inspected").sum()))
        extra["clusters"].append(tuple(sorted({int(c) for c in mine["cluster"].dropna()})))
        extra["actions"].append(len(actions[commune_id]))
    for column, values in extra.items():
        ranking[column] = pd.Series(
            values, index=ranking.index, dtype=object if column == "clusters" else int
        )

    names = province["name"].dropna().astype(str).tolist() if "name" in province.columns else []
    return SheetInputs(
        province_name=names[0] if names else PROVINCE_NAME,
        layers={
            "communes": communes,
            "swim_classes": held,
            "planned_classes": planned,
            "rescue_trainings": rescue,
            "play_spaces": _layer(layers, "play_spaces"),
            "water": _layer(layers, "water"),
            "province": province,
        },
        points=table,
        ranking=ranking,
        actions=actions,
        hotspots=hotspots,
        hotspot_errors=errors,
        plan=_plan_effect(table, planned, communes, swim_radius_m) if len(planned) else None,
        today=today,
        data_date=data_date(all_points),
        is_sample=is_sample(layers),
        swim_radius_m=float(swim_radius_m),
        rescue_radius_m=float(rescue_radius_m),
    )


def _layer(layers: Mapping[str, gpd.GeoDataFrame], name: str) -> gpd.GeoDataFrame:
    """Return the layer, or an empty one with the schema's columns."""
    frame = layers.get(name)
    if frame is not None:
        return frame
    columns = list(LAYERS[name].field_names)
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns}, geometry=[], crs=WGS84)


def _planned(facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the planned facilities (none without a status column)."""
    if "status" not in facilities.columns:
        return facilities.iloc[0:0]
    return facilities[(facilities["status"] == PLANNED_STATUS).to_numpy(dtype=bool)]


def _commune_of(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Name the commune of each point: its ``commune_id`` when known, else the commune holding it."""
    known = set(communes["commune_id"].astype(str))
    given = points["commune_id"] if "commune_id" in points.columns else pd.Series(None, index=points.index)
    result = np.array([str(v) if pd.notna(v) and str(v) in known else None for v in given], dtype=object)
    missing = np.array([v is None for v in result], dtype=bool)
    if missing.any() and len(communes):
        located = gpd.sjoin(
            points.loc[missing, ["geometry"]].to_crs(communes.crs),
            communes[["commune_id", "geometry"]],
            how="left",
            predicate="within",
        )
        located = located[~located.index.duplicated(keep="first")]
        found = located["commune_id"].reindex(points.index[missing])
        result[missing] = [None if pd.isna(v) else str(v) for v in found]
    return result


def _cluster_of(points: gpd.GeoDataFrame, hotspots: HotspotResult | None) -> pd.Series:
    """Find the significant hot cluster holding each point (missing outside any)."""
    cluster = pd.Series(pd.array([pd.NA] * len(points), dtype="Int64"), index=points.index)
    if hotspots is None or not len(points):
        return cluster
    units = hotspots.units[hotspots.units["cluster"].notna()]
    if not len(units):
        return cluster
    joined = gpd.sjoin(
        points[["geometry"]].to_crs(units.crs),
        units[["cluster", "geometry"]],
        how="inner",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    cluster.loc[joined.index] = joined["cluster"].astype("Int64")
    return cluster


def _plan_effect(
    table: gpd.GeoDataFrame, planned: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, swim_radius_m: float
) -> PlanEffect:
    black = (table["risk_level"] == "black_spot").to_numpy()
    now = table["covered_swim"].to_numpy(dtype=bool)
    later = now | (table[f"{_PLANNED_PREFIX}_distance_m"].to_numpy(dtype=float) <= swim_radius_m)
    names = dict(zip(communes["commune_id"].astype(str), communes["name"].astype(str), strict=True))
    where = _commune_of(planned, communes)
    classes = pd.DataFrame(
        {
            "class_id": planned["class_id"].astype(str).to_numpy(),
            "name": planned["name"].astype(str).to_numpy(),
            "commune_name": [names.get(c, "—") if c else "—" for c in where],
            "start_date": [
                _text_day(v) for v in planned.get("start_date", pd.Series(None, index=planned.index))
            ],
        }
    ).sort_values("class_id", kind="stable")
    return PlanEffect(
        classes=classes.reset_index(drop=True),
        swim_share_now=_share(now),
        black_share_now=_share(now[black]),
        swim_share_planned=_share(later),
        black_share_planned=_share(later[black]),
    )


def _share(mask: np.ndarray) -> float | None:
    return float(mask.mean()) if len(mask) else None


def _text_day(value: object) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
