"""Real users for tests: accounts added to a store and logged in (cheap bcrypt), and logging in under AppTest.

A :class:`hotspots.store.User` comes only from a login, so tests get theirs the same
way: :func:`make_user` adds an account to a throwaway in-memory store and logs in.
A user is not tied to the store it logged in to, so one made here acts on any store.

Loaded as a pytest plugin (``tests/conftest.py``): importing it lowers bcrypt's work
factor for the whole test session, so that a login takes a millisecond, not a quarter
of a second. ``tests/test_auth.py`` checks the real factor separately.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hotspots.store import Store, User, open_store
from hotspots.store import users as accounts
from hotspots.store.permissions import SYSTEM

#: bcrypt's smallest work factor: tests log in hundreds of times.
FAST_ROUNDS = 4
#: The password of every account the kit makes.
PASSWORD = "mật-khẩu-thử-01"

accounts.HASH_ROUNDS = FAST_ROUNDS


def add_account(
    store: Store,
    name: str,
    *roles: str,
    display_name: str | None = None,
    communes: Iterable[str] | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> str:
    """Add an account to ``store`` as the store itself would (tests only: pages never hold SYSTEM)."""
    return store.add_user(
        name,
        password=password,
        roles=roles,
        communes=communes,
        display_name=display_name,
        email=email,
        user=SYSTEM,
    )


def sign_in(store: Store, name: str, *roles: str, **details: object) -> User:
    """Add an account to ``store`` and log in to it: the User a page would hold."""
    add_account(store, name, *roles, **details)
    return store.authenticate(name, details.get("password", PASSWORD))


@functools.cache
def make_user(
    name: str,
    *roles: str,
    display_name: str | None = None,
    communes: tuple[str, ...] | None = None,
) -> User:
    """Return a real User (logged in to a throwaway in-memory store), e.g. ``make_user("lan", "admin")``."""
    with open_store("sqlite://", seed=False) as scratch:
        return sign_in(scratch, name, *(roles or ("admin",)), display_name=display_name, communes=communes)


def log_in(at, name: str, password: str = PASSWORD, *, form: str = "login"):
    """Log in through the sidebar's form (``form="gate"``: the form of a forbidden page) and run."""
    at.text_input(key=f"{form}_name").input(name)
    at.text_input(key=f"{form}_password").input(password)
    at.button(key=f"{form}_submit").click().run()
    assert not at.exception, at.exception
    return at


def log_in_as(at, name: str, *roles: str, **details: object):
    """Add an account to the app's store, then log in to it through the sidebar."""
    from pages._common import store  # the page layer: only AppTest helpers need it

    add_account(store(), name, *roles, **details)
    return log_in(at, name)
