"""Messages about problems in the data, files and the store: coded, rendered in the reader's language.

The library raises and stores English text (``Problem.message``, ``str(error)``) built from the
catalogue's English template, and keeps the code and values so a page can render the same
message in Vietnamese with :func:`problem_text`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from hotspots.errors import HotspotsError, Problem, SchemaError
from hotspots.i18n.catalogue import catalogue, check_language, section
from hotspots.i18n.text import TRANSLATIONS

_E = TypeVar("_E", bound=HotspotsError)


@dataclass(frozen=True)
class Phrase:
    """A piece of a problem message that is itself translated (e.g. "feature #3", "a list").

    Used as a value in a problem's ``params``; :func:`problem_text` renders it in the
    reader's language, ``str()`` gives the English text.
    """

    code: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return _render(self.code, "en", self.params)


#: ``{code: {language: template}}`` for every problem message; the English template builds
#: the library's own (English) message, so the text and its code cannot drift apart.
PROBLEM_MESSAGES: Final[dict[str, dict[str, str]]] = section("problems")

# Keys whose text names a stored field in Vietnamese, tried in order.
_FIELD_LABEL_KEYS: Final = ("review.col.{field}", "report.{field}", "review.{field}")


def message(code: str, **params: object) -> str:
    """Return the English message for ``code`` (what the library stores in ``Problem.message``).

    Raises
    ------
    SchemaError
        For a code that is not in :data:`PROBLEM_MESSAGES`.
    """
    return _render(code, "en", params)


def make_problem(
    code: str,
    *,
    index: int | None = None,
    feature_id: str | None = None,
    field: str | None = None,
    severity: str = "error",
    **params: object,
) -> Problem:
    """Build a :class:`~hotspots.errors.Problem` from the catalogue: English message, code and values."""
    return Problem(
        message(code, **params),
        index=index,
        feature_id=feature_id,
        field=field,
        severity=severity,
        code=code,
        params=params,
    )


def problem_of_error(error: HotspotsError, *, feature_id: str | None = None) -> Problem:
    """Turn a coded error about one feature into a problem of a list (a refusal of several at once).

    The error keeps its code and values, so the problem reads in every language; an error
    without a code keeps its English text.
    """
    if error.code is None:
        return Problem(str(error), feature_id=feature_id)
    return make_problem(error.code, feature_id=feature_id, **error.params)


def coded_error(error_type: type[_E], code: str, **params: object) -> _E:
    """Build an exception whose English message comes from the catalogue and which keeps its code.

    Examples
    --------
    >>> raise coded_error(StoreError, "user_required")  # doctest: +SKIP
    """
    return error_type(message(code, **params)).with_code(code, params)


def problem_message(problem: Problem | HotspotsError, lang: str) -> str:
    """Return the message of a problem (or of a coded error) in ``lang``, without where it is.

    A problem without a code (a message that has no translation yet) keeps its English text.
    """
    check_language(lang)
    if isinstance(problem, HotspotsError):
        return str(problem) if problem.code is None else _render(problem.code, lang, problem.params)
    if problem.code is None:
        return problem.message
    return _render(problem.code, lang, problem.params)


def problem_text(problem: Problem, lang: str) -> str:
    """Return a problem as one line in ``lang``, prefixed like ``str(problem)`` with where it is.

    In English the result equals ``str(problem)``; in Vietnamese it reads, for example,
    ``điểm #3, mã QN-0042, trường 'Tên địa điểm': Thiếu trường bắt buộc 'name'.``

    Parameters
    ----------
    problem
        A problem from validation, a file reader or the store.
    lang
        ``"vi"`` or ``"en"``.
    """
    check_language(lang)
    where_words = catalogue(lang)["where"]
    feature, ident, named = where_words["feature"], where_words["id"], where_words["field"]
    text = problem_message(problem, lang)
    where = []
    if problem.index is not None:
        where.append(feature.format(number=problem.index + 1))
    if problem.feature_id:
        where.append(ident.format(id=problem.feature_id))
    if problem.field:
        where.append(named.format(field=field_label(problem.field, lang)))
    prefix = f"{', '.join(where)}: " if where else ""
    shown = catalogue(lang)["severities"].get(problem.severity, problem.severity)
    label_ = "" if problem.severity == "error" else where_words["severity"].format(severity=shown)
    return f"{label_}{prefix}{text}"


def rejection_reasons(problems: Sequence[Problem], index: int, lang: str) -> str:
    """Return why feature ``index`` was rejected, in ``lang``: the ``reasons`` of a rejected row.

    In English this is the text of the ``reasons`` column that validation writes: the file's
    own errors, then the feature's errors as ``field: message``, separated by ``"; "``.
    """
    reasons = []
    for problem in problems:
        if problem.severity != "error" or problem.index not in (None, index):
            continue
        text = problem_message(problem, lang)
        named = problem.index is not None and problem.field
        reasons.append(f"{field_label(problem.field, lang)}: {text}" if named else text)
    return "; ".join(reasons)


def field_label(field: str, lang: str) -> str:
    """Return how a field is named to the user: its label in Vietnamese, the raw name in English."""
    check_language(lang)
    if lang == "en":
        return field
    for key in _FIELD_LABEL_KEYS:
        entry = TRANSLATIONS.get(key.format(field=field))
        if entry is not None:
            return entry[lang]
    return catalogue(lang)["field_words"].get(field, field)


def _render(code: str, lang: str, params: Mapping[str, object]) -> str:
    try:
        template = PROBLEM_MESSAGES[code][lang]
    except KeyError:
        msg = f"No message '{code}' in language '{lang}' in the catalogue (hotspots/i18n/catalogues/*.toml)."
        raise SchemaError(msg) from None
    values = {k: _render(v.code, lang, v.params) if isinstance(v, Phrase) else v for k, v in params.items()}
    return template.format(**values)
