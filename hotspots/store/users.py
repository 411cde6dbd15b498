"""Accounts: bcrypt password hashes, logging in, lock-out after failed logins, adding and unlocking users.

Accounts live in the store's ``users`` table (see :mod:`hotspots.store.migrations`),
and may also be configured beside the app (Streamlit's ``.streamlit/secrets.toml``,
``[users.NAME]`` with ``password_hash``, ``roles``, ``communes``...), which the page
reads and hands over as a plain mapping (``configured``). A configured account
wins over a stored one of the same name; its failed logins are counted in the
``users`` table too (a row with ``source = 'secrets'``).

Passwords are hashed with bcrypt (:data:`HASH_ROUNDS`), never stored. A login
with an unknown name is checked against a dummy hash, so that it takes as long
as a wrong password. :data:`~hotspots.config.LOCKOUT_AFTER_FAILURES` failures in
a row lock an account for :data:`~hotspots.config.LOCKOUT_MINUTES`; a success
resets the count, and an admin can unlock it at once.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import bcrypt
import pandas as pd
import sqlalchemy as sa

from hotspots.config import (
    LOCKOUT_AFTER_FAILURES,
    LOCKOUT_MINUTES,
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD_LENGTH,
    PASSWORD_HASH_ROUNDS,
)
from hotspots.errors import AuthenticationError, StoreError
from hotspots.i18n import Phrase, coded_error
from hotspots.store.engine import Database
from hotspots.store.migrations import features, users
from hotspots.store.permissions import ROLES, SYSTEM, User, check_roles, issue_user, require
from hotspots.store.values import bounded_text

#: bcrypt work factor of new hashes (tests lower it; a stored hash keeps its own).
HASH_ROUNDS: int = PASSWORD_HASH_ROUNDS
#: Columns of :func:`list_users`, in order.
USER_COLUMNS: Final = (
    "name",
    "display_name",
    "email",
    "roles",
    "communes",
    "source",
    "demo",
    "failed_attempts",
    "locked_until",
    "locked",
)
#: Names no account may take: the store records seeded data as ``seed``.
RESERVED_NAMES: Final = frozenset({"seed", "system", "admin"})
_NAME: Final = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
_BCRYPT_HASH: Final = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Account:
    """One account as read from the store or the configuration (the hash, never a password)."""

    name: str
    display_name: str
    roles: tuple[str, ...]
    communes: tuple[str, ...] | None = None
    email: str | None = None
    password_hash: str | None = None
    source: str = "store"
    demo: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    """Return the bcrypt hash of a new password (as text, ``$2b$12$...``).

    Raises
    ------
    StoreError
        If the password is shorter than :data:`~hotspots.config.MIN_PASSWORD_LENGTH`
        characters or longer than bcrypt reads (72 bytes).
    """
    text = str(password or "")
    if len(text) < MIN_PASSWORD_LENGTH:
        raise coded_error(StoreError, "password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if len(text.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise coded_error(StoreError, "password_too_long", maximum=MAX_PASSWORD_BYTES)
    return bcrypt.hashpw(text.encode("utf-8"), bcrypt.gensalt(HASH_ROUNDS)).decode("ascii")


def configured_accounts(configured: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Account]:
    """Read accounts configured beside the app: ``{name: {password_hash, roles, communes...}}``.

    Each entry has ``password_hash`` (bcrypt), ``roles`` (list of :data:`~hotspots.store.permissions.ROLES`),
    and optionally ``communes`` (list of commune ids; none for the whole province),
    ``display_name``, ``email`` and ``demo`` (true for a demonstration account).

    Raises
    ------
    StoreError
        If an entry is unusable; the message names it and what is wrong.
    """
    accounts = {}
    for raw_name, entry in (configured or {}).items():
        name = str(raw_name).strip().lower()
        if not _NAME.fullmatch(name) or name in RESERVED_NAMES:
            raise _config_error(raw_name, "config.name")
        if not isinstance(entry, Mapping):
            raise _config_error(name, "config.table")
        password_hash = str(entry.get("password_hash") or "")
        if not _BCRYPT_HASH.fullmatch(password_hash):
            raise _config_error(name, "config.hash")
        roles = entry.get("roles") or []
        try:
            roles = check_roles([roles] if isinstance(roles, str) else roles)
        except StoreError:
            raise _config_error(name, "config.roles", allowed=", ".join(ROLES)) from None
        communes = _communes(entry.get("communes"))
        email = str(entry.get("email") or "").strip().lower() or None
        accounts[name] = Account(
            name=name,
            display_name=str(entry.get("display_name") or name).strip() or name,
            roles=roles,
            communes=communes,
            email=email,
            password_hash=password_hash,
            source="secrets",
            demo=bool(entry.get("demo", False)),
        )
    return accounts


def authenticate(
    db: Database,
    name: str,
    password: str,
    *,
    configured: Mapping[str, Mapping[str, Any]] | None = None,
    demo_allowed: bool = False,
    at: datetime | None = None,
) -> User:
    """Check a name and password; return the :class:`User` (see :meth:`hotspots.store.Store.authenticate`)."""
    when = _moment(at)
    login = str(name or "").strip().lower()
    secret = str(password or "").encode("utf-8")
    accounts = configured_accounts(configured)
    account = db.transaction(lambda conn: _find(conn, login, accounts))
    if account is None:
        _check_password(secret, _dummy_hash(HASH_ROUNDS))
        raise coded_error(AuthenticationError, "unknown_account", name=login or "—")
    _refuse_locked(account, when)
    if account.demo and not demo_allowed:
        raise coded_error(AuthenticationError, "demo_account_off", name=login)
    if account.password_hash is not None and _check_password(secret, account.password_hash):
        db.transaction(lambda conn: _count_success(conn, account, when), write=True)
        return _user_of(account)
    failures = db.transaction(lambda conn: _count_failure(conn, account, when), write=True)
    if failures >= LOCKOUT_AFTER_FAILURES:
        raise _locked_error(login, LOCKOUT_MINUTES)
    remaining = LOCKOUT_AFTER_FAILURES - failures
    raise coded_error(
        AuthenticationError, "wrong_password", name=login, remaining=remaining, minutes=LOCKOUT_MINUTES
    )


def user_for_email(
    db: Database,
    email: str,
    *,
    configured: Mapping[str, Mapping[str, Any]] | None = None,
    demo_allowed: bool = False,
    at: datetime | None = None,
) -> User:
    """Return the user whose account has this e-mail (single sign-on; see :meth:`Store.user_for_email`)."""
    address = str(email or "").strip().lower()
    accounts = configured_accounts(configured)

    def find(conn: sa.Connection) -> Account | None:
        configured_name = next((a.name for a in accounts.values() if a.email == address), None)
        if configured_name is not None:
            return _find(conn, configured_name, accounts)  # with its failed logins
        return _find_by_email(conn, address, accounts)

    account = db.transaction(find) if address else None
    if account is None:
        raise coded_error(AuthenticationError, "unknown_email", email=address or "—")
    _refuse_locked(account, _moment(at))
    if account.demo and not demo_allowed:
        raise coded_error(AuthenticationError, "demo_account_off", name=account.name)
    return _user_of(account)


def add_user(
    db: Database,
    name: str,
    *,
    password: str,
    roles: Iterable[str],
    communes: Iterable[str] | None = None,
    display_name: str | None = None,
    email: str | None = None,
    user: User,
    configured: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """Add an account; return its login name (see :meth:`hotspots.store.Store.add_user`)."""
    details = {"communes": communes, "display_name": display_name, "email": email, "configured": configured}
    return _add_account(db, name, password=password, roles=roles, user=user, first_admin=False, **details)


def add_first_admin(
    db: Database,
    name: str,
    *,
    password: str,
    display_name: str | None = None,
    email: str | None = None,
) -> str:
    """Add the first admin of a store that has none (see :meth:`hotspots.store.Store.add_first_admin`)."""
    details = {"display_name": display_name, "email": email, "user": SYSTEM}
    return _add_account(db, name, password=password, roles=["admin"], first_admin=True, **details)


def unlock_user(db: Database, name: str, *, user: User) -> None:
    """End an account's lock-out and forget its failed logins (see :meth:`Store.unlock_user`)."""
    actor = require(user, "manage_users")
    login = str(name or "").strip().lower()

    def work(conn: sa.Connection) -> None:
        when = _moment(None).isoformat(timespec="milliseconds")
        result = conn.execute(
            users.update()
            .where(users.c.name == login)
            .values(failed_attempts=0, locked_until=None, updated_at=when, updated_by=actor.display_name)
        )
        if result.rowcount != 1:
            raise coded_error(StoreError, "unknown_account_store", name=login)

    db.transaction(work, write=True)


