"""Organisation keys (issue 11): the Ed25519 key pair an organisation signs its upward
workbooks with, and the members' public keys a bureau checks them against.

Own key (``org_keys``, migration 0052): one current key per organisation. Its private
half is stored as encrypted PKCS#8 PEM (``BestAvailableEncryption``). The PEM's
password is not the user's password itself but argon2id of it (:data:`KDF_PARAMS`,
salt per key, recorded in ``kdf``): PKCS#8's own PBKDF2 is 2,048 rounds, far cheaper
to guess than the argon2id hash of the same password in ``users`` — the key must not be
the weak door to the 站长's password. The owner is the user whose password protects it
(the 站长; a bureau: its 管理员); when the owner changes their own password the key is
re-encrypted (:func:`prepare_rekey` / :func:`apply_rekey`); a password reset by someone
else or by recovery code cannot re-encrypt it, and the key is then replaced
(:func:`create` with a reason). A replaced key keeps its public half, loses its
private one, and stays valid for what it signed before.

Member keys (``bureau_member_keys``): the registration files a bureau accepted; a
public key belongs to one member; replacing a member's current key needs a reason.

Every write is one transaction with its audit rows (both tables are covered families
of :mod:`.audit_digest`); the private key, encrypted or not, never enters the log.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .audit import now_iso, record
from .db import Store, StoreError

ALGORITHM = "Ed25519"
OWN_TABLE, MEMBER_TABLE = "org_keys", "bureau_member_keys"
TOPIC = "keys"
# argon2id, OWASP's minimum (19 MiB, 2 passes): ~25 ms, within the export's budget.
KDF_PARAMS = {"m": 19456, "t": 2, "p": 1}
FINGERPRINT_BITS = 80
NEEDS_REASON = "更换已登记的公钥须说明原因"


class KeyProblem(StoreError):
    """A key cannot be made, unlocked or registered; the message says why (Chinese)."""


# ---- primitives --------------------------------------------------------------------------


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(raw: bytes) -> str:
    """The first 80 bits of SHA-256 of the raw 32-byte public key, in base32 (RFC 4648,
    A–Z 2–7: no 0/1/8 to mistake for O/I/B), as four groups of four joined by ``-``:
    ``ABCD-EFGH-IJKL-MNOP``, short enough to read out over the phone."""
    text = base64.b32encode(hashlib.sha256(raw).digest()[: FINGERPRINT_BITS // 8]).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def public_key_of(b64: str) -> Ed25519PublicKey:
    """The public key from its base64 text; ValueError when it is not 32 bytes."""
    raw = base64.b64decode(b64.encode("ascii"), validate=True)
    if len(raw) != 32:
        raise ValueError("Ed25519 公钥应为 32 字节")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(public_b64: str, signature: bytes, data: bytes) -> bool:
    try:
        public_key_of(public_b64).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _kdf_text(salt: bytes) -> str:
    p = KDF_PARAMS
    return f"argon2id$m={p['m']},t={p['t']},p={p['p']}${base64.b64encode(salt).decode()}"


def _pem_password(password: str, kdf: str) -> bytes:
    """The PKCS#8 password: argon2id of ``password`` with the parameters in ``kdf``."""
    try:
        name, params, salt = kdf.split("$")
        values = dict(part.split("=") for part in params.split(","))
        if name != "argon2id":
            raise ValueError(name)
        raw = hash_secret_raw(
            password.encode("utf-8"),
            base64.b64decode(salt),
            time_cost=int(values["t"]),
            memory_cost=int(values["m"]),
            parallelism=int(values["p"]),
            hash_len=32,
            type=Type.ID,
        )
    except (ValueError, KeyError) as exc:
        raise KeyProblem(f"本机构密钥的加密参数无法识别（{kdf[:40]}），请更换密钥") from exc
    return base64.b64encode(raw)


def _encrypt(key: Ed25519PrivateKey, password: str) -> tuple[str, str]:
    kdf = _kdf_text(os.urandom(16))
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_pem_password(password, kdf)),
    )
    return pem.decode("ascii"), kdf


def _decrypt(pem: str, kdf: str, password: str) -> Ed25519PrivateKey | None:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), _pem_password(password, kdf))
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, Ed25519PrivateKey) else None


@dataclass(frozen=True)
class KeySigner:
    """An unlocked private key: signs workbooks (see ``reports.workbook_canonical.Signer``)."""

    private: Ed25519PrivateKey
    fingerprint: str

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


# ---- this organisation's keys ------------------------------------------------------------


@dataclass(frozen=True)
class OwnKey:
    id: int
    org_code: str
    algorithm: str
    public_key: str  # base64 of the 32 raw bytes
    fingerprint: str
    owner: str | None
    created_at: str
    created_by: str
    replaced_at: str | None
    replace_reason: str | None

    @property
    def current(self) -> bool:
        return self.replaced_at is None


