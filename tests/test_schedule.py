"""The season's schedule of swimming courses: sizes, greedy order, constraints, tables, the .ics file."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, date, datetime, time, timedelta

import geopandas as gpd
import icalendar
import pandas as pd
import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from hotspots.analysis import (
    COURSE_COLUMNS,
    SCHEDULE_COLUMNS,
    UNSCHEDULED_COLUMNS,
    SeasonPeriod,
    Venue,
    catchment_children,
    commune_summary,
    coverage_table,
    default_season,
    schedule_courses,
    schedule_from_geodataframe,
    schedule_table,
    season_periods,
    unscheduled_table,
    venues_from_geodataframe,
    week_table,
    week_view,
)
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import CRSError, HotspotsError, SchemaError
from hotspots.formats import load_geodata_layer
from hotspots.i18n import problem_message
from hotspots.reports import LESSON_DAYS, course_uid, first_lesson_day, schedule_calendar

#: 1 June 2025 is a Sunday; 15 August 2025 a Friday.
SEASON_2025 = (date(2025, 6, 1), date(2025, 8, 15))
STAMP = datetime(2025, 5, 20, 8, 0, tzinfo=UTC)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def venue(venue_id, children=100.0, *, black_spot=False, rank=1.0, **more):
    return Venue(
        venue_id=venue_id,
        name=f"Bể bơi {venue_id}",
        children=children,
        black_spot=black_spot,
        priority_rank=rank,
        **more,
    )


def three_venues():
    """B (black spot, rank 3, two courses), C (black spot, rank 5, one), A (rank 1, one)."""
    return [
        venue("A", 20, rank=1, commune_id="CM-1", commune_name="Xã Một"),
        venue("B", 40, black_spot=True, rank=3, commune_id="CM-3", commune_name="Phường Ba"),
        venue("C", 20, black_spot=True, rank=5, commune_id="CM-5", commune_name="Đặc khu Năm"),
    ]


def plan(venues, **options):
    settings_ = {
        "season": SEASON_2025,
        "capacity": 20,
        "uptake_share": 1.0,
        "lessons": 10,
        "lessons_per_week": 5,
        "teams": 1,
    } | options
    return schedule_courses(venues, **settings_)


def rows(frame, *columns):
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


# --------------------------------------------------------------------------------------
# How many courses


@pytest.mark.parametrize(
    ("children", "share", "capacity", "expected"),
    [
        (100, 0.5, 20, [20, 20, 10]),
        (100, 1.0, 25, [25, 25, 25, 25]),
        # 100 × 0.3 is 30.000000000000004 in floats: 30 places, three courses, not four.
        (100, 0.3, 10, [10, 10, 10]),
        (10.2, 1.0, 30, [11]),
        (0, 1.0, 30, []),
    ],
)
def test_courses_are_sized_by_children_uptake_and_capacity(children, share, capacity, expected):
    result = plan([venue("V", children)], uptake_share=share, capacity=capacity, teams=20)
    every = pd.concat([result.courses, result.unscheduled])
    assert sorted(every["children_planned"], reverse=True) == expected
    assert sorted(every["course_id"]) == sorted(f"V-{n}" for n in range(1, len(expected) + 1))


def test_a_venue_capacity_wins_over_the_schedule_capacity():
    result = plan([venue("V", 100, capacity=60)], capacity=20, teams=5)
    assert rows(result.courses, "course_id", "children_planned") == [("V-1", 60), ("V-2", 40)]


@pytest.mark.parametrize(("lessons", "per_week", "weeks"), [(10, 5, 2), (12, 5, 3), (6, 3, 2), (1, 7, 1)])
def test_a_course_lasts_whole_weeks(lessons, per_week, weeks):
    result = plan([venue("V", 10)], lessons=lessons, lessons_per_week=per_week)
    (course,) = result.courses.to_dict("records")
    assert (course["weeks"], course["lessons"], course["lessons_per_week"]) == (weeks, lessons, per_week)
    assert course["end_date"] - course["start_date"] == timedelta(days=7 * weeks - 1)


# --------------------------------------------------------------------------------------
# The greedy order and the constraints, on hand-made cases


def test_one_team_runs_black_spot_courses_first_round_by_round():
    result = plan(three_venues(), teams=1)
    assert rows(result.courses, "course_id", "team", "start_date", "end_date") == [
        # The season starts on a Sunday: the first course starts that day.
        ("B-1", 1, date(2025, 6, 1), date(2025, 6, 14)),
        ("C-1", 1, date(2025, 6, 16), date(2025, 6, 29)),
        ("B-2", 1, date(2025, 6, 30), date(2025, 7, 13)),
        ("A-1", 1, date(2025, 7, 14), date(2025, 7, 27)),
    ]
    assert [v.venue_id for v in result.venues] == ["B", "C", "A"]
    assert result.unscheduled.empty


def test_two_teams_share_the_work_and_a_venue_is_never_double_booked():
    result = plan(three_venues(), teams=2)
    assert rows(result.courses, "course_id", "team", "start_date") == [
        ("B-1", 1, date(2025, 6, 1)),
        ("C-1", 2, date(2025, 6, 1)),
        # B is busy until 14 June: its second course waits for the next Monday.
        ("B-2", 1, date(2025, 6, 16)),
        ("A-1", 2, date(2025, 6, 16)),
    ]


def test_the_week_views_show_who_is_where():
    result = plan(three_venues(), teams=1)
    grid = result.weeks
    assert grid.index[0] == date(2025, 5, 26)
    assert grid.index[-1] == date(2025, 8, 11)
    assert list(grid.columns) == [1]
    assert list(grid[1]) == ["B-1"] * 3 + ["C-1"] * 2 + ["B-2"] * 2 + ["A-1"] * 2 + [""] * 3
    by_venue = week_view(result, by="venue")
    assert list(by_venue.columns) == ["B", "C", "A"]
    assert list(by_venue["B"])[:7] == ["B-1", "B-1", "B-1", "", "", "B-2", "B-2"]
    with pytest.raises(HotspotsError, match="by 'team' or 'venue'"):
        week_view(result, by="commune")


def test_courses_that_find_no_room_are_listed_not_dropped():
    # Two weeks of season and one team: room for one two-week course only.
    result = plan(three_venues(), season=(date(2025, 6, 2), date(2025, 6, 15)), teams=1)
    assert rows(result.courses, "course_id") == [("B-1",)]
    assert rows(result.unscheduled, "course_id", "children_planned", "reason") == [
        ("C-1", 20, "no_slot"),
        ("B-2", 20, "no_slot"),
        ("A-1", 20, "no_slot"),
    ]
    assert list(result.unscheduled.columns) == list(UNSCHEDULED_COLUMNS)


def test_courses_over_a_venue_limit_are_listed_with_their_reason():
    result = plan([venue("V", 100)], capacity=20, teams=5, max_courses_per_venue=2)
    assert rows(result.courses, "course_id") == [("V-1",), ("V-2",)]
    assert rows(result.unscheduled, "course_id", "reason") == [
        ("V-3", "venue_limit"),
        ("V-4", "venue_limit"),
        ("V-5", "venue_limit"),
    ]


def test_a_course_fits_inside_one_period_of_the_season():
    # 2–13 June (12 days) is too short for a two-week course; 16–29 June holds one.
    season = [(date(2025, 6, 16), date(2025, 6, 29)), (date(2025, 6, 2), date(2025, 6, 13))]
    result = plan([venue("V", 40)], season=season, teams=2)
    assert rows(result.courses, "course_id", "start_date", "end_date") == [
        ("V-1", date(2025, 6, 16), date(2025, 6, 29))
    ]
    assert rows(result.unscheduled, "course_id", "reason") == [("V-2", "no_slot")]
    # One-week courses fit in both periods; the week after a mid-week period start is a Monday.
    short = plan([venue("V", 60)], season=season, lessons=5, teams=1)
    assert list(short.courses["start_date"]) == [
        date(2025, 6, 2),
        date(2025, 6, 16),
        date(2025, 6, 23),
    ]


def test_periods_that_touch_are_merged():
    assert default_season(2025) == (
        SeasonPeriod(date(2025, 6, 1), date(2025, 6, 30)),
        SeasonPeriod(date(2025, 7, 1), date(2025, 8, 15)),
    )
    assert season_periods(default_season(2025)) == (SeasonPeriod(date(2025, 6, 1), date(2025, 8, 15)),)
    assert season_periods([(date(2025, 7, 1), date(2025, 7, 5)), (date(2025, 6, 1), date(2025, 7, 2))]) == (
        SeasonPeriod(date(2025, 6, 1), date(2025, 7, 5)),
    )
    assert season_periods((datetime(2025, 6, 1, 8), date(2025, 6, 9))) == (
        SeasonPeriod(date(2025, 6, 1), date(2025, 6, 9)),
    )


def test_the_default_season_is_this_year_month_of_action_and_holidays():
    result = schedule_courses([venue("V", 10)])
    year = date.today().year
    assert result.season == (SeasonPeriod(date(year, 6, 1), date(year, 8, 15)),)


def test_the_order_of_the_input_does_not_change_the_schedule():
    venues = [venue(f"V{i:02d}", 30 + 7 * i, black_spot=i % 3 == 0, rank=i % 4 + 1) for i in range(12)]
    first = plan(venues, teams=3)
    shuffled = venues[:]
    random.Random(7).shuffle(shuffled)
    again = plan(shuffled, teams=3)
    pd.testing.assert_frame_equal(first.courses, again.courses)
    pd.testing.assert_frame_equal(first.unscheduled, again.unscheduled)
    pd.testing.assert_frame_equal(first.weeks, again.weeks)


# --------------------------------------------------------------------------------------
# Constraints on random inputs and on the sample


def assert_schedule_is_sound(result, venues, *, capacity, share, lessons, per_week, cap):
    courses = result.courses
    weeks = math.ceil(lessons / per_week)
    assert list(courses.columns) == list(COURSE_COLUMNS)
    # Every planned course is either scheduled or listed, once.
    expected_ids = []
    for v in venues:
        planned = math.ceil(v.children * share - 1e-9) if v.children > 0 else 0
        expected_ids += [f"{v.venue_id}-{n}" for n in range(1, -(-planned // (v.capacity or capacity)) + 1)]
    listed = [*courses["course_id"], *result.unscheduled["course_id"]]
    assert sorted(listed) == sorted(expected_ids)
    if cap is not None:
        assert all(size <= cap for size in courses.groupby("venue_id").size())
    # Inside one period, starting on its first day or a Monday, lasting whole weeks.
    for start, end in zip(courses["start_date"], courses["end_date"], strict=True):
        assert end - start == timedelta(days=7 * weeks - 1)
        (period,) = [p for p in result.season if p.start <= start <= p.end]
        assert end <= period.end
        assert start == period.start or start.weekday() == 0
    # Neither a venue nor a team runs two courses at once.
    for column in ("venue_id", "team"):
        for _, group in courses.groupby(column):
            spans = sorted(zip(group["start_date"], group["end_date"], strict=True))
            assert all(before[1] < after[0] for before, after in itertools.pairwise(spans))
    assert set(courses["team"]) <= set(range(1, result.teams + 1))
    # Greedy order: along the venues (black-spot communes first), each venue's first course
    # starts no earlier than the first course of the venues before it; once a first course
    # finds no room, no later venue's first course does.
    first_starts = courses[courses["course_id"].str.endswith("-1")].set_index("venue_id")["start_date"]
    seen_missing = False
    latest = date.min
    for v in result.venues:
        if f"{v.venue_id}-1" not in expected_ids:
            continue
        if v.venue_id not in first_starts.index:
            seen_missing = True
            continue
        assert not seen_missing, f"{v.venue_id} got a first course after an earlier venue got none"
        assert first_starts[v.venue_id] >= latest
        latest = first_starts[v.venue_id]
    black = [first_starts[v.venue_id] for v in result.venues if v.black_spot and v.venue_id in first_starts]
    other = [
        first_starts[v.venue_id] for v in result.venues if not v.black_spot and v.venue_id in first_starts
    ]
    if black and other:
        assert max(black) <= min(other)


@st.composite
def schedules(draw):
    count = draw(st.integers(1, 8))
    venues = [
        Venue(
            venue_id=f"V{i}",
            name=f"Địa điểm {i}",
            children=draw(st.floats(0, 400, allow_nan=False)),
            black_spot=draw(st.booleans()),
            priority_rank=draw(st.sampled_from([1.0, 2.0, 3.0, math.inf])),
            capacity=draw(st.none() | st.integers(5, 60)),
        )
        for i in range(count)
    ]
    first = date(2025, 5, 1) + timedelta(days=draw(st.integers(0, 60)))
    periods = []
    for _ in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, 60))
        periods.append((first, first + timedelta(days=length - 1)))
        first += timedelta(days=length + draw(st.integers(0, 20)))
    options = {
        "season": periods,
        "capacity": draw(st.integers(5, 60)),
        "uptake_share": draw(st.sampled_from([0.05, 0.1, 0.3, 1.0])),
        "lessons": draw(st.integers(1, 15)),
        "lessons_per_week": draw(st.integers(1, 7)),
        "teams": draw(st.integers(1, 4)),
        "max_courses_per_venue": draw(st.none() | st.integers(1, 4)),
    }
    return venues, options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=schedules())
def test_constraints_hold_on_random_inputs(case):
    venues, options = case
    weeks = math.ceil(options["lessons"] / options["lessons_per_week"])
    longest = max((end - start).days + 1 for start, end in season_periods(options["season"]))
    if longest < 7 * weeks:
        with pytest.raises(HotspotsError) as caught:
            schedule_courses(venues, **options)
        assert caught.value.code == "schedule.season_too_short"
        return
    result = schedule_courses(venues, **options)
    assert_schedule_is_sound(
        result,
        venues,
        capacity=options["capacity"],
        share=options["uptake_share"],
        lessons=options["lessons"],
        per_week=options["lessons_per_week"],
        cap=options["max_courses_per_venue"],
    )
    again = schedule_courses(list(reversed(venues)), **options)
    pd.testing.assert_frame_equal(result.courses, again.courses)
    pd.testing.assert_frame_equal(result.unscheduled, again.unscheduled)


@pytest.fixture(scope="module")
def sample():
    layers = {name: load_geodata_layer(name) for name in ("communes", "risk_points", "swim_classes")}
    table = coverage_table(
        layers["risk_points"], layers["swim_classes"], load_geodata_layer("rescue_trainings")
    )
    return layers["swim_classes"], commune_summary(layers["communes"], table)


@pytest.fixture(scope="module")
def sample_result(sample):
    swim_classes, summary = sample
    return schedule_from_geodataframe(swim_classes, summary, season=SEASON_2025, teams=4)


def test_constraints_hold_on_the_sample(sample, sample_result):
    swim_classes, summary = sample
    venues = venues_from_geodataframe(swim_classes, summary)
    assert_schedule_is_sound(sample_result, venues, capacity=30, share=0.1, lessons=10, per_week=5, cap=None)
    # Ten full weeks after the Sunday start: five two-week rounds for each of four teams.
    assert len(sample_result.courses) == 20
    assert sample_result.courses["black_spot_commune"].all()
    # Every black-spot venue of the sample (17 of them) gets its first course before any second course.
    black_venues = {v.venue_id for v in sample_result.venues if v.black_spot}
    assert len(black_venues) == 17
    firsts = sample_result.courses[sample_result.courses["course_id"].str.endswith("-1")]
    assert set(firsts["venue_id"]) == black_venues
    # Hà Tu (rank 1, a black spot) opens the season.
    first = sample_result.courses.iloc[0]
    assert (first["commune_id"], first["start_date"], first["team"]) == ("QN-C01", date(2025, 6, 1), 1)


def test_the_sample_schedule_is_deterministic(sample, sample_result):
    swim_classes, summary = sample
    again = schedule_from_geodataframe(swim_classes.iloc[::-1], summary, season=SEASON_2025, teams=4)
    pd.testing.assert_frame_equal(sample_result.courses, again.courses)
    pd.testing.assert_frame_equal(sample_result.unscheduled, again.unscheduled)


# --------------------------------------------------------------------------------------
# The adapter: catchments in metres, communes, priorities


def square_communes():
    """Two 10 km × 10 km communes side by side in UTM 48N, with their ranking columns."""
    return gpd.GeoDataFrame(
        {
            "commune_id": ["CM-1", "CM-2"],
            "name": ["Xã Đông", "Xã Tây"],
            "children_under_16": [1000, 3000],
            "black_spots": [0, 2],
            "priority_rank": [2, 1],
        },
        geometry=[box(700_000, 2_300_000, 710_000, 2_310_000), box(710_000, 2_300_000, 720_000, 2_310_000)],
        crs=METRIC_CRS,
    )


def points(*xy, crs=METRIC_CRS, **columns):
    return gpd.GeoDataFrame(columns, geometry=[Point(x, y) for x, y in xy], crs=crs)


def test_a_catchment_counts_the_children_its_disc_covers():
    disc = Point(0, 0).buffer(1000).area
    venues = points((705_000, 2_305_000), (710_000, 2_305_000))
    children = catchment_children(venues, square_communes(), radius_m=1000)
    # Inside CM-1; then on the border: half a disc in each commune.
    assert children == pytest.approx([1000 * disc / 1e8, (1000 + 3000) * disc / 2 / 1e8])


def test_overlapping_catchments_split_their_children_instead_of_counting_them_twice():
    disc = Point(0, 0).buffer(1000).area
    union = Point(0, 0).buffer(1000).union(Point(1000, 0).buffer(1000)).area
    same = catchment_children(
        points((705_000, 2_305_000), (705_000, 2_305_000)), square_communes(), radius_m=1000
    )
    assert same == pytest.approx([500 * disc / 1e8, 500 * disc / 1e8])
    apart = catchment_children(
        points((704_500, 2_305_000), (705_500, 2_305_000)), square_communes(), radius_m=1000
    )
    assert apart == pytest.approx([500 * union / 1e8, 500 * union / 1e8])


def test_venues_take_their_commune_rank_and_black_spots():
    venues = points(
        (705_000, 2_305_000),
        (715_000, 2_305_000),
        (730_000, 2_305_000),
        crs=METRIC_CRS,
        site_id=["P-1", "P-2", "P-3"],
        commune_id=["CM-1", None, None],
        children_covered=[120, 45.5, None],
    )
    found = venues_from_geodataframe(
        venues.to_crs(WGS84), square_communes(), id_field="site_id", children_field="children_covered"
    )
    lon_lat = venues.to_crs(WGS84).geometry
    assert [
        (v.venue_id, v.name, v.children, v.commune_id, v.commune_name, v.black_spot, v.priority_rank)
        for v in found
    ] == [
        ("P-1", "P-1", 120.0, "CM-1", "Xã Đông", False, 2.0),
        # No commune_id: placed by location.
        ("P-2", "P-2", 45.5, "CM-2", "Xã Tây", True, 1.0),
        # Outside every commune: last in the order, no children given counts as none.
        ("P-3", "P-3", 0.0, None, None, False, math.inf),
    ]
    assert [(v.latitude, v.longitude) for v in found] == [(p.y, p.x) for p in lon_lat]


def test_the_adapter_computes_children_when_none_are_given():
    venues = points((705_000, 2_305_000), class_id=["SC-1"], name=["Bể bơi Đông"], capacity=[10])
    result = schedule_from_geodataframe(
        venues,
        square_communes(),
        radius_m=1000,
        capacity_field="capacity",
        uptake_share=1.0,
        teams=3,
        season=SEASON_2025,
    )
    planned = math.ceil(1000 * Point(0, 0).buffer(1000).area / 1e8)
    assert planned == 32
    assert list(result.courses["children_planned"]) == [10, 10, 10, 2]
    assert set(result.courses["venue_name"]) == {"Bể bơi Đông"}


# --------------------------------------------------------------------------------------
# Tables for people


def test_the_schedule_table_speaks_the_user_language():
    result = plan(three_venues(), teams=1)
    vi = schedule_table(result, "vi")
    assert list(vi.columns)[:6] == [
        "Ngày bắt đầu",
        "Ngày kết thúc",
        "Địa điểm",
        "Xã, phường",
        "Đội hướng dẫn",
        "Số trẻ dự kiến",
    ]
    assert len(vi.columns) == len(SCHEDULE_COLUMNS)
    assert vi.iloc[0].tolist()[:6] == [date(2025, 6, 1), date(2025, 6, 14), "Bể bơi B", "Phường Ba", 1, 20]
    en = schedule_table(result, "en")
    assert list(en.columns)[-3:] == ["Course id", "Venue id", "Commune id"]


def test_the_unscheduled_and_week_tables_are_translated():
    result = plan(three_venues(), season=(date(2025, 6, 2), date(2025, 6, 15)), teams=1)
    vi = unscheduled_table(result, "vi")
    assert vi["Lý do chưa xếp lịch"].iloc[0] == (
        "Hết chỗ trong mùa học: địa điểm hoặc mọi đội hướng dẫn đã kín lịch"
    )
    weeks = week_table(plan(three_venues(), teams=2), "vi")
    assert list(weeks.columns) == ["Tuần bắt đầu ngày", "Đội 1", "Đội 2"]
    assert weeks.iloc[1].tolist() == ["02/06/2025", "Bể bơi B", "Bể bơi C"]
    by_venue = week_table(plan(three_venues(), teams=2), "en", by="venue")
    assert list(by_venue.columns) == ["Week starting", "Bể bơi B", "Bể bơi C", "Bể bơi A"]
    assert by_venue.iloc[4].tolist() == ["23 Jun 2025", "Team 1", "", "Team 2"]


# --------------------------------------------------------------------------------------
# The calendar file


def events_of(data):
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("lang", "prefix"), [("vi", "Lớp dạy bơi miễn phí – "), ("en", "Free swimming class – ")]
)
def test_the_calendar_reads_back_with_the_same_events(sample_result, lang, prefix):
    data = schedule_calendar(sample_result, lang=lang, stamp=STAMP)
    calendar, events = events_of(data)
    courses = sample_result.courses
    assert len(events) == len(courses) == 20
    assert [str(e["UID"]) for e in events] == [course_uid(c) for c in courses["course_id"]]
    assert [str(e["SUMMARY"]) for e in events] == [prefix + name for name in courses["venue_name"]]
    assert "Lớp dạy bơi hè 2025 – bể bơi di động Trường Tiểu học Hà Tu" in str(events[0]["SUMMARY"])
    for event, course in zip(events, courses.itertuples(), strict=True):
        start = event.decoded("DTSTART")
        assert str(start.tzinfo) == "Asia/Ho_Chi_Minh"
        assert start.utcoffset() == timedelta(hours=7)
        assert (event["GEO"].latitude, event["GEO"].longitude) == (course.latitude, course.longitude)
        assert str(event["LOCATION"]) == f"{course.venue_name}, {course.commune_name}"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ho_Chi_Minh"


def test_the_same_schedule_gives_the_same_file(sample_result):
    first = schedule_calendar(sample_result, stamp=STAMP)
    assert schedule_calendar(sample_result, stamp=STAMP) == first
    assert b"UID:SC-022-1@hotspots" in first


def test_every_lesson_falls_inside_its_course():
    result = plan(three_venues(), teams=2, lessons=7, lessons_per_week=3)
    _, events = events_of(
        schedule_calendar(result, lang="en", stamp=STAMP, lesson_start=time(16, 0), lesson_end=time(17, 30))
    )
    for event, course in zip(events, result.courses.itertuples(), strict=True):
        start = event.decoded("DTSTART")
        assert (start.time(), event.decoded("DTEND").time()) == (time(16, 0), time(17, 30))
        rule = event["RRULE"].to_ical().decode()
        lessons = list(rrulestr(rule, dtstart=start))
        assert len(lessons) == 7
        assert all(course.start_date <= d.date() <= course.end_date for d in lessons)
        assert {DAY_CODES[d.weekday()] for d in lessons} == set(LESSON_DAYS[3])
        assert str(event["DESCRIPTION"]) == (
            f"7 lessons, 3 a week, from {course.start_date:%d %b %Y} to {course.end_date:%d %b %Y}. "
            f"Instructor team {course.team}. 20 children planned. Course id: {course.course_id}."
        )


def test_the_first_lesson_waits_for_a_lesson_day():
    assert first_lesson_day(date(2025, 6, 1), 5) == date(2025, 6, 2)
    assert first_lesson_day(date(2025, 6, 3), 3) == date(2025, 6, 4)
    assert first_lesson_day(date(2025, 6, 1), 7) == date(2025, 6, 1)


def test_a_venue_without_a_place_gets_no_geo():
    result = plan([venue("V", 10)])
    (event,) = events_of(schedule_calendar(result, stamp=STAMP))[1]
    assert "GEO" not in event
    assert str(event["LOCATION"]) == "Bể bơi V"


# --------------------------------------------------------------------------------------
# Bad input: coded errors in both languages


def coded(error, code, english, vietnamese):
    assert error.code == code
    assert str(error) == english
    assert problem_message(error, "en") == english
    assert problem_message(error, "vi") == vietnamese


@pytest.mark.parametrize(
    ("options", "code", "english", "vietnamese"),
    [
        (
            {"season": (date(2025, 8, 15), date(2025, 6, 1))},
            "schedule.season_reversed",
            "The season ends on 01 Jun 2025, before it starts on 15 Aug 2025; check the two dates.",
            "Mùa học kết thúc ngày 01/06/2025, trước ngày bắt đầu 15/08/2025; hãy kiểm tra hai ngày này.",
        ),
        (
            {"season": []},
            "schedule.no_period",
            "The season has no period: give at least one start date and one end date.",
            "Mùa học chưa có giai đoạn nào: hãy cho ít nhất một ngày bắt đầu và một ngày kết thúc.",
        ),
        (
            {"season": (date(2025, 6, 1), date(2025, 6, 10))},
            "schedule.season_too_short",
            "A course of 10 lessons at 5 a week lasts 2 week(s) (14 days), but the longest period of the "
            "season has only 10 days. Lengthen the season, give fewer lessons in a course or more lessons "
            "a week.",
            "Một khoá 10 buổi, 5 buổi mỗi tuần, kéo dài 2 tuần (14 ngày), nhưng giai đoạn dài nhất của mùa "
            "học chỉ có 10 ngày. Hãy kéo dài mùa học, giảm số buổi của khoá hoặc tăng số buổi mỗi tuần.",
        ),
        (
            {"capacity": 0},
            "schedule.below_one",
            "The class capacity must be a whole number, 1 or more (it is 0).",
            "Số trẻ mỗi lớp phải là số nguyên từ 1 trở lên (đang là 0).",
        ),
        (
            {"lessons": 2.5},
            "schedule.below_one",
            "The number of lessons in a course must be a whole number, 1 or more (it is 2.5).",
            "Số buổi học của một khoá phải là số nguyên từ 1 trở lên (đang là 2.5).",
        ),
        (
            {"teams": 0},
            "schedule.below_one",
            "The number of instructor teams must be a whole number, 1 or more (it is 0).",
            "Số đội hướng dẫn phải là số nguyên từ 1 trở lên (đang là 0).",
        ),
        (
            {"lessons_per_week": 0},
            "schedule.below_one",
            "The number of lessons a week must be a whole number, 1 or more (it is 0).",
            "Số buổi học mỗi tuần phải là số nguyên từ 1 trở lên (đang là 0).",
        ),
        (
            {"max_courses_per_venue": 0},
            "schedule.below_one",
            "The maximum number of courses at a venue must be a whole number, 1 or more (it is 0).",
            "Số khoá tối đa ở một địa điểm phải là số nguyên từ 1 trở lên (đang là 0).",
        ),
        (
            {"lessons_per_week": 8},
            "schedule.per_week_too_many",
            "A week holds at most 7 lessons (one a day); it is 8.",
            "Mỗi tuần có tối đa 7 buổi học (mỗi ngày một buổi); đang là 8.",
        ),
        (
            {"uptake_share": 1.5},
            "schedule.bad_share",
            "The uptake share must be more than 0 and at most 1 (0.1 is 10 %); it is 1.5.",
            "Tỷ lệ trẻ tham gia phải lớn hơn 0 và không quá 1 (0,1 là 10 %); đang là 1.5.",
        ),
    ],
)
def test_bad_settings_raise_coded_errors(options, code, english, vietnamese):
    with pytest.raises(HotspotsError) as caught:
        plan(three_venues(), **options)
    coded(caught.value, code, english, vietnamese)


@pytest.mark.parametrize(
    ("venues", "code", "english", "vietnamese"),
    [
        (
            [venue("A"), venue("A")],
            "schedule.duplicate_venue",
            "The venue id A is given more than once; each venue needs its own id.",
            "Mã địa điểm A xuất hiện nhiều lần; mỗi địa điểm cần một mã riêng.",
        ),
        (
            [venue("A", -5)],
            "schedule.bad_children",
            "The children in the catchment of venue A must be a number, 0 or more; it is -5.",
            "Số trẻ trong vùng phục vụ của địa điểm A phải là số từ 0 trở lên; đang là -5.",
        ),
    ],
)
def test_bad_venues_raise_coded_errors(venues, code, english, vietnamese):
    with pytest.raises(HotspotsError) as caught:
        plan(venues)
    coded(caught.value, code, english, vietnamese)


def test_venues_without_a_crs_are_refused():
    venues = points((705_000, 2_305_000), crs=None, class_id=["SC-1"])
    with pytest.raises(CRSError) as caught:
        schedule_from_geodataframe(venues, square_communes(), season=SEASON_2025)
    coded(
        caught.value,
        "schedule.no_crs",
        "The venues have no coordinate reference system, so distances in metres cannot be measured. Give "
        "one, for example EPSG:4326 (longitude/latitude) or EPSG:32648 (UTM 48N).",
        "Danh sách địa điểm dạy bơi không ghi hệ quy chiếu nên không đo được khoảng cách bằng mét. Hãy ghi "
        "rõ hệ quy chiếu, ví dụ EPSG:4326 (kinh độ/vĩ độ) hay EPSG:32648 (UTM 48N).",
    )


def test_venues_in_degrees_that_claim_metres_are_refused():
    venues = points((107.05, 20.95), crs=METRIC_CRS, class_id=["SC-1"])
    with pytest.raises(CRSError) as caught:
        catchment_children(venues, square_communes())
    coded(
        caught.value,
        "schedule.degrees_as_metres",
        "The venues say their coordinates are in EPSG:32648 (metres), but they look like degrees "
        "(longitude/latitude). Mark them as EPSG:4326, or convert them to metres.",
        "Danh sách địa điểm dạy bơi ghi hệ quy chiếu EPSG:32648 (đơn vị mét) nhưng toạ độ lại giống số độ "
        "(kinh độ/vĩ độ). Hãy ghi EPSG:4326 cho kinh độ/vĩ độ, hoặc đổi toạ độ sang mét.",
    )


def test_a_zero_radius_is_refused():
    with pytest.raises(HotspotsError) as caught:
        catchment_children(points((705_000, 2_305_000)), square_communes(), radius_m=0)
    coded(
        caught.value,
        "schedule.bad_radius",
        "The catchment radius must be more than 0 metres (for example 3000); it is 0.",
        "Bán kính vùng phục vụ phải lớn hơn 0 mét (ví dụ 3000); đang là 0.",
    )


def test_communes_without_the_ranking_are_refused():
    raw = square_communes().drop(columns=["black_spots", "priority_rank"])
    with pytest.raises(SchemaError) as caught:
        venues_from_geodataframe(points((705_000, 2_305_000), class_id=["SC-1"]), raw)
    coded(
        caught.value,
        "schedule.missing_columns",
        "The communes lack the column(s) black_spots, priority_rank that the schedule needs.",
        "Lớp ranh giới xã, phường thiếu cột black_spots, priority_rank cần để lập lịch học.",
    )


def test_a_lesson_that_ends_before_it_starts_is_refused():
    with pytest.raises(HotspotsError) as caught:
        schedule_calendar(plan([venue("V", 10)]), lesson_start=time(9, 0), lesson_end=time(8, 0))
    coded(
        caught.value,
        "calendar.bad_lesson_time",
        "A lesson must end (08:00) after it starts (09:00).",
        "Giờ kết thúc buổi học (08:00) phải sau giờ bắt đầu (09:00).",
    )
