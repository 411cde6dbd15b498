"""Planning page (planners): where new swimming classes or rescue trainings cover most, and their schedule.

The planner says what to plan, how many new sites, their reach, how risk points weigh and which
candidate sites to consider (or adds sites by tapping the map); the library chooses the sites,
says how good the choice is proven to be and how coverage grows with more sites. "Add to plan"
stores the chosen sites as planned records (the store refuses anyone without the planner role,
and a planner outside their communes); planned sites are dropped in the second tab. The third
tab plans the season's courses at the planned, proposed and (if asked) open venues, and exports
them as CSV, Excel and iCalendar.

Every result is cached on the store's revision and the parameters it depends on: changing the
language, the schedule or the organiser never chooses the sites again.
"""

from datetime import date
from typing import NamedTuple

import folium
import pandas as pd
import streamlit as st

from hotspots.analysis import (
    CHOOSABLE_CANDIDATES,
    DEFAULT_BLACK_SPOT_FACTOR,
    DEFAULT_CLASS_CAPACITY,
    DEFAULT_GRID_SPACING_M,
    DEFAULT_LESSONS,
    DEFAULT_LESSONS_PER_WEEK,
    DEFAULT_TEAMS,
    MAX_LESSONS_PER_WEEK,
    MIN_GRID_SPACING_M,
    PLAN_KINDS,
    PLAN_LAYERS,
    PLAN_RADII,
    CoverageCurve,
    ScheduleResult,
    SitingPlan,
    SitingProblem,
    choose_sites,
    default_season,
    plan_problem,
    planned_venues,
    schedule_from_geodataframe,
    schedule_table,
    schedule_venues,
    site_coverage_curve,
    unscheduled_table,
    venue_layer,
    week_table,
)
from hotspots.errors import HotspotsError
from hotspots.i18n import format_number, format_share, problem_message, t
from hotspots.maps import build_plan_map, local_base_url
from hotspots.reports import export_file_name, schedule_calendar, write_table
from hotspots.schema import get_layer_schema
from pages._common import (
    DataSource,
    acting_user,
    data_source,
    language,
    load_layers,
    radii,
    save_and_rerun,
    show_cached_map,
    show_notice,
    show_problems,
    store,
    summary_for,
)

MAP_HEIGHT_PX = 480
DEFAULT_K = 5
MAX_K = 50
#: "How many classes for 80 %?"
TARGET_SHARE = 0.8
#: The coverage curve is drawn this many times further than k ...
CURVE_FACTOR = 3
#: ... and computed at least this far, to answer "how many for 80 %?" (greedy: a few hundredths of a second).
CURVE_SITES = 100
#: Share of the children newly within reach expected to enrol, in per cent: with the default
#: 5 sites on the sample this gives about 20 courses, which 4 teams can run in one season.
DEFAULT_UPTAKE_PERCENT = 5
MAX_CAPACITY = 500
CACHED_RESULTS = 16
CACHED_MAPS = 4
CLICKED_KEY = "plan_clicked"
LAST_CLICK_KEY = "plan_last_click"
SITE_COLUMNS = (
    "rank",
    "commune_name",
    "new_risk_points",
    "new_black_spots",
    "new_children",
    "nearest_venue_m",
)
PLANNED_COLUMNS = ("site_id", "name", "commune_id", "organiser", "start", "capacity", "new_children")
DOWNLOADS = {"csv": "CSV", "xlsx": "Excel"}


class Settings(NamedTuple):
    """What the siting problem depends on (hashable: it keys the caches)."""

    kind: str
    radius_m: float
    black_spot_factor: float
    weight_by_children: bool
    candidates: tuple[str, ...]
    grid_spacing_m: float
    extra_sites: tuple[tuple[float, float], ...]


class ScheduleOptions(NamedTuple):
    """What the schedule depends on besides the sites."""

    season: tuple[tuple[date, date], ...]
    capacity: int
    uptake_share: float
    lessons: int
    lessons_per_week: int
    teams: int
    with_existing: bool
    reach: tuple[int, int]


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def problem_for(source: DataSource, settings: Settings) -> SitingProblem:
    return plan_problem(
        load_layers(source).layers,
        kind=settings.kind,
        radius_m=settings.radius_m,
        candidate_kinds=settings.candidates,
        grid_spacing_m=settings.grid_spacing_m,
        extra_sites=settings.extra_sites,
        black_spot_factor=settings.black_spot_factor,
        weight_by_children=settings.weight_by_children,
    )


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def plan_for(source: DataSource, settings: Settings, k: int) -> SitingPlan:
    return choose_sites(problem_for(source, settings), k=k)


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def curve_for(source: DataSource, settings: Settings, k_max: int) -> CoverageCurve:
    return site_coverage_curve(problem_for(source, settings), k_max=k_max)