def list_users(
    db: Database,
    *,
    configured: Mapping[str, Mapping[str, Any]] | None = None,
    at: datetime | None = None,
) -> pd.DataFrame:
    """Return every account, stored and configured, sorted by name; never a hash.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`USER_COLUMNS`; ``roles`` and ``communes`` as lists
        (``communes`` ``None`` for the whole province), ``locked_until`` as UTC
        ISO text or ``None``, ``locked`` whether the account is locked at ``at`` (default: now).
    """
    when = _moment(at)
    accounts = configured_accounts(configured)
    stored = db.transaction(lambda conn: [dict(r) for r in conn.execute(sa.select(users)).mappings()])
    rows = {row["name"]: _account(row) for row in stored}
    for name, account in accounts.items():
        counted = rows.get(name)
        counters = {} if counted is None else _counters(counted)
        rows[name] = Account(**{**account.__dict__, **counters})
    records = [
        {
            "name": a.name,
            "display_name": a.display_name,
            "email": a.email,
            "roles": list(a.roles),
            "communes": None if a.communes is None else list(a.communes),
            "source": a.source,
            "demo": a.demo,
            "failed_attempts": a.failed_attempts,
            "locked_until": None if a.locked_until is None else a.locked_until.isoformat(timespec="seconds"),
            "locked": a.locked_until is not None and a.locked_until > when,
        }
        for _, a in sorted(rows.items())
    ]
    # Object columns keep None as None (pandas would make a missing text NaN).
    frame = pd.DataFrame(records, columns=list(USER_COLUMNS), dtype=object)
    return frame.astype({"demo": bool, "failed_attempts": int, "locked": bool})


