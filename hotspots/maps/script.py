"""The map's shared setup: its styles and the ``hsMap`` JavaScript helpers that draw points and popups.

The CSS and JavaScript live as Jinja templates in ``templates/`` next to this module
(``map_setup.css``, ``map_setup.js``), read once at import; ``this`` in them is the
:class:`MapSetup` element.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Final

import branca.element
from folium.elements import JSCSSMixin
from folium.template import Template

from hotspots.analysis import COVERAGE_STATUSES
from hotspots.errors import HotspotsError
from hotspots.i18n import t
from hotspots.maps.assets import walk_elements
from hotspots.maps.points import FIXED_POINT, PointRows
from hotspots.maps.style import (
    COVERAGE_COLOURS,
    DETAIL_ZOOM,
    FOCUS_PANE,
    MOBILE_WIDTH_PX,
    NO_PLAY_STYLE,
    OVERDUE_STYLE,
    PASSIVE_PANE,
    PENDING_STYLE,
    POINTS_PANE,
    WATER_COLOUR,
)

#: Photos shown in a point's popup, at most.
MAX_POPUP_PHOTOS: Final = 3
# A thumbnail is a base64 data URI of a JPEG or PNG: nothing in it can close the attribute it sits in.
_THUMBNAIL_URI: Final = re.compile(r"data:image/(?:jpeg|png);base64,[A-Za-z0-9+/]+={0,2}")


def _read_template(name: str) -> str:
    """Return the text of ``templates/<name>`` (package data, UTF-8)."""
    return (resources.files("hotspots.maps") / "templates" / name).read_text(encoding="utf-8")


class MapSetup(branca.element.MacroElement):
    """Styles, Leaflet's marker image path and the shared ``hsMap`` helpers (popups, markers).

    ``photos`` maps point ids to thumbnails (see :func:`popup_photos`); a popup shows those of its point.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}<style>\n"
        + _read_template("map_setup.css")
        + "</style>{% endmacro %}\n{% macro script(this, kwargs) %}\n"
        + _read_template("map_setup.js")
        + "{% endmacro %}"
    )

    def __init__(
        self,
        rows: PointRows,
        *,
        lang: str,
        image_path: str,
        photos: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.detail_zoom = DETAIL_ZOOM
        self.image_path = image_path
        self.mobile_width = MOBILE_WIDTH_PX
        tables = rows.tables()
        self.colours = [COVERAGE_COLOURS[s] for s in COVERAGE_STATUSES]
        stops, start = [], 0
        for colour in self.colours:
            stops.append(f"{colour} {start}deg {start + 90}deg")
            start += 90
        self.gradient = ", ".join(stops)
        self.no_play_fill = NO_PLAY_STYLE["fill"]
        self.no_play_stroke = NO_PLAY_STYLE["stroke"]
        self.water = WATER_COLOUR
        self.pending_style = dict(PENDING_STYLE)
        self.overdue_style = dict(OVERDUE_STYLE)
        self.passive_pane = PASSIVE_PANE
        self.points_pane = POINTS_PANE
        self.focus_pane = FOCUS_PANE
        self.texts = {
            "h": {
                key: html.escape(t(f"popup.{source}", lang))
                for key, source in (
                    ("water", "water_type"),
                    ("hazards", "hazards"),
                    ("commune", "commune"),
                    ("inspected", "last_inspected"),
                    ("coverage", "coverage"),
                    ("swim", "nearest_swim"),
                    ("rescue", "nearest_rescue"),
                )
            },
            "none": html.escape(t("popup.none", lang)),
            "overdue": html.escape(t("popup.overdue", lang)),
            "unknown": html.escape(t("popup.unknown", lang)),
            "photo": html.escape(t("popup.photo", lang)),
            "decimal": "," if lang == "vi" else ".",
            **{key: tables[key] for key in ("coverage", "water_type", "risk_level", "status", "hazard")},
        }
        self.names = {key: tables[key] for key in ("commune", "swim", "rescue", "date")}
        self.origin = list(rows.origin)
        self.scale = FIXED_POINT
        self.fields = {name: i for i, name in enumerate(PointRows.FIELDS)}
        self.kind_bits = PointRows.KIND_BITS
        self.photos = popup_photos(rows, photos)
        #: Names the points this map holds (``hsMap.token``): a filter sent later says which map it is
        #: for. The same points give the same token, so a map rebuilt on each rerun keeps its script.
        self.token = rows.fingerprint()


class AfterPointsBlock(branca.element.MacroElement):
    """Opens, or closes, the part of the map's script drawn after the risk points' first frame.

    Everything a map holds between an opening and a closing block (in the order of its children,
    which is the order of its script, rendered whole or by ``st_folium``) runs in
    ``hsMap.afterPoints``: in a task of its own, once the browser has drawn the frame that shows the
    points. The province, communes, water, reach, facilities, minimap, controls and legend then no
    longer hold the points back (0.4–0.5 s at 891 points, ``benchmarks/browser_map.py``); a page
    sets ``window.hsBackgroundDrawn`` when they are on the map. The layer control that lists them
    goes in the block too; the closing block makes each element's variable global again, as
    folium's page has it. Needs :class:`MapSetup` earlier in the same map.

    The files that only the block's elements load (the minimap's, fullscreen's, locate's and measure's
    plugins, the heat map's) can leave the page's head too: :meth:`defer_files`, on the closing block,
    has ``hsMap.afterPoints`` fetch them after the points' frame (0.08 s at 891 points).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.opening %}hsMap.afterPoints(function () {\n{% else %}"
        "{% for name in this.block_names() %}"
        'if (typeof {{ name }} !== "undefined") { window.{{ name }} = {{ name }}; }\n'
        "{% endfor %}}, {{ this.files|tojson }});\n{% endif %}"
        "{% endmacro %}"
    )

    def __init__(self, *, opening: bool) -> None:
        super().__init__()
        self._name = "AfterPointsBlock"
        self.opening = opening
        #: URLs fetched after the points' frame, before the block runs (closing block, :meth:`defer_files`).
        self.files: dict[str, list[str]] = {"js": [], "css": []}

    def block_names(self) -> list[str]:
        """Names of the map's children between the opening block and this one (as they are now)."""
        return [child.get_name() for child in self._block_children()]

    def defer_files(self) -> None:
        """Move the files only the block's elements load out of the page's head, into :attr:`files`.

        Call it on the closing block once the map is complete and its elements point at their files
        (:func:`hotspots.maps.assets.use_assets`). A file that an element outside the block loads as
        well stays in the head: the points may need it. Both renderings read the elements' lists
        (folium's page header and ``st_folium``'s links), so neither loads a deferred file up front.
        """
        inside = [
            e for child in self._block_children() for e in walk_elements(child) if isinstance(e, JSCSSMixin)
        ]
        inside_ids = {id(e) for e in inside}
        outside = [
            e for e in walk_elements(self.get_root()) if isinstance(e, JSCSSMixin) and id(e) not in inside_ids
        ]
        for kind in ("js", "css"):
            attribute = f"default_{kind}"
            needed_first = {url for e in outside for _, url in getattr(e, attribute)}
            for element in inside:
                links = getattr(element, attribute)
                deferred = [url for _, url in links if url not in needed_first]
                self.files[kind].extend(url for url in deferred if url not in self.files[kind])
                # Set on the instance, as use_assets does: folium's classes stay as they are.
                setattr(element, attribute, [link for link in links if link[1] in needed_first])

    def _block_children(self) -> list[branca.element.Element]:
        """Return the map's children between the opening block and this one (as they are now)."""
        children: list[branca.element.Element] = []
        inside = False
        for child in self._parent._children.values():
            if child is self:
                return children
            if isinstance(child, AfterPointsBlock):
                inside, children = child.opening, []
            elif inside:
                children.append(child)
        return children


def popup_photos(rows: PointRows, photos: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Return the first :data:`MAX_POPUP_PHOTOS` thumbnails of each point of ``rows`` that has any.

    Keys are the ids as the rows carry them (HTML-escaped); points not in ``rows`` are left out,
    so the page carries only the photos of the points it shows. Nothing is done without photos.

    Raises
    ------
    HotspotsError
        If a thumbnail is not a base64 ``data:image/jpeg`` or ``data:image/png`` URI.
    """
    if not photos:
        return {}
    shown = set(rows.ids)
    kept = {}
    for point_id, uris in photos.items():
        key = html.escape(str(point_id))
        first = [str(uri) for uri in list(uris)[:MAX_POPUP_PHOTOS]]
        if key not in shown or not first:
            continue
        for uri in first:
            if not _THUMBNAIL_URI.fullmatch(uri):
                msg = f"The thumbnail of {point_id} is not a base64 data:image/jpeg or data:image/png URI."
                raise HotspotsError(msg)
        kept[key] = first
    return kept