@st.cache_resource(show_spinner=False, max_entries=CACHED_MAPS)
def plan_map(
    source: DataSource, settings: Settings, k: int, *, lang: str, base_url: str | None
) -> folium.Map:
    fmap = build_plan_map(
        plan_for(source, settings, k),
        load_layers(source).layers,
        kind=settings.kind,
        radius_m=settings.radius_m,
        lang=lang,
        extra_sites=settings.extra_sites,
        asset_base_url=base_url,
    )
    fmap.get_root().render()
    return fmap


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def schedule_for(
    source: DataSource, settings: Settings, k: int | None, options: ScheduleOptions
) -> ScheduleResult:
    layers = load_layers(source).layers
    venues = venue_layer(layers, settings.kind)
    # The planned sites; until there are some, the sites proposed now.
    use_proposed = k is not None and not len(planned_venues(venues))
    proposed = plan_for(source, settings, k).sites if use_proposed else None
    chosen = schedule_venues(
        layers["communes"],
        planned=venues,
        proposed=proposed,
        existing=venues if options.with_existing else None,
        kind=settings.kind,
        radius_m=settings.radius_m,
    )
    return schedule_from_geodataframe(
        chosen,
        summary_for(source, *options.reach),
        id_field="venue_id",
        children_field="children",
        radius_m=settings.radius_m,
        season=options.season,
        capacity=options.capacity,
        uptake_share=options.uptake_share,
        lessons=options.lessons,
        lessons_per_week=options.lessons_per_week,
        teams=options.teams,
    )


def settings_sidebar() -> tuple[Settings, int, str, int]:
    """The sidebar's plan settings: the siting settings, k, the organiser and the capacity."""
    sidebar = st.sidebar
    sidebar.subheader(t("plan.settings", lang))
    kind = sidebar.segmented_control(
        t("plan.kind", lang),
        PLAN_KINDS,
        default="swim",
        required=True,
        format_func=lambda value: t(f"plan.kind.{value}", lang),
        key="plan_kind",
    )
    k = sidebar.number_input(t("plan.k", lang), 1, MAX_K, DEFAULT_K, step=1, key="plan_k")
    radius = sidebar.number_input(
        t("plan.radius", lang),
        250,
        10_000,
        int(PLAN_RADII[kind]),
        step=250,
        help=t("plan.radius_help", lang),
        key=f"plan_radius_{kind}",
    )
    factor = sidebar.number_input(
        t("plan.factor", lang),
        0.0,
        100.0,
        DEFAULT_BLACK_SPOT_FACTOR,
        step=1.0,
        help=t("plan.factor_help", lang),
        key="plan_factor",
    )
    children = sidebar.toggle(
        t("plan.children", lang), help=t("plan.children_help", lang), key="plan_children"
    )
    candidates = sidebar.multiselect(
        t("plan.candidates", lang),
        CHOOSABLE_CANDIDATES,
        default=list(CHOOSABLE_CANDIDATES),
        format_func=lambda value: t(f"plan.candidate.{value}", lang),
        placeholder=t("choose", lang),
        key="plan_candidates",
    )
    spacing = sidebar.number_input(
        t("plan.grid_spacing", lang),
        int(MIN_GRID_SPACING_M),
        20_000,
        int(DEFAULT_GRID_SPACING_M),
        step=250,
        disabled="grid" not in candidates,
        key="plan_grid_m",
    )
    clicked = st.session_state.setdefault(CLICKED_KEY, [])
    sidebar.caption(t("plan.clicked", lang, count=len(clicked)))
    sidebar.button(
        t("plan.clear_clicks", lang), disabled=not clicked, on_click=clear_clicks, key="plan_clear_clicks"
    )
    sidebar.subheader(t("plan.record_heading", lang))
    organiser = sidebar.text_input(
        t("plan.organiser", lang), placeholder=t("plan.unassigned", lang), key="plan_organiser"
    )
    capacity = sidebar.number_input(
        t("plan.capacity", lang), 1, MAX_CAPACITY, DEFAULT_CLASS_CAPACITY, step=1, key="plan_capacity"
    )
    settings = Settings(
        kind=kind,
        radius_m=float(radius),
        black_spot_factor=float(factor),
        weight_by_children=bool(children),
        candidates=tuple(candidates),
        grid_spacing_m=float(spacing),
        extra_sites=tuple(tuple(site) for site in clicked),
    )
    return settings, int(k), organiser, int(capacity)


