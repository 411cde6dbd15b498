"""Drowning-risk hotspot mapper: the app shell (page setup, navigation, shared sidebar).

Run with ``streamlit run app.py``. The pages live in ``pages/``; the logic in ``hotspots/``.
"""

import streamlit as st

from hotspots.i18n import t
from pages._common import URL_PATHS, language, render_sidebar_shell

st.set_page_config(page_title=t("app.title", language()), page_icon="🛟", layout="wide")

PAGE_ICONS = {
    "map": ":material/map:",
    "communes": ":material/table_chart:",
    "report": ":material/add_location_alt:",
    "review": ":material/fact_check:",
}

navigation = st.navigation(
    [
        st.Page(
            f"pages/{name}.py",
            title=t(f"nav.{name}", language()),
            icon=icon,
            url_path=URL_PATHS[name],
            default=name == "map",
        )
        for name, icon in PAGE_ICONS.items()
    ]
)
if render_sidebar_shell() is not None:
    navigation.run()
