"""Recommended actions for a commune, derived from its data by fixed rules, and their sentences.

Each rule of :data:`ACTION_RULES` looks at the commune's reviewed risk points (with their
nearest facilities, from :func:`hotspots.analysis.coverage_table`), their inspections (from
:func:`hotspots.analysis.inspections_due`) and the commune's play-space flag, and gives zero or
more :class:`Action`; :func:`action_text` says each in Vietnamese or English. The README lists
the rules in words; ``tests/test_actions.py`` checks them one by one.

``black_spot_no_swim``
    A black spot with no swimming class within :data:`SWIM_ACTION_DISTANCE_M` (5 km) and no
    *planned* class within it either: schedule one. One action per black spot.
``black_spot_swim_planned``
    The same, but a planned class (``status == "planned"``) lies within the distance: make
    sure it opens.
``black_spot_no_rescue``
    A black spot with no rescue training within :data:`RESCUE_ACTION_DISTANCE_M` (2 km):
    train the adults living nearby. One action per black spot.
``hot_cluster``
    Some of the commune's risk points lie in a significant hot-spot cluster (Gi*, corrected
    for multiple testing): put the commune first.
``uncovered_share``
    At least :data:`UNCOVERED_SHARE_THRESHOLD` (half) of its risk points are covered neither
    by a swimming class nor by rescue training within the reach chosen: plan both.
``inspections_overdue``
    Risk points whose next inspection date has passed: inspect them, the most overdue first.
``never_inspected``
    Risk points with no inspection recorded: inspect them.
``no_play_space``
    The commune has no safe play space for children: open one.

Distances are the metres measured in UTM zone 48N by :func:`hotspots.analysis.nearest_facilities`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M
from hotspots.errors import HotspotsError
from hotspots.i18n import format_distance, format_number, format_share, t

#: The rules, in the order their actions are listed.
ACTION_RULES: Final = (
    "black_spot_no_swim",
    "black_spot_swim_planned",
    "black_spot_no_rescue",
    "hot_cluster",
    "uncovered_share",
    "inspections_overdue",
    "never_inspected",
    "no_play_space",
)
#: A black spot farther than this from any swimming class calls for one.
SWIM_ACTION_DISTANCE_M: Final = 5_000
#: A black spot farther than this from any rescue training calls for one.
RESCUE_ACTION_DISTANCE_M: Final = 2_000
#: Share of a commune's risk points covered by neither (within the reach chosen) that calls for both.
UNCOVERED_SHARE_THRESHOLD: Final = 0.5
#: Point ids named in one sentence before "and N more".
MAX_LISTED_IDS: Final = 5
#: Columns the rules read in the points table (``cluster``, ``planned_swim_id`` and
#: ``planned_swim_distance_m`` are read when present).
POINT_COLUMNS: Final = (
    "point_id",
    "risk_level",
    "nearest_swim_distance_m",
    "nearest_rescue_distance_m",
    "coverage_status",
)


@dataclass(frozen=True)
class Action:
    """One recommended action: which rule gave it, about what, with the figures its sentence needs.

    Attributes
    ----------
    rule
        One of :data:`ACTION_RULES`.
    subject
        The black spot's id for the black-spot rules, the commune's id otherwise.
    values
        Figures of the sentence (distances in metres, counts, point ids...), not yet formatted.
    """

    rule: str
    subject: str
    values: Mapping[str, object] = field(default_factory=dict)


def commune_actions(
    commune: Mapping[str, object],
    points: pd.DataFrame,
    inspections: pd.DataFrame | None = None,
    *,
    swim_radius_m: float = DEFAULT_SWIM_RADIUS_M,
    rescue_radius_m: float = DEFAULT_RESCUE_RADIUS_M,
    swim_action_m: float = SWIM_ACTION_DISTANCE_M,
    rescue_action_m: float = RESCUE_ACTION_DISTANCE_M,
    uncovered_share: float = UNCOVERED_SHARE_THRESHOLD,
) -> tuple[Action, ...]:
    """Apply every rule of :data:`ACTION_RULES` to one commune.

    Parameters
    ----------
    commune
        ``commune_id``, ``name`` and ``has_play_space`` of the commune.
    points
        The commune's reviewed risk points with :data:`POINT_COLUMNS`; optionally ``cluster``
        (number of the significant hot cluster holding the point, missing outside one) and
        ``planned_swim_id`` / ``planned_swim_distance_m`` (nearest planned class).
    inspections
        :func:`hotspots.analysis.inspections_due` rows of those points; ``None``: no rule on
        inspections.
    swim_radius_m, rescue_radius_m
        The reach the ``coverage_status`` column was computed with (named in the sentence).
    swim_action_m, rescue_action_m
        Distances of the black-spot rules, in metres.
    uncovered_share
        Share (0–1] of points covered by neither that triggers ``uncovered_share``.

    Returns
    -------
    tuple of Action
        In the order of :data:`ACTION_RULES`; black spots by id; empty when no rule applies.

    Raises
    ------
    HotspotsError
        If a column of :data:`POINT_COLUMNS` is missing.
    """
    missing = [c for c in POINT_COLUMNS if c not in points.columns]
    if missing:
        msg = f"The risk points lack the column(s) {', '.join(missing)} that the action rules read."
        raise HotspotsError(msg)
    commune_id = str(commune["commune_id"])
    actions: list[Action] = []
    black = points[points["risk_level"] == "black_spot"].sort_values("point_id", kind="stable")
    for row in black.to_dict("records"):
        actions.extend(_black_spot_swim(row, swim_action_m))
    for row in black.to_dict("records"):
        distance = _metres(row["nearest_rescue_distance_m"])
        if distance is None or distance > rescue_action_m:
            values = {"distance_m": distance, "limit_m": rescue_action_m}
            actions.append(Action("black_spot_no_rescue", str(row["point_id"]), values))
    if "cluster" in points.columns:
        clusters = pd.to_numeric(points["cluster"], errors="coerce").dropna().astype(int)
        if len(clusters):
            values = {
                "name": commune["name"],
                "clusters": tuple(sorted(set(clusters))),
                "count": len(clusters),
            }
            actions.append(Action("hot_cluster", commune_id, values))
    neither = int((points["coverage_status"] == "neither").sum())
    if len(points) and neither / len(points) >= uncovered_share:
        values = {
            "uncovered": neither,
            "total": len(points),
            "swim_radius_m": swim_radius_m,
            "rescue_radius_m": rescue_radius_m,
        }
        actions.append(Action("uncovered_share", commune_id, values))
    if inspections is not None:
        actions.extend(_inspection_actions(commune_id, inspections))
    if not bool(commune.get("has_play_space", True)):
        actions.append(Action("no_play_space", commune_id, {"name": commune["name"]}))
    return tuple(actions)


def action_text(action: Action, lang: str) -> str:
    """Say one action as a sentence in ``lang`` (``"vi"`` or ``"en"``).

    Examples
    --------
    >>> action = Action("black_spot_no_rescue", "QN-0412", {"distance_m": 3150.0, "limit_m": 2000})
    >>> print(action_text(action, "en")[:75])
    Black spot QN-0412 has no rescue training within 2.0 km (nearest: 3.1 km):
    """
    v = action.values
    if action.rule in ("black_spot_no_swim", "black_spot_no_rescue"):
        return t(
            f"advice.{action.rule}",
            lang,
            point=action.subject,
            limit=format_distance(v["limit_m"], lang),
            distance=_distance(v["distance_m"], lang),
        )
    if action.rule == "black_spot_swim_planned":
        return t(
            "advice.black_spot_swim_planned",
            lang,
            point=action.subject,
            limit=format_distance(v["limit_m"], lang),
            class_id=v["class_id"],
            distance=_distance(v["distance_m"], lang),
        )
    if action.rule == "hot_cluster":
        clusters = _and_list([str(c) for c in v["clusters"]], lang)
        return t("advice.hot_cluster", lang, name=v["name"], clusters=clusters, count=_n(v["count"], lang))
    if action.rule == "uncovered_share":
        return t(
            "advice.uncovered_share",
            lang,
            uncovered=_n(v["uncovered"], lang),
            total=_n(v["total"], lang),
            share=format_share(v["uncovered"] / v["total"], lang),
            swim_radius=format_distance(v["swim_radius_m"], lang),
            rescue_radius=format_distance(v["rescue_radius_m"], lang),
        )
    if action.rule in ("inspections_overdue", "never_inspected"):
        number = "one" if v["count"] == 1 else "many"
        days = v.get("days", 0)
        return t(
            f"advice.{action.rule}_{number}",
            lang,
            count=_n(v["count"], lang),
            days=t(f"advice.days_{'one' if days == 1 else 'many'}", lang, days=_n(days, lang)),
            points=listed_ids(v["point_ids"], lang),
        )
    if action.rule == "no_play_space":
        return t("advice.no_play_space", lang, name=v["name"])
    msg = f"Unknown action rule '{action.rule}'; the rules are: {', '.join(ACTION_RULES)}."
    raise HotspotsError(msg)


def listed_ids(ids: Sequence[str], lang: str, *, limit: int = MAX_LISTED_IDS) -> str:
    """Name up to ``limit`` ids, then say how many more: ``"QN-1, QN-2 and 3 more"``.

    Examples
    --------
    >>> listed_ids(["QN-1", "QN-2", "QN-3"], "en")
    'QN-1, QN-2 and QN-3'
    >>> listed_ids(["QN-1", "QN-2", "QN-3"], "vi", limit=2)
    'QN-1, QN-2 và 1 điểm khác'
    """
    ids = [str(i) for i in ids]
    if len(ids) <= limit:
        return _and_list(ids, lang)
    more = t("advice.more", lang, count=_n(len(ids) - limit, lang))
    return _and_list([*ids[:limit], more], lang)


def _black_spot_swim(row: Mapping[str, object], limit_m: float) -> list[Action]:
    distance = _metres(row["nearest_swim_distance_m"])
    if distance is not None and distance <= limit_m:
        return []
    planned = _metres(row.get("planned_swim_distance_m"))
    point = str(row["point_id"])
    if planned is not None and planned <= limit_m:
        values = {"class_id": str(row["planned_swim_id"]), "distance_m": planned, "limit_m": limit_m}
        return [Action("black_spot_swim_planned", point, values)]
    return [Action("black_spot_no_swim", point, {"distance_m": distance, "limit_m": limit_m})]


def _inspection_actions(commune_id: str, inspections: pd.DataFrame) -> list[Action]:
    actions = []
    overdue = inspections[inspections["inspection_status"] == "overdue"]
    if len(overdue):
        overdue = overdue.assign(_days=overdue["days_overdue"].astype(int)).sort_values(
            ["_days", "point_id"], ascending=[False, True], kind="stable"
        )
        values = {
            "count": len(overdue),
            "days": int(overdue["_days"].iloc[0]),
            "point_ids": tuple(overdue["point_id"].astype(str)),
        }
        actions.append(Action("inspections_overdue", commune_id, values))
    never = inspections[inspections["inspection_status"] == "never_inspected"]
    if len(never):
        ids = tuple(sorted(never["point_id"].astype(str)))
        actions.append(Action("never_inspected", commune_id, {"count": len(ids), "point_ids": ids}))
    return actions


def _metres(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _distance(metres: object, lang: str) -> str:
    return t("advice.no_facility", lang) if metres is None else format_distance(float(metres), lang)


def _n(value: object, lang: str) -> str:
    return format_number(int(value), lang)


def _and_list(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('hotspot.summary.and', lang)} {items[-1]}"