_OWN_COLUMNS = (
    "id, org_code, algorithm, public_key, fingerprint, owner, created_at, created_by, "
    "replaced_at, replace_reason"
)


def own_keys(store: Store) -> list[OwnKey]:
    """Every key this organisation has had, oldest first."""
    rows = store.conn.execute(f"SELECT {_OWN_COLUMNS} FROM {OWN_TABLE} ORDER BY id")
    return [OwnKey(*r) for r in rows]


def _retire(
    conn: sqlite3.Connection,
    user: str,
    table: str,
    key_id: int,
    now: str,
    what: str,
    reason: str | None,
    shown: dict[str, object],
    *,
    wipe_private: bool = False,
) -> None:
    """Mark key ``key_id`` of ``table`` replaced (kept: it still verifies what it signed
    before ``now``) and audit it as ``what``, with the user's ``reason``.
    ``wipe_private``: our own key's private half is erased too."""
    wipe = ", private_key = NULL, kdf = NULL" if wipe_private else ""
    conn.execute(
        f"UPDATE {table} SET replaced_at = ?, replaced_by = ?, replace_reason = ?{wipe} "
        "WHERE id = ?",
        (now, user, reason, key_id),
    )
    record(
        conn,
        user=user,
        table=table,
        record_id=key_id,
        action="replace",
        old={**shown, "current": 1},
        new={**shown, "current": 0},
        reason=f"{what}：{reason}",
    )


def current(store: Store) -> OwnKey | None:
    row = store.conn.execute(
        f"SELECT {_OWN_COLUMNS} FROM {OWN_TABLE} WHERE replaced_at IS NULL"
    ).fetchone()
    return OwnKey(*row) if row else None


def create(
    store: Store, org_code: str, *, owner: str, password: str, reason: str | None = None
) -> OwnKey:
    """A new key pair protected by ``owner``'s ``password``; a current key is replaced
    (``reason`` required then, audited; its public half kept, its private half wiped).
    The caller has checked the password and the permission."""
    old = current(store)
    if old is not None and not (reason and reason.strip()):
        raise KeyProblem("本机构已有密钥。更换密钥须说明原因（如：忘记密码、换了电脑）。")
    key = Ed25519PrivateKey.generate()
    raw = raw_public(key.public_key())
    pem, kdf = _encrypt(key, password)
    now = now_iso()
    with store.write(TOPIC) as conn:
        if old is not None:  # the private half goes: only the public one verifies
            _retire(conn, store.user, OWN_TABLE, old.id, now, "更换本机构密钥", reason,
                    {"fingerprint": old.fingerprint}, wipe_private=True)  # fmt: skip
        cur = conn.execute(
            f"INSERT INTO {OWN_TABLE} (org_code, algorithm, public_key, fingerprint, "
            "private_key, kdf, owner, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                org_code,
                ALGORITHM,
                base64.b64encode(raw).decode(),
                fingerprint(raw),
                pem,
                kdf,
                owner,
                now,
                store.user,
            ),
        )
        record(
            conn,
            user=store.user,
            table=OWN_TABLE,
            record_id=cur.lastrowid,
            action="insert",
            new={"org_code": org_code, "fingerprint": fingerprint(raw), "owner": owner},
            reason="生成本机构密钥" if old is None else f"更换本机构密钥：{reason}",
        )
    made = current(store)
    assert made is not None
    return made


def unlock(store: Store, password: str) -> KeySigner:
    """The current key, decrypted with its owner's ``password``; :class:`KeyProblem`
    when there is none or the password does not open it."""
    row = store.conn.execute(
        f"SELECT private_key, kdf, owner, fingerprint FROM {OWN_TABLE} WHERE replaced_at IS NULL"
    ).fetchone()
    if row is None or not row[0]:
        raise KeyProblem("本机构还没有签名密钥。请站长在“设置”中生成，或运行 ygt key new。")
    key = _decrypt(row[0], row[1] or "", password)
    if key is None:
        raise KeyProblem(
            f"密码打不开本机构的签名密钥（密钥由“{row[2]}”的密码保护）。若该用户的密码"
            "曾被他人重设或用恢复码找回，原密钥已无法使用，请更换密钥（需说明原因）。"
        )
    return KeySigner(key, str(row[3]))


@dataclass(frozen=True)
class Rekey:
    """The current key encrypted anew, ready to store with a password change."""

    key_id: int
    pem: str
    kdf: str


def prepare_rekey(store: Store, owner: str, old: str, new: str) -> Rekey | None:
    """When ``owner`` holds the current key and ``old`` opens it: the key encrypted with
    ``new`` (nothing stored yet). None when there is nothing to re-encrypt."""
    row = store.conn.execute(
        f"SELECT id, private_key, kdf FROM {OWN_TABLE} WHERE replaced_at IS NULL AND owner = ?",
        (owner,),
    ).fetchone()
    if row is None or not row[1]:
        return None
    key = _decrypt(row[1], row[2] or "", old)
    if key is None:
        return None
    pem, kdf = _encrypt(key, new)
    return Rekey(int(row[0]), pem, kdf)


