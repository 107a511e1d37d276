"""Migration 0052: organisation keys (issue 11, signed upward workbooks).

``org_keys``: this organisation's own Ed25519 key pairs. The current one has
``replaced_at`` NULL (at most one, a partial unique index); its private key is stored
as encrypted PKCS#8 PEM, protected by the password of ``owner`` (the 站长, or a
bureau's 管理员, who made it) through the KDF named in ``kdf``. A replaced key keeps
its public half and loses its private one.

``bureau_member_keys``: the public keys a bureau registered for its members (from
their registration files). The current key of a member has ``replaced_at`` NULL; old
ones stay, valid for the workbooks they signed before their replacement. A public key
belongs to one member only (unique).

Both tables are covered by the audit digests (:mod:`ygt_desktop.storage.audit_digest`):
every row is written with its audit entry. They start empty, so no baseline is needed.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

_KEYS = """
CREATE TABLE org_keys (
    id INTEGER PRIMARY KEY,
    org_code TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    private_key TEXT,
    kdf TEXT,
    owner TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    replaced_at TEXT,
    replaced_by TEXT,
    replace_reason TEXT
);
CREATE UNIQUE INDEX org_keys_current ON org_keys (org_code) WHERE replaced_at IS NULL;
CREATE TABLE bureau_member_keys (
    id INTEGER PRIMARY KEY,
    org_code TEXT NOT NULL,
    org_name TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    key_created_at TEXT,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    replaced_at TEXT,
    replaced_by TEXT,
    replace_reason TEXT
);
CREATE UNIQUE INDEX bureau_member_keys_current
    ON bureau_member_keys (org_code) WHERE replaced_at IS NULL;
CREATE INDEX bureau_member_keys_fingerprint ON bureau_member_keys (fingerprint);
"""

MIGRATIONS: tuple[Migration, ...] = (Migration("0052_keys", sql(_KEYS)),)
