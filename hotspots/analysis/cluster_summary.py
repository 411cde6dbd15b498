"""What a hot-spot test found: clusters, the summary in numbers, and the sentence that says it.

:mod:`hotspots.analysis.cluster_layers` fills these frozen dataclasses; :func:`summary_text`
turns a :class:`HotspotSummary` into plain words in Vietnamese or English, e.g. "1 cluster of
risk points is significant after correcting for multiple testing: around Phường Hà Tu. It holds
14 of the 891 risk points and 1 of the 14 black spots. Of those black spots, 0 of 1 have no
swimming class within 3.0 km and 1 of 1 no rescue training within 2.0 km."
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from hotspots.errors import Problem
from hotspots.i18n import format_distance, format_number, t


@dataclass(frozen=True)
class Cluster:
    """One connected group of significant hot units.

    Attributes
    ----------
    number
        1 for the cluster holding the most weighted risk points, then 2, 3...
    unit_ids
        Ids of its cells (``cell_id``) or communes (``commune_id``).
    commune_ids, commune_names
        The communes it covers, the main one first (largest overlap; hottest commune).
    risk_points, black_spots
        Counted risk points inside it, and the black spots among them.
    risk_points_without_swim, black_spots_without_swim
        Of those, how many have no swimming class within the radius; ``None`` when no
        swimming-class layer was given.
    risk_points_without_rescue, black_spots_without_rescue
        The same for rescue training.
    """

    number: int
    unit_ids: tuple[str, ...]
    commune_ids: tuple[str, ...]
    commune_names: tuple[str, ...]
    risk_points: int
    black_spots: int
    risk_points_without_swim: int | None = None
    black_spots_without_swim: int | None = None
    risk_points_without_rescue: int | None = None
    black_spots_without_rescue: int | None = None

    @property
    def main_commune(self) -> str | None:
        """Name of the commune the cluster is mostly in."""
        return self.commune_names[0] if self.commune_names else None


@dataclass(frozen=True)
class HotspotSummary:
    """What a hot-spot test found, in numbers a sentence can be made of (:func:`summary_text`).

    Attributes
    ----------
    support, measure
        ``"hexagons"`` (measure ``"weighted_points"``) or ``"communes"`` (measure one of
        :data:`~hotspots.analysis.cluster_layers.COMMUNE_MEASURES`).
    units, tested
        Units in the layer, and units in the test.
    islands
        Ids of units left out because they have no neighbour.
    left_out
        Ids of communes left out because they have no child count (``per_1000_children``).
    hot, cold
        Significant hot and cold units at ``alpha``.
    clusters
        Connected groups of significant hot units, the largest first.
    total_risk_points, total_black_spots
        Risk points counted (statuses asked for) and black spots among them, in the whole layer.
    alpha, fdr_cutoff
        False-discovery rate and the p-value cut-off it gave (a unit is significant below it).
    inference, permutations, seed, min_detectable
        How the p-values were computed; ``min_detectable`` is how many units the correction
        needs at the smallest possible p before it flags any (1 for exact p-values).
    swim_radius_m, rescue_radius_m
        The reach used for the coverage counts.
    notes
        Coded notes for the user (projected layers, units left out, permutation floor).
    """

    support: str
    measure: str
    units: int
    tested: int
    islands: tuple[str, ...]
    left_out: tuple[str, ...]
    hot: int
    cold: int
    clusters: tuple[Cluster, ...]
    total_risk_points: int
    total_black_spots: int
    alpha: float
    fdr_cutoff: float
    inference: str
    permutations: int
    seed: int
    min_detectable: int
    swim_radius_m: float
    rescue_radius_m: float
    notes: tuple[Problem, ...] = ()

    @property
    def risk_points_in_clusters(self) -> int:
        """Risk points inside any cluster."""
        return sum(c.risk_points for c in self.clusters)

    @property
    def black_spots_in_clusters(self) -> int:
        """Black spots inside any cluster."""
        return sum(c.black_spots for c in self.clusters)

    def in_clusters(self, field: str) -> int | None:
        """Sum a coverage count over the clusters, e.g. ``in_clusters("black_spots_without_swim")``.

        ``None`` when the facility layer was not given.
        """
        values = [getattr(c, field) for c in self.clusters]
        return None if any(v is None for v in values) else sum(values)


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """The tested units as a map layer (EPSG:4326) and the summary of what was found."""

    units: gpd.GeoDataFrame
    summary: HotspotSummary


def summary_text(summary: HotspotSummary, lang: str) -> str:
    """Say in plain words what the test found, in ``lang`` (``"vi"`` or ``"en"``).

    Examples
    --------
    >>> summary_text(result.summary, "en")  # doctest: +SKIP
    '2 clusters of risk points are significant after correcting for multiple testing: around
    Phường Hà Tu and Phường Bãi Cháy. They hold 41 of the 891 risk points and 3 of the 14
    black spots. Of those black spots, 2 of 3 have no swimming class within 3.0 km and 3 of 3
    no rescue training within 2.0 km.'

    The places are the main commune of each cluster. The coverage sentence is about the black
    spots in the clusters, or about their risk points when they hold no black spot; it is left
    out when neither facility layer was given. Without a cluster, one sentence says so.
    """
    count = len(summary.clusters)
    if count == 0:
        return t(f"hotspot.summary.none_{summary.support}", lang)
    number = "one" if count == 1 else "many"
    places = _and_list(unique_names([c.main_commune or "—" for c in summary.clusters]), lang)
    measure = t(f"hotspot.measure.{summary.measure}", lang)
    sentences = [
        t(f"hotspot.summary.{summary.support}_{number}", lang, count=count, places=places, measure=measure),
        t(
            f"hotspot.summary.hold_{number}"
            if summary.total_black_spots
            else f"hotspot.summary.hold_points_{number}",
            lang,
            points=format_number(summary.risk_points_in_clusters, lang),
            total_points=format_number(summary.total_risk_points, lang),
            black=format_number(summary.black_spots_in_clusters, lang),
            total_black=format_number(summary.total_black_spots, lang),
        ),
    ]
    kind = "black" if summary.black_spots_in_clusters else "points"
    of = summary.black_spots_in_clusters if kind == "black" else summary.risk_points_in_clusters
    no_swim = summary.in_clusters(
        "black_spots_without_swim" if kind == "black" else "risk_points_without_swim"
    )
    no_rescue = summary.in_clusters(
        "black_spots_without_rescue" if kind == "black" else "risk_points_without_rescue"
    )
    known = "both" if None not in (no_swim, no_rescue) else "swim" if no_swim is not None else "rescue"
    if no_swim is not None or no_rescue is not None:
        sentences.append(
            t(
                f"hotspot.summary.uncovered_{kind}_{known}",
                lang,
                of=format_number(of, lang),
                no_swim=format_number(no_swim or 0, lang),
                no_rescue=format_number(no_rescue or 0, lang),
                swim_radius=format_distance(summary.swim_radius_m, lang),
                rescue_radius=format_distance(summary.rescue_radius_m, lang),
            )
        )
    return " ".join(sentences)


def unique_names(values: Sequence[object] | np.ndarray) -> list[str]:
    """Return the names as text, without repeats or missing ones, in their first order."""
    return list(dict.fromkeys(str(v) for v in values if v is not None))


def _and_list(names: list[str], lang: str) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t('hotspot.summary.and', lang)} {names[-1]}"
