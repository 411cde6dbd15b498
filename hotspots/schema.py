"""Schemas of the data layers: fields, types and allowed values, in one place.

Every loader, validator, store table and exporter reads these definitions, so a
field added here appears everywhere. Field names are English snake_case (they are
the keys of the GeoJSON properties); human labels live in the translation table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from hotspots.errors import SchemaError

FieldKind = Literal["str", "int", "float", "bool", "date", "enum", "list"]
POINT: Final = ("Point",)
AREA: Final = ("Polygon", "MultiPolygon")
LINE_OR_AREA: Final = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")

WATER_TYPES: Final = (
    "sea",
    "river",
    "stream",
    "lake_reservoir",
    "pond",
    "canal",
    "pit_quarry",
    "well",
    "other",
)
RISK_LEVELS: Final = ("black_spot", "high", "medium", "low")
#: Life cycle of a risk point: field staff add ``pending``; officers approve or reject;
#: an active point is later ``mitigated`` (fenced, signed...) or ``retired``.
POINT_STATUSES: Final = ("pending", "active", "rejected", "mitigated", "retired")
STATUS_TRANSITIONS: Final = {
    "pending": ("active", "rejected"),
    "active": ("mitigated", "retired"),
    "mitigated": ("active", "retired"),
    "rejected": (),
    "retired": (),
}
#: Statuses shown on the map by default: what still needs attention.
MAPPED_STATUSES: Final = ("pending", "active", "mitigated")
HAZARDS: Final = (
    "deep_water",
    "steep_bank",
    "strong_current",
    "tidal_flow",
    "slippery_edge",
    "mud_bottom",
    "no_fence",
    "no_warning_sign",
    "no_rescue_equipment",
    "unsupervised_swimming",
    "near_school",
    "near_homes",
    "boat_traffic",
    "flash_flood",
    "other",
)
#: Measures an inspection can record as in place at a risk point (``inspections.measures``);
#: recording them can move the point to ``mitigated``.
MITIGATIONS: Final = ("warning_sign", "fence", "cover", "rescue_buoy", "life_jacket_station")
SWIM_VENUE_TYPES: Final = ("pool", "portable_pool", "river_enclosure", "sea_beach", "lake")
RESCUE_AUDIENCES: Final = ("children", "parents", "teachers", "community", "lifeguards")
PLAY_SPACE_KINDS: Final = ("playground", "cultural_house", "school_yard", "sports_ground", "park")
UNIT_TYPES: Final = ("xã", "phường", "đặc khu", "thị trấn")
#: Life cycle of a swimming class or rescue training: ``planned`` by a planner, ``active`` (held
#: or open; what a record without a status is), ``cancelled`` (a dropped plan, kept in the store).
VENUE_STATUSES: Final = ("planned", "active", "cancelled")


@dataclass(frozen=True)
class Field:
    """One property of a layer.

    Parameters
    ----------
    name
        Property key in GeoJSON and column name in tables.
    kind
        ``str``, ``int``, ``float``, ``bool``, ``date`` (ISO ``YYYY-MM-DD``), ``enum``
        (one of ``allowed``) or ``list`` (of strings, each in ``allowed`` when given).
    required
        A feature without it is rejected (unless ``default`` is set, which is then used).
    allowed
        Allowed values for ``enum`` and ``list`` fields.
    default
        Value filled in when the field is missing (only for optional fields).
    minimum
        Smallest allowed number for ``int`` and ``float`` fields.
    description
        Meaning of the field, for documentation and error messages.
    omit_when_missing
        Files written from the schema (the shipped sample) leave the property out when it
        is missing, instead of writing ``null``: for a field added after those files were
        shipped, so that they stay as they are (a reader fills in the default).
    """

    name: str
    kind: FieldKind
    required: bool = False
    allowed: tuple[str, ...] = ()
    default: object = None
    minimum: float | None = None
    description: str = ""
    omit_when_missing: bool = False


@dataclass(frozen=True)
class LayerSchema:
    """Definition of one layer: allowed geometry types, id field and properties."""

    name: str
    geometry_types: tuple[str, ...]
    id_field: str
    id_prefix: str
    fields: tuple[Field, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def is_point_layer(self) -> bool:
        """Whether features are points (risk points, venues, play spaces)."""
        return self.geometry_types == POINT

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of every declared field, in order."""
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Names of fields a feature must carry."""
        return tuple(f.name for f in self.fields if f.required)

    def get(self, name: str) -> Field:
        """Return the field called ``name``.

        Raises
        ------
        SchemaError
            If the layer has no such field.
        """
        for f in self.fields:
            if f.name == name:
                return f
        msg = f"Layer '{self.name}' has no field '{name}'; its fields are: {', '.join(self.field_names)}."
        raise SchemaError(msg)


_NAME = Field("name", "str", required=True, description="Place name, Vietnamese with diacritics")
_COMMUNE = Field(
    "commune_id", "str", description="Commune the feature lies in (filled from the map when missing)"
)
_NOTES = Field("notes", "str", description="Free text")
_VENUE_STATUS = Field(
    "status",
    "enum",
    allowed=VENUE_STATUSES,
    default="active",
    description="planned, active or cancelled",
    omit_when_missing=True,
)

RISK_POINTS: Final = LayerSchema(
    name="risk_points",
    geometry_types=POINT,
    id_field="point_id",
    id_prefix="QN",
    description="High-risk drowning locations; the black spots are under special monitoring.",
    fields=(
        Field("point_id", "str", required=True, description="Stable identifier, e.g. QN-0001"),
        _NAME,
        Field("water_type", "enum", required=True, allowed=WATER_TYPES, description="Kind of water"),
        Field(
            "risk_level",
            "enum",
            required=True,
            allowed=RISK_LEVELS,
            description="black_spot = special monitoring",
        ),
        Field("hazards", "list", allowed=HAZARDS, default=(), description="What makes the place dangerous"),
        _COMMUNE,
        Field("status", "enum", allowed=POINT_STATUSES, default="active", description="Life-cycle status"),
        Field("source", "str", default="", description="Who reported the point, or where it comes from"),
        Field("last_inspected", "date", description="Date of the last inspection"),
        _NOTES,
    ),
)

SWIM_CLASSES: Final = LayerSchema(
    name="swim_classes",
    geometry_types=POINT,
    id_field="class_id",
    id_prefix="SC",
    description="Free swimming classes for children: venue, dates, capacity and organiser.",
    fields=(
        Field("class_id", "str", required=True, description="Stable identifier, e.g. SC-001"),
        _NAME,
        Field("venue_type", "enum", required=True, allowed=SWIM_VENUE_TYPES, description="Kind of venue"),
        Field("organiser", "str", required=True, description="Organisation running the class"),
        Field("start_date", "date", required=True, description="First day of the class"),
        Field("end_date", "date", required=True, description="Last day of the class"),
        Field("capacity", "int", required=True, minimum=1, description="Places for children"),
        Field("participants", "int", minimum=0, description="Children who attended"),
        _COMMUNE,
        _VENUE_STATUS,
        _NOTES,
    ),
)

RESCUE_TRAININGS: Final = LayerSchema(
    name="rescue_trainings",
    geometry_types=POINT,
    id_field="training_id",
    id_prefix="RT",
    description="Water-rescue and first-aid training sessions.",
    fields=(
        Field("training_id", "str", required=True, description="Stable identifier, e.g. RT-001"),
        _NAME,
        Field("organiser", "str", required=True, description="Organisation running the session"),
        Field("date", "date", required=True, description="Day of the session"),
        Field("participants", "int", required=True, minimum=0, description="People trained"),
        Field(
            "audience", "enum", allowed=RESCUE_AUDIENCES, default="community", description="Who was trained"
        ),
        _COMMUNE,
        _VENUE_STATUS,
        _NOTES,
    ),
)

PLAY_SPACES: Final = LayerSchema(
    name="play_spaces",
    geometry_types=POINT,
    id_field="play_space_id",
    id_prefix="PS",
    description="Safe play spaces for children.",
    fields=(
        Field("play_space_id", "str", required=True, description="Stable identifier, e.g. PS-001"),
        _NAME,
        Field("kind", "enum", required=True, allowed=PLAY_SPACE_KINDS, description="Kind of play space"),
        _COMMUNE,
        _NOTES,
    ),
)

COMMUNES: Final = LayerSchema(
    name="communes",
    geometry_types=AREA,
    id_field="commune_id",
    id_prefix="QN-C",
    description="Commune-level units with child population and play-space flag.",
    fields=(
        Field("commune_id", "str", required=True, description="Stable identifier"),
        _NAME,
        Field(
            "unit_type",
            "enum",
            allowed=UNIT_TYPES,
            default="xã",
            description="xã, phường, đặc khu or thị trấn",
        ),
        Field("children_under_16", "int", required=True, minimum=0, description="Children under 16"),
        Field("has_play_space", "bool", required=True, description="Whether the commune has a play space"),
        Field("illustrative", "bool", default=False, description="True when the boundary is not official"),
        _NOTES,
    ),
)

WATER: Final = LayerSchema(
    name="water",
    geometry_types=LINE_OR_AREA,
    id_field="water_id",
    id_prefix="W",
    description="Rivers (lines) and reservoirs, lakes, ponds and pits (polygons).",
    fields=(
        Field("water_id", "str", required=True, description="Stable identifier"),
        _NAME,
        Field("water_type", "enum", required=True, allowed=WATER_TYPES, description="Kind of water"),
        Field("illustrative", "bool", default=False, description="True when placed by hand, not surveyed"),
        Field("source", "str", default="", description="Where the geometry comes from"),
    ),
)

PROVINCE: Final = LayerSchema(
    name="province",
    geometry_types=AREA,
    id_field="province_id",
    id_prefix="QN-P",
    description="Province outline.",
    fields=(
        Field("province_id", "str", required=True, description="Stable identifier"),
        _NAME,
        Field("source", "str", default="", description="Where the geometry comes from"),
    ),
)

LAYERS: Final[dict[str, LayerSchema]] = {
    s.name: s for s in (RISK_POINTS, SWIM_CLASSES, RESCUE_TRAININGS, PLAY_SPACES, COMMUNES, WATER, PROVINCE)
}


def get_layer_schema(name: str) -> LayerSchema:
    """Return the schema of the layer called ``name``.

    Raises
    ------
    SchemaError
        If there is no such layer; the message lists the known layers.
    """
    try:
        return LAYERS[name]
    except KeyError:
        msg = f"Unknown layer '{name}'. Known layers: {', '.join(LAYERS)}."
        raise SchemaError(msg) from None
