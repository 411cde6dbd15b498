"""Free texts typed outside a layer file (a report's notes): checked by the rules of a layer's text field.

A file's ``notes`` and a form's notes meet the same rules (:func:`hotspots.validation.values.field_rules`):
Unicode NFC, spaces trimmed, control characters removed, at most
:data:`~hotspots.config.MAX_TEXT_LENGTH` characters.
"""

from __future__ import annotations

from hotspots.errors import ValidationError
from hotspots.i18n import make_problem
from hotspots.schema import RISK_POINTS
from hotspots.validation.values import field_rules


def clean_text(value: object, *, field: str = "notes", feature_id: str | None = None) -> str:
    r"""Return a typed text as a risk point's text field would store it; refuse what it would refuse.

    Parameters
    ----------
    value
        The text as typed (``None`` is an empty text).
    field
        A text field of the risk points (``notes``, ``name``...) whose rules apply; also
        named in the problem.
    feature_id
        The point the text is about, named in the problem.

    Returns
    -------
    str
        The text in NFC, trimmed, without control characters (``""`` for nothing).

    Raises
    ------
    ValidationError
        With the coded problems (``text_too_long``, ``not_text``).

    Examples
    --------
    >>> clean_text("  Bờ dốc\x07 ")
    'Bờ dốc'
    """
    if value is None:
        return ""
    text, issues = field_rules(RISK_POINTS.name).normalisers[field](value)
    errors = [
        make_problem(code, field=field, feature_id=feature_id, **params)
        for severity, code, params in issues
        if severity == "error"
    ]
    if errors:
        raise ValidationError(errors)
    return "" if text is None else str(text)
