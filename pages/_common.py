"""What every page shares: the one store, the cached loaders and analyses, the sidebar shell and login.

Streamlit caches live here so that ``hotspots/`` never imports Streamlit. Every
layer comes from the store of record (:mod:`hotspots.store`) through
:func:`load_layers`, cached per data revision: any write, in this session or
another process, changes the revision, so every page sees it on its next run.

Who is logged in is the session's :class:`hotspots.store.User`, which only the
store's :meth:`~hotspots.store.Store.authenticate` (the sidebar's login form) or
:meth:`~hotspots.store.Store.user_for_email` (single sign-on through ``st.login``,
when the secrets have an ``[auth]`` section) hands out. Accounts come from the
store and from the secrets' ``[users]`` table (:func:`configured_accounts`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, NoReturn

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAuthError, StreamlitMissingAuthlibError

from hotspots.analysis import commune_summary, coverage_table, data_date, is_sample
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, GEODATA_DIR
from hotspots.errors import HotspotsError, Problem
from hotspots.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    field_label,
    format_date,
    format_number,
    label,
    problem_message,
    t,
)
from hotspots.schema import LAYERS
from hotspots.store import DATABASE_URL_ENV, ImportResult, Store, User, least_role, open_store
from hotspots.validation import ValidationReport
from pages._folium import show_prepared

#: Where an empty store is seeded from (tests point the app at small hand-made layers).
DATA_DIR_VARIABLE = "HOTSPOTS_GEODATA_DIR"
#: Folder of the default SQLite store (read by :func:`hotspots.store.open_store`).
STORE_DIR_VARIABLE = "HOTSPOTS_DATA_DIR"
#: Each page's address (``/<path>``). The map is the default page, which Streamlit serves at
#: ``/`` whatever its url_path, so its path is empty. The others are never a page file's own
#: name (right after a restart Streamlit would run that file bare, without the app shell);
#: each has instead a file ``pages/<path>.py`` that runs the shell (see app.py).
URL_PATHS = {
    "map": "",
    "communes": "xa-phuong",
    "report": "bao-diem",
    "review": "duyet-kiem-tra",
    "analysis": "phan-tich",
    "plan": "ke-hoach",
}
#: The permission each page needs (:data:`hotspots.store.ACTIONS`); ``None``: anyone, logged in or not.
PAGE_ACTIONS = {
    "map": None,
    "communes": None,
    "report": "report",
    "review": "review",
    "analysis": None,
    "plan": "plan",
}
RADIUS_RANGE_M = (0, 10_000)
RADIUS_STEP_M = 250
_NOTICE_KEY = "_saved_notice"
# The session's User (only ever set from a successful login).
_USER_KEY = "_user"
# A few revisions stay cached: the current one and the ones other sessions may still show.
_CACHED_REVISIONS = 4
# True while app.py's shell runs (see app_shell and language); per script run, never shared.
_IN_SHELL: ContextVar[bool] = ContextVar("hotspots_in_app_shell", default=False)


class DataSource(NamedTuple):
    """Which store, seeded from where, at which revision: the key of every data cache."""

    database_url: str
    store_dir: str
    seed_dir: str
    revision: int


@dataclass(frozen=True)
class LoadedData:
    """Every layer by schema name, and what they are."""

    layers: dict[str, gpd.GeoDataFrame]
    is_sample: bool
    data_date: date | None


def store() -> Store:
    """The process-wide store for the current settings (opened, created and seeded on first use)."""
    return _open_store(
        os.environ.get(DATABASE_URL_ENV, ""),
        os.environ.get(STORE_DIR_VARIABLE, ""),
        os.environ.get(DATA_DIR_VARIABLE) or str(GEODATA_DIR),
    )


def data_source() -> DataSource:
    """The store and its current revision; pass it to the cached loaders below."""
    current = store()
    return DataSource(
        os.environ.get(DATABASE_URL_ENV, ""),
        os.environ.get(STORE_DIR_VARIABLE, ""),
        os.environ.get(DATA_DIR_VARIABLE) or str(GEODATA_DIR),
        current.revision(),
    )


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def load_layers(source: DataSource) -> LoadedData:
    """Read every layer of the store at one revision (risk points: the statuses shown on maps)."""
    current = store()
    layers = {name: current.read_layer(name) for name in LAYERS}
    return LoadedData(layers=layers, is_sample=is_sample(layers), data_date=data_date(layers["risk_points"]))


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def all_points(source: DataSource) -> gpd.GeoDataFrame:
    """Every risk point of the store, including the retired and rejected ones (for review)."""
    return store().read_layer("risk_points", include_retired=True)


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def coverage_for(source: DataSource, swim_radius_m: float, rescue_radius_m: float) -> gpd.GeoDataFrame:
    """Coverage table of the risk points for the chosen reach."""
    layers = load_layers(source).layers
    return coverage_table(
        layers["risk_points"],
        layers["swim_classes"],
        layers["rescue_trainings"],
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
    )


@st.cache_resource(show_spinner=False, max_entries=_CACHED_REVISIONS)
def shared_layers(source: DataSource) -> LoadedData:
    """:func:`load_layers`, the same objects for every call: read them, never change them.

    ``st.cache_data`` hands each call a fresh copy (0.6 s of every rerun of the map page at
    100,000 points); a page that only reads the layers takes them from here.
    """
    return load_layers(source)


@st.cache_resource(show_spinner=False, max_entries=_CACHED_REVISIONS)
def shared_coverage(source: DataSource, swim_radius_m: float, rescue_radius_m: float) -> gpd.GeoDataFrame:
    """:func:`coverage_for`, the same object for every call: read it, never change it (see above)."""
    return coverage_for(source, swim_radius_m, rescue_radius_m)


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def summary_for(source: DataSource, swim_radius_m: float, rescue_radius_m: float) -> gpd.GeoDataFrame:
    """Per-commune summary and priority ranking for the chosen reach."""
    layers = load_layers(source).layers
    return commune_summary(layers["communes"], coverage_for(source, swim_radius_m, rescue_radius_m))


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def preview_upload(source: DataSource, file_name: str, data: bytes) -> ValidationReport:
    """Check an uploaded file against the store without writing anything."""
    return store().preview_import(data, filename=file_name)


def import_upload(
    file_name: str, data: bytes, *, user: User, skip_invalid: bool, approved: bool = False
) -> ImportResult:
    """Import an uploaded file into the store (all of it, or with ``skip_invalid`` its valid rows).

    The store refuses an import the logged-in ``user`` may not make (a coded
    PermissionDeniedError). Imported risk points wait for review unless ``approved``
    (an officer's choice).
    """
    return store().import_file(
        data, filename=file_name, user=user, skip_invalid=skip_invalid, approved=approved
    )


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def inspections_for(source: DataSource, point_id: str) -> pd.DataFrame:
    """The inspections of one risk point, oldest first."""
    return store().inspections(point_id)


@st.cache_data(show_spinner=False, max_entries=_CACHED_REVISIONS)
def history_for(source: DataSource, point_id: str) -> pd.DataFrame:
    """The history of one risk point, oldest first, values before and after as readable JSON."""
    frame = store().history(point_id)
    for column in ("old", "new"):
        frame[column] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in frame[column]]
    return frame


def save_and_rerun(notice: str) -> None:
    """After a write: keep a confirmation for the next run and run the page again on fresh data."""
    st.session_state[_NOTICE_KEY] = notice
    st.rerun()


def show_notice() -> None:
    """Show (once) the confirmation left by :func:`save_and_rerun`."""
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")


def show_problems(heading: str, error: HotspotsError) -> None:
    """Show why the store refused something: a heading, then each problem on its own line.

    Messages are shown in the session's language when the library gave them a code,
    in English otherwise.
    """
    lang = language()
    problems = getattr(error, "problems", None)
    if problems:
        lines = [_problem_line(p, lang) for p in problems if p.severity == "error"]
    else:
        lines = [problem_message(error, lang)]
    st.error("\n".join([heading, *(f"- {line}" for line in lines)]), icon=":material/error:")


# Streamlit 1.67 writes some of its own words in English only. The file uploader's button ("Upload") gets
# the user's language; its size line ("50MB per file", the server's limit even where the app takes less)
# goes: each uploader's label already says its limit and file types (the report page's photos: 5 MB). The
# "Stop" button beside the running indicator at the top of the page goes too (the indicator stays): it
# only stops drawing the page, and no officer needs it.
_STREAMLIT_WORDS_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: %s; }
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stStatusWidget"] button { display: none; }
</style>"""


def localise_streamlit_words(lang: str) -> None:
    """Put the file uploaders' button in ``lang``, drop Streamlit's other English words (a style only)."""
    # A CSS string: JSON's escapes of quotes and backslashes are CSS's too; "<" could end the style element.
    button = json.dumps(t("app.upload_button", lang), ensure_ascii=False).replace("<", "\\3c ")
    st.html(_STREAMLIT_WORDS_CSS % button)


@contextlib.contextmanager
def app_shell() -> Iterator[None]:
    """Mark this script run as app.py's: the shell (page setup, navigation, sidebar) is drawn."""
    token = _IN_SHELL.set(True)
    try:
        yield
    finally:
        _IN_SHELL.reset(token)


def language() -> str:
    """The session's language (the switch lives in the sidebar).

    Every page asks for it first. Right after a restart Streamlit's legacy ``pages/`` mode
    runs ``pages/<file>.py`` by itself at ``/<file>`` (an old bookmark such as ``/review``):
    called outside app.py's shell, this runs the shell instead, which opens its own page for
    the address, and stops the bare page. Not for widget callbacks or fragments, which run
    outside the shell.
    """
    if not _IN_SHELL.get():
        _run_app_shell()
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def radii() -> tuple[int, int]:
    """The session's swimming-class and rescue-training reach, in metres."""
    return (
        int(st.session_state.get("swim_radius_m", DEFAULT_SWIM_RADIUS_M)),
        int(st.session_state.get("rescue_radius_m", DEFAULT_RESCUE_RADIUS_M)),
    )


def render_sidebar_shell() -> LoadedData | None:
    """Language switch, data date, sample badge and reach sliders; ``None`` when the data cannot be read."""
    sidebar = st.sidebar
    sidebar.segmented_control(
        t("app.language", language()),
        LANGUAGES,
        default=DEFAULT_LANGUAGE,
        required=True,
        format_func=LANGUAGE_NAMES.get,
        key="lang",
    )
    lang = language()
    try:
        data = load_layers(data_source())
    except HotspotsError as error:
        st.error(t("app.load_error", lang, error=problem_message(error, lang)))
        return None
    render_login(data)
    if data.is_sample:
        sidebar.badge(
            t("app.sample_badge", lang),
            icon=":material/science:",
            color="orange",
            help=t("app.sample_help", lang),
        )
    if data.data_date is None:
        sidebar.caption(t("app.data_date_unknown", lang))
    else:
        sidebar.caption(t("app.data_date", lang, date=format_date(data.data_date, lang)))
    sidebar.caption(t("app.points_loaded", lang, count=format_number(len(data.layers["risk_points"]), lang)))
    sidebar.subheader(t("app.reach", lang))
    for key, default, text in (
        ("swim_radius_m", DEFAULT_SWIM_RADIUS_M, "app.swim_radius"),
        ("rescue_radius_m", DEFAULT_RESCUE_RADIUS_M, "app.rescue_radius"),
    ):
        sidebar.slider(
            t(text, lang),
            *RADIUS_RANGE_M,
            value=default,
            step=RADIUS_STEP_M,
            key=key,
            help=t("app.radius_help", lang),
        )
    return data


def current_user() -> User | None:
    """The session's logged-in user, ``None`` when nobody is logged in.

    With single sign-on switched on (an ``[auth]`` section in the secrets), a person
    Streamlit's ``st.login`` logged in is looked up by e-mail in the store on the
    first run of the session; an address without an account is shown why in the sidebar.
    """
    user = st.session_state.get(_USER_KEY)
    if isinstance(user, User):
        return user
    if sso_enabled() and st.user.get("is_logged_in") and "_sso_refused" not in st.session_state:
        try:
            user = store().user_for_email(
                str(st.user.get("email") or ""),
                configured=configured_accounts(),
                demo_allowed=_demo_allowed(),
            )
        except HotspotsError as error:
            st.session_state["_sso_refused"] = error
            return None
        st.session_state[_USER_KEY] = user
        return user
    return None


def may_open(user: User | None, page: str) -> bool:
    """Whether ``user`` (``None``: nobody logged in) may use the page named ``page`` of :data:`URL_PATHS`."""
    action = PAGE_ACTIONS[page]
    return action is None or (user is not None and user.may(action, anywhere=True))


def page_of(path: str) -> str:
    """The name of the page served at ``/<path>`` (see :data:`URL_PATHS`)."""
    return next(name for name, url in URL_PATHS.items() if url == path)


def acting_user(page: str) -> User:
    """The logged-in user allowed on ``page``; otherwise show the login prompt and stop the page."""
    user = current_user()
    if not may_open(user, page):
        login_gate(page)
        st.stop()
    return user


def login_gate(page: str) -> None:
    """A forbidden page's only content: its title, "log in as ...", and the login form."""
    lang = language()
    user = current_user()
    role = label("role", least_role(PAGE_ACTIONS[page]), lang)
    st.title(t(f"nav.{page}", lang))
    if user is None:
        st.warning(t("login.needed", lang, role=role), icon=":material/lock:")
    else:
        st.warning(t("login.not_allowed", lang, name=user.display_name, role=role), icon=":material/lock:")
    _login_form(st.container(), key="gate")


def configured_accounts() -> dict:
    """The ``[users]`` table of the app's secrets as a plain dict (empty without secrets)."""
    users = _secrets().get("users", {})
    return users if isinstance(users, dict) else {}


def sso_enabled() -> bool:
    """Whether single sign-on is switched on: the secrets have an ``[auth]`` section."""
    return isinstance(_secrets().get("auth"), dict)


def render_login(data: LoadedData | None) -> None:
    """Sidebar: who is logged in and the logout button, or the login form; the demo accounts' notice."""
    lang = language()
    sidebar = st.sidebar
    user = current_user()
    if user is None:
        sidebar.subheader(t("login.heading", lang))
        refused = st.session_state.get("_sso_refused")
        if refused is not None:
            sidebar.error(t("login.failed", lang) + " " + problem_message(refused, lang))
        _login_form(sidebar, key="login")
    else:
        roles = ", ".join(label("role", r, lang) for r in sorted(user.roles))
        sidebar.caption(t("login.signed_in", lang, name=user.display_name, roles=roles))
        if user.communes is not None:
            sidebar.caption(t("login.communes", lang, communes=", ".join(sorted(user.communes))))
        if sidebar.button(t("login.logout", lang), key="logout"):
            st.session_state.pop(_USER_KEY, None)
            st.session_state.pop("_sso_refused", None)
            if sso_enabled() and st.user.get("is_logged_in"):
                st.logout()
            st.rerun()
    demo = sorted(name for name, entry in configured_accounts().items() if entry.get("demo"))
    if demo and data is not None and data.is_sample:
        sidebar.warning(t("login.demo", lang, names=", ".join(demo)), icon=":material/science:")


def _login_form(where: DeltaGenerator, *, key: str) -> None:
    """Name, password, submit; the office-account button when single sign-on is on."""
    lang = language()
    with where.form(f"{key}_form", border=key == "gate"):
        name = st.text_input(t("login.name", lang), key=f"{key}_name", autocomplete="username")
        password = st.text_input(
            t("login.password", lang), type="password", key=f"{key}_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit", lang), type="primary", key=f"{key}_submit")
    if submitted:
        try:
            user = store().authenticate(
                name, password, configured=configured_accounts(), demo_allowed=_demo_allowed()
            )
        except HotspotsError as error:
            where.error(t("login.failed", lang) + " " + problem_message(error, lang), icon=":material/error:")
        else:
            st.session_state[_USER_KEY] = user
            st.rerun()
    if sso_enabled() and where.button(t("login.sso", lang), key=f"{key}_sso"):
        try:
            st.login()
        except StreamlitMissingAuthlibError:
            where.error(t("login.sso_missing", lang), icon=":material/error:")
        except StreamlitAuthError as error:
            where.error(t("login.failed", lang) + " " + str(error), icon=":material/error:")


