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

from hotspots.i18n import t
from pages._common import (
    URL_PATHS,
    app_shell,
    current_user,
    language,
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
        user = current_user()
        navigation = st.navigation(
            [
                st.Page(
                    PAGES_DIR / f"{name}.py",
                    title=t(f"nav.{name}", lang),
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


if __name__ == "__main__":
    main()