def apply_rekey(store: Store, rekey: Rekey) -> None:
    with store.write(TOPIC) as conn:
        conn.execute(
            f"UPDATE {OWN_TABLE} SET private_key = ?, kdf = ? WHERE id = ?",
            (rekey.pem, rekey.kdf, rekey.key_id),
        )
        record(
            conn,
            user=store.user,
            table=OWN_TABLE,
            record_id=rekey.key_id,
            action="update",
            new={"private_key": "（以新密码重新加密）"},
            reason="修改密码：本机构密钥随之重新加密",
        )


# ---- a bureau's member keys --------------------------------------------------------------


@dataclass(frozen=True)
class MemberKey:
    id: int
    org_code: str
    org_name: str
    algorithm: str
    public_key: str
    fingerprint: str
    key_created_at: str | None
    added_at: str
    added_by: str
    replaced_at: str | None
    replace_reason: str | None

    @property
    def current(self) -> bool:
        return self.replaced_at is None


_MEMBER_COLUMNS = (
    "id, org_code, org_name, algorithm, public_key, fingerprint, key_created_at, added_at, "
    "added_by, replaced_at, replace_reason"
)


def member_keys(store: Store, org_code: str | None = None) -> list[MemberKey]:
    """Registered keys (of one member, or all), by member then oldest first."""
    sql = f"SELECT {_MEMBER_COLUMNS} FROM {MEMBER_TABLE}"
    params: tuple[str, ...] = ()
    if org_code is not None:
        sql += " WHERE org_code = ?"
        params = (org_code,)
    return [MemberKey(*r) for r in store.conn.execute(sql + " ORDER BY org_code, id", params)]


def keys_with_fingerprint(store: Store, fp: str) -> list[MemberKey]:
    rows = store.conn.execute(
        f"SELECT {_MEMBER_COLUMNS} FROM {MEMBER_TABLE} WHERE fingerprint = ? ORDER BY id", (fp,)
    )
    return [MemberKey(*r) for r in rows]


def has_member_keys(store: Store) -> bool:
    """Whether the table exists (a database from before 0052 read-only has none)."""
    try:
        store.conn.execute(f"SELECT 1 FROM {MEMBER_TABLE} LIMIT 1")
    except sqlite3.OperationalError:
        return False
    return True


def register_member_key(
    store: Store,
    *,
    org_code: str,
    org_name: str,
    public_key: str,
    key_created_at: str | None,
    reason: str | None = None,
) -> tuple[MemberKey, MemberKey | None]:
    """Register ``public_key`` (base64) for member ``org_code``; returns the key and the
    one it replaced. Refused (KeyProblem): a key registered to another member; a member
    with another current key and no ``reason``. The same key again changes nothing."""
    raw = base64.b64decode(public_key)
    fp = fingerprint(raw)
    with store.write(TOPIC) as conn:
        same = conn.execute(
            f"SELECT org_code FROM {MEMBER_TABLE} WHERE public_key = ?", (public_key,)
        ).fetchone()
        if same is not None and same[0] != org_code:
            raise KeyProblem(
                f"该公钥（指纹 {fp}）已登记在机构 {same[0]} 名下，不能再登记给 {org_code}"
            )
        now_key = next((k for k in member_keys(store, org_code) if k.current), None)
        if same is not None:
            if now_key is not None and now_key.public_key == public_key:
                return now_key, None
            raise KeyProblem(
                f"该公钥（指纹 {fp}）是机构 {org_code} 已被更换的旧密钥，不能再作为当前密钥"
            )
        if now_key is not None and not (reason and reason.strip()):
            raise KeyProblem(
                f"机构 {org_code} 已登记公钥（指纹 {now_key.fingerprint}）。{NEEDS_REASON}"
                "，并记入审计日志；旧公钥对其已签名的工作簿仍然有效。"
            )
        now = now_iso()
        if now_key is not None:
            _retire(conn, store.user, MEMBER_TABLE, now_key.id, now, "更换成员机构公钥", reason,
                    {"org_code": org_code, "fingerprint": now_key.fingerprint})  # fmt: skip
        cur = conn.execute(
            f"INSERT INTO {MEMBER_TABLE} (org_code, org_name, algorithm, public_key, fingerprint, "
            "key_created_at, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (org_code, org_name, ALGORITHM, public_key, fp, key_created_at, now, store.user),
        )
        record(
            conn,
            user=store.user,
            table=MEMBER_TABLE,
            record_id=cur.lastrowid,
            action="insert",
            new={"org_code": org_code, "org_name": org_name, "fingerprint": fp},
            reason="登记成员机构公钥" if now_key is None else f"更换成员机构公钥：{reason}",
        )
    added = next(k for k in member_keys(store, org_code) if k.current)
    return added, now_key
