"""Drowning-risk hotspot mapper: the app shell (page setup, navigation, shared sidebar).

Run with ``streamlit run app.py``. The pages live in ``pages/``; the logic in ``hotspots/``.

Every page has one address (:data:`pages._common.URL_PATHS`): the map, the default page, is
at ``/`` (Streamlit serves the default page there whatever its ``url_path``), the others at
``/xa-phuong``, ``/bao-diem`` and ``/duyet-kiem-tra``. Right after a restart, until a session
has called ``st.navigation``, Streamlit is in its legacy ``pages/`` mode: it serves
``pages/<name>.py`` at ``/<name>`` and answers any other address with a "Page not found"
dialog. So each address also has a file of that name in ``pages/`` (``pages/bao-diem.py``)
which runs :func:`main`: a bookmark opened first after a restart gets the whole app, at once.
And a page file run by itself that way (an old bookmark such as ``/review``) runs the shell
too, through :func:`pages._common.language`, so no page is ever shown bare.

Who may use which page: anyone sees the map and the communes; the report page needs the
``report`` permission (field staff and up), the review page ``review`` (officers and up),
the planning page ``plan`` (planners and admins), see :data:`pages._common.PAGE_ACTIONS`.
A page the session's user may not use stays registered, so its address still resolves (never
Streamlit's "Page not found"), but is hidden from the menu, and opening it shows only its title,
"log in as ..." and the login form.
"""

from pathlib import Path

import streamlit as st

from hotspots.analysis import pending_count
from hotspots.errors import HotspotsError
from hotspots.i18n import t
from hotspots.store import User
from pages._common import (
    URL_PATHS,
    all_points,
    app_shell,
    current_user,
    data_source,
    language,
    localise_streamlit_words,
    login_gate,
    may_open,
    page_of,
    render_sidebar_shell,
)

PAGES_DIR = Path(__file__).resolve().parent / "pages"
#: The page at ``/``.
DEFAULT_PAGE = "map"
PAGE_ICONS = {
    "map": ":material/map:",
    "communes": ":material/table_chart:",
    "report": ":material/add_location_alt:",
    "review": ":material/fact_check:",
    "analysis": ":material/insights:",
    "plan": ":material/event_note:",
}


def main() -> None:
    """Set the page up, register the pages, draw the shared sidebar, then run the page asked for."""
    with app_shell():
        lang = language()
        st.set_page_config(page_title=t("app.title", lang), page_icon="🛟", layout="wide")
        localise_streamlit_words(lang)
        user = current_user()
        navigation = st.navigation(
            [
                st.Page(
                    PAGES_DIR / f"{name}.py",
                    title=page_title(name, user, lang),
                    icon=icon,
                    url_path=URL_PATHS[name],
                    default=name == DEFAULT_PAGE,
                    visibility="visible" if may_open(user, name) else "hidden",
                )
                for name, icon in PAGE_ICONS.items()
            ]
        )
        if render_sidebar_shell() is None:
            return
        page = page_of(navigation.url_path)
        if may_open(current_user(), page):
            navigation.run()
        else:
            login_gate(page)


def page_title(name: str, user: User | None, lang: str) -> str:
    """A page's name in the menu; the review page's says how many reports wait in the reviewer's communes."""
    if name == "review" and user is not None and user.may("review", anywhere=True):
        count = pending_in_scope(user)
        if count:
            return t("nav.review_count", lang, count=count)
    return t(f"nav.{name}", lang)


def pending_in_scope(user: User) -> int:
    """How many points await review in the user's communes (0 when the data cannot be read)."""
    try:
        points = all_points(data_source())
    except HotspotsError:
        return 0  # the sidebar says why the data cannot be read
    if user.communes is not None:
        points = points[points["commune_id"].isin(user.communes)]
    return pending_count(points)


if __name__ == "__main__":
    main()
