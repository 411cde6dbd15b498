"""Commune action sheets and the province summary: Jinja2 HTML templates printed to A4 PDF by WeasyPrint.

One commune fills one A4 page: its map (:mod:`hotspots.reports.sheet_map`), its figures, a
table of its black spots and the risk points most in need (nearest swimming class and rescue
training, in metres), its inspections and the actions of :mod:`hotspots.analysis.actions`.
The province summary has the counts and coverage shares, the province map, the significant
clusters, the communes ranked by priority, the inspections and the plan.

Templates live in ``templates/`` (``base.html``, ``commune_sheets.html``,
``province_summary.html``, ``sheet.css``). Autoescape is always on: names are user data, and
``<img src=x onerror=...>`` in a name prints as those characters. The PDF is printed in
black and white friendly greys, with "Noto Sans" or "DejaVu Sans" (both cover Vietnamese);
WeasyPrint fetches nothing from outside (no network, no file).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path
from typing import Final

import jinja2
import pandas as pd
from markupsafe import Markup

from hotspots.analysis import (
    DEFAULT_DUE_SOON_DAYS,
    HOTSPOT_BLACK_SPOT_FACTOR,
    action_text,
    coverage_summary,
    inspection_counts,
    summary_text,
)
from hotspots.config import BLACK_SPOT_INSPECTION_INTERVAL_MONTHS, INSPECTION_INTERVAL_MONTHS
from hotspots.errors import HotspotsError
from hotspots.i18n import (
    check_language,
    format_date,
    format_distance,
    format_number,
    format_share,
    label,
    t,
)
from hotspots.reports.communes import play_space_flag
from hotspots.reports.sheet_data import SheetInputs
from hotspots.reports.sheet_map import (
    COMMUNE_MAP_HEIGHT_MM,
    LEGEND_KINDS,
    PRIORITY_GREYS,
    MapLayers,
    commune_map,
    legend_symbol,
    map_layers,
    priority_symbol,
    province_map,
)

TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"
#: Rows of a commune's table: every black spot, then the risk points most in need up to this many.
MAX_TABLE_ROWS: Final = 10
#: What can be downloaded: one commune's sheet, every commune's, the province summary.
SHEET_KINDS: Final = ("commune", "all", "province")
PDF_MIME: Final = "application/pdf"
#: Longest place name in a table row; longer ones are cut with "…" so that a row keeps to one line.
MAX_NAME_CHARACTERS: Final = 32
#: Height of a commune's map when the page has room; it shrinks, down to the minimum, to leave
#: room for long action lists or many black spots, so that a commune always fills one page.
MIN_COMMUNE_MAP_HEIGHT_MM: Final = 50.0
# Order of the risk points in a commune's table after the black spots: least covered first.
_GAP_ORDER: Final = {"neither": 0, "swim_only": 1, "rescue_only": 1, "both": 2}
# Page budget of a commune's sheet: lines of actions that fit under a full-height map, characters
# in a line of actions, and the height of a line of actions and of a table row (millimetres).
_FREE_ACTION_LINES: Final = 6
_ACTION_LINE_CHARACTERS: Final = 130
_ACTION_LINE_MM: Final = 3.8
_TABLE_ROW_MM: Final = 4.4


def commune_sheets_html(inputs: SheetInputs, commune_ids: Sequence[str] | None = None, *, lang: str) -> str:
    """Render the action sheets of some communes (all, in priority order, by default) as one HTML page.

    Raises
    ------
    HotspotsError
        For an unknown commune.
    """
    check_language(lang)
    ids = list(inputs.commune_ids if commune_ids is None else commune_ids)
    layers = map_layers(inputs)
    sheets = [_commune_view(inputs, layers, commune_id, lang) for commune_id in ids]
    title = sheets[0]["title"] if len(sheets) == 1 else t("sheet.download_all", lang)
    return _template("commune_sheets.html").render(
        **_common(inputs, lang), doc_title=title, sheets=sheets, legend=_legend(inputs, lang)
    )


def province_summary_html(inputs: SheetInputs, *, lang: str) -> str:
    """Render the province summary as an HTML page."""
    check_language(lang)
    layers = map_layers(inputs)
    ranking = inputs.ranking
    ranks = {str(c): int(r) for c, r in zip(ranking["commune_id"], ranking["priority_rank"], strict=True)}
    coverage = coverage_summary(inputs.points)
    counts = inspection_counts(inputs.points)
    figures = [
        (t("sheet.communes", lang), format_number(len(ranking), lang)),
        (t("sheet.risk_points", lang), format_number(len(inputs.points), lang)),
        (t("sheet.black_spots", lang), format_number(coverage.black_spots.total, lang)),
        (t("sheet.children", lang), format_number(int(ranking["children_under_16"].sum()), lang)),
        (t("sheet.no_play_communes", lang), format_number(int((~ranking["has_play_space"]).sum()), lang)),
        (t("sheet.col.overdue", lang), format_number(counts.overdue, lang)),
    ]
    names = {
        "swim": t("sheet.coverage_swim", lang),
        "rescue": t("sheet.coverage_rescue", lang),
        "both": label("coverage", "both", lang),
        "neither": label("coverage", "neither", lang),
    }
    coverage_rows = [
        (
            text,
            format_share(coverage.points.share(kind), lang),
            format_share(coverage.black_spots.share(kind), lang),
        )
        for kind, text in names.items()
    ]
    legend = [(priority_symbol(grey), "") for grey in PRIORITY_GREYS]
    legend = [
        (Markup("").join(symbol for symbol, _ in legend), t("sheet.legend.priority", lang)),
        (legend_symbol("cluster"), t("sheet.legend.cluster", lang)),
        (legend_symbol("black_spot"), t("sheet.black_spots", lang)),
    ]
    return _template("province_summary.html").render(
        **_common(inputs, lang),
        doc_title=t("sheet.province_title", lang, province=inputs.province_name),
        figures=figures,
        coverage_rows=coverage_rows,
        map=province_map(layers, ranks, lang=lang),
        legend=legend,
        clusters=_clusters_view(inputs, lang),
        ranking=[_ranking_row(row, lang) for row in ranking.to_dict("records")],
        inspections=_inspections_text(counts, lang),
        plan=_plan_view(inputs, lang),
    )


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page of this module to PDF with WeasyPrint, fetching nothing from outside."""
    # WeasyPrint takes about a second to import: load it only when a PDF is asked for.
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def commune_sheets_pdf(inputs: SheetInputs, commune_ids: Sequence[str] | None = None, *, lang: str) -> bytes:
    """Return the action sheets of some communes (all by default) as one PDF, one A4 page each."""
    return html_to_pdf(commune_sheets_html(inputs, commune_ids, lang=lang))


