"""Hot spots of risk points: Gi* core, hexagon grid, density surface, map adapters, guard-rails, sample."""

import itertools
import math

import esda
import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from shapely.geometry import Point, box

from hotspots.analysis import (
    ALPHAS,
    HEXAGON_COLUMNS,
    HOTSPOT_CLASSES,
    commune_hotspots,
    density_surface,
    gi_star,
    hexagon_grid,
    hexagon_hotspots,
    hot_clusters,
    risk_density,
    scott_bandwidth,
    summary_text,
)
from hotspots.analysis.cluster_layers import COMMUNE_COLUMNS
from hotspots.analysis.clusters import _exact_p
from hotspots.analysis.hexgrid import lattice_cells
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import ClusterError, CRSError
from hotspots.formats import load_geodata_layer, load_province
from hotspots.i18n import label, problem_message

# ---------------------------------------------------------------- helpers


def _lattice(rows, cols):
    """Centres of a hexagonal lattice with unit spacing and its neighbour matrix, built here by hand."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    x = c.ravel() + (r.ravel() % 2) / 2
    y = r.ravel() * math.sqrt(3) / 2
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    return np.column_stack([x, y]), ((distance > 0) & (distance <= 1.01)).astype(float)


def _gi_star_z(x, adjacency):
    """Getis and Ord (1995) G*_i z-score, the unit itself included with weight 1."""
    n = len(x)
    w = adjacency + np.eye(n)
    mean = x.mean()
    s = math.sqrt((x**2).mean() - mean**2)
    weight = w.sum(axis=1)
    numerator = w @ x - mean * weight
    denominator = s * np.sqrt((n * (w**2).sum(axis=1) - weight**2) / (n - 1))
    return numerator / denominator


def _planted(seed, rows=20, cols=20, extra=8):
    rng = np.random.default_rng(seed)
    centres, adjacency = _lattice(rows, cols)
    values = rng.poisson(1.0, len(centres)).astype(float)
    centre = int(np.argmin(np.hypot(*(centres - centres.mean(axis=0)).T)))
    blob = np.r_[centre, np.flatnonzero(adjacency[centre])]
    values[blob] += extra
    return values, adjacency, set(blob.tolist())


def _code_and_messages(error, code, english, vietnamese):
    assert error.code == code
    assert problem_message(error, "en") == str(error) == english
    assert problem_message(error, "vi") == vietnamese


# ---------------------------------------------------------------- the Gi* core


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_planted_cluster_is_found_and_nothing_else(seed):
    values, adjacency, blob = _planted(seed)
    result = gi_star(values, adjacency)
    ring = {j for i in blob for j in np.flatnonzero(adjacency[i])} | blob

    (cluster,) = hot_clusters(result.hot, adjacency, values)
    assert blob <= set(cluster.tolist()) <= ring
    assert set(np.flatnonzero(result.significant).tolist()) == set(cluster.tolist())
    assert not result.cold.any()
    assert all(result.classes[i] in ("hot_99", "hot_95") for i in cluster)


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
@pytest.mark.parametrize("inference", ["exact", "permutation"])
def test_a_uniform_random_pattern_gives_almost_nothing(seed, inference):
    rng = np.random.default_rng(seed)
    centres, adjacency = _lattice(20, 20)
    # 800 points thrown uniformly over 400 cells: cell counts are multinomial.
    values = np.bincount(rng.integers(0, len(centres), 800), minlength=len(centres)).astype(float)
    result = gi_star(values, adjacency, inference=inference)
    assert result.significant.sum() <= 1


def test_z_scores_equal_the_gi_star_formula():
    rng = np.random.default_rng(5)
    _, adjacency = _lattice(6, 7)
    values = rng.gamma(2.0, 3.0, 42)
    result = gi_star(values, adjacency, inference="permutation", permutations=99)
    np.testing.assert_allclose(result.z, _gi_star_z(values, adjacency), rtol=1e-10)


def test_exact_p_values_equal_a_full_enumeration():
    rng = np.random.default_rng(7)
    n = 12
    adjacency = np.zeros((n, n))
    for i in range(n):
        for j in rng.choice(n, 3, replace=False):
            if i != j:
                adjacency[i, j] = adjacency[j, i] = 1
    values = rng.integers(0, 5, n)
    expected = []
    for i in range(n):
        neighbours = np.flatnonzero(adjacency[i])
        observed = values[neighbours].sum()
        sums = np.array([sum(c) for c in itertools.combinations(np.delete(values, i), len(neighbours))])
        expected.append(min(1.0, 2 * min((sums >= observed).mean(), (sums <= observed).mean())))
    np.testing.assert_allclose(_exact_p(values, sp.csr_array(adjacency)), expected, rtol=1e-9, atol=1e-12)


def test_exact_p_values_are_what_many_permutations_estimate():
    values, adjacency, _ = _planted(4, extra=3)
    exact = gi_star(values, adjacency)
    permuted = gi_star(values, adjacency, inference="permutation", permutations=9_999, seed=3)
    # Monte-Carlo error of a p-value estimated from 9,999 draws is at most about 0.01.
    assert np.max(np.abs(exact.p - permuted.p)) < 0.04
    assert exact.inference == "exact" and permuted.inference == "permutation"


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_an_empty_cell_among_empty_cells_is_not_significant():
    # esda's folded p_sim gives such a cell 1 / (P + 1): every simulated sum ties with the observed 0.
    _, adjacency = _lattice(10, 10)
    values = np.zeros(100)
    values[:12] = [5, 3, 4, 6, 2, 7, 3, 5, 4, 6, 2, 3]
    result = gi_star(values, adjacency, inference="permutation")
    lonely = [i for i in range(100) if values[i] == 0 and not values[np.flatnonzero(adjacency[i])].any()]
    assert len(lonely) > 50
    assert np.all(result.p_sim[lonely] > 0.5)
    assert not result.significant[lonely].any()
    from libpysal.graph import Graph

    folded = esda.G_Local(
        values, Graph.from_sparse(sp.csr_array(adjacency)), transform="B", star=True, seed=1, n_jobs=1
    )
    assert np.all(folded.p_sim[lonely] == 0.001)


def test_classes_follow_the_fdr_cut_offs():
    values, adjacency, _ = _planted(1, extra=4)
    result = gi_star(values, adjacency)
    assert result.fdr_cutoffs[0.05] == esda.fdr(result.p, 0.05)
    assert result.fdr_cutoff == result.fdr_cutoffs[0.05]
    for i, klass in enumerate(result.classes):
        passed = [a for a in ALPHAS if result.p[i] < result.fdr_cutoffs[a]]
        if not passed:
            assert klass == "not_significant"
        else:
            side = "hot" if result.z[i] > 0 else "cold"
            assert klass == f"{side}_{round(100 * (1 - min(passed)))}"
    np.testing.assert_array_equal(result.significant, result.p < result.fdr_cutoffs[0.05])
    with pytest.raises(ValueError, match="read-only"):
        result.z[0] = 0.0


def test_islands_are_left_out_of_the_test():
    values, adjacency, _ = _planted(2)
    adjacency[0, :] = adjacency[:, 0] = 0
    result = gi_star(values, adjacency)
    assert result.islands.tolist() == [0]
    assert result.classes[0] == "not_tested" and math.isnan(result.z[0]) and not result.significant[0]
    assert result.n_tested == 399
    others = gi_star(values[1:], adjacency[1:, 1:])
    np.testing.assert_allclose(result.z[1:], others.z)


def test_the_permutation_floor_is_reported():
    values, adjacency, _ = _planted(1)
    result = gi_star(values, adjacency, inference="permutation")
    assert result.min_p == 0.002
    assert result.min_detectable == math.ceil(0.002 * 400 / 0.05) == 16
    assert gi_star(values, adjacency).min_detectable == 1


def test_every_class_has_a_label_in_both_languages():
    for klass in HOTSPOT_CLASSES:
        assert label("hotspot_class", klass, "vi") != klass
        assert label("hotspot_class", klass, "en") != klass
    assert label("hotspot_class", "hot_99", "vi") == "Điểm nóng, độ tin cậy 99 %"
    assert label("hotspot_class", "cold_95", "en") == "Cold spot, 95 % confidence"


# ---------------------------------------------------------------- guard-rails of the core


def test_too_few_units_is_refused():
    _, adjacency = _lattice(4, 5)
    with pytest.raises(ClusterError) as caught:
        gi_star(np.arange(20.0), adjacency)
    _code_and_messages(
        caught.value,
        "hotspot.too_few",
        "Too few data for a hot-spot test: 20 units have a neighbour and 19 of them hold risk points, "
        "but the test needs at least 30 units with a neighbour and 3 holding risk points. "
        "Use smaller cells, or count more points.",
        "Quá ít dữ liệu để kiểm định điểm nóng: 20 đơn vị có đơn vị liền kề và 19 đơn vị trong số đó có "
        "điểm nguy cơ, nhưng kiểm định cần ít nhất 30 đơn vị có đơn vị liền kề và 3 đơn vị có điểm nguy cơ. "
        "Hãy dùng ô nhỏ hơn hoặc tính thêm điểm.",
    )


def test_too_few_units_holding_points_is_refused():
    _, adjacency = _lattice(6, 6)
    values = np.zeros(36)
    values[[3, 20]] = [2, 1]
    with pytest.raises(ClusterError) as caught:
        gi_star(values, adjacency)
    assert caught.value.code == "hotspot.too_few"
    assert caught.value.params["tested"] == 36 and caught.value.params["nonzero"] == 2


def test_islands_do_not_count_towards_the_minimum():
    _, adjacency = _lattice(6, 6)
    adjacency[:7, :] = adjacency[:, :7] = 0
    with pytest.raises(ClusterError) as caught:
        gi_star(np.arange(36.0), adjacency)
    assert caught.value.params["tested"] == 29


def test_every_unit_equal_is_refused():
    _, adjacency = _lattice(6, 6)
    with pytest.raises(ClusterError) as caught:
        gi_star(np.full(36, 2.0), adjacency)
    _code_and_messages(
        caught.value,
        "hotspot.all_equal",
        "All 36 units have the same value (2), so none stands out: there is nothing to test.",
        "Cả 36 đơn vị có cùng giá trị (2) nên không đơn vị nào nổi bật: không có gì để kiểm định.",
    )


@pytest.mark.parametrize(
    ("change", "code", "vietnamese"),
    [
        ({"values": np.r_[-1.0, np.ones(35)]}, "hotspot.bad_values", "có 1 giá trị không đạt"),
        ({"values": np.r_[np.nan, np.ones(35)]}, "hotspot.bad_values", "có 1 giá trị không đạt"),
        ({"adjacency": np.ones((3, 3))}, "hotspot.bad_adjacency", "nhận được (3, 3)"),
        ({"adjacency": np.triu(np.ones((36, 36)))}, "hotspot.bad_adjacency", "bảng đối xứng 36 hàng"),
        ({"alpha": 0.2}, "hotspot.bad_alpha", "0.01, 0.05, 0.1; nhận được 0.2"),
        ({"permutations": 10}, "hotspot.bad_permutations", "từ 99 đến 99999; nhận được 10"),
        ({"permutations": 999.0}, "hotspot.bad_permutations", "nhận được 999.0"),
        ({"seed": -1}, "hotspot.bad_seed", "nhận được -1"),
        ({"inference": "normal"}, "hotspot.unknown_inference", "exact, permutation"),
        ({"values": np.linspace(0.5, 3, 36)}, "hotspot.exact_needs_counts", "số nguyên"),
    ],
)
def test_bad_options_of_the_core_are_coded_errors(change, code, vietnamese):
    _, adjacency = _lattice(6, 6)
    arguments = {"values": np.arange(36.0), "adjacency": adjacency, **change}
    values, adjacency = arguments.pop("values"), arguments.pop("adjacency")
    with pytest.raises(ClusterError) as caught:
        gi_star(values, adjacency, **arguments)
    assert caught.value.code == code
    assert vietnamese in problem_message(caught.value, "vi")
    assert problem_message(caught.value, "en") == str(caught.value)


def test_too_many_simulated_values_are_refused():
    values, adjacency, _ = _planted(1)
    with pytest.raises(ClusterError) as caught:
        gi_star(values, adjacency, permutations=99_999)
    assert caught.value.code == "hotspot.too_many_permutations"
    assert problem_message(caught.value, "vi") == (
        "99999 lần hoán vị cho 400 đơn vị là quá nhiều để giữ trong bộ nhớ; "
        "hãy dùng tối đa 75000 lần hoán vị, hoặc ô lớn hơn."
    )


def test_an_exact_test_too_large_is_refused():
    _, adjacency = _lattice(6, 6)
    values = np.arange(36.0) * 1e6
    with pytest.raises(ClusterError) as caught:
        gi_star(values, adjacency)
    assert caught.value.code == "hotspot.exact_too_large"
    assert "giá trị p 'permutation'" in problem_message(caught.value, "vi")


# ---------------------------------------------------------------- the hexagon grid


def test_hexagons_have_the_edge_length_asked_and_six_neighbours():
    grid = hexagon_grid(box(600_000, 2_320_000, 610_000, 2_330_000), cell_size_m=1_000)
    hexagon = grid.cells.geometry.iloc[0]
    corners = np.asarray(hexagon.exterior.coords)[:-1]
    edges = np.hypot(*np.diff(np.vstack([corners, corners[:1]]), axis=0).T)
    np.testing.assert_allclose(edges, 1_000)
    assert hexagon.area == pytest.approx(1.5 * math.sqrt(3) * 1e6)
    assert grid.cell_area_km2 == pytest.approx(2.598, abs=1e-3)
    assert grid.spacing_m == pytest.approx(1_732.05, abs=0.01)
    degrees = np.asarray(grid.adjacency.sum(axis=1)).ravel()
    assert degrees.max() == 6 and degrees.min() >= 2
    interior = grid.cells.geometry.within(box(602_000, 2_322_000, 608_000, 2_328_000)).to_numpy()
    assert set(degrees[interior]) == {6}
    assert grid.cells.crs == METRIC_CRS


def test_points_are_located_in_the_hexagon_that_holds_them():
    grid = hexagon_grid(box(600_000, 2_320_000, 610_000, 2_330_000), cell_size_m=700)
    rng = np.random.default_rng(0)
    xy = rng.uniform([600_000, 2_320_000], [610_000, 2_330_000], size=(500, 2))
    where = grid.locate(xy)
    assert (where >= 0).all()
    hexagons = grid.cells.geometry.to_numpy()[where]
    assert shapely.contains_xy(hexagons, xy[:, 0], xy[:, 1]).all()
    assert grid.locate(np.array([[700_000.0, 2_500_000.0]])).tolist() == [-1]


def test_cell_ids_do_not_depend_on_the_extent():
    small = hexagon_grid(box(600_000, 2_320_000, 603_000, 2_323_000))
    large = hexagon_grid(box(590_000, 2_310_000, 620_000, 2_340_000))
    assert set(small.cells["cell_id"]) <= set(large.cells["cell_id"])
    row, col = lattice_cells(np.array([[601_500.0, 2_321_500.0]]), 1_000)
    assert f"R{row[0]}C{col[0]}" in set(small.cells["cell_id"])


def test_cells_holding_points_off_the_land_are_kept():
    land = box(600_000, 2_320_000, 610_000, 2_330_000)
    off = np.array([[640_000.0, 2_325_000.0]])
    assert len(hexagon_grid(land, points=off).cells) == len(hexagon_grid(land).cells) + 1


@pytest.mark.parametrize(
    ("size", "code"),
    [
        (50, "hotspot.bad_cell_size"),
        (float("nan"), "hotspot.bad_cell_size"),
        ("1km", "hotspot.bad_cell_size"),
    ],
)
def test_a_bad_cell_size_is_refused(size, code):
    with pytest.raises(ClusterError) as caught:
        hexagon_grid(box(0, 0, 1_000, 1_000), cell_size_m=size)
    assert caught.value.code == code
    assert "tối thiểu 100" in problem_message(caught.value, "vi")


def test_too_many_cells_are_refused():
    with pytest.raises(ClusterError) as caught:
        hexagon_grid(box(500_000, 2_300_000, 700_000, 2_400_000), cell_size_m=100)
    assert caught.value.code == "hotspot.too_many_cells"
    assert problem_message(caught.value, "vi").startswith("Ô lục giác cạnh 100 m sẽ tạo ra ")


# ---------------------------------------------------------------- the density surface


def test_the_density_integrates_to_the_total_weight_and_peaks_at_the_points():
    xy = np.array([[620_000.0, 2_330_000.0], [640_000.0, 2_330_000.0]])
    surface = density_surface(xy, [5.0, 1.0], bandwidth_m=1_000, pixel_m=100)
    pixel_km2 = (surface.pixel_m / 1_000) ** 2
    assert surface.density.sum() * pixel_km2 == pytest.approx(6.0, rel=1e-6)
    assert surface.total_weight == 6.0
    # The peak of a Gaussian of σ = 1 km holding 5 points: 5 / (2π σ²) per km².
    assert surface.density.max() == pytest.approx(5 / (2 * math.pi), rel=0.02)
    row, col = np.unravel_index(np.argmax(surface.density), surface.density.shape)
    a, _, c, _, e, f = surface.transform
    assert abs(c + a * (col + 0.5) - 620_000) <= 100 and abs(f + e * (row + 0.5) - 2_330_000) <= 100


def test_heat_points_are_lat_lon_weight_for_a_heat_map():
    xy = np.array([[620_000.0, 2_330_000.0]])
    surface = density_surface(xy, bandwidth_m=1_000, pixel_m=250)
    heat = surface.heat_points()
    assert heat[0][2] == 1.0 and all(0.1 <= w <= 1.0 for _, _, w in heat)
    lon, lat = gpd.GeoSeries([Point(620_000, 2_330_000)], crs=METRIC_CRS).to_crs(WGS84).iloc[0].coords[0]
    assert heat[0][0] == pytest.approx(lat, abs=0.002) and heat[0][1] == pytest.approx(lon, abs=0.002)
    assert len(surface.heat_points(max_points=5)) == 5


def test_scotts_bandwidth_follows_the_rule():
    rng = np.random.default_rng(2)
    xy = rng.normal([600_000, 2_300_000], [3_000, 1_000], size=(64, 2))
    sigma = math.sqrt((xy[:, 0].var() + xy[:, 1].var()) / 2)
    assert scott_bandwidth(xy) == pytest.approx(sigma * 64 ** (-1 / 6))
    surface = density_surface(xy, bandwidth_m="scott", pixel_m=100)
    assert surface.bandwidth_m == pytest.approx(sigma / 2)


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"xy": np.zeros((0, 2))}, "hotspot.no_points"),
        ({"bandwidth_m": 100.0, "pixel_m": 250.0}, "hotspot.bad_bandwidth"),
        ({"bandwidth_m": "silverman"}, "hotspot.bad_bandwidth"),
        ({"pixel_m": 1.0}, "hotspot.bad_pixel"),
        ({"pixel_m": 10.0, "bandwidth_m": 50_000.0}, "hotspot.density_too_large"),
    ],
)
def test_bad_density_options_are_coded_errors(arguments, code):
    arguments = {"xy": np.array([[620_000.0, 2_330_000.0]]), **arguments}
    with pytest.raises(ClusterError) as caught:
        density_surface(**arguments)
    assert caught.value.code == code
    assert problem_message(caught.value, "vi") != problem_message(caught.value, "en")


# ---------------------------------------------------------------- the map adapters (synthetic province)

LAND = box(600_000, 2_320_000, 660_000, 2_350_000)
CLUSTER_CENTRE = (645_000.0, 2_335_000.0)


def _around(rng, centre, count, radius_m=1_500):
    angle, radius = rng.uniform(0, 2 * math.pi, count), radius_m * np.sqrt(rng.uniform(0, 1, count))
    return np.column_stack([centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle)])


def _synthetic_layers():
    """A 60 × 30 km province of two communes, scattered points and one planted cluster in the east.

    Another cluster in the west holds only reported (pending) and retired points.
    """
    rng = np.random.default_rng(21)
    background = rng.uniform([600_000, 2_320_000], [660_000, 2_350_000], size=(300, 2))
    planted = _around(rng, CLUSTER_CENTRE, 60)
    elsewhere = _around(rng, (615_000.0, 2_335_000.0), 70)
    xy = np.vstack([background, planted, elsewhere])
    level = ["high"] * 300 + ["black_spot"] * 3 + ["high"] * 57 + ["high"] * 70
    status = ["active"] * 360 + ["pending"] * 60 + ["retired"] * 10
    points = gpd.GeoDataFrame(
        {"point_id": [f"QN-{i:04d}" for i in range(len(xy))], "risk_level": level, "status": status},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=METRIC_CRS,
    )
    communes = gpd.GeoDataFrame(
        {"commune_id": ["C1", "C2"], "name": ["Xã Tây", "Xã Đông"], "children_under_16": [5_000, 6_000]},
        geometry=[box(600_000, 2_320_000, 630_000, 2_350_000), box(630_000, 2_320_000, 660_000, 2_350_000)],
        crs=METRIC_CRS,
    )
    swim = gpd.GeoDataFrame(
        {"class_id": ["S1"], "name": ["Bể bơi"]}, geometry=[Point(645_500, 2_335_000)], crs=METRIC_CRS
    )
    rescue = gpd.GeoDataFrame(
        {"training_id": ["T1"], "name": ["Tập huấn"]}, geometry=[Point(601_000, 2_321_000)], crs=METRIC_CRS
    )
    return points, communes, swim, rescue


def test_the_hexagon_support_finds_the_planted_cluster_and_says_so():
    points, communes, swim, rescue = _synthetic_layers()
    land = gpd.GeoSeries([LAND], crs=METRIC_CRS)
    result = hexagon_hotspots(points, communes, land=land, swim_classes=swim, rescue_trainings=rescue)
    summary = result.summary

    assert tuple(result.units.columns) == (*HEXAGON_COLUMNS, "geometry")
    assert result.units.crs == WGS84
    assert summary.notes == () and summary.islands == ()
    (cluster,) = summary.clusters
    assert cluster.commune_names == ("Xã Đông",) and cluster.commune_ids == ("C2",)
    # What the cluster holds, counted again from the geometry: active points inside its hexagons.
    cells = result.units[result.units["cluster"] == 1].to_crs(METRIC_CRS)
    assert set(cells["cell_id"]) == set(cluster.unit_ids)
    assert cells.geometry.contains(Point(CLUSTER_CENTRE)).any()
    active = points[points["status"] == "active"]
    inside = active.geometry.within(shapely.union_all(cells.geometry.to_numpy())).to_numpy()
    assert cluster.risk_points == inside.sum() and cluster.black_spots == 3
    assert (cluster.black_spots_without_swim, cluster.black_spots_without_rescue) == (0, 3)
    assert summary.total_risk_points == 360 and summary.total_black_spots == 3
    assert summary.hot == len(cells) and summary.cold == 0
    assert result.units.loc[result.units["significant"], "hotspot_class"].str.startswith("hot_").all()
    assert result.units["value"].sum() == 360 + 3 * 4
    n = cluster.risk_points
    assert summary_text(summary, "en") == (
        "1 cluster of risk points is significant after correcting for multiple testing: around Xã Đông. "
        f"It holds {n} of the 360 risk points and 3 of the 3 black spots. Of those black spots, 0 of 3 have "
        "no swimming class within 3.0 km and 3 of 3 no rescue training within 2.0 km."
    )
    assert summary_text(summary, "vi") == (
        "Có 1 cụm điểm nguy cơ có ý nghĩa thống kê sau khi hiệu chỉnh kiểm định bội: quanh Xã Đông. "
        f"Cụm này có {n} trong số 360 điểm nguy cơ và 3 trong số 3 điểm đen. Trong số các điểm đen đó, "
        "0/3 điểm không có lớp dạy bơi trong vòng 3,0 km và "
        "3/3 điểm không có tập huấn cứu hộ trong vòng 2,0 km."
    )


def test_pending_points_count_only_when_asked():
    points, communes, _, _ = _synthetic_layers()
    land = gpd.GeoSeries([LAND], crs=METRIC_CRS)
    result = hexagon_hotspots(points, communes, land=land, statuses=("active", "pending"))
    assert result.summary.total_risk_points == 420
    assert {c.main_commune for c in result.summary.clusters} == {"Xã Tây", "Xã Đông"}


def test_data_in_degrees_is_projected_first_and_said_so():
    points, communes, _, _ = _synthetic_layers()
    metric = hexagon_hotspots(points, communes, land=gpd.GeoSeries([LAND], crs=METRIC_CRS))
    degrees = hexagon_hotspots(
        points.to_crs(WGS84), communes.to_crs(WGS84), land=gpd.GeoSeries([LAND], crs=METRIC_CRS).to_crs(WGS84)
    )
    np.testing.assert_allclose(degrees.units["z"], metric.units["z"], rtol=1e-9)
    assert degrees.summary.clusters == metric.summary.clusters
    notes = degrees.summary.notes
    assert [n.code for n in notes] == ["hotspot.projected"] * 3
    assert problem_message(notes[0], "en") == (
        "Layer 'risk_points' was in EPSG:4326; it was projected to UTM zone 48N (EPSG:32648) "
        "so that distances and areas are in metres."
    )
    assert problem_message(notes[0], "vi") == (
        "Lớp 'risk_points' ở hệ EPSG:4326; đã được chuyển sang UTM múi 48N (EPSG:32648) "
        "để đo khoảng cách và diện tích bằng mét."
    )


def test_an_off_shore_cell_is_named_and_left_out():
    points, communes, _, _ = _synthetic_layers()
    stray = gpd.GeoDataFrame(
        {"point_id": ["QN-9999"], "risk_level": ["high"], "status": ["active"]},
        geometry=[Point(700_000, 2_335_000)],
        crs=METRIC_CRS,
    )
    points = gpd.GeoDataFrame(gpd.pd.concat([points, stray], ignore_index=True), crs=METRIC_CRS)
    result = hexagon_hotspots(points, communes, land=gpd.GeoSeries([LAND], crs=METRIC_CRS))
    row, col = lattice_cells(np.array([[700_000.0, 2_335_000.0]]), 1_000)
    assert result.summary.islands == (f"R{row[0]}C{col[0]}",)
    island = result.units[result.units["cell_id"] == result.summary.islands[0]].iloc[0]
    assert island["hotspot_class"] == "not_tested" and island["risk_points"] == 1
    (note,) = result.summary.notes
    assert problem_message(note, "en") == (
        "1 hexagon(s) with no neighbouring hexagon (small islands, points off the coast) "
        "were left out of the test, in: Xã Đông."
    )
    assert problem_message(note, "vi") == (
        "1 ô lục giác không có ô liền kề (đảo nhỏ, điểm ngoài bờ biển) "
        "không được đưa vào kiểm định, thuộc: Xã Đông."
    )


def _commune_grid():
    """64 square communes of 5 km in an 8 × 8 block, one more touching it only at a corner, one far away."""
    rng = np.random.default_rng(8)
    squares, ids, names, xy = [], [], [], []
    for k in range(64):
        row, col = divmod(k, 8)
        x0, y0 = 600_000 + 5_000 * col, 2_320_000 + 5_000 * row
        squares.append(box(x0, y0, x0 + 5_000, y0 + 5_000))
        ids.append(f"C{k + 1:02d}")
        names.append(f"Xã {k + 1:02d}")
        count = 12 if row in (3, 4, 5) and col in (3, 4, 5) else int(rng.integers(1, 4))
        xy.extend(rng.uniform([x0 + 100, y0 + 100], [x0 + 4_900, y0 + 4_900], size=(count, 2)))
    squares += [box(640_000, 2_360_000, 645_000, 2_365_000), box(700_000, 2_320_000, 705_000, 2_325_000)]
    ids += ["C65", "C66"]
    names += ["Xã Góc", "Đặc khu Đảo"]
    xy.extend([[642_000.0, 2_362_000.0], [702_000.0, 2_322_000.0]])
    children = [1_000] * 64 + [800, 900]
    children[0] = 0
    communes = gpd.GeoDataFrame(
        {"commune_id": ids, "name": names, "children_under_16": children}, geometry=squares, crs=METRIC_CRS
    )
    xy = np.asarray(xy)
    points = gpd.GeoDataFrame(
        {"risk_level": ["high"] * len(xy), "status": ["active"] * len(xy)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=METRIC_CRS,
    )
    return points, communes


def test_the_commune_support_finds_the_block_of_high_rates():
    points, communes = _commune_grid()
    result = commune_hotspots(points, communes)
    summary = result.summary
    assert tuple(result.units.columns) == (*COMMUNE_COLUMNS, "geometry")
    assert result.units.crs == WGS84
    # C65 touches the block at a corner only: a neighbour under queen contiguity, so it is tested.
    assert summary.islands == ("C66",)
    assert summary.left_out == ("C01",)
    assert summary.tested == 64
    # The 3 × 3 block of high rates: its centre and the middle of each side have most of their
    # neighbours in the block (p at the permutation floor); its corners have only three.
    (cluster,) = summary.clusters
    assert set(cluster.unit_ids) == {"C29", "C36", "C37", "C38", "C45"}
    assert cluster.commune_ids[0] == "C37" and cluster.main_commune == "Xã 37"
    assert cluster.risk_points == 60 and cluster.black_spots == 0
    assert (
        cluster.black_spots_without_swim is None and summary.in_clusters("risk_points_without_swim") is None
    )
    rates = result.units.set_index("commune_id")["value"]
    assert rates["C37"] == 12.0 and math.isnan(rates["C01"])
    assert [n.code for n in summary.notes] == ["hotspot.no_children", "hotspot.commune_islands"]
    assert problem_message(summary.notes[1], "vi") == (
        "1 xã, phường không giáp ranh xã, phường nào khác không được đưa vào kiểm định: Đặc khu Đảo."
    )
    assert problem_message(summary.notes[0], "en") == (
        "1 commune(s) without a number of children under 16 were left out of the test: Xã 01."
    )
    assert summary_text(summary, "en") == (
        "1 group of neighbouring communes has significantly more risk points per 1,000 children than chance "
        "would give, after correcting for multiple testing: Xã 37. It holds 60 of the 229 risk points."
    )
    assert summary_text(summary, "vi") == (
        "Có 1 nhóm xã, phường liền kề có số điểm nguy cơ trên 1.000 trẻ em cao hơn mức ngẫu nhiên "
        "một cách có ý nghĩa thống kê, sau khi hiệu chỉnh kiểm định bội: Xã 37. "
        "Cụm này có 60 trong số 229 điểm nguy cơ."
    )


def test_per_km2_needs_no_child_count():
    points, communes = _commune_grid()
    result = commune_hotspots(points, communes.drop(columns="children_under_16"), measure="per_km2")
    assert result.summary.left_out == () and result.summary.tested == 65
    assert result.units.set_index("commune_id")["value"]["C37"] == pytest.approx(12 / 25)


# ---------------------------------------------------------------- guard-rails of the adapters


def test_a_layer_without_crs_is_refused():
    points, communes, _, _ = _synthetic_layers()
    with pytest.raises(CRSError) as caught:
        hexagon_hotspots(points.set_crs(None, allow_override=True), communes)
    _code_and_messages(
        caught.value,
        "hotspot.no_crs",
        "Layer 'risk_points' has no coordinate reference system, so distances cannot be measured in metres. "
        "Save it with one (GeoJSON is always EPSG:4326).",
        "Lớp 'risk_points' không có hệ quy chiếu toạ độ nên không thể đo khoảng cách bằng mét. "
        "Hãy lưu lớp kèm hệ quy chiếu (GeoJSON luôn là EPSG:4326).",
    )


def test_degrees_declared_as_metres_are_refused():
    points, communes, _, _ = _synthetic_layers()
    wrong = communes.to_crs(WGS84).set_crs(METRIC_CRS, allow_override=True)
    with pytest.raises(CRSError) as caught:
        commune_hotspots(points, wrong)
    _code_and_messages(
        caught.value,
        "hotspot.degrees_as_metres",
        "Layer 'communes' declares EPSG:32648, a system in metres, but its coordinates look like degrees "
        "(longitude/latitude). Declare it as EPSG:4326 instead.",
        "Lớp 'communes' khai báo EPSG:32648, một hệ tính bằng mét, nhưng toạ độ trông như độ "
        "(kinh độ/vĩ độ). Hãy khai báo lớp là EPSG:4326.",
    )


def test_too_few_points_on_the_map_is_refused():
    points, communes, _, _ = _synthetic_layers()
    with pytest.raises(ClusterError) as caught:
        hexagon_hotspots(points.iloc[[0, 1]], communes, land=gpd.GeoSeries([LAND], crs=METRIC_CRS))
    assert caught.value.code == "hotspot.too_few"
    assert caught.value.params["nonzero"] == 2


def test_a_map_where_every_cell_is_equal_is_refused():
    _, communes = _commune_grid()
    centres = communes.geometry.iloc[:36].centroid
    points = gpd.GeoDataFrame(
        {"risk_level": ["high"] * 36, "status": ["active"] * 36}, geometry=centres, crs=METRIC_CRS
    )
    with pytest.raises(ClusterError) as caught:
        commune_hotspots(points, communes.iloc[:36], measure="per_km2")
    assert caught.value.code == "hotspot.all_equal"
    assert problem_message(caught.value, "vi") == (
        "Cả 36 đơn vị có cùng giá trị (0.04) nên không đơn vị nào nổi bật: không có gì để kiểm định."
    )


@pytest.mark.parametrize(
    ("options", "code", "vietnamese"),
    [
        ({"black_spot_factor": 2.5}, "hotspot.bad_factor", "số nguyên từ 1 đến 100"),
        ({"black_spot_factor": 0}, "hotspot.bad_factor", "nhận được 0"),
        (
            {"statuses": ("active", "closed")},
            "hotspot.unknown_status",
            "Trạng thái điểm không hợp lệ: closed",
        ),
        ({"swim_radius_m": -5}, "hotspot.bad_radius", "nhận được -5"),
        ({"cell_size_m": 10}, "hotspot.bad_cell_size", "nhận được 10"),
    ],
)
def test_bad_options_of_the_hexagon_support_are_coded_errors(options, code, vietnamese):
    points, communes, _, _ = _synthetic_layers()
    with pytest.raises(ClusterError) as caught:
        hexagon_hotspots(points, communes, **options)
    assert caught.value.code == code
    assert vietnamese in problem_message(caught.value, "vi")


def test_bad_options_of_the_commune_support_are_coded_errors():
    points, communes = _commune_grid()
    with pytest.raises(ClusterError) as caught:
        commune_hotspots(points, communes, measure="per_person")
    assert caught.value.code == "hotspot.unknown_measure"
    assert problem_message(caught.value, "vi") == (
        "Không có chỉ số 'per_person'; hãy dùng một trong các chỉ số: per_1000_children, per_km2."
    )
    with pytest.raises(ClusterError) as caught:
        commune_hotspots(points.drop(columns="risk_level"), communes)
    assert caught.value.code == "hotspot.missing_columns"
    assert problem_message(caught.value, "vi") == (
        "Lớp 'risk_points' thiếu (các) cột risk_level mà kiểm định điểm nóng cần."
    )


def test_a_density_without_points_is_refused():
    points, _, _, _ = _synthetic_layers()
    with pytest.raises(ClusterError) as caught:
        risk_density(points, statuses=("mitigated",))
    assert caught.value.code == "hotspot.no_points"
    assert (
        problem_message(caught.value, "vi")
        == "Không có điểm nguy cơ nào để tính (với các trạng thái đã chọn)."
    )


# ---------------------------------------------------------------- the sample data


@pytest.fixture(scope="module")
def sample():
    return {
        name: load_geodata_layer(name)
        for name in ("risk_points", "communes", "swim_classes", "rescue_trainings")
    }


def test_the_sample_hexagons(sample):
    result = hexagon_hotspots(
        sample["risk_points"],
        sample["communes"],
        land=load_province(),
        swim_classes=sample["swim_classes"],
        rescue_trainings=sample["rescue_trainings"],
    )
    summary = result.summary
    assert summary.total_risk_points == 891 and summary.total_black_spots == 14
    assert result.units["risk_points"].sum() == 891 and result.units["black_spots"].sum() == 14
    assert result.units["value"].sum() == 877 + 14 * 5
    assert summary.units == len(result.units) == summary.tested + len(summary.islands)
    assert 0 <= summary.black_spots_in_clusters <= 14 and 0 <= summary.risk_points_in_clusters <= 891
    for cluster in summary.clusters:
        assert cluster.black_spots_without_swim <= cluster.black_spots <= cluster.risk_points
        assert cluster.risk_points_without_rescue <= cluster.risk_points
        cells = result.units[result.units["cell_id"].isin(cluster.unit_ids)]
        assert (cells["cluster"] == cluster.number).all() and cells["significant"].all()
        assert cells["risk_points"].sum() == cluster.risk_points
        assert cells["black_spots"].sum() == cluster.black_spots
    assert (
        summary.hot
        == (result.units["hotspot_class"].str.startswith("hot_") & result.units["significant"]).sum()
    )
    # What the sample holds today: one small cluster on the Hạ Long shore, two lone cells on Cô Tô.
    assert (summary.units, summary.tested, len(summary.islands)) == (2_938, 2_936, 2)
    (cluster,) = summary.clusters
    assert cluster.commune_names == ("Phường Hà Tu", "Phường Bãi Cháy")
    assert (cluster.risk_points, cluster.black_spots) == (14, 1)
    assert summary_text(summary, "en") == (
        "1 cluster of risk points is significant after correcting for multiple testing: around Phường Hà Tu. "
        "It holds 14 of the 891 risk points and 1 of the 14 black spots. Of those black spots, 0 of 1 have "
        "no swimming class within 3.0 km and 1 of 1 no rescue training within 2.0 km."
    )
    assert summary_text(summary, "vi") == (
        "Có 1 cụm điểm nguy cơ có ý nghĩa thống kê sau khi hiệu chỉnh kiểm định bội: quanh Phường Hà Tu. "
        "Cụm này có 14 trong số 891 điểm nguy cơ và 1 trong số 14 điểm đen. Trong số các điểm đen đó, "
        "0/1 điểm không có lớp dạy bơi trong vòng 3,0 km và "
        "1/1 điểm không có tập huấn cứu hộ trong vòng 2,0 km."
    )
    assert [n.code for n in summary.notes] == [
        "hotspot.projected",
        "hotspot.projected",
        "hotspot.cell_islands",
    ]
    assert problem_message(summary.notes[2], "vi").endswith("thuộc: Đặc khu Cô Tô.")


def test_the_sample_with_permutation_p_values_says_why_nothing_is_found(sample):
    result = hexagon_hotspots(
        sample["risk_points"], sample["communes"], land=load_province(), inference="permutation"
    )
    assert result.summary.clusters == () and result.summary.min_detectable == 118
    floor = result.summary.notes[-1]
    assert floor.code == "hotspot.permutation_floor" and floor.params["needed"] == 118
    assert summary_text(result.summary, "en") == (
        "No cluster of risk points is significant after correcting for multiple testing."
    )
    assert summary_text(result.summary, "vi") == (
        "Không có cụm điểm nguy cơ nào có ý nghĩa thống kê sau khi hiệu chỉnh kiểm định bội."
    )


@pytest.mark.parametrize("measure", ["per_1000_children", "per_km2"])
def test_the_sample_communes(sample, measure):
    result = commune_hotspots(sample["risk_points"], sample["communes"], measure=measure)
    summary = result.summary
    assert (summary.units, summary.tested) == (45, 41)
    islands = result.units.set_index("commune_id").loc[list(summary.islands), "name"]
    assert set(islands) == {"Phường Bãi Cháy", "Đặc khu Vân Đồn", "Phường Liên Hòa", "Đặc khu Cô Tô"}
    assert result.units["risk_points"].sum() == 891 and result.units["black_spots"].sum() == 14
    assert summary.black_spots_in_clusters <= 14
    assert summary.clusters == ()
    assert summary_text(summary, "en") == (
        "No group of communes has significantly more risk points than chance would give, "
        "after correcting for multiple testing."
    )
    assert summary_text(summary, "vi").startswith("Không có nhóm xã, phường nào")


def test_the_sample_density(sample):
    surface = risk_density(sample["risk_points"])
    assert surface.total_weight == 877 + 14 * 5
    assert surface.density.sum() * (surface.pixel_m / 1_000) ** 2 == pytest.approx(947, rel=1e-6)
    heat = surface.heat_points()
    assert 0 < len(heat) <= 10_000
    assert all(20.5 < lat < 21.8 and 106.3 < lon < 108.2 for lat, lon, _ in heat)
