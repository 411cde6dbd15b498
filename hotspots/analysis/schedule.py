"""The season's schedule of free swimming courses: how many courses, where, when and with which team.

Planners give the venues (planned sites from the siting model and, optionally, existing
classes), the season and the number of instructor teams; the schedule says which course runs
where, when and with which team, and which courses found no room.

How many courses
    A venue whose catchment holds ``children`` under 16 plans
    ``planned = ceil(children × uptake_share)`` places and
    ``n_courses = ceil(planned / capacity)`` courses, which equals
    ``ceil(children × uptake_share / capacity)``; at most ``max_courses_per_venue`` when given.
    Each course plans ``capacity`` children, the venue's last course the rest.
How long
    A course of ``lessons`` lessons at ``lessons_per_week`` a week lasts
    ``weeks = ceil(lessons / lessons_per_week)`` weeks: it holds its venue and one team for
    ``7 × weeks`` days, from its first day to its last day, both included.
When it may start
    On the first day of a period of the season, or on a Monday inside a period, and only if
    it ends inside the same period. Periods that overlap or follow each other without a gap
    are merged first (1–30 June and 1 July – 15 August make one period).
In which order
    The courses of venues in communes with a black spot come first, then the others. Inside
    each group, round by round: every venue's first course, then every venue's second course,
    and so on, so that scarce teams reach as many communes as possible before any venue gets a
    second course. Inside a round, venues go by their commune's ``priority_rank`` from
    :func:`hotspots.analysis.commune_summary` (rank 1 first; a venue in no known commune
    last), then by venue id.
How (greedy list scheduling)
    Each course in that order takes the earliest allowed start at which its venue is free and
    at least one team is free for the course's whole length, with the lowest-numbered free
    team. A course that finds no such start is listed in ``unscheduled`` (reason
    ``no_slot``); courses over a venue's cap are listed there too (reason ``venue_limit``).
    Nothing is dropped silently, and the result depends only on the venues' values, not on
    the order they are given in.
Catchment children (:func:`catchment_children`, used when the venues do not give them)
    The catchment of a venue is the disc of ``radius_m`` metres around it, measured in UTM
    zone 48N (EPSG:32648). Children are taken as spread evenly over their commune: a disc
    covering a share *s* of a commune's area reaches *s* of its ``children_under_16``. Where
    discs overlap in a commune, the children of the covered part are split between the venues
    in proportion to the area each disc covers there, so no child is counted twice.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.config import DEFAULT_SWIM_RADIUS_M, METRIC_CRS, WGS84
from hotspots.errors import CRSError, HotspotsError, SchemaError
from hotspots.i18n import Phrase, check_language, coded_error, format_date, t

#: Children one course teaches, unless a venue says otherwise.
DEFAULT_CLASS_CAPACITY: Final = 30
#: Share of the catchment's children under 16 expected to enrol.
DEFAULT_UPTAKE_SHARE: Final = 0.1
#: Lessons in one course, and lessons a week (so a course lasts two weeks).
DEFAULT_LESSONS: Final = 10
DEFAULT_LESSONS_PER_WEEK: Final = 5
#: Instructor teams; teams are interchangeable.
DEFAULT_TEAMS: Final = 4
#: Lessons a week: at most one a day.
MAX_LESSONS_PER_WEEK: Final = 7
#: Why a course is in ``unscheduled``.
UNSCHEDULED_REASONS: Final = ("no_slot", "venue_limit")
#: Columns of :attr:`ScheduleResult.courses`, one row per scheduled course.
COURSE_COLUMNS: Final = (
    "course_id",
    "venue_id",
    "venue_name",
    "commune_id",
    "commune_name",
    "black_spot_commune",
    "priority_rank",
    "team",
    "start_date",
    "end_date",
    "weeks",
    "lessons",
    "lessons_per_week",
    "children_planned",
    "latitude",
    "longitude",
)
#: Columns of :attr:`ScheduleResult.unscheduled`, one row per course that found no room.
UNSCHEDULED_COLUMNS: Final = (
    "course_id",
    "venue_id",
    "venue_name",
    "commune_id",
    "commune_name",
    "children_planned",
    "reason",
)
#: Columns of :func:`schedule_table`, dates and place first for a phone.
SCHEDULE_COLUMNS: Final = (
    "start_date",
    "end_date",
    "venue_name",
    "commune_name",
    "team",
    "children_planned",
    "lessons",
    "lessons_per_week",
    "weeks",
    "course_id",
    "venue_id",
    "commune_id",
)
#: Columns the adapter needs in the communes table (the output of ``commune_summary``).
_SUMMARY_NEEDED: Final = ("commune_id", "name", "black_spots", "priority_rank")

WeekAxis = Literal["team", "venue"]
_ONE_DAY: Final = timedelta(days=1)
_WEEK: Final = timedelta(days=7)
# Float noise: 100 × 0.3 is 30.000000000000004, which must plan 30 places, not 31.
_EPSILON: Final = 1e-9


class SeasonPeriod(NamedTuple):
    """Days of the season when courses may run, first and last day included."""

    start: date
    end: date


@dataclass(frozen=True)
class Venue:
    """A place where courses can run, with what the schedule needs to know about it.

    Parameters
    ----------
    venue_id
        Stable identifier; course ids are built from it (``f"{venue_id}-{n}"``).
    name
        Name shown to people.
    children
        Children under 16 in the venue's catchment (0 or more; need not be whole).
    commune_id, commune_name
        The commune the venue is in, when known.
    black_spot
        True when that commune has at least one black spot.
    priority_rank
        The commune's rank in the communes ranking (1 first); ``inf`` when unknown.
    latitude, longitude
        Where the venue is (WGS 84 degrees), for calendars; ``None`` when unknown.
    capacity
        Children one course teaches here; ``None`` for the schedule's ``capacity``.
    """

    venue_id: str
    name: str
    children: float
    commune_id: str | None = None
    commune_name: str | None = None
    black_spot: bool = False
    priority_rank: float = math.inf
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class ScheduleResult:
    """A season's schedule.

    Attributes
    ----------
    courses
        One row per scheduled course with :data:`COURSE_COLUMNS`, by start date, then team.
    unscheduled
        One row per planned course that has no place, with :data:`UNSCHEDULED_COLUMNS`, in
        scheduling order.
    weeks
        The week-by-week view: one row per week of the season (index ``week_start``, its
        Monday), one column per team (1, 2, ...); a cell holds the ids of the courses the team
        runs that week (``", "``-joined), or ``""``.
    season
        The periods of the season, merged and sorted.
    venues
        The venues, black-spot communes first, then by commune rank, then by id.
    teams
        The number of instructor teams.
    """

    courses: pd.DataFrame
    unscheduled: pd.DataFrame
    weeks: pd.DataFrame
    season: tuple[SeasonPeriod, ...]
    venues: tuple[Venue, ...]
    teams: int


def default_season(year: int) -> tuple[SeasonPeriod, ...]:
    """Return the default season of ``year``: the Month of Action for Children, then the holidays.

    Examples
    --------
    >>> [(p.start.isoformat(), p.end.isoformat()) for p in default_season(2026)]
    [('2026-06-01', '2026-06-30'), ('2026-07-01', '2026-08-15')]
    """
    return (
        SeasonPeriod(date(year, 6, 1), date(year, 6, 30)),
        SeasonPeriod(date(year, 7, 1), date(year, 8, 15)),
    )


def season_periods(season: tuple[date, date] | Sequence[tuple[date, date]]) -> tuple[SeasonPeriod, ...]:
    """Return a season as sorted periods, merging those that overlap or follow without a gap.

    Parameters
    ----------
    season
        One ``(start, end)`` pair of dates, or a list of them (both days included).

    Raises
    ------
    HotspotsError
        When there is no period, or a period ends before it starts (coded).
    """
    pairs = [season] if len(season) == 2 and all(isinstance(d, date) for d in season) else list(season)
    if not pairs:
        raise coded_error(HotspotsError, "schedule.no_period")
    periods = []
    for start, end in pairs:
        start, end = _day(start), _day(end)
        if end < start:
            raise coded_error(HotspotsError, "schedule.season_reversed", start=start, end=end)
        periods.append(SeasonPeriod(start, end))
    merged: list[SeasonPeriod] = []
    for period in sorted(periods):
        if merged and period.start <= merged[-1].end + _ONE_DAY:
            merged[-1] = SeasonPeriod(merged[-1].start, max(merged[-1].end, period.end))
        else:
            merged.append(period)
    return tuple(merged)


def schedule_courses(
    venues: Sequence[Venue],
    *,
    season: tuple[date, date] | Sequence[tuple[date, date]] | None = None,
    capacity: int = DEFAULT_CLASS_CAPACITY,
    uptake_share: float = DEFAULT_UPTAKE_SHARE,
    lessons: int = DEFAULT_LESSONS,
    lessons_per_week: int = DEFAULT_LESSONS_PER_WEEK,
    teams: int = DEFAULT_TEAMS,
    max_courses_per_venue: int | None = None,
) -> ScheduleResult:
    """Plan the season's courses for venues given as numbers (the pure core).

    Parameters
    ----------
    venues
        The venues, in any order.
    season
        One ``(start, end)`` pair or a list of periods; ``None`` for :func:`default_season` of
        the current year.
    capacity
        Children one course teaches (a venue's own ``capacity`` wins), 1 or more.
    uptake_share
        Share of the catchment's children expected to enrol, more than 0 and at most 1.
    lessons, lessons_per_week
        Lessons in a course (1 or more) and lessons a week (1 to 7).
    teams
        Instructor teams, 1 or more; a course needs one team for its whole length.
    max_courses_per_venue
        At most this many courses at one venue (1 or more); ``None`` for no limit.

    Returns
    -------
    ScheduleResult
        Courses, unscheduled courses and the week-by-week view (see the module docstring for
        the rules).

    Raises
    ------
    HotspotsError
        Coded, when a number is out of range, the season is reversed or too short for one
        course, two venues share an id or a venue has a negative number of children.
    """
    periods = season_periods(default_season(date.today().year) if season is None else season)
    capacity = _whole(capacity, "capacity")
    lessons = _whole(lessons, "lessons")
    teams = _whole(teams, "teams")
    per_week = _whole(lessons_per_week, "lessons_per_week")
    if per_week > MAX_LESSONS_PER_WEEK:
        raise coded_error(HotspotsError, "schedule.per_week_too_many", value=per_week)
    cap = None if max_courses_per_venue is None else _whole(max_courses_per_venue, "max_courses")
    share = _share(uptake_share)
    weeks = -(-lessons // per_week)
    starts = _allowed_starts(periods, weeks, lessons=lessons, per_week=per_week)
    ordered = _ordered_venues(venues)

    # Black-spot venues first; then round by round (every venue's first course, then the
    # second ones...), each round in the venues' order: rank, then id.
    queue = sorted(
        (
            (not venue.black_spot, number, position, venue, children)
            for position, venue in enumerate(ordered)
            for number, children in enumerate(_children_per_course(venue, capacity, share), start=1)
        ),
        key=lambda item: item[:3],
    )
    team_busy: list[list[tuple[date, date]]] = [[] for _ in range(teams)]
    venue_busy: dict[str, list[tuple[date, date]]] = {v.venue_id: [] for v in ordered}
    placed: list[dict[str, object]] = []
    missed: list[dict[str, object]] = []
    for _, number, _, venue, children in queue:
        row = _course_row(venue, number, children)
        if cap is not None and number > cap:
            missed.append({**row, "reason": "venue_limit"})
            continue
        slot = _first_slot(starts, venue_busy[venue.venue_id], team_busy)
        if slot is None:
            missed.append({**row, "reason": "no_slot"})
            continue
        (start, end), team = slot
        venue_busy[venue.venue_id].append((start, end))
        team_busy[team].append((start, end))
        placed.append(
            {
                **row,
                "team": team + 1,
                "start_date": start,
                "end_date": end,
                "weeks": weeks,
                "lessons": lessons,
                "lessons_per_week": per_week,
            }
        )
    courses = pd.DataFrame(placed, columns=list(COURSE_COLUMNS))
    courses = courses.sort_values(["start_date", "team"], kind="stable").reset_index(drop=True)
    unscheduled = pd.DataFrame(missed, columns=list(UNSCHEDULED_COLUMNS))
    return ScheduleResult(
        courses=courses,
        unscheduled=unscheduled,
        weeks=_week_grid(courses, periods, "team", range(1, teams + 1)),
        season=periods,
        venues=ordered,
        teams=teams,
    )


def schedule_from_geodataframe(
    venues: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    id_field: str = "class_id",
    name_field: str = "name",
    children_field: str | None = None,
    capacity_field: str | None = None,
    radius_m: float = DEFAULT_SWIM_RADIUS_M,
    season: tuple[date, date] | Sequence[tuple[date, date]] | None = None,
    capacity: int = DEFAULT_CLASS_CAPACITY,
    uptake_share: float = DEFAULT_UPTAKE_SHARE,
    lessons: int = DEFAULT_LESSONS,
    lessons_per_week: int = DEFAULT_LESSONS_PER_WEEK,
    teams: int = DEFAULT_TEAMS,
    max_courses_per_venue: int | None = None,
) -> ScheduleResult:
    """Plan the season's courses for venues given as a GeoDataFrame (the adapter).

    Parameters
    ----------
    venues, communes, id_field, name_field, children_field, capacity_field, radius_m
        As in :func:`venues_from_geodataframe`.
    season, capacity, uptake_share, lessons, lessons_per_week, teams, max_courses_per_venue
        As in :func:`schedule_courses`.

    Returns
    -------
    ScheduleResult
        The schedule of :func:`schedule_courses`.
    """
    found = venues_from_geodataframe(
        venues,
        communes,
        id_field=id_field,
        name_field=name_field,
        children_field=children_field,
        capacity_field=capacity_field,
        radius_m=radius_m,
    )
    return schedule_courses(
        found,
        season=season,
        capacity=capacity,
        uptake_share=uptake_share,
        lessons=lessons,
        lessons_per_week=lessons_per_week,
        teams=teams,
        max_courses_per_venue=max_courses_per_venue,
    )


def venues_from_geodataframe(
    venues: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    id_field: str = "class_id",
    name_field: str = "name",
    children_field: str | None = None,
    capacity_field: str | None = None,
    radius_m: float = DEFAULT_SWIM_RADIUS_M,
) -> tuple[Venue, ...]:
    """Turn a venue layer and the communes ranking into :class:`Venue` values.

    Parameters
    ----------
    venues
        Points with a CRS: swimming classes (``class_id``), planned sites (their id field),
        or both concatenated with one id column. A ``commune_id`` column is used where it
        names a known commune; other venues are placed in the commune that contains them.
    communes
        The output of :func:`hotspots.analysis.commune_summary` (``commune_id``, ``name``,
        ``black_spots``, ``priority_rank``; ``children_under_16`` and polygons to compute
        catchments), with a CRS.
    id_field, name_field
        Columns of the venue's id and name (the id stands in for a missing name).
    children_field
        Column of the children in each venue's catchment (for example the children a planned
        site newly covers); ``None`` to compute them with :func:`catchment_children`.
    capacity_field
        Column of each venue's own class capacity; ``None`` to use the schedule's.
    radius_m
        Catchment radius in metres, when the children are computed.

    Raises
    ------
    SchemaError
        When a needed column is missing (coded).
    CRSError
        When a layer has no CRS, or says metres while its coordinates are degrees (coded).
    """
    needed = [id_field, *(f for f in (children_field, capacity_field) if f)]
    _require_columns(venues, needed, "venues")
    _require_columns(communes, _SUMMARY_NEEDED, "communes")
    _check_crs(venues, "venues")
    if children_field is None:
        children = catchment_children(venues, communes, radius_m=radius_m)
    else:
        children = pd.to_numeric(venues[children_field], errors="coerce").fillna(0).to_numpy(dtype=float)
    commune_ids = _commune_ids(venues, communes)
    known = communes.drop_duplicates("commune_id").set_index("commune_id")
    points = venues.geometry.to_crs(WGS84).representative_point()
    names = venues[name_field] if name_field in venues.columns else venues[id_field]
    result = []
    for i, venue_id in enumerate(venues[id_field]):
        commune = commune_ids[i]
        row = known.loc[commune] if commune is not None else None
        rank = float(row["priority_rank"]) if row is not None else math.inf
        point = points.iloc[i]
        own = venues[capacity_field].iloc[i] if capacity_field else None
        result.append(
            Venue(
                venue_id=str(venue_id),
                name=str(venue_id) if pd.isna(names.iloc[i]) else str(names.iloc[i]),
                children=float(children[i]),
                commune_id=commune,
                commune_name=None if row is None else str(row["name"]),
                black_spot=bool(row is not None and row["black_spots"] > 0),
                priority_rank=math.inf if math.isnan(rank) else rank,
                latitude=None if point is None or point.is_empty else float(point.y),
                longitude=None if point is None or point.is_empty else float(point.x),
                capacity=None if own is None or pd.isna(own) else int(own),
            )
        )
    return tuple(result)


def catchment_children(
    venues: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, radius_m: float = DEFAULT_SWIM_RADIUS_M
) -> np.ndarray:
    """Return the children under 16 within ``radius_m`` metres of each venue, counted once.

    See "Catchment children" in the module docstring for the assumptions.

    Parameters
    ----------
    venues
        Points (any CRS but none).
    communes
        Commune polygons with ``children_under_16`` (any CRS but none).
    radius_m
        Radius of the catchment in metres, more than 0.

    Returns
    -------
    numpy.ndarray
        One float per venue, in the venues' order.

    Raises
    ------
    HotspotsError
        When the radius is not more than 0 (coded).
    CRSError
        When a layer has no CRS, or says metres while its coordinates are degrees (coded).
    SchemaError
        When the communes lack ``children_under_16`` (coded).
    """
    if (
        isinstance(radius_m, bool)
        or not isinstance(radius_m, numbers.Real)
        or not math.isfinite(radius_m)
        or radius_m <= 0
    ):
        raise coded_error(HotspotsError, "schedule.bad_radius", value=radius_m)
    _require_columns(communes, ("children_under_16",), "communes")
    _check_crs(venues, "venues")
    _check_crs(communes, "communes")
    discs = venues.geometry.to_crs(METRIC_CRS).buffer(radius_m).to_numpy()
    polygons = communes.geometry.to_crs(METRIC_CRS).to_numpy()
    children = pd.to_numeric(communes["children_under_16"], errors="coerce").fillna(0).to_numpy(dtype=float)
    commune_area = shapely.area(polygons)
    venue_of, commune_of = shapely.STRtree(polygons).query(discs, predicate="intersects")
    pieces = shapely.intersection(discs[venue_of], polygons[commune_of])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(commune_area[commune_of] > 0, shapely.area(pieces) / commune_area[commune_of], 0.0)
    result = np.zeros(len(venues))
    for commune in np.unique(commune_of):
        mine = commune_of == commune
        total = share[mine].sum()
        if total <= 0:
            continue
        covered = total if mine.sum() == 1 else shapely.union_all(pieces[mine]).area / commune_area[commune]
        result[venue_of[mine]] += children[commune] * covered * share[mine] / total
    return result


def week_view(result: ScheduleResult, *, by: WeekAxis = "team") -> pd.DataFrame:
    """Return the week-by-week view by team (as :attr:`ScheduleResult.weeks`) or by venue.

    Parameters
    ----------
    result
        A schedule.
    by
        ``"team"``: one column per team (1, 2, ...); ``"venue"``: one column per venue id
        that has a course, in the order of :attr:`ScheduleResult.venues`. A cell holds the
        course ids of that week.
    """
    if by == "team":
        return result.weeks
    if by == "venue":
        scheduled = set(result.courses["venue_id"])
        columns = [v.venue_id for v in result.venues if v.venue_id in scheduled]
        return _week_grid(result.courses, result.season, "venue_id", columns)
    msg = f"A week view is by 'team' or 'venue', not {by!r}."
    raise HotspotsError(msg)


def schedule_table(result: ScheduleResult, lang: str) -> pd.DataFrame:
    """Return the scheduled courses as people read them: :data:`SCHEDULE_COLUMNS`, headers in ``lang``.

    Dates stay dates, so the guarded table writer of :mod:`hotspots.reports` writes them the
    local way (DD/MM/YYYY in Vietnamese).
    """
    check_language(lang)
    table = result.courses[list(SCHEDULE_COLUMNS)].copy()
    return table.rename(columns={c: t(f"schedule.col.{c}", lang) for c in SCHEDULE_COLUMNS})


def unscheduled_table(result: ScheduleResult, lang: str) -> pd.DataFrame:
    """Return the courses that found no room, with headers and reasons in ``lang``."""
    check_language(lang)
    table = result.unscheduled.copy()
    table["reason"] = [t(f"schedule.reason.{reason}", lang) for reason in table["reason"]]
    return table.rename(columns={c: t(f"schedule.col.{c}", lang) for c in UNSCHEDULED_COLUMNS})


def week_table(result: ScheduleResult, lang: str, *, by: WeekAxis = "team") -> pd.DataFrame:
    """Return the week-by-week view for a calendar display, in ``lang``.

    The first column is the week's Monday written the local way. By team, the columns are
    the teams (*Đội 1*, ...) and a cell names the venues; by venue, the columns are the venues
    (a name given twice gets its id added) and a cell names the team.
    """
    check_language(lang)
    grid = week_view(result, by=by)
    ids = result.courses.set_index("course_id")
    venue_names = {v.venue_id: v.name for v in result.venues}

    def shown(cell: str) -> str:
        if not cell:
            return ""
        found = [ids.loc[course_id] for course_id in cell.split(", ")]
        if by == "team":
            return ", ".join(str(row["venue_name"]) for row in found)
        return ", ".join(t("schedule.team_n", lang, number=int(row["team"])) for row in found)

    table = grid.map(shown)
    if by == "team":
        table.columns = [t("schedule.team_n", lang, number=team) for team in grid.columns]
    else:
        names = [venue_names[venue_id] for venue_id in grid.columns]
        table.columns = [
            f"{name} ({venue_id})" if names.count(name) > 1 else name
            for name, venue_id in zip(names, grid.columns, strict=True)
        ]
    table.insert(0, t("schedule.col.week_start", lang), [format_date(week, lang) for week in grid.index])
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# The core's pieces


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    msg = f"A season's start and end must be dates, not {value!r}."
    raise HotspotsError(msg)


def _whole(value: object, word: str) -> int:
    """Return a count of 1 or more, or raise the coded error naming it."""
    whole = isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer()
    if not whole or value < 1:
        raise coded_error(
            HotspotsError, "schedule.below_one", what=Phrase(f"schedule.word.{word}"), value=value
        )
    return int(value)


def _share(value: object) -> float:
    number = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not number or not 0 < value <= 1:
        raise coded_error(HotspotsError, "schedule.bad_share", value=value)
    return float(value)


def _allowed_starts(
    periods: tuple[SeasonPeriod, ...], weeks: int, *, lessons: int, per_week: int
) -> list[tuple[date, date]]:
    """Return every (first day, last day) a course may take, in time order."""
    length = weeks * _WEEK
    slots = []
    for period in periods:
        first_monday = period.start + timedelta(days=(7 - period.start.weekday()) % 7)
        candidates = [period.start] if period.start != first_monday else []
        day = first_monday
        while day <= period.end:
            candidates.append(day)
            day += _WEEK
        slots += [(s, s + length - _ONE_DAY) for s in candidates if s + length - _ONE_DAY <= period.end]
    if not slots:
        longest = max((p.end - p.start).days + 1 for p in periods)
        raise coded_error(
            HotspotsError,
            "schedule.season_too_short",
            lessons=lessons,
            per_week=per_week,
            weeks=weeks,
            days=length.days,
            longest=longest,
        )
    return slots


def _ordered_venues(venues: Sequence[Venue]) -> tuple[Venue, ...]:
    seen: set[str] = set()
    for venue in venues:
        if venue.venue_id in seen:
            raise coded_error(HotspotsError, "schedule.duplicate_venue", id=venue.venue_id)
        seen.add(venue.venue_id)
        if not (isinstance(venue.children, numbers.Real) and venue.children >= 0):
            raise coded_error(HotspotsError, "schedule.bad_children", id=venue.venue_id, value=venue.children)
        if venue.capacity is not None:
            _whole(venue.capacity, "capacity")

    def key(venue: Venue) -> tuple[bool, float, str]:
        rank = venue.priority_rank
        return (not venue.black_spot, math.inf if math.isnan(rank) else rank, venue.venue_id)

    return tuple(sorted(venues, key=key))


def _children_per_course(venue: Venue, capacity: int, share: float) -> list[int]:
    """Children each of the venue's courses plans: full classes, then the rest."""
    size = venue.capacity or capacity
    planned = math.ceil(venue.children * share - _EPSILON) if venue.children > 0 else 0
    full, rest = divmod(planned, size)
    return [size] * full + ([rest] if rest else [])