def province_summary_pdf(inputs: SheetInputs, *, lang: str) -> bytes:
    """Return the province summary as a PDF."""
    return html_to_pdf(province_summary_html(inputs, lang=lang))


def sheet_file_name(kind: str, lang: str, *, commune_id: str | None = None) -> str:
    """Name of a downloaded sheet, e.g. ``phieu-hanh-dong-QN-C01.pdf``.

    Raises
    ------
    HotspotsError
        For a kind not in :data:`SHEET_KINDS`.
    """
    if kind not in SHEET_KINDS:
        msg = f"Unknown kind of sheet '{kind}'; the kinds are: {', '.join(SHEET_KINDS)}."
        raise HotspotsError(msg)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in str(commune_id or ""))
    return f"{t(f'sheet.file_{kind}', lang, commune=safe)}.pdf"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    msg = f"The sheets load nothing from outside ({url})."
    raise HotspotsError(msg)


def _common(inputs: SheetInputs, lang: str) -> dict[str, object]:
    data_day = format_date(inputs.data_date, lang)
    return {
        "lang": lang,
        "tr": partial(t, lang=lang),
        "subtitle": t(
            "sheet.subtitle",
            lang,
            province=inputs.province_name,
            date=format_date(inputs.today, lang),
            data_date=data_day,
        ),
        "sample_note": t("sheet.sample_note", lang) if inputs.is_sample else "",
        "table_note": t(
            "sheet.table_note",
            lang,
            swim_radius=format_distance(inputs.swim_radius_m, lang),
            rescue_radius=format_distance(inputs.rescue_radius_m, lang),
        ),
        "inspection_rule": t(
            "sheet.inspections_rule",
            lang,
            months=INSPECTION_INTERVAL_MONTHS,
            black_months=BLACK_SPOT_INSPECTION_INTERVAL_MONTHS,
            date=format_date(inputs.today, lang),
        ),
    }