def _add_account(
    db: Database,
    name: str,
    *,
    password: str,
    roles: Iterable[str],
    user: User,
    first_admin: bool,
    communes: Iterable[str] | None = None,
    display_name: str | None = None,
    email: str | None = None,
    configured: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    actor = require(user, "manage_users")
    login = str(name or "").strip().lower()
    if not _NAME.fullmatch(login) or login in RESERVED_NAMES:
        raise coded_error(StoreError, "account_name_invalid", name=str(name or ""))
    if login in configured_accounts(configured):
        raise coded_error(StoreError, "account_name_taken", name=login)
    shown = bounded_text(str(display_name or "").strip() or login, "display_name")
    address = str(email or "").strip().lower() or None
    if address is not None and not _EMAIL.fullmatch(address):
        raise coded_error(StoreError, "email_invalid", email=address)
    record = {
        "name": login,
        "display_name": shown,
        "email": address,
        "password_hash": hash_password(password),
        "roles": list(check_roles(roles)),
        "communes": _communes(communes),
    }

    def work(conn: sa.Connection) -> str:
        # Under the write lock: two first admins added at once cannot both pass.
        if first_admin and _has_admin(conn):
            raise coded_error(StoreError, "first_admin_exists")
        _check_new_account(conn, record)
        when = _moment(None).isoformat(timespec="milliseconds")
        audit = {"created_at": when, "updated_at": when}
        who = {"created_by": actor.display_name, "updated_by": actor.display_name}
        row = {**record, "source": "store", "failed_attempts": 0, "locked_until": None, **audit, **who}
        conn.execute(users.insert().values(**{**row, "communes": _json_communes(row["communes"])}))
        return login

    return db.transaction(work, write=True)


def _find(conn: sa.Connection, login: str, accounts: Mapping[str, Account]) -> Account | None:
    """Return the configured account of that name (counters from the store), else the stored one."""
    row = conn.execute(sa.select(users).where(users.c.name == login)).mappings().first()
    if login in accounts:
        counters = {} if row is None else _counters(_account(dict(row)))
        return Account(**{**accounts[login].__dict__, **counters})
    if row is None or row["source"] != "store":
        return None
    return _account(dict(row))


def _find_by_email(conn: sa.Connection, address: str, accounts: Mapping[str, Account]) -> Account | None:
    query = sa.select(users).where(sa.func.lower(users.c.email) == address, users.c.source == "store")
    row = conn.execute(query).mappings().first()
    if row is None or row["name"] in accounts:
        return None
    return _account(dict(row))


def _account(row: Mapping[str, Any]) -> Account:
    locked = row["locked_until"]
    return Account(
        name=row["name"],
        display_name=row["display_name"],
        roles=tuple(row["roles"] or ()),
        communes=None if row["communes"] is None else tuple(row["communes"]),
        email=row["email"],
        password_hash=row["password_hash"],
        source=row["source"],
        failed_attempts=int(row["failed_attempts"] or 0),
        locked_until=None if locked is None else datetime.fromisoformat(locked),
    )


def _counters(account: Account) -> dict[str, Any]:
    return {"failed_attempts": account.failed_attempts, "locked_until": account.locked_until}


def _user_of(account: Account) -> User:
    return issue_user(account.name, account.display_name, account.roles, account.communes, demo=account.demo)


def _refuse_locked(account: Account, when: datetime) -> None:
    if account.locked_until is not None and account.locked_until > when:
        minutes = max(1, math.ceil((account.locked_until - when).total_seconds() / 60))
        raise _locked_error(account.name, minutes)


def _locked_error(name: str, minutes: int) -> AuthenticationError:
    return coded_error(
        AuthenticationError, "account_locked", name=name, count=LOCKOUT_AFTER_FAILURES, minutes=minutes
    )


def _count_failure(conn: sa.Connection, account: Account, when: datetime) -> int:
    """Count one more failed login (a lock that has ended starts the count again); return the count."""
    row = _counted_row(conn, account, when)
    locked = row["locked_until"]
    ended = locked is not None and datetime.fromisoformat(locked) <= when
    failures = (0 if ended else int(row["failed_attempts"])) + 1
    until = when + timedelta(minutes=LOCKOUT_MINUTES) if failures >= LOCKOUT_AFTER_FAILURES else None
    conn.execute(
        users.update()
        .where(users.c.name == account.name)
        .values(
            failed_attempts=failures,
            locked_until=None if until is None else until.isoformat(timespec="seconds"),
        )
    )
    return failures


def _count_success(conn: sa.Connection, account: Account, when: datetime) -> None:
    row = _counted_row(conn, account, when)
    if row["failed_attempts"] or row["locked_until"] is not None:
        conn.execute(
            users.update().where(users.c.name == account.name).values(failed_attempts=0, locked_until=None)
        )


def _counted_row(conn: sa.Connection, account: Account, when: datetime) -> Mapping[str, Any]:
    """Return the account's row, written first for a configured account (its counters live there)."""
    query = sa.select(users).where(users.c.name == account.name)
    row = conn.execute(query).mappings().first()
    if account.source == "secrets":
        mirror = {
            "display_name": account.display_name,
            "email": None,
            "password_hash": None,
            "roles": list(account.roles),
            "communes": _json_communes(account.communes),
            "source": "secrets",
            "updated_at": when.isoformat(timespec="milliseconds"),
            "updated_by": SYSTEM.name,
        }
        if row is None:
            created = {"created_at": mirror["updated_at"], "created_by": SYSTEM.name}
            conn.execute(
                users.insert().values(
                    name=account.name, failed_attempts=0, locked_until=None, **created, **mirror
                )
            )
        else:
            conn.execute(users.update().where(users.c.name == account.name).values(**mirror))
        row = conn.execute(query).mappings().first()
    return row


def _check_new_account(conn: sa.Connection, record: Mapping[str, Any]) -> None:
    """Refuse a name, display name or e-mail already used, and communes the store does not have."""
    if conn.execute(sa.select(users.c.name).where(users.c.name == record["name"])).first():
        raise coded_error(StoreError, "account_name_taken", name=record["name"])
    same_name = sa.func.lower(users.c.display_name) == record["display_name"].lower()
    if conn.execute(sa.select(users.c.name).where(same_name, users.c.source == "store")).first():
        raise coded_error(StoreError, "display_name_taken", display_name=record["display_name"])
    if record["email"] is not None:
        same_email = sa.func.lower(users.c.email) == record["email"]
        if conn.execute(sa.select(users.c.name).where(same_email)).first():
            raise coded_error(StoreError, "email_taken", email=record["email"])
    if record["communes"]:
        query = sa.select(features.c.feature_id).where(features.c.layer == "communes")
        known = {r[0] for r in conn.execute(query)}
        unknown = sorted(set(record["communes"]) - known) if known else []
        if unknown:
            shown = ", ".join(sorted(known)[:20])
            raise coded_error(StoreError, "unknown_communes", communes=", ".join(unknown), known=shown)


def _has_admin(conn: sa.Connection) -> bool:
    rows = conn.execute(sa.select(users.c.roles).where(users.c.source == "store")).all()
    return any("admin" in (roles or ()) for (roles,) in rows)


def _communes(value: Any) -> tuple[str, ...] | None:
    """Commune ids as a sorted tuple without repeats; ``None`` (whole province) when none given."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    ids = sorted({str(v).strip() for v in items if str(v).strip()})
    return tuple(ids) or None


def _json_communes(communes: tuple[str, ...] | None) -> Any:
    # A JSON null, not SQL NULL turned into the text 'null': None means the whole province.
    return sa.null() if communes is None else list(communes)


def _check_password(secret: bytes, password_hash: str) -> bool:
    """Compare with bcrypt; a password bcrypt cannot read still costs one comparison."""
    if len(secret) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"", _dummy_hash(HASH_ROUNDS).encode("ascii"))
        return False
    return bcrypt.checkpw(secret, password_hash.encode("ascii"))


@functools.cache
def _dummy_hash(rounds: int) -> str:
    """Return a hash of the cost of real ones that no typed password matches (for unknown names)."""
    return bcrypt.hashpw(b"no account has this password", bcrypt.gensalt(rounds)).decode("ascii")


def _moment(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _config_error(name: object, detail: str, **params: object) -> StoreError:
    shown = Phrase(detail, params)
    return coded_error(StoreError, "configured_account_invalid", name=str(name), detail=shown)
