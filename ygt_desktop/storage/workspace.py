"""Everything a screen or a command needs for one open database, wired once.

Pages and commands receive a :class:`Workspace` instead of reaching for globals.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.forms import FormRegistry
from ..paths import forms_dir, resources_dir
from . import users
from .db import Store
from .opening import close_store, open_store
from .organisation import Organisation, get_organisation, get_setting
from .residents import ResidentRepo
from .services import ServiceRepo
from .worklist import Worklist

# The form files as parsed, beside them (:mod:`..core.toml_cache`): made by the
# packaging step for an installed copy (whose folder is read-only), by the first run in
# a working copy; as trusted as the files themselves, never in a user-writable place
# the files are not in.
PARSED = ".parsed.json"


@lru_cache(maxsize=1)
def load_forms() -> FormRegistry:
    """Load every form file once; a malformed one raises FormFileError naming file and
    field. The definitions are immutable, so one registry serves every workspace."""
    folder = forms_dir()
    return FormRegistry.load(folder, resources_dir() / "codes", folder / PARSED)


@dataclass
class Workspace:
    store: Store
    forms: FormRegistry
    residents: ResidentRepo
    services: ServiceRepo
    worklist: Worklist

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        lock: bool = True,
        forms: FormRegistry | None = None,
        check: bool = True,
        defer_check: bool = False,
    ) -> Workspace:
        """Open ``path`` (see :func:`open_store` for ``create``, ``lock``, ``check``,
        ``defer_check``)."""
        forms = forms or load_forms()
        store = open_store(path, create=create, lock=lock, check=check, defer_check=defer_check)
        try:
            store.user = get_setting(store, "operator") or store.user
        except sqlite3.DatabaseError:
            if not store.readonly:
                close_store(store, backup_on_exit=False)
                raise
            # A damaged file opened read-only: keep the default operator name.
        return cls(
            store=store,
            forms=forms,
            residents=ResidentRepo(store, forms["resident"], forms),
            services=ServiceRepo(store, forms),
            worklist=Worklist(store, forms),
        )

    @property
    def organisation(self) -> Organisation | None:
        return get_organisation(self.store)

    @property
    def is_bureau(self) -> bool:
        org = self.organisation
        return bool(org and org.is_bureau)

    def login(
        self, name: str, password: str, *, clock: users.Clock = users.system_clock
    ) -> users.User:
        """Log ``name`` in (see :func:`users.login`); from now on writes are audited as
        that user and operations check that user's role."""
        user = users.login(self.store, name, password, clock=clock)
        self.act_as(user)
        return user

    def act_as(self, user: users.User) -> None:
        """Write as ``user`` (already authenticated: the login, or the window's worker
        acting for the window's user)."""
        self.store.user = user.name
        self.store.role = user.role

    def close(self, *, backup_on_exit: bool = True) -> Path | None:
        return close_store(self.store, backup_on_exit=backup_on_exit)