def _demo_allowed() -> bool:
    # Demonstration accounts work only while the sample data is loaded.
    try:
        return load_layers(data_source()).is_sample
    except HotspotsError:
        return False


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        return {}


def _run_app_shell() -> NoReturn:
    from app import main  # app.py imports this module: import it back only when needed

    main()
    st.stop()


@st.cache_resource(show_spinner=False)
def _open_store(database_url: str, store_dir: str, seed_dir: str) -> Store:
    # The arguments only key the cache: open_store reads the same variables itself.
    return open_store(seed_from=seed_dir)


def _problem_line(problem: Problem, lang: str) -> str:
    # One point at a time: "feature #1" would only confuse; the field says where to look.
    where = f"{field_label(problem.field, lang)}: " if problem.field and problem.field != "geometry" else ""
    return f"{where}{problem_message(problem, lang)}"


if __name__ == "__main__":
    # Streamlit's legacy pages/ mode serves this file too (at /common) right after a restart.
    _run_app_shell()


def show_cached_map(
    fmap: folium.Map, *, key: str, height: int, returned_objects: tuple[str, ...] = ()
) -> dict | None:
    """Show a map built (and rendered) once by a cached function; return what the page listens to.

    The cached map serves every session: its component strings are made once, from a copy
    (``st_folium`` rewrites the map it is given), and reused on every rerun (see ``pages._folium``).
    """
    return show_prepared(fmap, key=key, height=height, returned_objects=returned_objects)