def _course_row(venue: Venue, number: int, children: int) -> dict[str, object]:
    return {
        "course_id": f"{venue.venue_id}-{number}",
        "venue_id": venue.venue_id,
        "venue_name": venue.name,
        "commune_id": venue.commune_id,
        "commune_name": venue.commune_name,
        "black_spot_commune": venue.black_spot,
        "priority_rank": venue.priority_rank,
        "children_planned": children,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
    }


def _first_slot(
    slots: list[tuple[date, date]],
    venue_busy: list[tuple[date, date]],
    team_busy: list[list[tuple[date, date]]],
) -> tuple[tuple[date, date], int] | None:
    """Return the earliest slot free at the venue, with the lowest-numbered team free then."""
    for slot in slots:
        if _clashes(slot, venue_busy):
            continue
        for team, busy in enumerate(team_busy):
            if not _clashes(slot, busy):
                return slot, team
    return None


def _clashes(slot: tuple[date, date], busy: list[tuple[date, date]]) -> bool:
    start, end = slot
    return any(start <= other_end and other_start <= end for other_start, other_end in busy)


def _week_grid(
    courses: pd.DataFrame, periods: tuple[SeasonPeriod, ...], column: str, keys: Sequence[object]
) -> pd.DataFrame:
    """Weeks (Mondays) of the season × ``keys``: the ids of the courses running that week."""
    first = periods[0].start - timedelta(days=periods[0].start.weekday())
    mondays = []
    while first <= periods[-1].end:
        mondays.append(first)
        first += _WEEK
    cells: dict[tuple[date, object], list[str]] = {}
    for course_id, key, start, end in courses[["course_id", column, "start_date", "end_date"]].itertuples(
        index=False
    ):
        for monday in mondays:
            if monday <= end and start <= monday + timedelta(days=6):
                cells.setdefault((monday, key), []).append(course_id)
    grid = pd.DataFrame(
        [[", ".join(cells.get((monday, key), [])) for key in keys] for monday in mondays],
        index=pd.Index(mondays, name="week_start"),
        columns=list(keys),
        dtype=object,
    )
    return grid