def clear_clicks() -> None:
    """Forget the sites added on the map (a callback: it runs before the page, which then shows none)."""
    st.session_state[CLICKED_KEY] = []


def season_inputs() -> tuple[tuple[date, date], ...]:
    """The season's two periods (default 1–30 June, then 1 July to 15 August), DD/MM/YYYY."""
    st.subheader(t("plan.season", lang))
    periods = []
    for number, period in enumerate(default_season(date.today().year), start=1):
        with st.container(horizontal=True):
            start = st.date_input(
                t("plan.period_start", lang, number=number),
                period.start,
                format="DD/MM/YYYY",
                key=f"plan_season{number}_start",
            )
            end = st.date_input(
                t("plan.period_end", lang, number=number),
                period.end,
                format="DD/MM/YYYY",
                key=f"plan_season{number}_end",
            )
        periods.append((start, end))
    return tuple(periods)


def method_sentence(plan: SitingPlan) -> str:
    """How the sites were chosen and how far from the best they may be, in plain words."""
    result = plan.result
    if result.optimal:
        seconds = format_number(result.seconds, lang, decimals=1 if result.seconds >= 0.1 else 2)
        return t("plan.method_optimal", lang, k=len(plan.sites), seconds=seconds)
    return problem_message(result.notice, lang)


def curve_sentence(curve: CoverageCurve) -> str:
    """The answer to "how many new sites for 80 %?"."""
    target = format_share(TARGET_SHARE, lang)
    needed = curve.sites_for(TARGET_SHARE)
    if needed == 0:
        return t("plan.curve_already", lang, target=target)
    if needed is None:
        reached = format_share(float(curve.shares[-1]), lang)
        return t("plan.curve_short", lang, sites=len(curve.shares) - 1, target=target, share=reached)
    return t("plan.curve_answer", lang, sites=needed, target=target)


