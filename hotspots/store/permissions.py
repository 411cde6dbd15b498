"""Who may do what: roles, the actions each allows, commune limits, and the :class:`User` value that acts.

Anyone, logged in or not, may view the map and the communes and download them;
every write needs a :class:`User`, which only a successful login makes
(:meth:`hotspots.store.Store.authenticate`, or :meth:`~hotspots.store.Store.user_for_email`
after single sign-on). Roles build on each other:

========= ================================================================
role      may also
========= ================================================================
field     report risk points, import files as pending reports (``report``)
officer   review, change statuses, edit points (``review``), record
          inspections (``inspect``), import approved data (``import_approved``)
planner   plan swimming classes and schedules (``plan``; the planned-sites
          writes that arrive later require it)
admin     manage users (``manage_users``)
========= ================================================================

A user may hold several roles. A user limited to some communes (a commune
officer) acts only on the points of those communes; a user without a commune
limit (a provincial officer) acts on all of them. Managing users is for
provincial admins only.

A :class:`User` is sealed: it carries a keyed digest of its own fields that only
this package can make, so a page cannot build one from a typed name, nor copy
one with other roles (``dataclasses.replace``); the store checks the seal at
every write (:func:`require`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from hotspots.errors import PermissionDeniedError, StoreError
from hotspots.i18n import Phrase, coded_error

#: The roles, from the least to the most trusted; each has every action of the ones before it.
ROLES: Final = ("field", "officer", "planner", "admin")
#: Every write action the store checks.
ACTIONS: Final = ("report", "review", "inspect", "import_approved", "plan", "manage_users")
_FIELD: Final = frozenset({"report"})
_OFFICER: Final = _FIELD | {"review", "inspect", "import_approved"}
_PLANNER: Final = _OFFICER | {"plan"}
#: The actions each role allows.
ROLE_ACTIONS: Final[Mapping[str, frozenset[str]]] = {
    "field": _FIELD,
    "officer": _OFFICER,
    "planner": _PLANNER,
    "admin": _PLANNER | {"manage_users"},
}
#: Actions that a user limited to some communes may never take (they concern the whole province).
PROVINCIAL_ACTIONS: Final = frozenset({"manage_users"})
#: The store's own role: seeding the sample and creating the first admin. No account holds it.
_SYSTEM_ROLE: Final = "system"
# Made afresh by every process: a User made in one process means nothing in another.
_KEY: Final = secrets.token_bytes(32)


@dataclass(frozen=True)
class User:
    """Someone logged in: who they are, their roles and the communes they are limited to.

    Only :mod:`hotspots.store` makes one (at a successful login); building one
    directly raises :class:`~hotspots.errors.PermissionDeniedError`.

    Parameters
    ----------
    name
        Login name (``canbo_xa``), unique.
    display_name
        The name people know them by (``Nguyễn Văn An``); recorded in the history
        and as the inspector of their inspections.
    roles
        Some of :data:`ROLES`.
    communes
        Commune ids they are limited to; ``None`` for the whole province.
    demo
        A demonstration account (it works only while the sample data is loaded).
    """

    name: str
    display_name: str
    roles: frozenset[str]
    communes: frozenset[str] | None = None
    demo: bool = False
    _seal: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.is_sealed():
            raise coded_error(PermissionDeniedError, "user_not_issued")

    @property
    def actions(self) -> frozenset[str]:
        """Every action the user's roles allow."""
        if _SYSTEM_ROLE in self.roles:
            return frozenset(ACTIONS)
        return frozenset().union(*(ROLE_ACTIONS[r] for r in self.roles if r in ROLE_ACTIONS))

    def may(self, action: str, *, commune_id: str | None = None, anywhere: bool = False) -> bool:
        """Whether the user may take ``action`` (on a point of ``commune_id``).

        Parameters
        ----------
        action
            One of :data:`ACTIONS`.
        commune_id
            The commune of the point acted on (``None``: a point in no commune).
        anywhere
            Ask only whether the roles allow the action somewhere, whatever the
            communes (for showing a page or a button).
        """
        check_action(action)
        if action not in self.actions:
            return False
        if self.communes is None:
            return True
        if action in PROVINCIAL_ACTIONS:
            return False
        return anywhere or commune_id in self.communes

    def is_sealed(self) -> bool:
        """Whether the user was made by this package, with these very fields."""
        return hmac.compare_digest(self._seal, _digest(self))


