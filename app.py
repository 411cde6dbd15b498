"""Drowning-risk hotspot mapper: the app shell (page setup, navigation, shared sidebar).

Run with ``streamlit run app.py``. The pages live in ``pages/``; the logic in ``hotspots/``.
"""

import streamlit as st

from hotspots.i18n import t
from pages._common import language, render_sidebar_shell

st.set_page_config(page_title=t("app.title", language()), page_icon="🛟", layout="wide")

navigation = st.navigation(
    [
        st.Page(
            "pages/map.py",
            title=t("nav.map", language()),
            icon=":material/map:",
            url_path="map",
            default=True,
        ),
        st.Page(
            "pages/communes.py",
            title=t("nav.communes", language()),
            icon=":material/table_chart:",
            url_path="communes",
        ),
        st.Page(
            "pages/report.py",
            title=t("nav.report", language()),
            icon=":material/add_location_alt:",
            url_path="report",
        ),
        st.Page(
            "pages/review.py",
            title=t("nav.review", language()),
            icon=":material/fact_check:",
            url_path="review",
        ),
    ]
)
if render_sidebar_shell() is not None:
    navigation.run()