def sites_section(plan: SitingPlan, problem: SitingProblem) -> None:
    """The proposed sites: how good the choice is, the map, the table, "add to plan", the curve."""
    st.info(method_sentence(plan), icon=":material/calculate:")
    result = plan.result
    with st.container(horizontal=True, gap="large"):
        share_now = result.fixed_weight / result.total_weight if result.total_weight else None
        st.metric(t("plan.share_now", lang), format_share(share_now, lang), width="content")
        st.metric(
            t("plan.share_after", lang, k=len(plan.sites)), format_share(result.share, lang), width="content"
        )
    fmap = plan_map(source, settings, k, lang=lang, base_url=local_base_url())
    clicked = show_cached_map(fmap, key="plan_map", height=MAP_HEIGHT_PX, returned_objects=("last_clicked",))
    st.caption(t("plan.map_help", lang))
    last = (clicked or {}).get("last_clicked")
    # Each click is taken once: later reruns return the same click.
    if last and last != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = last
        st.session_state[CLICKED_KEY] = [
            *settings.extra_sites,
            (round(last["lng"], 6), round(last["lat"], 6)),
        ]
        st.rerun()

    st.subheader(t("plan.sites_heading", lang))
    sites = plan.sites
    table = pd.DataFrame(
        {
            "rank": sites["rank"].to_numpy(),
            "commune_name": sites["commune_name"].fillna(t("popup.unknown", lang)).to_numpy(),
            "new_risk_points": sites["new_risk_points"].to_numpy(),
            "new_black_spots": sites["new_black_spots"].to_numpy(),
            "new_children": sites["new_children"].round().to_numpy(),
            "nearest_venue_m": sites["nearest_venue_m"].round().to_numpy(),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        key="plan_sites_table",
        column_config={
            c: st.column_config.Column(t(f"plan.col.{c}", lang))
            if c == "commune_name"
            else st.column_config.NumberColumn(t(f"plan.col.{c}", lang), format="%d")
            for c in SITE_COLUMNS
        },
    )
    season = schedule_inputs.season
    start, end = min(p[0] for p in season), max(p[1] for p in season)
    # A site that covers nothing more is not worth a class (it may sit on an open venue).
    useful = sites[sites["new_weight"].to_numpy() > 0]
    if len(useful) < len(sites):
        st.caption(t("plan.useless", lang, count=len(sites) - len(useful)))
    st.caption(t("plan.add_help", lang, organiser=organiser or t("plan.unassigned", lang), capacity=capacity))
    add = st.button(
        t("plan.add", lang),
        type="primary",
        icon=":material/playlist_add:",
        disabled=not len(useful),
        key="plan_add",
    )
    if add:
        try:
            ids = store().add_planned_sites(
                PLAN_LAYERS[settings.kind],
                useful,
                user=user,
                organiser=organiser or None,
                start_date=start,
                end_date=end,
                capacity=capacity,
            )
        except HotspotsError as error:
            show_problems(t("plan.add_failed", lang), error)
        else:
            save_and_rerun(t("plan.added", lang, count=len(ids), ids=", ".join(ids)))

    st.subheader(t("plan.curve_heading", lang))
    free = len(problem.candidates) - len(problem.fixed)
    curve = curve_for(source, settings, min(max(CURVE_FACTOR * k, CURVE_SITES), free))
    shown = curve.shares[: CURVE_FACTOR * k + 1]
    chart = pd.DataFrame(
        {t("plan.curve_y", lang): 100 * shown},
        index=pd.RangeIndex(len(shown), name=t("plan.curve_x", lang)),
    )
    st.line_chart(chart, x_label=t("plan.curve_x", lang), y_label=t("plan.curve_y", lang))
    st.markdown(curve_sentence(curve))


def planned_section() -> None:
    """The planned sites stored so far, each with a button to drop it."""
    planned = planned_venues(venue_layer(layers, settings.kind))
    if not len(planned):
        st.info(t("plan.none_planned", lang))
        return
    id_field = get_layer_schema(PLAN_LAYERS[settings.kind]).id_field
    start = planned["start_date"] if "start_date" in planned.columns else planned["date"]
    children = (
        planned["new_children"] if "new_children" in planned.columns else pd.Series(index=planned.index)
    )
    capacity = planned["capacity"] if "capacity" in planned.columns else pd.Series(index=planned.index)
    table = pd.DataFrame(
        {
            "site_id": planned[id_field].to_numpy(),
            "name": planned["name"].to_numpy(),
            "commune_id": planned["commune_id"].to_numpy(),
            "organiser": planned["organiser"].to_numpy(),
            "start": pd.to_datetime(start).dt.date.to_numpy(),
            "capacity": pd.to_numeric(capacity, errors="coerce").to_numpy(),
            "new_children": pd.to_numeric(children, errors="coerce").round().to_numpy(),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        key="plan_planned_table",
        column_config={
            "start": st.column_config.DateColumn(t("plan.col.start", lang), format="DD/MM/YYYY"),
            "capacity": st.column_config.NumberColumn(t("plan.col.capacity", lang), format="%d"),
            "new_children": st.column_config.NumberColumn(t("plan.col.new_children", lang), format="%d"),
            **{
                c: st.column_config.Column(t(f"plan.col.{c}", lang))
                for c in ("site_id", "name", "commune_id")
            },
            "organiser": st.column_config.Column(t("plan.organiser", lang)),
        },
    )
    reason = st.text_input(t("plan.drop_reason", lang), key="plan_drop_reason")
    for site_id, name in zip(table["site_id"], table["name"], strict=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.text(f"{site_id} – {name}")
            if st.button(t("plan.drop", lang), icon=":material/event_busy:", key=f"plan_drop_{site_id}"):
                try:
                    store().drop_planned_site(PLAN_LAYERS[settings.kind], site_id, user=user, reason=reason)
                except HotspotsError as error:
                    show_problems(t("plan.drop_failed", lang), error)
                else:
                    save_and_rerun(t("plan.dropped", lang, site_id=site_id))


def schedule_settings(season: tuple[tuple[date, date], ...]) -> ScheduleOptions:
    """The schedule's settings below the season."""
    with st.container(horizontal=True):
        lessons = st.number_input(t("plan.lessons", lang), 1, 60, DEFAULT_LESSONS, step=1, key="plan_lessons")
        per_week = st.number_input(
            t("plan.per_week", lang),
            1,
            MAX_LESSONS_PER_WEEK,
            DEFAULT_LESSONS_PER_WEEK,
            step=1,
            key="plan_per_week",
        )
        teams = st.number_input(t("plan.teams", lang), 1, 100, DEFAULT_TEAMS, step=1, key="plan_teams")
        uptake = st.number_input(
            t("plan.uptake", lang),
            1,
            100,
            DEFAULT_UPTAKE_PERCENT,
            step=1,
            help=t("plan.uptake_help", lang),
            key="plan_uptake",
        )
    with_existing = st.toggle(t("plan.with_existing", lang), key="plan_with_existing")
    return ScheduleOptions(
        season=season,
        capacity=capacity,
        uptake_share=uptake / 100,
        lessons=int(lessons),
        lessons_per_week=int(per_week),
        teams=int(teams),
        with_existing=bool(with_existing),
        reach=radii(),
    )


def schedule_section(plan: SitingPlan | None) -> None:
    """The season's courses week by week and as a table, and their downloads."""
    try:
        result = schedule_for(source, settings, k if plan is not None else None, schedule_inputs)
    except HotspotsError as error:
        st.error(problem_message(error, lang), icon=":material/error:")
        return
    if not len(result.venues):
        st.info(t("plan.no_venues", lang))
        return
    planned = len(planned_venues(venue_layer(layers, settings.kind)))
    st.caption(t("plan.schedule_of_planned" if planned else "plan.schedule_of_proposed", lang))
    with st.container(horizontal=True, gap="large"):
        st.metric(t("plan.courses", lang), format_number(len(result.courses), lang), width="content")
        st.metric(
            t("plan.children_planned", lang),
            format_number(int(result.courses["children_planned"].sum()), lang),
            width="content",
        )
        st.metric(t("plan.unscheduled", lang), format_number(len(result.unscheduled), lang), width="content")
    if len(result.unscheduled):
        st.warning(t("plan.unscheduled_help", lang, count=len(result.unscheduled)), icon=":material/warning:")
        with st.expander(t("plan.unscheduled_heading", lang)):
            st.dataframe(unscheduled_table(result, lang), hide_index=True, key="plan_unscheduled")
    st.subheader(t("plan.weeks_heading", lang))
    st.dataframe(week_table(result, lang), hide_index=True, key="plan_weeks")
    st.subheader(t("plan.courses_heading", lang))
    courses = schedule_table(result, lang)
    dates = [t(f"schedule.col.{c}", lang) for c in ("start_date", "end_date")]
    st.dataframe(
        courses,
        hide_index=True,
        key="plan_courses",
        column_config={c: st.column_config.DateColumn(c, format="DD/MM/YYYY") for c in dates},
    )
    stem = t("plan.file_name", lang)
    with st.container(horizontal=True):
        for fmt, name in DOWNLOADS.items():
            st.download_button(
                t("plan.download", lang, format=name),
                lambda fmt=fmt: write_table(
                    courses,
                    fmt=fmt,
                    lang=lang,
                    sheet_name=t("plan.sheet", lang),
                    title=t("calendar.name", lang),
                ),
                file_name=export_file_name(stem, fmt),
                key=f"plan_download_{fmt}",
                on_click="ignore",
            )
        st.download_button(
            t("plan.download", lang, format="iCalendar"),
            lambda: schedule_calendar(result, lang=lang),
            file_name=f"{stem}.ics",
            mime="text/calendar",
            help=t("plan.ics_help", lang),
            key="plan_download_ics",
            on_click="ignore",
        )


lang = language()
user = acting_user("plan")
source = data_source()
layers = load_layers(source).layers
settings, k, organiser, capacity = settings_sidebar()

st.title(t("nav.plan", lang))
st.caption(t("plan.intro", lang))
show_notice()
sites_tab, planned_tab, schedule_tab = st.tabs(
    [t("plan.tab.sites", lang), t("plan.tab.planned", lang), t("plan.tab.schedule", lang)]
)
# The season is set in the schedule tab but read first: "add to plan" dates the records with it.
with schedule_tab:
    schedule_inputs = schedule_settings(season_inputs())

plan = None
with sites_tab:
    try:
        problem = problem_for(source, settings)
        plan = plan_for(source, settings, k)
    except HotspotsError as error:
        st.error(problem_message(error, lang), icon=":material/error:")
    else:
        sites_section(plan, problem)
with planned_tab:
    planned_section()
with schedule_tab:
    schedule_section(plan)
