"""A planner's journey in a real headless Chromium: 3 new classes, into the plan, the season as ``.ics``.

From a fresh server: log in as a planner on the planning page (``/ke-hoach``), ask for
3 new swimming-class sites, add them to the plan, open the schedule tab and download the
iCalendar file. The file must parse back with ``icalendar``, hold one event per course with
a stable ``UID``, a ``GEO`` and Asia/Ho_Chi_Minh times, and schedule exactly the 3 sites
just planned (the schedule uses the stored planned sites once there are any). Done at
desktop width and on a 390 px phone, where the settings live in the collapsed sidebar.
"""

from __future__ import annotations

import re

import icalendar
import pytest
from playwright.sync_api import expect

from hotspots.i18n import t
from hotspots.store import open_store
from pages._common import URL_PATHS
from tests.browser_kit import SCREENSHOTS, TIMEOUT_MS, log_in, real_errors, store_url

pytestmark = pytest.mark.browser

LANG = "vi"
NEW_SITES = 3


def planned_ids(env: dict[str, str]) -> set[str]:
    """Ids of the server's swimming classes whose status is ``planned``."""
    with open_store(store_url(env), seed=False) as store:
        classes = store.read_layer("swim_classes")
    return set(classes.loc[classes["status"] == "planned", "class_id"])


def open_settings(page, *, phone: bool) -> None:
    """On a phone the settings are in the sidebar, which starts collapsed: open it."""
    if phone:
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_label(t("plan.k", LANG)).wait_for(timeout=TIMEOUT_MS)


def close_settings(page, *, phone: bool) -> None:
    """On a phone the open sidebar covers the page: close it again."""
    if phone:
        page.get_by_test_id("stSidebar").get_by_test_id("stSidebarCollapseButton").click()


@pytest.mark.parametrize("width", [1400, 390], ids=["desktop", "phone"])
def test_plan_three_classes_add_them_and_download_the_season_as_ics(browser, width, tmp_path_factory):
    from tests.browser_kit import offline_page, streamlit_server

    phone = width < 600
    # A server of its own: the journey adds planned sites, which the other width must not see.
    with streamlit_server(tmp_path_factory) as (url, env):
        context, page, blocked, errors = offline_page(
            browser, url, width=width, height=844 if phone else 900, accept_downloads=True
        )
        try:
            page.goto(url + "/" + URL_PATHS["plan"])
            log_in(page, env, "planner")
            before = planned_ids(env)

            open_settings(page, phone=phone)
            k_input = page.get_by_test_id("stSidebar").get_by_label(t("plan.k", LANG))
            k_input.fill(str(NEW_SITES))
            k_input.press("Enter")
            expect(k_input).to_have_value(str(NEW_SITES))
            close_settings(page, phone=phone)

            main = page.get_by_test_id("stMain")
            add = main.get_by_role("button", name=t("plan.add", LANG))
            expect(add).to_be_enabled(timeout=TIMEOUT_MS)
            add.click()
            added_text = t("plan.added", LANG, count=NEW_SITES, ids="").removesuffix(".")
            added = main.get_by_text(re.compile(re.escape(added_text)))
            expect(added.first).to_be_visible(timeout=TIMEOUT_MS)
            new = planned_ids(env) - before
            assert len(new) == NEW_SITES, f"{len(new)} planned sites stored, not {NEW_SITES}: {sorted(new)}"
            for site_id in new:
                expect(added.first).to_contain_text(site_id)

            main.get_by_role("tab", name=t("plan.tab.schedule", LANG)).click()
            expect(main.get_by_text(t("plan.schedule_of_planned", LANG))).to_be_visible(timeout=TIMEOUT_MS)
            download_button = main.get_by_role("button", name=t("plan.download", LANG, format="iCalendar"))
            download_button.scroll_into_view_if_needed()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"plan-schedule-{'phone' if phone else 'desktop'}.png"))
            with page.expect_download(timeout=TIMEOUT_MS) as download_info:
                download_button.click()
            download = download_info.value
            assert download.suggested_filename.endswith(".ics")
            calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
        finally:
            context.close()

    events = list(calendar.walk("VEVENT"))
    assert events, "the calendar has no event"
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids), "two events share a UID"
    scheduled_sites = {uid.removesuffix("@hotspots").rsplit("-", 1)[0] for uid in uids}
    assert scheduled_sites == new, f"the calendar schedules {sorted(scheduled_sites)}, not {sorted(new)}"
    for event in events:
        assert "GEO" in event, f"{event['UID']} has no GEO"
        assert str(event["DTSTART"].dt.tzinfo) == "Asia/Ho_Chi_Minh"
        assert str(event["LOCATION"]).strip()
    assert not real_errors(errors, blocked)