def issue_user(
    name: str,
    display_name: str,
    roles: Iterable[str],
    communes: Iterable[str] | None = None,
    *,
    demo: bool = False,
) -> User:
    """Make a sealed :class:`User`; for :mod:`hotspots.store.users` at a successful login only.

    Not exported from :mod:`hotspots.store`: pages and the command line get a
    user from :meth:`~hotspots.store.Store.authenticate` (a test checks that
    they never call this).
    """
    fields = {
        "name": name,
        "display_name": display_name or name,
        "roles": frozenset(roles),
        "communes": None if communes is None else frozenset(communes),
        "demo": demo,
    }
    return User(**fields, _seal=_digest_of(**fields))


def require(user: object, action: str, *, commune_ids: Iterable[str | None] = ()) -> User:
    """Return ``user`` if it may take ``action`` on points of every one of ``commune_ids``.

    Parameters
    ----------
    user
        The acting :class:`User`; anything else (a typed name, ``None``) is refused.
    action
        One of :data:`ACTIONS`.
    commune_ids
        Communes of the points acted on (``None`` for a point in no commune);
        empty when the action concerns no point.

    Raises
    ------
    PermissionDeniedError
        If nobody logged in, the user was not made at a login, the roles do not
        allow the action, or a point lies outside the user's communes.
    """
    check_action(action)
    if not isinstance(user, User):
        raise coded_error(PermissionDeniedError, "login_required", action=Phrase(f"action.{action}"))
    if not user.is_sealed():
        raise coded_error(PermissionDeniedError, "user_not_issued")
    if not user.may(action, anywhere=True):
        if user.communes is not None and action in PROVINCIAL_ACTIONS and action in user.actions:
            raise coded_error(
                PermissionDeniedError, "provincial_only", user=user.name, action=Phrase(f"action.{action}")
            )
        raise coded_error(
            PermissionDeniedError,
            "permission_denied",
            user=user.name,
            action=Phrase(f"action.{action}"),
            role=Phrase(f"role.{least_role(action)}"),
        )
    outside = sorted({str(c or "—") for c in commune_ids if not user.may(action, commune_id=c)})
    if outside:
        raise coded_error(
            PermissionDeniedError,
            "outside_communes",
            user=user.name,
            action=Phrase(f"action.{action}"),
            communes=", ".join(sorted(user.communes or ())),
            outside=", ".join(outside),
        )
    return user


def least_role(action: str) -> str:
    """Return the first role of :data:`ROLES` that allows ``action`` (what to log in as)."""
    check_action(action)
    return next(role for role in ROLES if action in ROLE_ACTIONS[role])


def check_action(action: str) -> str:
    """Return ``action``; raise a coded StoreError if it is not one of :data:`ACTIONS`."""
    if action not in ACTIONS:
        raise coded_error(StoreError, "unknown_action", action=action, actions=", ".join(ACTIONS))
    return action


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """Return the roles in :data:`ROLES` order, without repeats.

    Raises
    ------
    StoreError
        If there is no role, or one is not in :data:`ROLES`.
    """
    given = [str(r).strip().lower() for r in roles]
    unknown = sorted({r for r in given if r not in ROLES})
    if unknown or not given:
        shown = ", ".join(unknown) or "—"
        raise coded_error(StoreError, "unknown_roles", roles=shown, allowed=", ".join(ROLES))
    return tuple(r for r in ROLES if r in given)


def _digest(user: User) -> str:
    return _digest_of(
        name=user.name,
        display_name=user.display_name,
        roles=user.roles,
        communes=user.communes,
        demo=user.demo,
    )


def _digest_of(
    *, name: str, display_name: str, roles: frozenset[str], communes: frozenset[str] | None, demo: bool
) -> str:
    shown_communes = "*" if communes is None else "\x1f".join(sorted(communes))
    text = "\x1e".join([name, display_name, "\x1f".join(sorted(roles)), shown_communes, str(demo)])
    return hmac.new(_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()


#: The store itself: seeds the sample and creates the first admin. Never given to a page.
SYSTEM: Final = issue_user("seed", "seed", [_SYSTEM_ROLE])