def _legend(inputs: SheetInputs, lang: str) -> list[tuple[Markup, str]]:
    hidden = set()
    if not len(inputs.layers["planned_classes"]):
        hidden.add("swim_planned")
    if inputs.hotspots is None:
        hidden.add("cluster")
    return [
        (legend_symbol(kind), t(f"sheet.legend.{kind}", lang)) for kind in LEGEND_KINDS if kind not in hidden
    ]


def _commune_view(inputs: SheetInputs, layers: MapLayers, commune_id: str, lang: str) -> dict[str, object]:
    row = inputs.commune(commune_id)
    points = inputs.commune_points(commune_id)
    counts = inspection_counts(points)
    clusters = row["clusters"]
    cluster_text = (
        t("sheet.cluster_numbers", lang, clusters=", ".join(str(c) for c in clusters))
        if clusters
        else t("sheet.cluster_none", lang)
    )
    figures = [
        (t("sheet.risk_points", lang), format_number(int(row["risk_points"]), lang)),
        (t("sheet.black_spots", lang), format_number(int(row["black_spots"]), lang)),
        (t("sheet.children", lang), format_number(int(row["children_under_16"]), lang)),
        (t("sheet.play_space", lang), play_space_flag(bool(row["has_play_space"]), lang)),
        (t("sheet.covered_either", lang), format_share(_number(row["covered_either_share"]), lang)),
        (t("sheet.in_cluster", lang), cluster_text),
    ]
    rows, more = _table_rows(points, lang)
    actions = [action_text(action, lang) for action in inputs.actions[commune_id]] or [t("advice.none", lang)]
    lines = sum(math.ceil(len(text) / _ACTION_LINE_CHARACTERS) for text in actions)
    height = (
        COMMUNE_MAP_HEIGHT_MM
        - _ACTION_LINE_MM * max(0, lines - _FREE_ACTION_LINES)
        - _TABLE_ROW_MM * max(0, len(rows) - MAX_TABLE_ROWS)
    )
    return {
        "commune_id": commune_id,
        "title": t("sheet.commune_title", lang, name=row["name"]),
        "rank": t("sheet.rank", lang, rank=int(row["priority_rank"]), count=len(inputs.ranking)),
        "figures": figures,
        "map": commune_map(layers, commune_id, lang=lang, height_mm=max(MIN_COMMUNE_MAP_HEIGHT_MM, height)),
        "rows": rows,
        "more": t("sheet.table_more", lang, count=format_number(more, lang)) if more else "",
        "inspections": _inspections_text(counts, lang) if counts.total else "",
        "actions": actions,
    }


def _table_rows(points: pd.DataFrame, lang: str) -> tuple[list[dict[str, object]], int]:
    """List the black spots, then the risk points most in need; count those left out."""
    if not len(points):
        return [], 0
    order = points.assign(
        _black=(points["risk_level"] != "black_spot").astype(int),
        _gap=points["coverage_status"].map(_GAP_ORDER).fillna(0),
        _cluster=points["cluster"].isna().astype(int),
        _late=-pd.to_numeric(points["days_overdue"], errors="coerce").fillna(-1e9),
        _far=-points["nearest_swim_distance_m"].fillna(math.inf),
    ).sort_values(["_black", "_gap", "_cluster", "_late", "_far", "point_id"], kind="stable")
    black = int((points["risk_level"] == "black_spot").sum())
    shown = order.head(max(MAX_TABLE_ROWS, black))
    rows = [
        {
            "point_id": str(p["point_id"]),
            "name": _shortened(str(p["name"])),
            "black": p["risk_level"] == "black_spot",
            "level": label("risk_level", p["risk_level"], lang),
            "swim": _facility(p["nearest_swim_id"], p["nearest_swim_distance_m"], lang),
            "rescue": _facility(p["nearest_rescue_id"], p["nearest_rescue_distance_m"], lang),
            "next_due": _next_due(p, lang),
            "overdue": p["inspection_status"] in ("overdue", "never_inspected"),
            "cluster": "" if pd.isna(p["cluster"]) else str(int(p["cluster"])),
        }
        for p in shown.to_dict("records")
    ]
    return rows, len(points) - len(shown)


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_NAME_CHARACTERS else text[: MAX_NAME_CHARACTERS - 1].rstrip() + "…"