# --------------------------------------------------------------------------------------
# The adapter's pieces


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise coded_error(
            SchemaError,
            "schedule.missing_columns",
            what=Phrase(f"schedule.word.{what}"),
            columns=", ".join(missing),
        )


def _check_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    """Refuse a layer whose distances cannot be measured in metres."""
    if frame.crs is None:
        raise coded_error(CRSError, "schedule.no_crs", what=Phrase(f"schedule.word.{what}"))
    if frame.crs.is_projected and len(frame) and not frame.geometry.is_empty.all():
        min_x, min_y, max_x, max_y = frame.total_bounds
        if max(abs(min_x), abs(max_x)) <= 180 and max(abs(min_y), abs(max_y)) <= 90:
            raise coded_error(
                CRSError,
                "schedule.degrees_as_metres",
                what=Phrase(f"schedule.word.{what}"),
                crs=frame.crs.to_string(),
            )


def _commune_ids(venues: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> list[str | None]:
    """Each venue's commune: its ``commune_id`` when known, else the commune containing it."""
    known = {str(c) for c in communes["commune_id"]}
    given = venues["commune_id"] if "commune_id" in venues.columns else pd.Series(None, index=venues.index)
    result: list[str | None] = [
        str(value) if not pd.isna(value) and str(value) in known else None for value in given
    ]
    missing = [i for i, value in enumerate(result) if value is None]
    if missing and len(communes):
        _check_crs(communes, "communes")
        located = gpd.sjoin(
            venues.iloc[missing][["geometry"]].reset_index(drop=True).to_crs(communes.crs),
            communes[["commune_id", "geometry"]],
            how="left",
            predicate="within",
        )
        # A venue on a shared border falls in two communes: keep the first.
        located = located[~located.index.duplicated(keep="first")]
        for i, value in zip(missing, located["commune_id"].reindex(range(len(missing))), strict=True):
            result[i] = None if pd.isna(value) else str(value)
    return result
