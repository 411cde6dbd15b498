"""Exception types raised by the hotspots library.

Every error the library raises on purpose is a :class:`HotspotsError`, so a page
or the command line can catch one type and show its message to the user.
Messages are written for field workers: they say what is wrong, where, and what
would have been accepted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Self


class HotspotsError(ValueError):
    """Base class of every error raised on purpose by :mod:`hotspots`.

    ``code`` and ``params`` name the message in the catalogue of
    :data:`hotspots.i18n.PROBLEM_MESSAGES` so a page can show it in the user's
    language; ``None`` when the message has no translation (English only).
    """

    code: str | None = None
    params: Mapping[str, object] = MappingProxyType({})

    def with_code(self, code: str, params: Mapping[str, object]) -> Self:
        """Attach the catalogue code and values the message was built from; returns ``self``."""
        self.code = code
        self.params = MappingProxyType(dict(params))
        return self


class UnreadableFileError(HotspotsError):
    """The file cannot be read at all: unknown format, not JSON, too large, wrong encoding."""


class SchemaError(HotspotsError):
    """A layer name, field or value does not fit the schema."""


class CRSError(HotspotsError):
    """Coordinates are in a reference system that cannot be determined or used."""


class StoreError(HotspotsError):
    """The store of record refused an operation (unknown id, forbidden status change...)."""


class PermissionDeniedError(StoreError):
    """The acting user's roles or communes do not allow this change (or nobody logged in)."""


class AuthenticationError(HotspotsError):
    """A login failed: unknown account, wrong password, locked account, unknown single-sign-on address."""


class SitingError(HotspotsError):
    """A siting question cannot be answered as asked (bad number of sites, radius, weights...)."""


class ClusterError(HotspotsError):
    """A hot-spot test cannot be run as asked (too few points, every cell equal, bad cell size...)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in one feature (or in the file as a whole).

    Parameters
    ----------
    message
        A sentence a field worker understands, in English.
    index
        Zero-based position of the feature in the file, or ``None`` for the whole file.
    feature_id
        The feature's id (for example ``QN-0042``) when it has one.
    field
        The property the problem is about, or ``"geometry"``.
    severity
        ``"error"`` rejects the feature; ``"warning"`` means it was repaired and kept.
    code
        Key of the message in :data:`hotspots.i18n.PROBLEM_MESSAGES`, so it can be shown
        in Vietnamese; ``None`` for a message that exists in English only.
    params
        The values filled into the message's ``{placeholders}``.
    """

    message: str
    index: int | None = None
    feature_id: str | None = None
    field: str | None = None
    severity: str = "error"
    code: str | None = None
    # Not hashed: a dict is not hashable, and the message already identifies the problem.
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"feature #{self.index + 1}")
        if self.feature_id:
            where.append(f"id {self.feature_id}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{label}{prefix}{self.message}"


class ValidationError(HotspotsError):
    """A file or a set of features failed validation.

    Carries every problem found, not only the first, so the user can fix them
    all in one go.
    """

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = summary or f"{len(errors)} problem(s) found"
        lines = [head, *(f"- {p}" for p in errors[:50])]
        if len(errors) > 50:
            lines.append(f"... and {len(errors) - 50} more")
        super().__init__("\n".join(lines))
