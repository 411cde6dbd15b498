"""Every page's own address, opened first on a fresh server, shows that page in the app shell.

A bookmark or a shared link is often the first visit after the server (re)started. Each
address gets a ``streamlit run`` of its own and must show its own page's title (not the map,
nor the page that happened to be open before; a page reserved to a role shows its title over
the login form), with the sidebar's navigation and language switch, and without Streamlit's
"Page not found" dialog. Screenshots:
``artifacts/screenshots/address-<page>.png``.
"""

from __future__ import annotations

import contextlib
import re

import pytest

from hotspots.errors import SchemaError
from hotspots.i18n import t
from hotspots.store import open_store
from pages._common import URL_PATHS
from tests.browser_kit import (
    TIMEOUT_MS,
    offline_page,
    real_errors,
    screenshot,
    store_url,
    streamlit_server,
)

pytestmark = pytest.mark.browser

#: (address, page): the home page at "/", then every page at its own url_path.
ADDRESSES = [("/", "map"), *((f"/{path}", name) for name, path in URL_PATHS.items() if path)]
#: Streamlit's own modal when an address matches no page (in English whatever the app's language).
NOT_FOUND = "Page not found"
#: How long the page may take, after its title is drawn, to show a late dialog or switch pages.
SETTLE_MS = 2_500


@pytest.mark.parametrize(("address", "name"), ADDRESSES, ids=[address for address, _ in ADDRESSES])
def test_each_address_opens_its_own_page_on_a_fresh_server(browser, tmp_path_factory, address, name):
    from playwright.sync_api import expect

    with streamlit_server(tmp_path_factory) as (url, env):
        context, page, blocked, errors = offline_page(browser, url, width=1400, height=900)
        try:
            page.goto(url + address)
            heading = page.locator("[data-testid='stMain'] h1").first
            heading.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_timeout(SETTLE_MS)
            screenshot(page, f"address-{name}" if address != "/" else "address-home")
            dialog = page.locator("[role='dialog']").filter(has_text=NOT_FOUND)
            assert dialog.count() == 0, f"{address} on a fresh server: {dialog.first.inner_text()!r}"
            titles = _titles(name, env)
            expect(heading).to_have_text(re.compile("|".join(f"^{re.escape(title)}$" for title in titles)))

            # The app shell: the menu (which lists at least the home page) and the language switch.
            navigation = page.get_by_test_id("stSidebarNav").inner_text()
            assert t("nav.map", "vi") in navigation, navigation
            # Files of pages/ are no pages of their own: pages/_common.py, nor a file named after an address.
            assert "common" not in navigation
            assert not [path for path in URL_PATHS.values() if path and path in navigation], navigation
            expect(page.get_by_text(t("app.language", "vi"), exact=True).first).to_be_visible()
            assert not real_errors(errors, blocked)
        finally:
            context.close()


def _titles(name: str, env: dict[str, str]) -> set[str]:
    """The Vietnamese titles a page may show: its own (``<page>.title``) or its name in the menu.

    The menu's name is the title of a page that has no title of its own, and of a page
    reserved to a role, shown over the login form. The map's title names the province.
    """
    titles = {t(f"nav.{name}", "vi")}
    if name == "map":
        with open_store(store_url(env), seed=False) as store:
            province = store.read_layer("province")["name"].iloc[0]
        titles.add(t("map.title", "vi", province=province))
    else:
        with contextlib.suppress(SchemaError):  # no such key: the page is titled by its menu name
            titles.add(t(f"{name}.title", "vi"))
    return titles