def _facility(facility_id: object, metres: object, lang: str) -> str:
    distance = _number(metres)
    if distance is None:
        return "—"
    return f"{format_number(distance, lang)} ({facility_id})"


def _next_due(point: dict[str, object], lang: str) -> str:
    status = point["inspection_status"]
    if status == "never_inspected":
        return label("inspection_status", status, lang)
    if status == "overdue":
        return t("sheet.overdue_days", lang, days=_days(int(point["days_overdue"]), lang))
    return format_date(point["next_due"], lang)


def _inspections_text(counts: object, lang: str) -> str:
    return t(
        "sheet.inspections_summary",
        lang,
        overdue=format_number(counts.overdue, lang),
        days=_days(counts.longest_overdue_days, lang),
        never=format_number(counts.never_inspected, lang),
        soon=format_number(counts.due_soon, lang),
        window=DEFAULT_DUE_SOON_DAYS,
        ok=format_number(counts.on_schedule, lang),
    )


def _days(days: int, lang: str) -> str:
    return t(f"advice.days_{'one' if days == 1 else 'many'}", lang, days=format_number(days, lang))


def _clusters_view(inputs: SheetInputs, lang: str) -> dict[str, object]:
    if inputs.hotspots is None:
        return {
            "error": t("sheet.cluster_error", lang, error=inputs.hotspot_errors.get(lang, "")),
            "rows": [],
        }
    summary = inputs.hotspots.summary
    rows = [
        {
            "number": c.number,
            "communes": ", ".join(c.commune_names),
            "points": format_number(c.risk_points, lang),
            "black": format_number(c.black_spots, lang),
            "no_swim": "—"
            if c.risk_points_without_swim is None
            else format_number(c.risk_points_without_swim, lang),
            "no_rescue": "—"
            if c.risk_points_without_rescue is None
            else format_number(c.risk_points_without_rescue, lang),
        }
        for c in summary.clusters
    ]
    method = t(
        "sheet.cluster_method",
        lang,
        factor=HOTSPOT_BLACK_SPOT_FACTOR,
        alpha=format_number(summary.alpha, lang, decimals=2),
    )
    return {"error": "", "summary": summary_text(summary, lang), "method": method, "rows": rows}


def _ranking_row(row: dict[str, object], lang: str) -> dict[str, object]:
    clusters = row["clusters"]
    return {
        "rank": int(row["priority_rank"]),
        "name": str(row["name"]),
        "score": format_number(float(row["priority_score"]), lang, decimals=2),
        "points": format_number(int(row["risk_points"]), lang),
        "black": format_number(int(row["black_spots"]), lang),
        "covered": format_share(_number(row["covered_either_share"]), lang),
        "play": t("yes", lang) if row["has_play_space"] else t("no", lang),
        "overdue": format_number(int(row["overdue"]), lang),
        "cluster": ", ".join(str(c) for c in clusters),
        "actions": format_number(int(row["actions"]), lang),
    }


def _plan_view(inputs: SheetInputs, lang: str) -> dict[str, object]:
    plan = inputs.plan
    if plan is None:
        return {"text": t("sheet.plan_none", lang), "rows": []}
    text = t(
        "sheet.plan_summary",
        lang,
        count=format_number(len(plan.classes), lang),
        swim_share=format_share(plan.swim_share_planned, lang),
        black_share=format_share(plan.black_share_planned, lang),
        swim_radius=format_distance(inputs.swim_radius_m, lang),
        swim_now=format_share(plan.swim_share_now, lang),
        black_now=format_share(plan.black_share_now, lang),
    )
    rows = [
        {
            "class_id": r["class_id"],
            "name": r["name"],
            "commune": r["commune_name"],
            "start": format_date(r["start_date"], lang),
        }
        for r in plan.classes.to_dict("records")
    ]
    return {"text": text, "rows": rows}


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number
